"""What the demo needs to know about each package's sandbox: how to start it, where the demo's codes map in
its chart, and how a user of that package records a customer's payment in it.

The demo itself (``demo.py``) is the same for every package; a package joins it with one entry here.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import httpx

from ledgerbridge.demo.data import NOMINAL_MAP, TAX_MAP


@dataclass(frozen=True, slots=True)
class DemoPackage:
    kind: str
    label: str
    start_sandbox: Callable[[], AbstractContextManager[Any]]
    nominal: dict[str, str]
    tax_sales: dict[str, str]
    tax_purchases: dict[str, str]
    bank_account: str | None
    # (http client on the sandbox, company id, document's package id, amount, reference, is a bill) -> None
    record_payment: Callable[[httpx.Client, str, str, Decimal, str, bool], None]
    pays_bills: bool


def _start_xero() -> AbstractContextManager[Any]:
    from ledgerbridge.packages.xero.sandbox import SandboxConfig, start_xero_sandbox

    return start_xero_sandbox(SandboxConfig())


def _start_qbo() -> AbstractContextManager[Any]:
    from ledgerbridge.packages.qbo.sandbox import SandboxConfig, start_qbo_sandbox

    return start_qbo_sandbox(SandboxConfig())


def _pay_in_xero(http: httpx.Client, tenant: str, doc_id: str, amount: Decimal, ref: str, bill: bool) -> None:
    http.post(f"/sandbox/tenants/{tenant}/payments", json={
        "Invoice": {"InvoiceID": doc_id}, "Account": {"Code": "090"}, "Date": "2026-11-02", "Amount": str(amount),
        "Reference": ref}).raise_for_status()


def _pay_in_qbo(http: httpx.Client, realm: str, doc_id: str, amount: Decimal, ref: str, bill: bool) -> None:
    http.post(f"/sandbox/companies/{realm}/payments", json={
        "amount": str(amount), "allocations": [{"invoice_id": doc_id, "amount": str(amount)}],
        "date": "2026-11-02", "reference": ref}).raise_for_status()


DEMO_PACKAGES: dict[str, DemoPackage] = {
    "xero": DemoPackage("xero", "Xero", _start_xero, NOMINAL_MAP, {k: v[0] for k, v in TAX_MAP.items()},
                        {k: v[1] for k, v in TAX_MAP.items()}, "090", _pay_in_xero, pays_bills=True),
    # The QuickBooks sandbox's UK company: its chart numbers accounts like the host, VAT codes by id.
    "qbo": DemoPackage("qbo", "QuickBooks Online", _start_qbo,
                       {"4000": "4000", "4010": "4010", "5000": "5000", "7500": "7000", "1200": "1200"},
                       {"T1": "2", "T0": "6", "T5": "4"}, {"T1": "2", "T0": "6", "T5": "4"}, None, _pay_in_qbo,
                       pays_bills=False),
}
