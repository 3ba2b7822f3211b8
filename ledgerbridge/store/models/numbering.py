"""Document numbering (R-N1): each organisation's sequences, the blocks devices reserve, the numbers handed out,
the gaps and why, and the numbers the package already holds.

* :class:`NumberSequence` is one organisation's numbering of one document type: a prefix and the next number. It
  is the counter row every reservation locks (``FOR UPDATE`` on PostgreSQL, ``BEGIN IMMEDIATE`` on SQLite), so
  reservations by any worker on any machine are serialised by the database.
* :class:`IssuedNumber` is one number handed out, to a device's block or to a document the host asked us to
  number: unique on (sequence, number), so even a bug in the counter could not hand a number out twice.
* :class:`NumberBlock` is a device's reservation of 25 numbers, to use without a connection.
* :class:`NumberGap` is a run of numbers that will never be a document, with its cause; gaps are never reused
  (the counter only moves forward).
* :class:`PackageNumber` is a number the package already holds for that document type (read back, imported, or
  made there before the start date): a reservation skips it, and records the skip as a gap.
"""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ledgerbridge.store.db import Base, utcnow

__all__ = ["GapCause", "IssuedNumber", "NumberBlock", "NumberGap", "NumberSequence", "NumberState", "PackageNumber"]


class NumberState(enum.StrEnum):
    RESERVED = "reserved"  # in a device's block, not yet reported used
    USED = "used"  # on a document
    VOID = "void"  # used on a document that was then voided, or voided by the device unused
    LOST = "lost"  # never used: the rest of a block given back, or of a reinstalled device's block


class GapCause(enum.StrEnum):
    UNUSED_BLOCK = "unused_block"  # the device gave back the rest of its block
    REINSTALLED_DEVICE = "reinstalled_device"  # a new device id replaced the old one; its open blocks are lost
    VOID = "void"
    HELD_BY_PACKAGE = "held_by_package"  # the package already has a document of that number: skipped
    MOVED_FORWARD = "moved_forward"  # the next number was set higher in the settings


class NumberSequence(Base):
    __tablename__ = "number_sequences"
    __table_args__ = (UniqueConstraint("organisation_id", "document_type"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"))
    document_type: Mapped[str] = mapped_column(String(30))
    prefix: Mapped[str] = mapped_column(String(20), default="")
    next_number: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class NumberBlock(Base):
    __tablename__ = "number_blocks"
    __table_args__ = (Index("ix_number_blocks_seq_device", "sequence_id", "device_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    sequence_id: Mapped[int] = mapped_column(ForeignKey("number_sequences.id", ondelete="CASCADE"))
    device_id: Mapped[str] = mapped_column(String(100))
    first_number: Mapped[int] = mapped_column(Integer)
    last_number: Mapped[int] = mapped_column(Integer)
    size: Mapped[int] = mapped_column(Integer)  # numbers in the block (fewer than the range where some were held)
    reserved_at: Mapped[datetime] = mapped_column(default=utcnow)
    closed_at: Mapped[datetime | None] = mapped_column(default=None)
    closed_cause: Mapped[str | None] = mapped_column(String(20), default=None)  # a GapCause, or "used_up"


class IssuedNumber(Base):
    __tablename__ = "issued_numbers"
    __table_args__ = (UniqueConstraint("sequence_id", "number"),
                      Index("ix_issued_numbers_block", "block_id"))
    id: Mapped[int] = mapped_column(primary_key=True)
    sequence_id: Mapped[int] = mapped_column(ForeignKey("number_sequences.id", ondelete="CASCADE"))
    number: Mapped[int] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(String(40))  # prefix and number, as the document carries it
    state: Mapped[str] = mapped_column(String(10), default=NumberState.RESERVED.value)
    block_id: Mapped[int | None] = mapped_column(ForeignKey("number_blocks.id", ondelete="CASCADE"), default=None)
    document_host_id: Mapped[str | None] = mapped_column(String(100), default=None)
    issued_at: Mapped[datetime] = mapped_column(default=utcnow)
    used_at: Mapped[datetime | None] = mapped_column(default=None)


class NumberGap(Base):
    __tablename__ = "number_gaps"
    __table_args__ = (Index("ix_number_gaps_seq_first", "sequence_id", "first_number"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    sequence_id: Mapped[int] = mapped_column(ForeignKey("number_sequences.id", ondelete="CASCADE"))
    first_number: Mapped[int] = mapped_column(Integer)
    last_number: Mapped[int] = mapped_column(Integer)
    cause: Mapped[str] = mapped_column(String(20))
    device_id: Mapped[str | None] = mapped_column(String(100), default=None)
    detail: Mapped[str | None] = mapped_column(String(255), default=None)
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow)


class PackageNumber(Base):
    __tablename__ = "package_numbers"
    __table_args__ = (UniqueConstraint("organisation_id", "document_type", "number"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"))
    document_type: Mapped[str] = mapped_column(String(30))
    number: Mapped[str] = mapped_column(String(255))  # as the package holds it, trimmed and upper-cased
    source: Mapped[str] = mapped_column(String(20))  # read_back | package_read | host
    connection_id: Mapped[int | None] = mapped_column(ForeignKey("connections.id", ondelete="SET NULL"),
                                                      default=None)
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow)
