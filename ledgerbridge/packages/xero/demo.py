"""The demo's company in the Xero sandbox: where the demo's codes go in its chart, and how a Xero user records a
payment there (the sandbox's books page, as a bookkeeper would)."""

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


def start_sandbox() -> AbstractContextManager[RunningSandbox]:
    from ledgerbridge.packages.xero.sandbox import SandboxConfig, start_xero_sandbox

    return start_xero_sandbox(SandboxConfig())


def record_payment(http: httpx.Client, tenant: str, doc_id: str, amount: Decimal, ref: str, bill: bool) -> None:
    http.post(f"/sandbox/tenants/{tenant}/payments", json={
        "Invoice": {"InvoiceID": doc_id}, "Account": {"Code": BANK_ACCOUNT}, "Date": "2026-11-02",
        "Amount": str(amount), "Reference": ref}).raise_for_status()


def package_user(base_url: str, tenant: str, transport: httpx.BaseTransport | None) -> PackageUser:
    from ledgerbridge.packages.xero.sandbox.user import XeroUser

    return XeroUser(base_url, tenant, transport)


DEMO_WORLD = DemoWorld(nominal=NOMINAL_MAP, tax_sales={k: v[0] for k, v in TAX_MAP.items()},
                       tax_purchases={k: v[1] for k, v in TAX_MAP.items()}, bank_account=BANK_ACCOUNT,
                       record_payment=record_payment, pays_bills=True, package_user=package_user)
