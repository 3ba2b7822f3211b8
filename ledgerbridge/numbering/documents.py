"""Documents the host asks us to number when it issues them, and their numbers when they are voided."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from ledgerbridge.intake.status import RecordNotFound, issue_document, void_document
from ledgerbridge.numbering.allocate import number_for_document
from ledgerbridge.numbering.devices import void_document_number
from ledgerbridge.numbering.errors import NumberingRefused
from ledgerbridge.store.models.host import Document, DocumentStatus


def issue_with_number(session: Session, organisation_id: int, host_id: str) -> Document:
    """Number a draft document from its type's sequence and issue it (in the caller's write-locked transaction).
    Asking again gives the same number; a document issued already under a number of its own is refused (its
    number is out in the world)."""
    document = session.scalars(select(Document).where(
        Document.organisation_id == organisation_id, Document.host_id == host_id)).one_or_none()
    if document is None:
        raise RecordNotFound(f'document "{host_id}" is not known')
    number = number_for_document(session, organisation_id, document.type, host_id)
    if document.status != DocumentStatus.DRAFT.value and document.number != number:
        raise NumberingRefused(f'document (host_id "{host_id}")', "number",
                               f"is {document.number!r} and the document is {document.status} already: "
                               "only a draft is numbered here")
    document.number = number
    return issue_document(session, organisation_id, host_id)


def void_and_free_number(session: Session, organisation_id: int, host_id: str) -> Document:
    """Void a document; a number we gave it becomes a gap "void"."""
    document = void_document(session, organisation_id, host_id)
    void_document_number(session, organisation_id, document.type, host_id)
    return document
