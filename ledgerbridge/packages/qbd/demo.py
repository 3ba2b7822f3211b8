"""The demo's company in the QuickBooks Desktop sandbox (its UK edition): accounts numbered like the host's, VAT
codes by name (S 20 %, Z zero, R 5 %); a QuickBooks user records a customer's payment on the books page."""

from __future__ import annotations

from contextlib import AbstractContextManager
from decimal import Decimal

import httpx

from ledgerbridge.connectors.spec import DemoWorld, RunningSandbox
from ledgerbridge.sandboxes.package_user import PackageUser

NOMINAL_MAP = {"4000": "4000", "4010": "4100", "5000": "5000", "7500": "6000", "1200": "1000"}
TAX_MAP = {"T1": "S", "T0": "Z", "T5": "R"}


def start_sandbox() -> AbstractContextManager[RunningSandbox]:
    from ledgerbridge.packages.qbd.sandbox import CompanyConfig, QuickBooksCompany, start_qbd_sandbox

    return start_qbd_sandbox(QuickBooksCompany(CompanyConfig(flavour="UK")))


def record_payment(http: httpx.Client, company: str, doc_id: str, amount: Decimal, ref: str, bill: bool) -> None:
    if bill:
        http.post("/sandbox/bill-payments", json={"bill_id": doc_id, "amount": str(amount),
                                                  "reference": ref}).raise_for_status()
        return
    http.post("/sandbox/payments", json={"invoice_id": doc_id, "amount": str(amount),
                                         "reference": ref}).raise_for_status()


def package_user(base_url: str, company: str, transport: httpx.BaseTransport | None) -> PackageUser:
    from ledgerbridge.packages.qbd.sandbox.user import QbdUser

    return QbdUser(base_url, transport)


DEMO_WORLD = DemoWorld(nominal=NOMINAL_MAP, tax_sales=TAX_MAP, tax_purchases=TAX_MAP, bank_account="1000",
                       record_payment=record_payment, pays_bills=True, package_user=package_user)
