"""A sequence per organisation and document type: its prefix and next number, the counter row reservations lock.

The next number can be set to any number until the first one is handed out; after that it only moves forward
(the numbers passed over become a gap, "moved forward"), so no number handed out can come round again.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import exists, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from ledgerbridge.numbering.errors import NumberingRefused
from ledgerbridge.store.db import utcnow
from ledgerbridge.store.models.host import DocumentType
from ledgerbridge.store.models.numbering import GapCause, IssuedNumber, NumberGap, NumberSequence

#: The document types a number can be asked for (every type the host sends).
NUMBERED_TYPES: tuple[str, ...] = tuple(t.value for t in DocumentType)
#: How many numbers a device's block holds (Ascora's mobile apps are given 25, seed 004).
BLOCK_SIZE = 25
#: The largest number a sequence reaches (INTEGER columns); a block past it is refused, never wrapped round.
MAX_NUMBER = 2**31 - 1
PREFIX_MAX = 20


def format_number(prefix: str, number: int) -> str:
    return f"{prefix}{number}"


def normalised(text: str) -> str:
    """How numbers are compared with the package's: trimmed and upper-cased ("inv-7 " is "INV-7")."""
    return text.strip().upper()


def check_document_type(document_type: str) -> str:
    if document_type not in NUMBERED_TYPES:
        raise NumberingRefused(f'numbering of "{document_type[:40]}"', "document_type",
                               "must be one of " + ", ".join(NUMBERED_TYPES))
    return document_type


def locked_sequence(session: Session, organisation_id: int, document_type: str) -> NumberSequence:
    """The sequence's row, made on first use and locked for the rest of the transaction: ``FOR UPDATE`` on
    PostgreSQL; on SQLite the caller's ``write_locked_scope`` already holds the database's write lock."""
    check_document_type(document_type)
    dialect = session.get_bind().dialect.name
    query = select(NumberSequence).where(NumberSequence.organisation_id == organisation_id,
                                         NumberSequence.document_type == document_type)
    if dialect != "sqlite":
        query = query.with_for_update()
    query = query.execution_options(populate_existing=True)
    row = session.execute(query).scalar_one_or_none()
    if row is None:
        # Two first reservations at once: one insert wins, the other waits for it and inserts nothing.
        insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
        now = utcnow()
        session.execute(insert(NumberSequence).values(
            organisation_id=organisation_id, document_type=document_type, prefix="", next_number=1,
            created_at=now, updated_at=now).on_conflict_do_nothing())
        row = session.execute(query).scalar_one()
    return row


def _anything_issued(session: Session, sequence_id: int) -> bool:
    return bool(session.scalar(select(exists().where(IssuedNumber.sequence_id == sequence_id)))
                or session.scalar(select(exists().where(NumberGap.sequence_id == sequence_id))))


def check_prefix(prefix: str, record: str) -> str:
    if len(prefix) > PREFIX_MAX:
        raise NumberingRefused(record, "prefix", f"is {len(prefix)} characters long; at most {PREFIX_MAX}")
    if prefix != prefix.strip() or any(not ch.isprintable() for ch in prefix):
        raise NumberingRefused(record, "prefix", "must not start or end with spaces or hold control characters")
    if prefix[-1:].isdigit():
        # "INV1" and 23 would read as INV123, which is also "INV12" and 3: the number would not be the number.
        raise NumberingRefused(record, "prefix", "must not end with a digit (the number follows it)")
    return prefix


def set_numbering(session: Session, organisation_id: int, document_type: str, *, prefix: str | None = None,
                  next_number: int | None = None) -> NumberSequence:
    """Change a sequence's prefix and/or next number (in the caller's write-locked transaction)."""
    record = f'numbering of "{document_type[:40]}"'
    sequence = locked_sequence(session, organisation_id, document_type)
    if prefix is not None:
        sequence.prefix = check_prefix(prefix, record)
    if next_number is not None and next_number != sequence.next_number:
        if not 1 <= next_number <= MAX_NUMBER:
            raise NumberingRefused(record, "next_number", f"must be between 1 and {MAX_NUMBER}")
        if next_number < sequence.next_number and _anything_issued(session, sequence.id):
            raise NumberingRefused(record, "next_number", f"can only move forward: numbers up to "
                                   f"{sequence.next_number - 1} were handed out, so the next is at least "
                                   f"{sequence.next_number}")
        if next_number > sequence.next_number and _anything_issued(session, sequence.id):
            session.add(NumberGap(sequence_id=sequence.id, first_number=sequence.next_number,
                                  last_number=next_number - 1, cause=GapCause.MOVED_FORWARD.value,
                                  detail="the next number was set higher in the settings"))
        sequence.next_number = next_number
    sequence.updated_at = utcnow()
    session.flush()
    return sequence


@dataclass(frozen=True, slots=True)
class SequenceSetting:
    document_type: str
    prefix: str
    next_number: int

    @property
    def next_text(self) -> str:
        return format_number(self.prefix, self.next_number)


def sequence_settings(session: Session, organisation_id: int) -> list[SequenceSetting]:
    """Every document type's numbering, the defaults (no prefix, from 1) for a type not yet numbered."""
    rows = {s.document_type: s for s in session.scalars(
        select(NumberSequence).where(NumberSequence.organisation_id == organisation_id))}
    return [SequenceSetting(t, rows[t].prefix, rows[t].next_number) if t in rows else SequenceSetting(t, "", 1)
            for t in NUMBERED_TYPES]
