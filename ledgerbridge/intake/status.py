"""Status actions on one document: issue (sales), post (purchases), void.

Each is idempotent (asking again for the status a document already has changes nothing, so
a host can retry safely) and each real change bumps ``version``, which is how the sync layer
sees that an exported document must now be updated or voided in the package (R-E9).
"""

from __future__ import annotations

from sqlalchemy import exists, select
from sqlalchemy.orm import Session

from ledgerbridge.intake.schemas import FieldError, IntakeError
from ledgerbridge.store.models.host import SALES_TYPES, Allocation, Document, DocumentStatus, Payment


class RecordNotFound(LookupError):
    """No such record in this organisation (another organisation's records are not found either)."""


class StatusRefused(IntakeError):
    """The document cannot move to the asked status from where it is."""


def _document(session: Session, organisation_id: int, host_id: str) -> Document:
    document = session.scalars(
        select(Document).where(Document.organisation_id == organisation_id, Document.host_id == host_id)
        .with_for_update()
    ).one_or_none()
    if document is None:
        raise RecordNotFound(f'document "{host_id}" is not known')
    return document


def _refuse(host_id: str, message: str) -> StatusRefused:
    return StatusRefused([FieldError(f'document (host_id "{host_id}")', "status", message)])


def _move(session: Session, document: Document, status: DocumentStatus) -> Document:
    if document.status == status:
        return document
    if document.status == DocumentStatus.VOID:
        raise _refuse(document.host_id, "the document is void and cannot be un-voided: send a new document instead")
    document.status = status.value
    document.version = Document.version + 1  # in SQL, so concurrent bumps are never lost
    session.flush()
    session.refresh(document)
    return document


def issue_document(session: Session, organisation_id: int, host_id: str) -> Document:
    """Issue a sales document (quotation, proforma, order, invoice, credit note)."""
    document = _document(session, organisation_id, host_id)
    if document.type not in SALES_TYPES:
        raise _refuse(host_id, f'a {document.type} is posted, not issued')
    return _move(session, document, DocumentStatus.ISSUED)


def post_document(session: Session, organisation_id: int, host_id: str) -> Document:
    """Post a purchase document (order, invoice, credit note)."""
    document = _document(session, organisation_id, host_id)
    if document.type in SALES_TYPES:
        raise _refuse(host_id, f'a {document.type} is issued, not posted')
    return _move(session, document, DocumentStatus.POSTED)


def void_document(session: Session, organisation_id: int, host_id: str) -> Document:
    """Void a document; refused while live payments are allocated to it or taken against it (as an order)."""
    document = _document(session, organisation_id, host_id)
    if document.status != DocumentStatus.VOID:
        live = Payment.reversed_at.is_(None)
        allocated = exists().where(Allocation.document_id == document.id, Allocation.payment_id == Payment.id, live)
        prepaid = exists().where(Payment.sales_order_id == document.id, live)
        if session.scalar(select(allocated)):
            raise _refuse(host_id, "payments are allocated to this document: "
                          "remove those allocations before voiding it")
        if session.scalar(select(prepaid)):
            raise _refuse(host_id, "prepayments are taken against this sales order: "
                          "refund or move them before voiding it")
    return _move(session, document, DocumentStatus.VOID)
