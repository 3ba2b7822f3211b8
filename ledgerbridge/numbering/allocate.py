"""Handing numbers out: a block of 25 to a device, or one to a document the host asks us to number.

Both run in a write-locked transaction (``store.db.write_locked_scope``) on the sequence's locked counter row
(``sequences.locked_sequence``): read the next number, skip what the package holds, write the numbers taken and
move the counter past them, commit. Whichever worker or machine asks, the next one waits for the lock and reads
the counter this one wrote.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from ledgerbridge.numbering.errors import NumberingRefused
from ledgerbridge.numbering.held import held_numbers
from ledgerbridge.numbering.sequences import BLOCK_SIZE, MAX_NUMBER, format_number, locked_sequence
from ledgerbridge.store.db import utcnow
from ledgerbridge.store.models.numbering import (
    GapCause,
    IssuedNumber,
    NumberBlock,
    NumberGap,
    NumberSequence,
    NumberState,
)


@dataclass(frozen=True, slots=True)
class Taken:
    """Numbers taken from a sequence, and those skipped because the package holds them."""

    numbers: list[int]
    skipped: list[int]


def runs(numbers: list[int]) -> list[tuple[int, int]]:
    """``[3, 4, 5, 9]`` -> ``[(3, 5), (9, 9)]``: gaps are written as runs, not one row a number."""
    out: list[tuple[int, int]] = []
    for n in sorted(numbers):
        if out and out[-1][1] == n - 1:
            out[-1] = (out[-1][0], n)
        else:
            out.append((n, n))
    return out


def take_numbers(session: Session, sequence: NumberSequence, organisation_id: int, count: int) -> Taken:
    """The next ``count`` numbers the package does not hold; the counter moves past them and past the skipped."""
    taken: list[int] = []
    skipped: list[int] = []
    held: dict[str, str] = {}
    cursor = sequence.next_number
    while len(taken) < count:
        window = range(cursor, cursor + count - len(taken))
        if window.stop - 1 > MAX_NUMBER:
            raise NumberingRefused(f'numbering of "{sequence.document_type}"', "next_number",
                                   f"has reached the largest number ({MAX_NUMBER}): start a new prefix")
        texts = {n: format_number(sequence.prefix, n) for n in window}
        held.update(held_numbers(session, organisation_id, sequence.document_type, list(texts.values())))
        for n, text in texts.items():
            (skipped if text in held else taken).append(n)
        cursor = window.stop
    sequence.next_number = cursor
    sequence.updated_at = utcnow()
    for first, last in runs(skipped):
        shown_texts = [format_number(sequence.prefix, n) for n in range(first, min(last, first + 3) + 1)]
        shown = ", ".join(f"{t} ({held[t]})" for t in shown_texts) + (" ..." if last > first + 3 else "")
        session.add(NumberGap(sequence_id=sequence.id, first_number=first, last_number=last,
                              cause=GapCause.HELD_BY_PACKAGE.value, detail=f"already held: {shown}"[:255]))
    return Taken(taken, skipped)


@dataclass(frozen=True, slots=True)
class ReservedBlock:
    block_id: int
    document_type: str
    device_id: str
    numbers: list[str]
    first_number: int
    last_number: int
    skipped_held_by_package: list[str]

    def as_dict(self) -> dict[str, object]:
        return asdict(self)


def reserve_block(session: Session, organisation_id: int, document_type: str, device_id: str,
                  size: int = BLOCK_SIZE) -> ReservedBlock:
    """A block of ``size`` numbers for ``device_id`` to use without a connection (in a write-locked transaction
    of the caller's, which commits)."""
    sequence = locked_sequence(session, organisation_id, document_type)
    taken = take_numbers(session, sequence, organisation_id, size)
    block = NumberBlock(sequence_id=sequence.id, device_id=device_id, first_number=taken.numbers[0],
                        last_number=taken.numbers[-1], size=len(taken.numbers), reserved_at=utcnow())
    session.add(block)
    session.flush()
    texts = [format_number(sequence.prefix, n) for n in taken.numbers]
    now = utcnow()
    # With RETURNING, SQLAlchemy sends the rows as one INSERT of many VALUES ("insertmanyvalues", its statement
    # cached); a plain executemany would be 25 statements on PostgreSQL.
    session.execute(insert(IssuedNumber).returning(IssuedNumber.id), [
        {"sequence_id": sequence.id, "number": n, "text": text, "state": NumberState.RESERVED.value,
         "block_id": block.id, "issued_at": now} for n, text in zip(taken.numbers, texts, strict=True)])
    return ReservedBlock(block.id, document_type, device_id, texts, block.first_number, block.last_number,
                         [format_number(sequence.prefix, n) for n in taken.skipped])


def number_for_document(session: Session, organisation_id: int, document_type: str, host_id: str) -> str:
    """The number of a document the host asked us to number: the one it was given before (a retried request), or
    the next one, marked used by it."""
    sequence = locked_sequence(session, organisation_id, document_type)
    given = session.scalars(select(IssuedNumber.text).where(
        IssuedNumber.sequence_id == sequence.id, IssuedNumber.document_host_id == host_id,
        IssuedNumber.block_id.is_(None))).first()
    if given is not None:
        return given
    (number,) = take_numbers(session, sequence, organisation_id, 1).numbers
    text = format_number(sequence.prefix, number)
    now = utcnow()
    session.add(IssuedNumber(sequence_id=sequence.id, number=number, text=text, state=NumberState.USED.value,
                             document_host_id=host_id, issued_at=now, used_at=now))
    session.flush()
    return text
