"""Independent clients against the sandbox: intuit-oauth (Intuit's official OAuth client, PyPI ``intuit-oauth`` 1.2)
and python-quickbooks (the most used QuickBooks Online client, PyPI ``python-quickbooks`` 0.9), configured the way
each allows: ``AuthClient(environment=<discovery URL>)`` (a custom environment is a discovery document's URL) and
the ``QuickBooks`` client's ``api_url_v3`` attribute (it builds every URL from it; the sandbox stands in for
``quickbooks.api.intuit.com``). Plain http on loopback is allowed for requests-oauthlib by its own switch.

What it proves: the SDKs, not written by us, get a URL to the consent page, exchange the code the consent gives,
refresh (python-quickbooks refreshes when it starts a session without an access token), create a customer and an
invoice, query them, read one back, and surface a refusal as ``QuickbooksException`` with the sandbox's message.
The consent itself is the user's step in a browser; here an httpx client answers the sandbox's consent form.
"""

from __future__ import annotations

from decimal import Decimal
from urllib.parse import parse_qs, urlparse

import httpx
import pytest
from intuitlib.client import AuthClient
from intuitlib.enums import Scopes
from quickbooks import QuickBooks
from quickbooks.exceptions import QuickbooksException
from quickbooks.objects.base import Ref
from quickbooks.objects.customer import Customer
from quickbooks.objects.detailline import SalesItemLine, SalesItemLineDetail
from quickbooks.objects.invoice import Invoice

from ledgerbridge.packages.qbo.sandbox import RunningSandbox

from .conftest import REALM

REDIRECT = "http://127.0.0.1:9/callback"  # never called: the code is read from the consent's redirect


@pytest.fixture
def client(sandbox: RunningSandbox, admin: httpx.Client, monkeypatch: pytest.MonkeyPatch) -> QuickBooks:
    """A python-quickbooks client for the demo company, its tokens from intuit-oauth's code flow on the sandbox."""
    monkeypatch.setenv("OAUTHLIB_INSECURE_TRANSPORT", "1")  # requests-oauthlib refuses http otherwise
    auth = AuthClient(sandbox.config.client_id, sandbox.config.client_secret, REDIRECT,
                      environment=sandbox.discovery_url)
    assert auth.token_endpoint == sandbox.token_url
    url = auth.get_authorization_url([Scopes.ACCOUNTING], state_token="sdk-state")
    assert url.startswith(sandbox.authorize_url)
    params = {k: v[0] for k, v in parse_qs(urlparse(url).query).items()}
    consent = httpx.post(sandbox.authorize_url, data={**params, "realmId": REALM})  # the user clicks Connect
    assert consent.status_code == 302, consent.text
    answer = {k: v[0] for k, v in parse_qs(urlparse(consent.headers["location"]).query).items()}
    assert answer["state"] == "sdk-state" and answer["realmId"] == REALM
    auth.get_bearer_token(answer["code"], realm_id=answer["realmId"])
    assert auth.access_token and auth.refresh_token

    first_refresh = auth.refresh_token
    auth.access_token = None  # python-quickbooks then refreshes through intuit-oauth as it starts its session
    qb = QuickBooks(auth_client=auth, refresh_token=first_refresh, company_id=REALM, minorversion=75,
                    use_decimal=True)
    assert auth.access_token and qb.refresh_token == auth.refresh_token
    qb.api_url_v3 = sandbox.api_url  # what python-quickbooks builds every company URL from
    return qb


