"""One organisation's numbering as the screens, the API, the command line and the demo show it: per document
type, the prefix and next number, each device's blocks (used, voided, still free) and the gaps with their cause."""

from __future__ import annotations

from collections import Counter
from dataclasses import asdict, dataclass

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from ledgerbridge.numbering.sequences import SequenceSetting, format_number, sequence_settings
from ledgerbridge.store.models.numbering import IssuedNumber, NumberBlock, NumberGap, NumberSequence, NumberState

#: What each gap cause means, in the words the screens use.
GAP_CAUSES = {
    "unused_block": "A device's unused block: the rest given back",
    "reinstalled_device": "A reinstalled device: its old id's block was lost",
    "void": "Voided",
    "held_by_package": "Already on a document (in the package or here): skipped",
    "moved_forward": "Next number moved forward in the settings",
}


@dataclass(frozen=True, slots=True)
class BlockLine:
    block_id: int
    device_id: str
    first: str
    last: str
    size: int
    used: int
    voided: int
    free: int
    state: str  # open | used_up | unused_block | reinstalled_device


@dataclass(frozen=True, slots=True)
class GapLine:
    first: str
    last: str
    count: int
    cause: str
    cause_text: str
    device_id: str | None
    detail: str | None


@dataclass(frozen=True, slots=True)
class TypeNumbering:
    setting: SequenceSetting
    blocks: list[BlockLine]
    gaps: list[GapLine]
    numbers_used: int
    numbers_by_documents: int

    @property
    def devices(self) -> list[str]:
        return sorted({b.device_id for b in self.blocks})

    def as_dict(self) -> dict[str, object]:
        return {"document_type": self.setting.document_type, "prefix": self.setting.prefix,
                "next_number": self.setting.next_number, "next": self.setting.next_text,
                "numbers_used": self.numbers_used, "numbered_documents": self.numbers_by_documents,
                "devices": self.devices, "blocks": [asdict(b) for b in self.blocks],
                "gaps": [asdict(g) for g in self.gaps]}


def numbering_overview(session: Session, organisation_id: int, *, used_only: bool = False) -> list[TypeNumbering]:
    """Every document type (``used_only``: those with a sequence row), blocks newest first, gaps in order."""
    sequences = {s.document_type: s for s in session.scalars(
        select(NumberSequence).where(NumberSequence.organisation_id == organisation_id))}
    out = []
    for setting in sequence_settings(session, organisation_id):
        sequence = sequences.get(setting.document_type)
        if sequence is None:
            if not used_only:
                out.append(TypeNumbering(setting, [], [], 0, 0))
            continue
        out.append(_type_numbering(session, sequence, setting))
    return out


def _type_numbering(session: Session, sequence: NumberSequence, setting: SequenceSetting) -> TypeNumbering:
    counts: dict[int, Counter[str]] = {}
    for block_id, state, n in session.execute(
            select(IssuedNumber.block_id, IssuedNumber.state, func.count())
            .where(IssuedNumber.sequence_id == sequence.id, IssuedNumber.block_id.is_not(None))
            .group_by(IssuedNumber.block_id, IssuedNumber.state)):
        counts.setdefault(block_id or 0, Counter())[state] = int(n)
    ends = {(block_id or 0, number): text for block_id, number, text in session.execute(
        select(IssuedNumber.block_id, IssuedNumber.number, IssuedNumber.text)
        .join(NumberBlock, NumberBlock.id == IssuedNumber.block_id)
        .where(IssuedNumber.sequence_id == sequence.id,
               or_(IssuedNumber.number == NumberBlock.first_number, IssuedNumber.number == NumberBlock.last_number)))}
    blocks = []
    for b in session.scalars(select(NumberBlock).where(NumberBlock.sequence_id == sequence.id)
                             .order_by(NumberBlock.id.desc())):
        c = counts.get(b.id, Counter())
        blocks.append(BlockLine(b.id, b.device_id, ends.get((b.id, b.first_number), str(b.first_number)),
                                ends.get((b.id, b.last_number), str(b.last_number)), b.size, c[NumberState.USED.value],
                                c[NumberState.VOID.value], c[NumberState.RESERVED.value], b.closed_cause or "open"))
    gaps = [GapLine(format_number(sequence.prefix, g.first_number), format_number(sequence.prefix, g.last_number),
                    g.last_number - g.first_number + 1, g.cause, GAP_CAUSES.get(g.cause, g.cause), g.device_id,
                    g.detail)
            for g in session.scalars(select(NumberGap).where(NumberGap.sequence_id == sequence.id)
                                     .order_by(NumberGap.first_number, NumberGap.id))]
    used = session.scalar(select(func.count()).select_from(IssuedNumber).where(
        IssuedNumber.sequence_id == sequence.id, IssuedNumber.state == NumberState.USED.value)) or 0
    by_documents = session.scalar(select(func.count()).select_from(IssuedNumber).where(
        IssuedNumber.sequence_id == sequence.id, IssuedNumber.block_id.is_(None))) or 0
    return TypeNumbering(setting, blocks, gaps, int(used), int(by_documents))
