"""How a prepayment is split over the invoices of its order (R-E6): pure, so the rule is tested on its own.

An order shipped in parts is invoiced in parts; the customer's deposit pays the
invoices in the order they were raised (issue date, then number, as a person reading
the ledger would), each never above what is still outstanding on it. Whatever is left
stays a prepayment in the package: the customer's credit, not a guess at a later
invoice. Amounts are Decimal cents throughout; nothing is rounded here, because
every input is already a cent amount and only min/subtract are used.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

ZERO = Decimal(0)


@dataclass(frozen=True, slots=True)
class OpenInvoice:
    document_id: int
    number: str
    issue_date: date
    outstanding: Decimal  # what is still owed on it, not counting the prepayment being split


@dataclass(frozen=True, slots=True)
class Split:
    allocations: tuple[tuple[OpenInvoice, Decimal], ...]  # (invoice, amount), in invoice order, amounts > 0
    remainder: Decimal  # stays a prepayment in the package

    def by_document(self) -> dict[int, Decimal]:
        return {inv.document_id: amount for inv, amount in self.allocations}


def invoice_order(invoices: Iterable[OpenInvoice]) -> list[OpenInvoice]:
    return sorted(invoices, key=lambda inv: (inv.issue_date, inv.number, inv.document_id))


def split_prepayment(amount: Decimal, invoices: Iterable[OpenInvoice]) -> Split:
    """Allocate ``amount`` across ``invoices`` in invoice order, never above an invoice's outstanding amount."""
    if amount < ZERO:
        raise ValueError(f"a prepayment cannot be negative (got {amount})")
    left = amount
    out: list[tuple[OpenInvoice, Decimal]] = []
    for inv in invoice_order(invoices):
        if left <= ZERO:
            break
        take = min(left, max(inv.outstanding, ZERO))
        if take > ZERO:
            out.append((inv, take))
            left -= take
    return Split(tuple(out), left)


def offered(outstanding_here: Decimal, package_due: Decimal, held_by_this: Decimal) -> Decimal:
    """What an invoice may take of a prepayment: the smaller of what it owes here and what it owes in the package.

    The package's amount due already counts what this prepayment holds on the invoice, so that is added back; a
    payment made in the package and not yet imported lowers it, and offering more would be refused there ("The
    amount being allocated exceeds the amount outstanding on the invoice") on every upload until someone imports
    payments. Never below zero."""
    return max(min(outstanding_here, package_due + held_by_this), ZERO)


def still_to_allocate(wanted: Mapping[int, Decimal], already: Mapping[int, Decimal]) -> dict[int, Decimal]:
    """What must still be sent so the package holds ``wanted``: allocations only ever add (an allocation the
    package already holds is never sent twice, which is what makes a re-run after a lost answer safe)."""
    return {doc: amount - already.get(doc, ZERO) for doc, amount in wanted.items()
            if amount - already.get(doc, ZERO) > ZERO}
