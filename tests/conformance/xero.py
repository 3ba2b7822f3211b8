"""Xero in the conformance suite: its sandbox, its OpenAPI contract check and its books as a Xero user sees them.

:class:`XeroWorld` also keeps the helpers the Xero-only tests (``tests/sync``) use: ``xero_get`` on the accounting
API and ``pay`` by InvoiceID.
"""

from __future__ import annotations

from contextlib import AbstractContextManager
from decimal import Decimal
from typing import Any, ClassVar

import httpx
from contract_checks.pytest_support import XeroContractChecker, xero_contract_checker

from ledgerbridge.packages.xero.sandbox import RunningSandbox, SandboxConfig, start_xero_sandbox

from .harness import PackageHarness, PackageWorld, RemoteDoc

_TYPES = {"ACCREC": "sales_invoice", "ACCPAY": "purchase_invoice", "ACCRECCREDIT": "sales_credit_note",
          "ACCPAYCREDIT": "purchase_credit_note"}
_STATES = {"VOIDED": "voided", "PAID": "paid", "DELETED": "deleted"}
PAGE = 1000


class XeroContract:
    """Xero's OpenAPI (strict: unknown fields, types and enums fail) on every exchange of one test."""

    def __init__(self) -> None:
        self.checker: XeroContractChecker = xero_contract_checker()
        self._transport = self.checker.transport()

    def transport(self) -> httpx.BaseTransport:
        return self._transport

    @property
    def exchanges_checked(self) -> int:
        return self.checker.exchanges_checked

    def assert_clean(self) -> None:
        self.checker.assert_clean(require_traffic=True)


class XeroWorld(PackageWorld):
    def access_token(self) -> str:
        from ledgerbridge.packages.xero.auth import ensure_fresh_access_token

        return ensure_fresh_access_token(self.sessions, self.conn_id, transport=self.transport)

    def xero(self) -> httpx.Client:
        """A plain client on the sandbox (the books page and admin API; tests look at Xero as a user would)."""
        return httpx.Client(base_url=self.base_url, timeout=10)

    def _call(self, method: str, path: str, **kwargs: Any) -> dict[str, Any]:
        """The accounting API through the contract check, as any Xero app calls it."""
        with httpx.Client(transport=self.transport, base_url=self.base_url, timeout=10) as http:
            answer = http.request(method, f"/api.xro/2.0{path}", headers={
                "Authorization": f"Bearer {self.access_token()}", "xero-tenant-id": self.tenant_id}, **kwargs)
            answer.raise_for_status()
            return answer.json()  # type: ignore[no-any-return]

    def xero_get(self, path: str, **params: Any) -> dict[str, Any]:
        return self._call("GET", path, params=params)

    def pay(self, invoice_id: str, amount: str, date: str = "2026-11-02") -> dict[str, Any]:
        """Record a payment on the sandbox's books page, as a Xero user would."""
        with self.xero() as http:
            answer = http.post(f"/sandbox/tenants/{self.tenant_id}/payments", json={
                "Invoice": {"InvoiceID": invoice_id}, "Account": {"Code": "090"}, "Date": date, "Amount": amount})
            answer.raise_for_status()
            return answer.json()  # type: ignore[no-any-return]

    def _pages(self, path: str, key: str) -> list[dict[str, Any]]:
        rows: list[dict[str, Any]] = []
        page = 1
        while True:
            found = self.xero_get(path, page=page, pageSize=PAGE)[key]
            rows.extend(found)
            if len(found) < PAGE:
                return rows
            page += 1

    def remote_documents(self) -> list[RemoteDoc]:
        docs = []
        for path, key, number_key, id_key in (("/Invoices", "Invoices", "InvoiceNumber", "InvoiceID"),
                                              ("/CreditNotes", "CreditNotes", "CreditNoteNumber", "CreditNoteID")):
            for doc in self._pages(path, key):
                lines = doc.get("LineItems") or []
                docs.append(RemoteDoc(
                    number=doc[number_key], doc_type=_TYPES[doc["Type"]], external_id=doc[id_key],
                    total=Decimal(str(doc["Total"])), state=_STATES.get(doc["Status"], "open"),
                    first_line=lines[0].get("Description") if lines else None,
                    item_codes=frozenset(ln["ItemCode"] for ln in lines if ln.get("ItemCode")),
                    party_id=(doc.get("Contact") or {}).get("ContactID"),
                    line_accounts=tuple(ln.get("AccountCode") for ln in lines)))
        return docs

    def remote_parties(self) -> dict[str, str]:
        return {c["Name"]: c["ContactID"] for c in self._pages("/Contacts", "Contacts")}

    def remote_items(self) -> dict[str, str]:
        return {i["Code"]: i["ItemID"] for i in self.xero_get("/Items")["Items"]}

    def record_payment(self, number: str, amount: Decimal) -> str:
        doc = self.remote_document(number)
        assert doc is not None, f"{number} is not in Xero"
        answer = self.pay(doc.external_id, str(amount))
        return str((answer.get("Payments") or [answer])[0]["PaymentID"])

    def delete_payment(self, payment_id: str) -> None:
        self._call("POST", f"/Payments/{payment_id}", json={"Status": "DELETED"})

    def edit_total(self, number: str) -> None:
        doc = self.remote_document(number)
        assert doc is not None and doc.doc_type == "sales_invoice"
        full = self.xero_get(f"/Invoices/{doc.external_id}")["Invoices"][0]
        keep = ("Description", "Quantity", "UnitAmount", "AccountCode", "TaxType", "ItemCode", "LineItemID")
        lines = [{k: v for k, v in ln.items() if k in keep} for ln in full["LineItems"]]
        extra = {k: v for k, v in lines[0].items() if k != "LineItemID"} | {"Description": "Added in Xero"}
        self._call("POST", f"/Invoices/{doc.external_id}", json={"Invoices": [{
            "InvoiceID": doc.external_id, "LineItems": [*lines, extra]}]})


class XeroHarness(PackageHarness):
    kind = "xero"
    label = "Xero"
    void_outcome: ClassVar[dict[str, str]] = {"sales_invoice": "voided", "sales_credit_note": "voided",
                                              "purchase_invoice": "voided"}
    spare_income_account = "260"  # Other Revenue in the sandbox's chart
    world_class = XeroWorld

    def start_sandbox(self) -> AbstractContextManager[RunningSandbox]:
        return start_xero_sandbox(SandboxConfig(rate_limits_enabled=False))

    def reset(self, sandbox: RunningSandbox) -> None:
        with httpx.Client(base_url=f"{sandbox.base_url}/sandbox", timeout=10) as admin:
            admin.post("/reset").raise_for_status()
            admin.post("/rate-limits", json={"enabled": False, "reset_windows": True}).raise_for_status()

    def contract(self) -> XeroContract:
        return XeroContract()


XERO = XeroHarness()
