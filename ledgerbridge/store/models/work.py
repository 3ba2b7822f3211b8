"""Scale-out state shared by every worker through the database (issue 6): the queue's uniqueness and the call budget.

Why in the database: workers run on many machines sharing one PostgreSQL, so nothing that must hold *across*
workers (a record queued once, a tenant's calls per minute, per day and at once) can live in a process.

* :class:`QueuedRecord` names what a waiting job will work on, one row per record (or ``*`` for "everything
  pending"). Its partial unique index ``uq_queued_records_waiting`` on (connection, job kind, record type, record)
  **where released_at IS NULL** is what makes "the same record can never be queued twice" a database fact rather
  than a hope: the second enqueue of a waiting record conflicts and is dropped, whichever worker, screen or API
  call asked for it. The index is partial because a row is released (``released_at`` set) the moment a worker
  claims the job: from then on the record may be queued again (it may have been edited after the run started,
  and that edit must be exported by a later run), while the released row still shows which job holds it.
  Rows are deleted when their job finishes.
* :class:`CallWindow` is one tenant's fixed minute, second and day windows and a ``blocked_until`` set by the
  package's 429; :class:`CallLease` is one of the tenant's concurrent-call slots, leased with an expiry so that a
  worker killed mid-call never holds a slot for ever. Times there are float seconds of the budget's clock (not
  timestamps): benchmarks run the sandbox and every worker on one accelerated clock (:mod:`ledgerbridge.clock`).
* :class:`AppCallWindow` is the same for a limit an app shares across every tenant (MYOB's 8 a second and
  1,000,000 a day per API key): keyed by the app (``scope``: the package and a digest of its client id), not by
  a connection, and taken in the same transaction as the connection's own window
  (:mod:`ledgerbridge.connectors.app_budget`).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Float, ForeignKey, Index, Integer, String, text
from sqlalchemy.orm import Mapped, mapped_column

from ledgerbridge.store.db import Base, utcnow

__all__ = ["AppCallWindow", "CallLease", "CallWindow", "QueuedRecord"]


class QueuedRecord(Base):
    __tablename__ = "queued_records"
    __table_args__ = (
        Index("uq_queued_records_waiting", "connection_id", "kind", "record_type", "record_id", unique=True,
              sqlite_where=text("released_at IS NULL"), postgresql_where=text("released_at IS NULL")),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    job_id: Mapped[int] = mapped_column(ForeignKey("jobs.id", ondelete="CASCADE"), index=True)
    connection_id: Mapped[int] = mapped_column(ForeignKey("connections.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(20))
    record_type: Mapped[str] = mapped_column(String(20))  # document | package_payment | * (everything pending)
    record_id: Mapped[int] = mapped_column(Integer)
    queued_at: Mapped[datetime] = mapped_column(default=utcnow)
    released_at: Mapped[datetime | None] = mapped_column(default=None)


class CallWindow(Base):
    __tablename__ = "call_windows"
    connection_id: Mapped[int] = mapped_column(ForeignKey("connections.id", ondelete="CASCADE"), primary_key=True)
    minute_started: Mapped[float] = mapped_column(Float, default=0.0)
    minute_used: Mapped[int] = mapped_column(Integer, default=0)
    second_started: Mapped[float] = mapped_column(Float, default=0.0)
    second_used: Mapped[int] = mapped_column(Integer, default=0)
    batch_minute_started: Mapped[float] = mapped_column(Float, default=0.0)
    batch_minute_used: Mapped[int] = mapped_column(Integer, default=0)
    day_started: Mapped[float] = mapped_column(Float, default=0.0)
    day_used: Mapped[int] = mapped_column(Integer, default=0)
    blocked_until: Mapped[float] = mapped_column(Float, default=0.0)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class CallLease(Base):
    __tablename__ = "call_leases"
    connection_id: Mapped[int] = mapped_column(ForeignKey("connections.id", ondelete="CASCADE"), primary_key=True)
    slot: Mapped[int] = mapped_column(Integer, primary_key=True)
    holder: Mapped[str | None] = mapped_column(String(120), default=None)
    lease_until: Mapped[float] = mapped_column(Float, default=0.0)


class AppCallWindow(Base):
    __tablename__ = "app_call_windows"
    scope: Mapped[str] = mapped_column(String(80), primary_key=True)
    #: Start times (the budget's clock) of the calls within the last pacing window, comma-separated: a sliding
    #: second, because a package that counts a second from any call would refuse two fixed windows' worth
    #: sent either side of their boundary.
    recent_starts: Mapped[str] = mapped_column(String(2000), default="")
    minute_started: Mapped[float] = mapped_column(Float, default=0.0)
    minute_used: Mapped[int] = mapped_column(Integer, default=0)
    day_started: Mapped[float] = mapped_column(Float, default=0.0)
    day_used: Mapped[int] = mapped_column(Integer, default=0)
    blocked_until: Mapped[float] = mapped_column(Float, default=0.0)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
