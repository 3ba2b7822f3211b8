"""The demo's company in the MYOB sandbox (its AU business): the host's nominal codes map to MYOB's account
DisplayIDs, its VAT codes to MYOB's GST codes; a MYOB user records a customer's payment on the sandbox's books
page; the business's card file holds customers before it is connected, for the import on connect to find."""

from __future__ import annotations

from contextlib import AbstractContextManager
from decimal import Decimal

import httpx

from ledgerbridge.connectors.spec import DemoWorld, RunningSandbox
from ledgerbridge.sandboxes.package_user import PackageUser

NOMINAL_MAP = {"4000": "4-1000", "4010": "4-1010", "5000": "5-1000", "7500": "6-2000", "1200": "1-1110"}
TAX_MAP = {"T1": "GST", "T0": "FRE", "T5": "GST"}
#: The host trades in the AU business's currency and tax: MYOB's company file refuses any other currency, and GST
#: is 10 % (Australia has no reduced rate: T5 is GST too).
CURRENCY = "AUD"
TAX_CODES = (("T1", "GST 10%", "10"), ("T0", "GST free", "0"), ("T5", "GST 10% (was reduced)", "10"))
BANK_ACCOUNT = "1-1110"
#: The customers the AU business holds before it is connected (R-I4): one with the host's code (C001, bound by
#: code), one the host names alike under another card ID (Castle Hill Dental, bound by name), two the host does not
#: have (imported as new customers).
CARDS = (("C001", "Aldgate Bakery Ltd"), ("CHD-01", "Castle Hill Dental"), ("C101", "Quarry Lane Plumbing"),
         ("C102", "Wattle Street Surgery"))


def start_sandbox() -> AbstractContextManager[RunningSandbox]:
    """The default sandbox (an AU and an NZ business) with the demo's app registered: the demo connects as
    ``ledgerbridge-demo``, as against every other package's sandbox."""
    from ledgerbridge.packages.myob.sandbox import config, server

    return server.start_myob_sandbox(config.SandboxConfig(client_id="ledgerbridge-demo"))


def record_payment(http: httpx.Client, business: str, doc_id: str, amount: Decimal, ref: str, bill: bool) -> None:
    http.post(f"/sandbox/businesses/{business}/payments", json={
        "amount": str(amount), "allocations": [{"document_id": doc_id, "amount": str(amount)}],
        "date": "2026-11-02", "reference": ref, "bill": bill}).raise_for_status()


def customers_in_books(base_url: str, business: str, transport: httpx.BaseTransport | None) -> int:
    from ledgerbridge.packages.myob.sandbox.user import MyobUser

    user = MyobUser(base_url, business, transport)
    try:
        for display_id, name in CARDS:
            user.add_customer(display_id, name)
    finally:
        user.close()
    return len(CARDS)


def add_customers(base_url: str, business: str, rows: list[tuple[str, str]]) -> None:
    """Customer cards (card ID, name) made by hand through the sandbox's books route: ``bench-parties``."""
    with httpx.Client(base_url=f"{base_url}/sandbox/businesses/{business}", timeout=30) as books:
        for code, name in rows:
            books.post("/contacts", json={"name": name, "display_id": code}).raise_for_status()


def package_user(base_url: str, business: str, transport: httpx.BaseTransport | None) -> PackageUser:
    from ledgerbridge.packages.myob.sandbox.user import MyobUser

    return MyobUser(base_url, business, transport)


DEMO_WORLD = DemoWorld(nominal=NOMINAL_MAP, tax_sales=TAX_MAP, tax_purchases=TAX_MAP, bank_account=BANK_ACCOUNT,
                       record_payment=record_payment, pays_bills=True, package_user=package_user,
                       currency=CURRENCY, tax_codes=TAX_CODES, customers_in_books=customers_in_books)
