"""The demo's company in the MYOB sandbox (an AU company file): the host's nominal codes map to MYOB's account
DisplayIDs, its VAT codes to MYOB's GST codes; a MYOB user records a customer's payment on the sandbox's books page.

The sandbox itself is ``myob.sandbox`` (its own engineer's folder); it is imported when first started."""

from __future__ import annotations

import importlib
from contextlib import AbstractContextManager
from decimal import Decimal
from typing import Any, cast

import httpx

from ledgerbridge.connectors.spec import DemoWorld, RunningSandbox
from ledgerbridge.sandboxes.package_user import PackageUser

NOMINAL_MAP = {"4000": "4-1000", "4010": "4-1100", "5000": "6-1000", "7500": "6-2000", "1200": "1-1110"}
TAX_MAP = {"T1": "GST", "T0": "FRE", "T5": "GST"}
BANK_ACCOUNT = "1-1110"


def _sandbox() -> Any:
    return importlib.import_module("ledgerbridge.packages.myob.sandbox")


def start_sandbox() -> AbstractContextManager[RunningSandbox]:
    sandbox = _sandbox()
    return cast(AbstractContextManager[RunningSandbox], sandbox.start_myob_sandbox(sandbox.SandboxConfig()))


def record_payment(http: httpx.Client, business: str, doc_id: str, amount: Decimal, ref: str, bill: bool) -> None:
    http.post(f"/sandbox/businesses/{business}/payments", json={
        "amount": str(amount), "allocations": [{"invoice_id": doc_id, "amount": str(amount)}],
        "date": "2026-11-02", "reference": ref, "bill": bill}).raise_for_status()


def package_user(base_url: str, business: str, transport: httpx.BaseTransport | None) -> PackageUser:
    user = importlib.import_module("ledgerbridge.packages.myob.sandbox.user")
    return cast(PackageUser, user.MyobUser(base_url, business, transport))


DEMO_WORLD = DemoWorld(nominal=NOMINAL_MAP, tax_sales=TAX_MAP, tax_purchases=TAX_MAP, bank_account=BANK_ACCOUNT,
                       record_payment=record_payment, pays_bills=True, package_user=package_user)