def test_python_quickbooks_creates_queries_and_reads_back(client: QuickBooks) -> None:
    customer = Customer()
    customer.DisplayName = "SDK Customer Inc"
    customer.PrimaryEmailAddr = {"Address": "ap@sdk.example"}
    saved = customer.save(qb=client)  # returns the sandbox's view; sets only Id on the object it was given
    assert customer.Id == saved.Id and saved.SyncToken == "0" and saved.PrimaryEmailAddr.Address == "ap@sdk.example"

    line = SalesItemLine()
    line.Amount = Decimal("250.00")
    line.Description = "Consulting"
    line.SalesItemLineDetail = SalesItemLineDetail()
    line.SalesItemLineDetail.ItemRef = Ref()
    line.SalesItemLineDetail.ItemRef.value = "1"
    line.SalesItemLineDetail.Qty = Decimal("2")
    line.SalesItemLineDetail.UnitPrice = Decimal("125.00")
    line.SalesItemLineDetail.TaxCodeRef = Ref()
    line.SalesItemLineDetail.TaxCodeRef.value = "2"  # the demo company is UK: every line needs a VAT rate
    invoice = Invoice()
    invoice.CustomerRef = customer.to_ref()
    invoice.TxnDate = "2026-07-01"
    invoice.DueDate = "2026-07-31"
    invoice.DocNumber = "SDK-1"
    by_amount = SalesItemLine()  # as python-quickbooks' own examples: Amount alone (the SDK adds Qty 0, UnitPrice 0)
    by_amount.Amount = Decimal("40.00")
    by_amount.Description = "Expenses"
    by_amount.SalesItemLineDetail = SalesItemLineDetail()
    by_amount.SalesItemLineDetail.ItemRef = line.SalesItemLineDetail.ItemRef
    by_amount.SalesItemLineDetail.TaxCodeRef = line.SalesItemLineDetail.TaxCodeRef
    invoice.Line = [line, by_amount]
    created = invoice.save(qb=client)
    assert invoice.Id == created.Id and created.CustomerRef.value == customer.Id and created.DocNumber == "SDK-1"

    found = Customer.filter(DisplayName="SDK Customer Inc", qb=client)
    assert [c.Id for c in found] == [customer.Id]
    queried = Invoice.query(f"SELECT * FROM Invoice WHERE CustomerRef = '{customer.Id}'", qb=client)
    assert [i.Id for i in queried] == [invoice.Id]

    fetched = Invoice.get(invoice.Id, qb=client)
    assert fetched.DocNumber == "SDK-1" and fetched.CustomerRef.value == customer.Id
    sales = [ln for ln in fetched.Line if ln.DetailType == "SalesItemLineDetail"]
    assert [(ln.Description, ln.Amount) for ln in sales] == [("Consulting", Decimal("250.00")),
                                                              ("Expenses", Decimal("40.00"))]
    assert sales[0].SalesItemLineDetail.Qty == Decimal("2") and sales[0].SalesItemLineDetail.UnitPrice == 125
    vat = fetched.TxnTaxDetail.TotalTax
    assert vat > 0 and fetched.TotalAmt == Decimal("290.00") + vat and fetched.Balance == fetched.TotalAmt


def test_python_quickbooks_surfaces_a_refusal(client: QuickBooks) -> None:
    first = Customer()
    first.DisplayName = "SDK Twin"
    first.save(qb=client)
    twin = Customer()
    twin.DisplayName = "SDK Twin"
    with pytest.raises(QuickbooksException) as refused:
        twin.save(qb=client)
    assert refused.value.error_code == 6240 and refused.value.message == "Duplicate Name Exists Error"
    assert refused.value.detail.startswith("The name supplied already exists.")
    assert [c.Id for c in Customer.filter(DisplayName="SDK Twin", qb=client)] == [first.Id]  # nothing written

    line = SalesItemLine()
    line.Amount = Decimal("10.00")
    line.SalesItemLineDetail = SalesItemLineDetail()
    line.SalesItemLineDetail.ItemRef = Ref()
    line.SalesItemLineDetail.ItemRef.value = "1"  # no TaxCodeRef: a UK company refuses the line
    line.SalesItemLineDetail.Qty = Decimal("1")  # the SDK sends Qty 0 and UnitPrice 0 unless told otherwise
    line.SalesItemLineDetail.UnitPrice = Decimal("10.00")
    untaxed = Invoice()
    untaxed.CustomerRef = first.to_ref()
    untaxed.Line = [line]
    with pytest.raises(QuickbooksException) as no_vat:
        untaxed.save(qb=client)
    assert no_vat.value.error_code == 6000 and "VAT rate" in no_vat.value.detail
    assert Invoice.filter(CustomerRef=first.Id, qb=client) == []
