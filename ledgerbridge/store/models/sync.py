"""Sync state: connections, the package's chart, mappings, sync records, jobs, imports, audit.

The sync record is the centre (STYLE.md): one row per host record per connection,
with an explicit status. The grids read it; nothing else holds sync state.
"""

from __future__ import annotations

import enum
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, Boolean, Date, ForeignKey, Index, Integer, String, Text, UniqueConstraint, false, text
from sqlalchemy.orm import Mapped, mapped_column

from ledgerbridge.store.db import Base, utcnow


class SyncStatus(enum.StrEnum):
    """What ``sync_records.status`` holds. Only ``sync.lifecycle`` writes it (its table says which moves are
    allowed); "marked by hand" is ``EXPORTED`` with ``marked_by_hand`` set, as it always was."""

    PENDING = "pending"
    IN_PROGRESS = "in_progress"
    # A package that polls us (QuickBooks Desktop's Web Connector) comes and takes its work: published, not yet
    # taken. The column is String(12) with no CHECK, so no migration was needed for it.
    AWAITING_FETCH = "await_fetch"
    EXPORTED = "exported"
    SEEN = "seen"
    ERROR = "error"


#: Not yet in the package: what an upload takes, Pending Export lists and the scheduler waits for.
OPEN_SYNC_STATUSES = (SyncStatus.PENDING.value, SyncStatus.ERROR.value, SyncStatus.IN_PROGRESS.value,
                      SyncStatus.AWAITING_FETCH.value)


class SyncAction(enum.StrEnum):
    """What the next send of a sync record does in the package (``sync_records.action``)."""

    CREATE = "create"
    UPDATE = "update"
    VOID = "void"


class RecordType(enum.StrEnum):
    PARTY = "party"
    # A party's supplier role, where the package keeps customers and suppliers as separate records (QuickBooks'
    # Vendor beside its Customer): the binding purchase documents use when the party's own record is a customer.
    SUPPLIER = "supplier"
    ITEM = "item"
    DOCUMENT = "document"
    PAYMENT = "payment"


class FailureType(enum.StrEnum):
    RETRIABLE = "retriable"  # rate limit, 5xx, timeout: retried with backoff
    CONFIG = "config"  # mapping or setting missing: fix and re-run
    DATA = "data"  # the package refused the record's content
    SYSTEM = "system"  # the package refused for its own reasons (locked period, payments applied)


class ErrorSource(enum.StrEnum):
    PRECHECK = "precheck"
    PACKAGE = "package"
    NETWORK = "network"


