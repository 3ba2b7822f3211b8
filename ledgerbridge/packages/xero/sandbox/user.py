"""A Xero user working in the Xero sandbox by hand (``sandboxes.package_user.PackageUser``): the demo's
bookkeeper and the tests' drift in the books."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import httpx

from ledgerbridge.connectors.package_client import decode_json, encode_json


class XeroUser:
    def __init__(self, base_url: str, tenant_id: str, transport: httpx.BaseTransport | None = None) -> None:
        self.tenant_id = tenant_id
        self.http = httpx.Client(base_url=base_url, transport=transport, timeout=10)
        token = httpx.post(f"{base_url}/sandbox/tokens", json={"tenant_ids": [tenant_id]}, timeout=10)
        token.raise_for_status()
        self.headers = {"Authorization": f"Bearer {token.json()['access_token']}", "xero-tenant-id": tenant_id,
                        "Accept": "application/json", "Content-Type": "application/json"}

    def _api(self, method: str, path: str, body: dict[str, Any] | None = None) -> dict[str, Any]:
        answer = self.http.request(method, f"/api.xro/2.0{path}", headers=self.headers,
                                   content=encode_json(body) if body is not None else None)
        answer.raise_for_status()
        return decode_json(answer.content)  # type: ignore[no-any-return]

    def pay(self, doc_id: str, amount: Decimal, *, bill: bool = False) -> str:
        answer = self.http.post(f"/sandbox/tenants/{self.tenant_id}/payments", json={
            "Invoice": {"InvoiceID": doc_id}, "Account": {"Code": "090"}, "Date": "2026-11-03",
            "Amount": str(amount), "Reference": "paid in Xero"})
        answer.raise_for_status()
        return str(answer.json()["Payments"][0]["PaymentID"])

    def overpay(self, invoice_id: str, due: Decimal, extra: Decimal) -> str:
        """Xero takes no payment above what an invoice owes: the invoice is paid and the rest received as an
        overpayment (a ``RECEIVE-OVERPAYMENT`` bank transaction), as a bookkeeper splits the receipt."""
        paid = self.pay(invoice_id, due)
        contact = self._api("GET", f"/Invoices/{invoice_id}")["Invoices"][0]["Contact"]["ContactID"]
        self._api("PUT", "/BankTransactions", {"BankTransactions": [{
            "Type": "RECEIVE-OVERPAYMENT", "Contact": {"ContactID": contact}, "BankAccount": {"Code": "090"},
            "Date": "2026-11-03", "Reference": "overpaid in Xero", "LineAmountTypes": "NoTax",
            "LineItems": [{"Description": "Overpayment", "Quantity": Decimal(1), "UnitAmount": extra}]}]})
        return paid

    def allocate_credit(self, credit_id: str, invoice_id: str, amount: Decimal) -> None:
        self._api("PUT", f"/CreditNotes/{credit_id}/Allocations", {"Allocations": [
            {"Invoice": {"InvoiceID": invoice_id}, "Amount": amount, "Date": "2026-11-03"}]})

    def add_to_total(self, invoice_id: str, net: Decimal) -> None:
        invoice = self._api("GET", f"/Invoices/{invoice_id}")["Invoices"][0]
        lines = [{k: line[k] for k in ("LineItemID", "Description", "Quantity", "UnitAmount", "AccountCode",
                                       "TaxType") if k in line} for line in invoice["LineItems"]]
        first = lines[0]
        lines.append({"Description": "Added in Xero", "Quantity": Decimal(1), "UnitAmount": net,
                      "AccountCode": first.get("AccountCode"), "TaxType": first.get("TaxType")})
        self._api("POST", f"/Invoices/{invoice_id}", {"Invoices": [{"InvoiceID": invoice_id, "LineItems": lines}]})

    def void(self, invoice_id: str) -> None:
        self._api("POST", f"/Invoices/{invoice_id}", {"Invoices": [{"InvoiceID": invoice_id, "Status": "VOIDED"}]})

    def delete_payment(self, payment_id: str) -> None:
        self._api("POST", f"/Payments/{payment_id}", {"Status": "DELETED"})

    def close(self) -> None:
        self.http.close()
