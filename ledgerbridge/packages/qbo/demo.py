"""The demo's company in the QuickBooks Online sandbox (its UK company): its chart numbers accounts like the host,
VAT codes by id; a QuickBooks user records a customer's payment on the sandbox's books page."""

from __future__ import annotations

from contextlib import AbstractContextManager
from decimal import Decimal

import httpx

from ledgerbridge.connectors.spec import DemoWorld, RunningSandbox
from ledgerbridge.sandboxes.package_user import PackageUser

NOMINAL_MAP = {"4000": "4000", "4010": "4010", "5000": "5000", "7500": "7000", "1200": "1200"}
TAX_MAP = {"T1": "2", "T0": "6", "T5": "4"}


def start_sandbox() -> AbstractContextManager[RunningSandbox]:
    from ledgerbridge.packages.qbo.sandbox import SandboxConfig, start_qbo_sandbox

    return start_qbo_sandbox(SandboxConfig())


def record_payment(http: httpx.Client, realm: str, doc_id: str, amount: Decimal, ref: str, bill: bool) -> None:
    http.post(f"/sandbox/companies/{realm}/payments", json={
        "amount": str(amount), "allocations": [{"invoice_id": doc_id, "amount": str(amount)}],
        "date": "2026-11-02", "reference": ref}).raise_for_status()


def package_user(base_url: str, realm: str, transport: httpx.BaseTransport | None) -> PackageUser:
    from ledgerbridge.packages.qbo.sandbox.user import QboUser

    return QboUser(base_url, realm, transport)


DEMO_WORLD = DemoWorld(nominal=NOMINAL_MAP, tax_sales=TAX_MAP, tax_purchases=TAX_MAP, bank_account=None,
                       record_payment=record_payment, pays_bills=False, package_user=package_user)
