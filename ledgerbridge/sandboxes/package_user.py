"""A bookkeeper working in the package itself, against a ledgerbridge sandbox: pay, allocate a credit, edit,
void, delete a payment. These are the things that make the books drift (seeds 000-002), so the demo, the
reconciliation tests and the property test all need them done the way a package user would do them.

They go through the package's own API (a token from the sandbox's admin ``/sandbox/tokens``, the books pages'
"record a payment" route for payments), never through ledgerbridge's connector: what a user does in Xero or
QuickBooks is not ledgerbridge's doing. Pass the contract-checking transport in tests so these exchanges are
checked against the vendor's spec like every other.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any, Protocol

import httpx

from ledgerbridge.packages.xero.client import decode_json, encode_json


class PackageUser(Protocol):
    def pay(self, doc_id: str, amount: Decimal, *, bill: bool = False) -> str:
        """Record a payment of ``amount`` on an invoice (or bill); returns the payment's id."""

    def overpay(self, invoice_id: str, due: Decimal, extra: Decimal) -> str:
        """A customer pays ``due + extra`` on an invoice that owes ``due``: the invoice is paid and the rest stays
        with the customer as an overpayment (Xero) or unapplied amount (QuickBooks); returns the payment's id."""

    def allocate_credit(self, credit_id: str, invoice_id: str, amount: Decimal) -> None: ...

    def add_to_total(self, invoice_id: str, net: Decimal) -> None:
        """Edit the invoice in the package: one more line of ``net`` (the package adds its tax)."""

    def void(self, invoice_id: str) -> None: ...

    def delete_payment(self, payment_id: str) -> None: ...


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


class QboUser:
    def __init__(self, base_url: str, realm_id: str, transport: httpx.BaseTransport | None = None) -> None:
        self.realm_id = realm_id
        self.base_url = base_url
        self.http = httpx.Client(transport=transport, timeout=10)
        token = httpx.post(f"{base_url}/sandbox/tokens", json={"realmId": realm_id}, timeout=10)
        token.raise_for_status()
        self.headers = {"Authorization": f"Bearer {token.json()['access_token']}", "Accept": "application/json"}

    def _api(self, method: str, path: str, body: dict[str, Any] | None = None,
             params: dict[str, str] | None = None) -> dict[str, Any]:
        answer = self.http.request(method, f"{self.base_url}/v3/company/{self.realm_id}{path}",
                                   content=encode_json(body) if body is not None else None,
                                   params={"minorversion": "75", **(params or {})},
                                   headers={**self.headers, "Content-Type": "application/json"})
        answer.raise_for_status()
        return decode_json(answer.content)  # type: ignore[no-any-return]

    def pay(self, doc_id: str, amount: Decimal, *, bill: bool = False) -> str:
        if bill:
            raise NotImplementedError("the QuickBooks sandbox's books page receives customer payments only")
        answer = self.http.post(f"{self.base_url}/sandbox/companies/{self.realm_id}/payments", json={
            "amount": str(amount), "allocations": [{"invoice_id": doc_id, "amount": str(amount)}],
            "date": "2026-11-03", "reference": "paid in QBO"})
        answer.raise_for_status()
        return str(answer.json()["Payment"]["Id"])

    def overpay(self, invoice_id: str, due: Decimal, extra: Decimal) -> str:
        """One payment of ``due + extra`` applying ``due`` to the invoice; QuickBooks keeps the rest unapplied."""
        answer = self.http.post(f"{self.base_url}/sandbox/companies/{self.realm_id}/payments", json={
            "amount": str(due + extra), "allocations": [{"invoice_id": invoice_id, "amount": str(due)}],
            "date": "2026-11-03", "reference": "overpaid in QBO"})
        answer.raise_for_status()
        return str(answer.json()["Payment"]["Id"])

    def allocate_credit(self, credit_id: str, invoice_id: str, amount: Decimal) -> None:
        """QuickBooks applies a credit memo through a payment of nothing that links both (Receive payment with
        the credit ticked)."""
        invoice = self._api("GET", f"/invoice/{invoice_id}")["Invoice"]
        self._api("POST", "/payment", {"CustomerRef": invoice["CustomerRef"], "TotalAmt": Decimal(0), "Line": [
            {"Amount": amount, "LinkedTxn": [{"TxnId": invoice_id, "TxnType": "Invoice"}]},
            {"Amount": amount, "LinkedTxn": [{"TxnId": credit_id, "TxnType": "CreditMemo"}]}]})

    def add_to_total(self, invoice_id: str, net: Decimal) -> None:
        invoice = self._api("GET", f"/invoice/{invoice_id}")["Invoice"]
        lines = [line for line in invoice["Line"] if line.get("DetailType") == "SalesItemLineDetail"]
        detail = dict(lines[0]["SalesItemLineDetail"])
        detail.update({"Qty": Decimal(1), "UnitPrice": net})
        lines.append({"Amount": net, "DetailType": "SalesItemLineDetail", "Description": "Added in QBO",
                      "SalesItemLineDetail": detail})
        self._api("POST", "/invoice", {"Id": invoice_id, "SyncToken": invoice["SyncToken"], "sparse": True,
                                       "Line": lines})

    def void(self, invoice_id: str) -> None:
        invoice = self._api("GET", f"/invoice/{invoice_id}")["Invoice"]
        self._api("POST", "/invoice", {"Id": invoice_id, "SyncToken": invoice["SyncToken"]},
                  params={"operation": "void"})

    def delete_payment(self, payment_id: str) -> None:
        payment = self._api("GET", f"/payment/{payment_id}")["Payment"]
        self._api("POST", "/payment", {"Id": payment_id, "SyncToken": payment["SyncToken"]},
                  params={"operation": "delete"})

    def close(self) -> None:
        self.http.close()
