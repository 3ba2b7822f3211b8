"""Which records an audit row concerns (R-A1), so a record's history is found by key, not by text search.

A package call is audited once per HTTP request, and a batch request carries up to a
hundred records, so the link is a row per (audit event, record). Links are resolved
from the batch key: the HTTP client writes the ``Idempotency-Key`` it sent into the
request text; ``AuditEvent.batch_key`` keeps it on insert, and the sync records that
carried that batch key are the records the call was about (``audit_search.link_audit_events``).
"""

from __future__ import annotations

from sqlalchemy import ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from ledgerbridge.store.db import Base


class AuditLink(Base):
    __tablename__ = "audit_links"
    __table_args__ = (Index("ix_audit_links_record", "record_type", "record_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    audit_event_id: Mapped[int] = mapped_column(ForeignKey("audit_events.id", ondelete="CASCADE"), index=True)
    record_type: Mapped[str] = mapped_column(String(10))
    record_id: Mapped[int] = mapped_column(Integer)


__all__ = ["AuditLink"]
