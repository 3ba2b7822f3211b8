"""A QuickBooks user working in the QuickBooks Online sandbox by hand (``sandboxes.package_user.PackageUser``):
the demo's bookkeeper and the tests' drift in the books."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import httpx

from ledgerbridge.connectors.package_client import decode_json, encode_json

#: The OAuth client the bookkeeper's calls are counted under (QuickBooks' own screens, as far as the throttles go).
USER_APP = "quickbooks-online-user"


class QboUser:
    def __init__(self, base_url: str, realm_id: str, transport: httpx.BaseTransport | None = None) -> None:
        self.realm_id = realm_id
        self.base_url = base_url
        self.http = httpx.Client(transport=transport, timeout=10)
        # A person in QuickBooks is not our app: the throttles per app (10 calls a second) are not ours to share.
        token = httpx.post(f"{base_url}/sandbox/tokens", json={"realmId": realm_id, "app": USER_APP}, timeout=10)
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
