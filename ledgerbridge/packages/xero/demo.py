"""The demo's company in the Xero sandbox: where the demo's codes go in its chart, how a Xero user records a
payment there (the sandbox's books page, as a bookkeeper would), and the contacts the organisation holds before it
is connected, for the import of parties (R-I4) to find."""

from __future__ import annotations

from contextlib import AbstractContextManager
from decimal import Decimal

import httpx

from ledgerbridge.connectors.spec import DemoWorld, RunningSandbox
from ledgerbridge.sandboxes.package_user import PackageUser

# Where each host code goes in the sandbox's chart (what a bookkeeper sets on the Mapping tab).
NOMINAL_MAP = {"4000": "200", "4010": "260", "5000": "300", "7500": "429", "1200": "090"}
TAX_MAP = {"T1": ("OUTPUT2", "INPUT2"), "T0": ("ZERORATEDOUTPUT", "ZERORATEDINPUT"), "T5": ("RROUTPUT", "RRINPUT")}
BANK_ACCOUNT = "090"
#: The contacts Xero holds before it is connected: Aldgate Bakery under the host's code (bound by code), Castle Hill
#: Dental and Kestrel Packaging written differently under codes of Xero's own (bound by name, case and spacing
#: ignored), Bramley Florists, whom the host has as a customer and as a supplier (ambiguous: the user chooses), and
#: two the host does not have (a customer and a supplier: imported as new parties).
CONTACTS = (
    {"Name": "Aldgate Bakery", "ContactNumber": "C001", "IsCustomer": True},
    {"Name": "CASTLE HILL  Dental", "ContactNumber": "CHD-01", "IsCustomer": True},
    {"Name": "Kestrel packaging", "ContactNumber": "KP-7", "IsSupplier": True},
    {"Name": "Bramley Florists", "IsCustomer": True},
    {"Name": "Quarry Lane Plumbing", "ContactNumber": "C101", "IsCustomer": True,
     "EmailAddress": "accounts@quarrylane.example"},
    {"Name": "Ironbridge Fasteners", "ContactNumber": "S101", "IsSupplier": True},
)


def start_sandbox() -> AbstractContextManager[RunningSandbox]:
    from ledgerbridge.packages.xero.sandbox import SandboxConfig, start_xero_sandbox

    return start_xero_sandbox(SandboxConfig())


def record_payment(http: httpx.Client, tenant: str, doc_id: str, amount: Decimal, ref: str, bill: bool) -> None:
    http.post(f"/sandbox/tenants/{tenant}/payments", json={
        "Invoice": {"InvoiceID": doc_id}, "Account": {"Code": BANK_ACCOUNT}, "Date": "2026-11-02",
        "Amount": str(amount), "Reference": ref}).raise_for_status()


def contacts_in_books(base_url: str, tenant: str, transport: httpx.BaseTransport | None) -> int:
    with httpx.Client(base_url=base_url, transport=transport, timeout=10) as http:
        http.post(f"/sandbox/tenants/{tenant}/contacts", json={"Contacts": list(CONTACTS)}).raise_for_status()
    return len(CONTACTS)


def add_customers(base_url: str, tenant: str, rows: list[tuple[str, str]]) -> None:
    """Customers (code, name) made by hand, in one call of the sandbox's books route: ``bench-parties``."""
    contacts = [{"Name": name, "ContactNumber": code, "IsCustomer": True} for code, name in rows]
    httpx.post(f"{base_url}/sandbox/tenants/{tenant}/contacts", json={"Contacts": contacts},
               timeout=300).raise_for_status()


def package_user(base_url: str, tenant: str, transport: httpx.BaseTransport | None) -> PackageUser:
    from ledgerbridge.packages.xero.sandbox.user import XeroUser

    return XeroUser(base_url, tenant, transport)


DEMO_WORLD = DemoWorld(nominal=NOMINAL_MAP, tax_sales={k: v[0] for k, v in TAX_MAP.items()},
                       tax_purchases={k: v[1] for k, v in TAX_MAP.items()}, bank_account=BANK_ACCOUNT,
                       record_payment=record_payment, pays_bills=True, package_user=package_user,
                       customers_in_books=contacts_in_books)
