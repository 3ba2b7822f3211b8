"""A QuickBooks user working in the sandbox company by hand (``sandboxes.package_user.PackageUser``): the demo's
bookkeeper and the tests' drift in the books. Through the sandbox's admin API (:mod:`.admin`), never through
ledgerbridge's connector or the Web Connector: what a user does in QuickBooks is not ledgerbridge's doing.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import httpx

__all__ = ["QbdUser", "QuickBooksRefused"]


class QuickBooksRefused(RuntimeError):
    """The sandbox company refused the user's action; ``status_code`` is QuickBooks' (3210, 3170, ...)."""

    def __init__(self, message: str, status_code: int) -> None:
        super().__init__(message)
        self.status_code = status_code


class QbdUser:
    def __init__(self, base_url: str, transport: httpx.BaseTransport | None = None) -> None:
        self.base_url = base_url.rstrip("/")
        self.http = httpx.Client(transport=transport, timeout=10)

    def _call(self, method: str, path: str, body: dict[str, Any] | None = None) -> str:
        answer = self.http.request(method, f"{self.base_url}{path}", json=body)
        payload = answer.json()
        if answer.status_code >= 400:
            raise QuickBooksRefused(str(payload.get("error")), int(payload.get("status_code") or 0))
        return str(payload.get("txn_id", ""))

    def pay(self, doc_id: str, amount: Decimal, *, bill: bool = False) -> str:
        if bill:
            return self._call("POST", "/sandbox/bill-payments", {"bill_id": doc_id, "amount": str(amount)})
        return self._call("POST", "/sandbox/payments", {"invoice_id": doc_id, "amount": str(amount),
                                                       "reference": "paid in QB"})

    def overpay(self, invoice_id: str, due: Decimal, extra: Decimal) -> str:
        """One payment of ``due + extra`` applying ``due``; QuickBooks keeps the rest as an unused payment."""
        return self._call("POST", "/sandbox/payments", {"invoice_id": invoice_id, "amount": str(due),
                                                       "total": str(due + extra), "reference": "overpaid"})

    def allocate_credit(self, credit_id: str, invoice_id: str, amount: Decimal) -> None:
        self._call("POST", "/sandbox/credits", {"credit_id": credit_id, "invoice_id": invoice_id,
                                                "amount": str(amount)})

    def add_to_total(self, invoice_id: str, net: Decimal) -> None:
        self._call("POST", f"/sandbox/invoices/{invoice_id}/lines", {"amount": str(net)})

    def void(self, invoice_id: str) -> None:
        self._call("POST", f"/sandbox/transactions/{invoice_id}/void")

    def delete_payment(self, payment_id: str) -> None:
        self._call("DELETE", f"/sandbox/payments/{payment_id}")

    def close(self) -> None:
        self.http.close()
