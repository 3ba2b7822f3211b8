"""What a device tells us after working offline: the numbers it used, those it voided, and the rest of its blocks
given back; and a reinstalled device, whose new id replaces the old one.

Numbers a device will never use become gaps at once, with their cause, and stay gaps: the counter has long moved
past them, so they are never handed out again.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from ledgerbridge.numbering.allocate import ReservedBlock, reserve_block, runs
from ledgerbridge.numbering.errors import NumberingRefused
from ledgerbridge.numbering.sequences import NUMBERED_TYPES, locked_sequence
from ledgerbridge.store.db import utcnow
from ledgerbridge.store.models.numbering import (
    GapCause,
    IssuedNumber,
    NumberBlock,
    NumberGap,
    NumberSequence,
    NumberState,
)

DEVICE_ID_MAX = 100
#: A block whose every number was used or voided is closed with this (not a gap cause: nothing is lost).
USED_UP = "used_up"


def check_device_id(device_id: str, field_name: str = "device_id") -> str:
    if not device_id or len(device_id) > DEVICE_ID_MAX or device_id != device_id.strip() \
            or any(not ch.isprintable() for ch in device_id):
        raise NumberingRefused(f'device "{device_id[:40]}"', field_name,
                               f"must be 1 to {DEVICE_ID_MAX} printable characters without surrounding spaces")
    return device_id


@dataclass(slots=True)
class DeviceReport:
    used: int = 0
    voided: int = 0
    given_back: int = 0
    blocks_closed: int = 0
    unchanged: int = 0

    def as_dict(self) -> dict[str, int]:
        return asdict(self)


def _device_numbers(session: Session, sequence_id: int, device_id: str, texts: Sequence[str]
                    ) -> dict[str, tuple[IssuedNumber, NumberBlock]]:
    rows = session.execute(select(IssuedNumber, NumberBlock).join(NumberBlock, NumberBlock.id == IssuedNumber.block_id)
                           .where(IssuedNumber.sequence_id == sequence_id, IssuedNumber.text.in_(list(texts)),
                                  NumberBlock.device_id == device_id)).all()
    return {number.text: (number, block) for number, block in rows}


def report_numbers(session: Session, organisation_id: int, document_type: str, device_id: str, *,
                   used: Sequence[str] = (), voided: Sequence[str] = (), give_back_rest: bool = False) -> DeviceReport:
    """Record what the device did with its numbers (in the caller's write-locked transaction). Every number must
    be one of this device's, in a block still open, and not reported the other way before: otherwise the whole
    report is refused, naming the number, and nothing is written. Reporting the same again changes nothing."""
    check_device_id(device_id)
    sequence = locked_sequence(session, organisation_id, document_type)
    known = _device_numbers(session, sequence.id, device_id, [*used, *voided])
    report = DeviceReport()
    now = utcnow()
    for list_name, texts, state in (("used", used, NumberState.USED), ("voided", voided, NumberState.VOID)):
        for i, text in enumerate(texts):
            record = f'device "{device_id}", {document_type} number "{text[:40]}"'
            if text not in known:
                raise NumberingRefused(record, f"{list_name}[{i}]", "is not a number of this device's blocks")
            number, block = known[text]
            if number.state == state.value:
                report.unchanged += 1
                continue
            if number.state == NumberState.LOST.value:
                raise NumberingRefused(record, f"{list_name}[{i}]",
                                       f"is in a block closed as {block.closed_cause}: it is a gap now")
            if number.state != NumberState.RESERVED.value:
                raise NumberingRefused(record, f"{list_name}[{i}]", f"was reported {number.state} before")
            number.state, number.used_at = state.value, now
            if state == NumberState.USED:
                report.used += 1
            else:
                report.voided += 1
                session.add(NumberGap(sequence_id=sequence.id, first_number=number.number,
                                      last_number=number.number, cause=GapCause.VOID.value, device_id=device_id,
                                      detail=f"voided on device {device_id}"))
    session.flush()
    open_blocks = session.scalars(select(NumberBlock).where(
        NumberBlock.sequence_id == sequence.id, NumberBlock.device_id == device_id,
        NumberBlock.closed_at.is_(None)).order_by(NumberBlock.id)).all()
    for block in open_blocks:
        if give_back_rest:
            report.given_back += _close_block(session, sequence, block, GapCause.UNUSED_BLOCK,
                                              f"the rest of device {device_id}'s block, given back")
            report.blocks_closed += 1
        elif not _reserved_in(session, block.id):
            block.closed_at, block.closed_cause = now, USED_UP
            report.blocks_closed += 1
    session.flush()
    return report


def _reserved_in(session: Session, block_id: int) -> list[int]:
    return list(session.scalars(select(IssuedNumber.number).where(
        IssuedNumber.block_id == block_id, IssuedNumber.state == NumberState.RESERVED.value)))


def _close_block(session: Session, sequence: NumberSequence, block: NumberBlock, cause: GapCause,
                 detail: str) -> int:
    """Close an open block; its numbers not used become gaps of ``cause``. Returns how many."""
    unused = _reserved_in(session, block.id)
    for first, last in runs(unused):
        session.add(NumberGap(sequence_id=sequence.id, first_number=first, last_number=last, cause=cause.value,
                              device_id=block.device_id, detail=detail))
    if unused:
        session.execute(update(IssuedNumber).where(IssuedNumber.block_id == block.id,
                                                   IssuedNumber.state == NumberState.RESERVED.value)
                        .values(state=NumberState.LOST.value))
    block.closed_at, block.closed_cause = utcnow(), cause.value
    return len(unused)


def replace_device(session: Session, organisation_id: int, old_device_id: str, new_device_id: str) -> int:
    """A reinstalled device: its new id replaces the old one, whose open blocks (of every document type) are
    closed, their numbers not reported becoming gaps "reinstalled device". Returns how many numbers were lost."""
    check_device_id(old_device_id, "replaces_device_id")
    check_device_id(new_device_id)
    if old_device_id == new_device_id:
        raise NumberingRefused(f'device "{new_device_id}"', "replaces_device_id", "is the device's own id")
    lost = 0
    for document_type in NUMBERED_TYPES:
        sequence = session.scalars(select(NumberSequence).where(
            NumberSequence.organisation_id == organisation_id,
            NumberSequence.document_type == document_type)).one_or_none()
        if sequence is None:
            continue
        sequence = locked_sequence(session, organisation_id, document_type)
        for block in session.scalars(select(NumberBlock).where(
                NumberBlock.sequence_id == sequence.id, NumberBlock.device_id == old_device_id,
                NumberBlock.closed_at.is_(None))):
            lost += _close_block(session, sequence, block, GapCause.REINSTALLED_DEVICE,
                                 f"device {old_device_id} was reinstalled as {new_device_id}")
    session.flush()
    return lost


def reserve_for_device(session: Session, organisation_id: int, document_type: str, device_id: str,
                       replaces_device_id: str | None = None) -> ReservedBlock:
    """A device's block (in the caller's write-locked transaction); a reinstalled device names its old id first,
    whose open blocks become gaps."""
    check_device_id(device_id)
    if replaces_device_id is not None:
        replace_device(session, organisation_id, replaces_device_id, device_id)
    return reserve_block(session, organisation_id, document_type, device_id)


def void_document_number(session: Session, organisation_id: int, document_type: str, host_id: str) -> bool:
    """A document we numbered was voided: its number is a gap "void" (the package may keep the void document,
    but no live document carries the number). False where we did not number it."""
    sequence = session.scalars(select(NumberSequence).where(
        NumberSequence.organisation_id == organisation_id,
        NumberSequence.document_type == document_type)).one_or_none()
    if sequence is None:
        return False
    number = session.scalars(select(IssuedNumber).where(
        IssuedNumber.sequence_id == sequence.id, IssuedNumber.document_host_id == host_id,
        IssuedNumber.state == NumberState.USED.value)).first()
    if number is None:
        return False
    number.state = NumberState.VOID.value
    session.add(NumberGap(sequence_id=sequence.id, first_number=number.number, last_number=number.number,
                          cause=GapCause.VOID.value, detail=f"document {host_id} was voided"))
    session.flush()
    return True
