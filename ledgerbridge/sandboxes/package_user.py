"""A bookkeeper working in the package itself, against a ledgerbridge sandbox: pay, allocate a credit, edit,
void, delete a payment. These are the things that make the books drift (seeds 000-002), so the demo, the
reconciliation tests and the property test all need them done the way a package user would do them.

They go through the package's own API (a token from the sandbox's admin ``/sandbox/tokens``, the books pages'
"record a payment" route for payments), never through ledgerbridge's connector: what a user does in the package
is not ledgerbridge's doing. Each package's sandbox has its own (``packages/<kind>/sandbox/user.py``), made through
its spec's ``demo.package_user``. Pass the contract-checking transport in tests so these exchanges are
checked against the vendor's spec like every other.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Protocol


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

    def close(self) -> None: ...