class Connection(Base):
    __tablename__ = "connections"
    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    kind: Mapped[str] = mapped_column(String(10))  # xero | qbo | qbd | myob
    name: Mapped[str] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(20), default="disconnected")
    api_base_url: Mapped[str] = mapped_column(String(300))
    identity_base_url: Mapped[str] = mapped_column(String(300))
    client_id: Mapped[str] = mapped_column(String(200))
    client_secret_enc: Mapped[str] = mapped_column(Text)
    redirect_uri: Mapped[str] = mapped_column(String(300))
    scopes: Mapped[str] = mapped_column(Text, default="")
    tenant_id: Mapped[str | None] = mapped_column(String(100), default=None)
    tenant_name: Mapped[str | None] = mapped_column(String(255), default=None)
    package_connection_id: Mapped[str | None] = mapped_column(String(100), default=None)
    access_token_enc: Mapped[str | None] = mapped_column(Text, default=None)
    refresh_token_enc: Mapped[str | None] = mapped_column(Text, default=None)
    access_expires_at: Mapped[datetime | None] = mapped_column(default=None)
    refresh_obtained_at: Mapped[datetime | None] = mapped_column(default=None)
    token_generation: Mapped[int] = mapped_column(Integer, default=0)  # optimistic lock for refreshes
    settings: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    start_date: Mapped[date | None] = mapped_column(Date, default=None)
    calls_left_minute: Mapped[int | None] = mapped_column(Integer, default=None)
    calls_left_day: Mapped[int | None] = mapped_column(Integer, default=None)
    budget_observed_at: Mapped[datetime | None] = mapped_column(default=None)
    budget_day_resets_at: Mapped[datetime | None] = mapped_column(default=None)
    last_success_at: Mapped[datetime | None] = mapped_column(default=None)
    last_error: Mapped[str | None] = mapped_column(Text, default=None)
    last_error_at: Mapped[datetime | None] = mapped_column(default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class OAuthState(Base):
    """A pending consent: the ``state`` we sent and the PKCE verifier, so the callback can be trusted."""

    __tablename__ = "oauth_states"
    state: Mapped[str] = mapped_column(String(64), primary_key=True)
    connection_id: Mapped[int] = mapped_column(ForeignKey("connections.id", ondelete="CASCADE"))
    code_verifier: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class ChartEntry(Base):
    """What the package offers to map to: accounts, tax rates, currencies (R-I5)."""

    __tablename__ = "chart_entries"
    __table_args__ = (UniqueConstraint("connection_id", "kind", "code"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    connection_id: Mapped[int] = mapped_column(ForeignKey("connections.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(20))  # account | tax_rate | currency
    code: Mapped[str] = mapped_column(String(50))
    external_id: Mapped[str | None] = mapped_column(String(100), default=None)
    name: Mapped[str] = mapped_column(String(255))
    category: Mapped[str | None] = mapped_column(String(30), default=None)  # account type, e.g. REVENUE, BANK
    rate: Mapped[Decimal | None] = mapped_column(default=None)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    usable_for: Mapped[list[str]] = mapped_column(JSON, default=list)  # sales, purchases, bank
    refreshed_at: Mapped[datetime] = mapped_column(default=utcnow)


class Mapping(Base):
    """A host code mapped to the package's code: nominal -> account, tax code -> tax type, payment method -> bank."""

    __tablename__ = "mappings"
    __table_args__ = (UniqueConstraint("connection_id", "kind", "local_code"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    connection_id: Mapped[int] = mapped_column(ForeignKey("connections.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(20))  # nominal | tax | payment_method
    local_code: Mapped[str] = mapped_column(String(50))
    external_code: Mapped[str] = mapped_column(String(50))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class SyncRecord(Base):
    __tablename__ = "sync_records"
    __table_args__ = (
        UniqueConstraint("connection_id", "record_type", "record_id"),
        Index("ix_sync_records_conn_status", "connection_id", "status"),
        # The grids: counts and pages of one record type by status, the Exported grid's newest-first order,
        # and the screens' "changed since the last refresh" probe (grids.refresh_when_changed).
        Index("ix_sync_records_conn_type_status", "connection_id", "record_type", "status"),
        Index("ix_sync_records_conn_type_exported", "connection_id", "record_type", "exported_at"),
        Index("ix_sync_records_conn_updated", "connection_id", "updated_at"),
        # The audit trail links a package call to the records its batch key was sent for (audit_search).
        Index("ix_sync_records_conn_batch", "connection_id", "batch_key"),
        # A package record is bound to at most one host record (unique on both sides).
        Index("uq_sync_records_external", "connection_id", "record_type", "external_id", unique=True,
              sqlite_where=text("external_id IS NOT NULL"), postgresql_where=text("external_id IS NOT NULL")),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    connection_id: Mapped[int] = mapped_column(ForeignKey("connections.id", ondelete="CASCADE"))
    record_type: Mapped[str] = mapped_column(String(10))
    record_id: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(12), default=SyncStatus.PENDING.value)
    action: Mapped[str] = mapped_column(String(10), default="create")  # create | update | void
    external_id: Mapped[str | None] = mapped_column(String(100), default=None)
    external_number: Mapped[str | None] = mapped_column(String(255), default=None)
    external_name: Mapped[str | None] = mapped_column(String(255), default=None)  # e.g. contact name used
    exported_version: Mapped[int | None] = mapped_column(Integer, default=None)
    exported_total: Mapped[Decimal | None] = mapped_column(default=None)
    exported_at: Mapped[datetime | None] = mapped_column(default=None)
    seen_at: Mapped[datetime | None] = mapped_column(default=None)
    marked_by_hand: Mapped[bool] = mapped_column(Boolean, default=False)
    attempt_key: Mapped[str | None] = mapped_column(String(128), default=None)
    batch_key: Mapped[str | None] = mapped_column(String(128), default=None)
    attempt_started_at: Mapped[datetime | None] = mapped_column(default=None)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    failure_type: Mapped[str | None] = mapped_column(String(12), default=None)
    last_error: Mapped[str | None] = mapped_column(Text, default=None)
    last_error_at: Mapped[datetime | None] = mapped_column(default=None)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class SyncError(Base):
    """Error feedback (R-E10): every error kept; the grid shows each record's latest uncleared one."""

    __tablename__ = "sync_errors"
    id: Mapped[int] = mapped_column(primary_key=True)
    sync_record_id: Mapped[int] = mapped_column(ForeignKey("sync_records.id", ondelete="CASCADE"), index=True)
    connection_id: Mapped[int] = mapped_column(ForeignKey("connections.id", ondelete="CASCADE"), index=True)
    at: Mapped[datetime] = mapped_column(default=utcnow)
    source: Mapped[str] = mapped_column(String(10))
    failure_type: Mapped[str] = mapped_column(String(12))
    message: Mapped[str] = mapped_column(Text)
    hint: Mapped[str | None] = mapped_column(Text, default=None)
    raw_response: Mapped[str | None] = mapped_column(Text, default=None)
    cleared_at: Mapped[datetime | None] = mapped_column(default=None)


class Job(Base):
    """A piece of background work (upload, import) with visible progress.

    ``lane`` groups the kinds that must not run side by side on one connection (upload and pre-check both move
    sync records: "export"; payment import: "import"): the partial unique index ``uq_jobs_running_lane`` lets
    at most one job per connection and lane be claimed or running, whichever worker took it, so two workers
    never export the same pending record twice. ``priority`` orders the queue: a payment import a user asked
    for goes before automatic work (jobs.priority_for).
    """

    __tablename__ = "jobs"
    __table_args__ = (
        Index("uq_jobs_running_lane", "connection_id", "lane", unique=True,
              sqlite_where=text("status IN ('claimed', 'running')"),
              postgresql_where=text("status IN ('claimed', 'running')")),
        Index("ix_jobs_queue", "status", "priority", "id"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    connection_id: Mapped[int] = mapped_column(ForeignKey("connections.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(12), default="queued")  # queued|claimed|running|done|failed
    lane: Mapped[str] = mapped_column(String(10), default="export")
    priority: Mapped[int] = mapped_column(Integer, default=0)
    params: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    total: Mapped[int] = mapped_column(Integer, default=0)
    done: Mapped[int] = mapped_column(Integer, default=0)
    failed: Mapped[int] = mapped_column(Integer, default=0)
    step: Mapped[str] = mapped_column(String(200), default="queued")
    result: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    requested_by: Mapped[str] = mapped_column(String(100), default="system")
    worker_id: Mapped[str | None] = mapped_column(String(100), default=None)
    heartbeat_at: Mapped[datetime | None] = mapped_column(default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(default=None)
    finished_at: Mapped[datetime | None] = mapped_column(default=None)


class ImportStatus(enum.StrEnum):
    PENDING = "pending"
    CREATED_AND_ALLOCATED = "created_and_allocated"
    CREATED_ON_ACCOUNT = "created_on_account"
    ERROR = "error"
    REVERSED = "reversed"


class PackagePayment(Base):
    """A payment read from the package, pending import or imported (R-I1, R-I2)."""

    __tablename__ = "package_payments"
    __table_args__ = (UniqueConstraint("connection_id", "external_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    connection_id: Mapped[int] = mapped_column(ForeignKey("connections.id", ondelete="CASCADE"), index=True)
    external_id: Mapped[str] = mapped_column(String(100))
    payment_type: Mapped[str] = mapped_column(String(30))
    direction: Mapped[str] = mapped_column(String(3))
    payment_date: Mapped[date] = mapped_column(Date)
    amount: Mapped[Decimal] = mapped_column()
    currency: Mapped[str] = mapped_column(String(3))
    reference: Mapped[str | None] = mapped_column(String(255), default=None)
    document_external_id: Mapped[str | None] = mapped_column(String(100), default=None)
    document_number: Mapped[str | None] = mapped_column(String(255), default=None)
    party_external_id: Mapped[str | None] = mapped_column(String(100), default=None)
    party_name: Mapped[str | None] = mapped_column(String(255), default=None)
    bank_account_code: Mapped[str | None] = mapped_column(String(50), default=None)
    deleted_in_package: Mapped[bool] = mapped_column(Boolean, default=False)
    package_updated_at: Mapped[datetime | None] = mapped_column(default=None)
    status: Mapped[str] = mapped_column(String(25), default=ImportStatus.PENDING.value)
    diagnostic: Mapped[str | None] = mapped_column(Text, default=None)
    payment_id: Mapped[int | None] = mapped_column(ForeignKey("payments.id"), default=None)
    raw: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    fetched_at: Mapped[datetime] = mapped_column(default=utcnow)
    imported_at: Mapped[datetime | None] = mapped_column(default=None)


class SyncCursor(Base):
    """Incremental state for one stream (bookmark = highest package timestamp fully read)."""

    __tablename__ = "sync_cursors"
    __table_args__ = (UniqueConstraint("connection_id", "stream"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    connection_id: Mapped[int] = mapped_column(ForeignKey("connections.id", ondelete="CASCADE"))
    stream: Mapped[str] = mapped_column(String(30))
    bookmark: Mapped[datetime | None] = mapped_column(default=None)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


def _batch_key_of_request(context: Any) -> str | None:
    """The batch key of a package call, from the ``Idempotency-Key`` line its audited request starts with.

    Taken when the row is stored, so the HTTP client need not know about records: the key is
    ``<batch key>`` or ``<batch key>-<suffix>`` (a batch's parties), the batch key a uuid hex.
    """
    request = context.get_current_parameters().get("request") if context is not None else None
    if not request:
        return None
    marker = "\nIdempotency-Key: "
    start = request.find(marker)
    if start < 0:
        return None
    key = request[start + len(marker):].split("\n", 1)[0].strip().split("-", 1)[0]
    return key[:64] if key else None


def _nothing_to_link(context: Any) -> bool:
    return _batch_key_of_request(context) is None


class AuditEvent(Base):
    """Every sync action: who, when, what, request and response (secrets removed), outcome (R-A1)."""

    __tablename__ = "audit_events"
    __table_args__ = (Index("ix_audit_record", "record_type", "record_id"),
                      Index("ix_audit_events_unlinked", "connection_id", "links_resolved"))
    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    connection_id: Mapped[int | None] = mapped_column(ForeignKey("connections.id", ondelete="SET NULL"), default=None)
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    actor: Mapped[str] = mapped_column(String(100))
    action: Mapped[str] = mapped_column(String(50))
    record_type: Mapped[str | None] = mapped_column(String(10), default=None)
    record_id: Mapped[int | None] = mapped_column(Integer, default=None)
    request: Mapped[str | None] = mapped_column(Text, default=None)
    response: Mapped[str | None] = mapped_column(Text, default=None)
    outcome: Mapped[str] = mapped_column(String(20))
    detail: Mapped[str | None] = mapped_column(Text, default=None)
    # The call's batch key, and whether its records were linked yet (models_audit.AuditLink).
    batch_key: Mapped[str | None] = mapped_column(String(64), default=_batch_key_of_request, index=True)
    # Rows that are no package call (no batch key) have nothing to resolve: born resolved, so the linker's
    # index scan only ever meets the calls of the last run.
    links_resolved: Mapped[bool] = mapped_column(Boolean, default=_nothing_to_link, server_default=false())
