"""A bad debt written off from the host (R-C4's bad debt account; issue 15 item 3).

Every package records a write-off the same way its users are told to: a credit note for what cannot be collected,
posted to the bad debt account and applied to the invoice (Xero's "write off a bad debt" guide, QuickBooks' bad
debt credit memo applied to the invoice, MYOB's customer credit settled against the sale). So a write-off here is
a sales credit note of the host's, made through intake like any other document: one line of kind ``bad_debt``
(no nominal of its own: the connection's bad debt account, ``domain.line_accounts``), crediting the invoice. It
goes out with the next upload, and allocation sync applies it to the invoice, even with allocation sync off
(``allocation_sync``: write-offs are always applied, since an unapplied write-off leaves the invoice owing).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from ledgerbridge.domain.line_accounts import LineKind
from ledgerbridge.domain.money import round_money
from ledgerbridge.domain.refused import Refused
from ledgerbridge.intake.apply import apply_batch
from ledgerbridge.intake.schemas import Batch
from ledgerbridge.store.models.host import Document, DocumentLine, DocumentStatus, DocumentType, Party
from ledgerbridge.sync.payment_plan import outstanding_here

WRITE_OFF_PREFIX = "write-off:"


class WriteOffRefused(Refused):
    """Why the invoice cannot be written off: the field at fault and what to do."""


@dataclass(frozen=True, slots=True)
class WriteOff:
    invoice: str
    credit_note_host_id: str
    credit_note_number: str
    amount: Decimal
    currency: str


def write_off_invoice(session: Session, organisation_id: int, invoice_host_id: str, *, amount: Decimal | None = None,
                      on: date | None = None, tax_code: str | None = None, number: str | None = None,
                      reason: str | None = None) -> WriteOff:
    """Write off what the invoice still owes here (or ``amount`` of it) as a credit note to the bad debt account;
    the caller commits. Refused, naming the field, for an invoice that is not an issued sales invoice, an amount above
    what it owes, a second write-off of the same invoice, or an invoice with several tax codes and none named."""
    invoice = session.scalars(select(Document).where(Document.organisation_id == organisation_id,
                                                     Document.host_id == invoice_host_id)).first()
    if invoice is None:
        raise WriteOffRefused("host_id", f'document "{invoice_host_id}" is not known', status_code=404)
    if invoice.type != DocumentType.SALES_INVOICE.value or invoice.status != DocumentStatus.ISSUED.value:
        raise WriteOffRefused("host_id", f"{invoice.number} is a {invoice.status} {invoice.type.replace('_', ' ')}: "
                                         "only an issued sales invoice is written off", status_code=409)
    host_id = WRITE_OFF_PREFIX + invoice.host_id
    if session.scalar(select(Document.id).where(Document.organisation_id == organisation_id,
                                                Document.host_id == host_id)) is not None:
        raise WriteOffRefused("host_id", f"{invoice.number} is written off already (credit note {host_id}); void "
                                         "that one to write it off again", status_code=409)
    owing = _owing(session, invoice)
    wanted = round_money(amount) if amount is not None else owing
    if wanted <= 0 or wanted > owing:
        raise WriteOffRefused("amount", f"amount: {invoice.number} owes {invoice.currency} {owing} here; a write-off "
                                        "is above nothing and at most that")
    codes = sorted(set(session.scalars(select(DocumentLine.tax_code).where(DocumentLine.document_id == invoice.id))))
    if tax_code is None and len(codes) != 1:
        raise WriteOffRefused("tax_code", f"tax_code: {invoice.number} has lines at {', '.join(codes)}; name the tax "
                                          "code the write-off goes at")
    party = session.get_one(Party, invoice.party_id)
    credit_number = number or f"WO-{invoice.number}"
    line = {"description": f"Bad debt written off: {invoice.number}" + (f" ({reason})" if reason else ""),
            "quantity": "1", "unit_price": str(wanted), "tax_code": tax_code or codes[0],
            "kind": LineKind.BAD_DEBT.value}
    # Tax-inclusive, so the credit note's total is exactly what is written off (its tax is the invoice's share).
    apply_batch(session, organisation_id, Batch.model_validate({"documents": [{
        "host_id": host_id, "type": DocumentType.SALES_CREDIT_NOTE.value, "number": credit_number,
        "status": DocumentStatus.ISSUED.value, "issue_date": (on or date.today()).isoformat(),
        "party_host_id": party.host_id, "currency": invoice.currency, "exchange_rate": invoice.exchange_rate,
        "amounts_tax_inclusive": True, "credits_document_host_id": invoice.host_id, "lines": [line]}]}))
    return WriteOff(invoice.number, host_id, credit_number, wanted, invoice.currency)


def _owing(session: Session, invoice: Document) -> Decimal:
    """What the invoice owes here: its total less live payments and the credit notes that credit it."""
    credited = session.scalars(select(Document.gross_total).where(
        Document.credits_document_id == invoice.id, Document.status != DocumentStatus.VOID.value))
    return round_money(outstanding_here(session, invoice, -1) - sum(credited, Decimal(0)))
