"""Credit the host holds as applied to its invoices, without money moving (R-R1, R-X1): what reconciliation
compares with the package's ``AmountCredited``.

Three things apply credit here, per (credit note, invoice) pair:
* rows recorded from the package on this connection (``credit_allocations`` of origin ``package``): what the
  package held when allocation sync last read it, so both books hold the same;
* rows made here (origin ``host``);
* a credit note that credits an invoice (``credits_document_id``): the host's intent, the credit note settling
  that invoice as far as it can: never more than the credit note has left after its other allocations, nor more
  than the invoice has outstanding after its live payments and the credit applied to it before (credit notes
  in the order they were made). This is the amount allocation sync pushes (``allocation_sync._push``), so once
  sent and read back the recorded rows take over and both sides agree.
For a pair, recorded rows win over rows made here, which win over the intent: each later source is the earlier
one as the package confirmed it. ``recorded`` tells reconciliation which part the package has confirmed, so
the rest can be named "credit allocated only here".
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from ledgerbridge.store.models.credits import CreditAllocation
from ledgerbridge.store.models.host import Allocation, Document, DocumentStatus, DocumentType, Payment

ZERO = Decimal(0)
CREDIT_TYPES = (DocumentType.SALES_CREDIT_NOTE.value, DocumentType.PURCHASE_CREDIT_NOTE.value)


@dataclass(frozen=True, slots=True)
class CreditHere:
    credit_document_id: int
    invoice_document_id: int
    amount: Decimal
    recorded: bool  # read back from the package (allocation sync): the package holds it too


def credits_here(session: Session, organisation_id: int, connection_id: int) -> list[CreditHere]:
    """Every credit applied here, one entry per (credit note, invoice) pair, amounts above zero."""
    pairs: dict[tuple[int, int], CreditHere] = {}
    rows = session.scalars(select(CreditAllocation).where(
        CreditAllocation.organisation_id == organisation_id,
        (CreditAllocation.origin == "host") | (CreditAllocation.connection_id == connection_id)))
    by_origin: dict[str, dict[tuple[int, int], Decimal]] = {"package": {}, "host": {}}
    for row in rows:
        origin = "package" if row.origin == "package" else "host"
        key = (row.credit_document_id, row.invoice_document_id)
        by_origin[origin][key] = by_origin[origin].get(key, ZERO) + row.amount
    for key, amount in by_origin["host"].items():
        pairs[key] = CreditHere(*key, amount, recorded=False)
    recorded_credits = set()
    for key, amount in by_origin["package"].items():
        pairs[key] = CreditHere(*key, amount, recorded=True)
        recorded_credits.add(key[0])
    for credit, invoice in _intended(session, organisation_id):
        key = (credit.id, invoice.id)
        if key in pairs:
            continue
        amount = min(credit.gross_total - _applied(pairs.values(), credit=credit.id),
                     _outstanding(session, invoice) - _applied(pairs.values(), invoice=invoice.id))
        if amount > 0:
            pairs[key] = CreditHere(*key, amount, recorded=False)
    return [p for p in pairs.values() if p.amount > 0]


def credited_by_document(entries: Iterable[CreditHere]) -> dict[int, tuple[Decimal, Decimal]]:
    """Per document (invoice and credit note alike): credit applied here, and the part the package confirmed."""
    out: dict[int, tuple[Decimal, Decimal]] = {}
    for e in entries:
        for doc in (e.credit_document_id, e.invoice_document_id):
            total, recorded = out.get(doc, (ZERO, ZERO))
            out[doc] = (total + e.amount, recorded + (e.amount if e.recorded else ZERO))
    return out


def _intended(session: Session, organisation_id: int) -> list[tuple[Document, Document]]:
    """Live credit notes that credit a live invoice, in the order they were made."""
    credit_notes = session.scalars(select(Document).where(
        Document.organisation_id == organisation_id, Document.type.in_(CREDIT_TYPES),
        Document.credits_document_id.is_not(None), Document.status != DocumentStatus.VOID.value)
        .order_by(Document.id)).all()
    out = []
    for credit in credit_notes:
        invoice = session.get_one(Document, credit.credits_document_id)
        if invoice.status != DocumentStatus.VOID.value and invoice.currency == credit.currency:
            out.append((credit, invoice))
    return out


def _outstanding(session: Session, invoice: Document) -> Decimal:
    """Gross less what live payments allocated to it (summed in Python: SQLite keeps decimals as text)."""
    taken = session.scalars(select(Allocation.amount).join(Payment).where(
        Allocation.document_id == invoice.id, Payment.reversed_at.is_(None)))
    return invoice.gross_total - sum(taken, ZERO)


def _applied(entries: Iterable[CreditHere], *, credit: int | None = None, invoice: int | None = None) -> Decimal:
    return sum((e.amount for e in entries if e.credit_document_id == credit or e.invoice_document_id == invoice),
               ZERO)
