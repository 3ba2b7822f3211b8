"""A MYOB user working in the MYOB sandbox by hand (``sandboxes.package_user.PackageUser``): the demo's bookkeeper
and the tests' drift in the books.

Everything goes through the sandbox's books routes (:mod:`.books`), not the API: a person in MYOB's screens spends
none of the app's API-key budget (8 calls a second shared by every business), so the connector's rate limit is
not disturbed by the drift a test makes. What each action does in MYOB terms:

* ``add_customer``: a new customer card in the Card File (the books a business keeps before it connects);
* ``pay``: Receive Payments (Pay Bills with ``bill=True``) for the document's card, into the bank account;
* ``overpay``: a payment of what is due, plus a customer credit (a negative sale) for the rest, which is how the
  money a customer paid too much is left with them in MYOB;
* ``allocate_credit``: Settle Returns & Credits (a ``Sale/CreditSettlement``, or a debit settlement for bills);
* ``add_to_total``: edit the sale, one more line like its first (MYOB adds the tax);
* ``void``: Reverse Sale (MYOB has no void): a reversing credit settled against the invoice, which closes;
* ``delete_payment``: delete the payment; its invoices are open again.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import httpx

PAYMENT_DATE = "2026-11-03"


class MyobUser:
    def __init__(self, base_url: str, business_id: str, transport: httpx.BaseTransport | None = None) -> None:
        self.business_id = business_id
        self.http = httpx.Client(base_url=f"{base_url}/sandbox/businesses/{business_id}", transport=transport,
                                 timeout=10)

    def _post(self, path: str, body: dict[str, Any]) -> dict[str, Any]:
        answer = self.http.post(path, json=body)
        answer.raise_for_status()
        return answer.json()  # type: ignore[no-any-return]

    def add_customer(self, display_id: str, name: str) -> str:
        """A customer card made in MYOB's Card File by hand; returns its UID."""
        return str(self._post("/contacts", {"name": name, "display_id": display_id})["UID"])

    def pay(self, doc_id: str, amount: Decimal, *, bill: bool = False) -> str:
        payment = self._post("/payments", {"bill": bill, "amount": str(amount), "date": PAYMENT_DATE,
                                           "reference": "paid in MYOB",
                                           "allocations": [{"document_id": doc_id, "amount": str(amount)}]})
        return str(payment["UID"])

    def overpay(self, invoice_id: str, due: Decimal, extra: Decimal) -> str:
        payment = self._post("/payments", {"amount": str(due), "date": PAYMENT_DATE, "reference": "overpaid in MYOB",
                                           "allocations": [{"document_id": invoice_id, "amount": str(due)}]})
        customer = payment["Customer"]["UID"]
        self._post("/credits", {"customer_id": customer, "amount": str(extra), "memo": "Overpayment",
                                "date": PAYMENT_DATE})
        return str(payment["UID"])

    def allocate_credit(self, credit_id: str, invoice_id: str, amount: Decimal) -> None:
        self._post("/settlements", {"credit_id": credit_id, "document_id": invoice_id, "amount": str(amount),
                                    "date": PAYMENT_DATE})

    def add_to_total(self, invoice_id: str, net: Decimal) -> None:
        self._post(f"/documents/{invoice_id}/lines", {"net": str(net)})

    def void(self, invoice_id: str) -> None:
        self._post(f"/documents/{invoice_id}/reverse", {})

    def delete_payment(self, payment_id: str) -> None:
        self.http.delete(f"/payments/{payment_id}").raise_for_status()

    def close(self) -> None:
        self.http.close()
