"""An independent client against the sandbox: pymyob (uptick's, PyPI ``pymyob`` 3.0), pointed at it the way the
research note's §9 shows (module globals patched before anything is built; plain http allowed for oauthlib).

What it proves: a client written from MYOB's documentation, not by us, refreshes its token, lists customers with a
filter, posts a service invoice and a customer payment, and tells a rate limit from other refusals by the 403's
JSON body, against the sandbox. Its exchanges go through the sandbox's tap, so the catalogue checks them too.
"""

from __future__ import annotations

import datetime
import importlib
import importlib.metadata
import importlib.util
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import httpx
import pytest

from ledgerbridge.packages.myob.sandbox import RunningSandbox

from .conftest import AU, Books


def _pymyob(submodule: str) -> ModuleType:
    """A module of pymyob, loaded as ``pymyob.<submodule>``: pymyob's own top-level name is ``myob``, which in this
    test run is the package of ``tests/myob``, so it is loaded from where pip installed it under another name (its
    modules import each other relatively, so they do not mind)."""
    if "pymyob" not in sys.modules:
        init = Path(str(importlib.metadata.distribution("pymyob").locate_file("myob/__init__.py")))
        spec = importlib.util.spec_from_file_location("pymyob", init, submodule_search_locations=[str(init.parent)])
        assert spec is not None and spec.loader is not None
        package = importlib.util.module_from_spec(spec)
        sys.modules["pymyob"] = package
        spec.loader.exec_module(package)
    return importlib.import_module(f"pymyob.{submodule}")


@pytest.fixture
def pymyob(sandbox: RunningSandbox, admin: httpx.Client, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """pymyob's credentials for the AU business, built after its base URLs point at the sandbox."""
    monkeypatch.setenv("OAUTHLIB_INSECURE_TRANSPORT", "1")
    monkeypatch.setattr(_pymyob("managers"), "MYOB_BASE_URL", sandbox.api_url + "/")
    monkeypatch.setattr(_pymyob("credentials"), "MYOB_PARTNER_BASE_URL", sandbox.oauth_url + "/")
    AuthScope = _pymyob("constants").AuthScope  # noqa: N806
    PartnerCredentials = _pymyob("credentials").PartnerCredentials  # noqa: N806

    tokens = admin.post("/tokens", json={"businessId": AU}).json()
    yield PartnerCredentials(
        consumer_key=sandbox.config.client_id, consumer_secret=sandbox.config.client_secret,
        callback_uri="https://app.example/callback", business_id=AU, verified=True,
        oauth_token=tokens["access_token"], refresh_token=tokens["refresh_token"],
        oauth_expires_at=datetime.datetime.now() - datetime.timedelta(minutes=1),
        scopes=(AuthScope.COMPANY_FILE, AuthScope.SALES, AuthScope.GENERAL_LEDGER, AuthScope.CONTACTS_CUSTOMER))


def test_pymyob_refreshes_lists_posts_an_invoice_and_a_payment(pymyob: Any, books: Books) -> None:
    Myob = _pymyob("api").Myob  # noqa: N806
    cred = pymyob
    books.customer("Acme Pty Ltd", "CUS001")
    books.customer("Other Pty Ltd", "CUS002")
    old_refresh = cred.refresh_token
    assert cred.expired()
    cred.refresh()
    assert not cred.expired() and cred.refresh_token != old_refresh  # rotated, and pymyob kept the new one
    m = Myob(cred)
    assert m.business()["Id"] == AU
    customers = m.contacts.customer(raw_filter="DisplayID eq 'CUS001'")
    assert customers["Count"] == 1
    customer = customers["Items"][0]
    accounts = {a["DisplayID"]: a["UID"] for a in m.general_ledger.account(limit=1000)["Items"]}
    gst = next(t["UID"] for t in m.general_ledger.taxcode()["Items"] if t["Code"] == "GST")
    invoice = m.invoices.post_service(data={
        "Date": "2026-11-01T00:00:00", "Customer": {"UID": customer["UID"]}, "IsTaxInclusive": False,
        "Lines": [{"Type": "Transaction", "Description": "Work", "Total": 100.0,
                   "Account": {"UID": accounts["4-1010"]}, "TaxCode": {"UID": gst}}]})
    assert invoice["TotalAmount"] == 110.0 and invoice["Status"] == "Open"
    payment = m.customer_payments.post(data={
        "DepositTo": "Account", "Account": {"UID": accounts["1-1110"]}, "Customer": {"UID": customer["UID"]},
        "Date": "2026-11-05T00:00:00", "AmountReceived": 110.0,
        "Invoices": [{"UID": invoice["UID"], "AmountApplied": 110.0, "Type": "Invoice"}]})
    assert payment["Invoices"][0]["UID"] == invoice["UID"]
    closed = m.invoices.get_service(uid=invoice["UID"])
    assert (closed["Status"], closed["BalanceDueAmount"]) == ("Closed", 0)
    assert m.customer_payments.delete(uid=payment["UID"]) == {}
    assert m.invoices.get_service(uid=invoice["UID"])["Status"] == "Open"


def test_pymyob_sees_myob_errors_as_myob_sends_them(pymyob: Any, admin: httpx.Client) -> None:
    Myob = _pymyob("api").Myob  # noqa: N806
    exceptions = _pymyob("exceptions")
    cred = pymyob
    cred.refresh()
    m = Myob(cred)
    with pytest.raises(exceptions.MyobBadRequest):
        m.invoices.post_service(data={"Date": "2026-11-01T00:00:00"})
    with pytest.raises(exceptions.MyobNotFound):
        m.invoices.get_service(uid="6f1c4c8e-0000-4000-8000-000000000000")
    admin.post("/faults", json={"fail_with_status": 504})
    with pytest.raises(exceptions.MyobGatewayTimeout):
        m.contacts.customer()
    admin.post("/rate-limits", json={"enabled": True, "per_second": 1, "reset_windows": True})
    m.contacts.customer()
    with pytest.raises(exceptions.MyobRateLimitExceeded):
        m.contacts.customer()
