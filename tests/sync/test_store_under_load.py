"""The embedded store under load (issue 12): an upload on a busy machine never has a write refused for a lock.

The case of the issue: an upload with allocation sync on, on a machine whose CPU is taken by other work and whose
package answers slowly. Recording what the package holds after each credit allocation used to keep the
run's session open (its writes holding SQLite's one write lock) across the next call to the package; that call's
own audit rows and health, and the job's progress, then waited for the lock until the busy timeout: "database is
locked", "could not write audit rows and health for connection 1; will retry", 30 s lost each time.

Here the store's busy timeout is short (a wait on a lock held across a call shows at once, not after 30 s) and
the sandbox answers in 300 ms. The test counts the writes refused for a lock (the warnings) and checks that every
write call has its audit row and every credit note its allocation: nothing lost, nothing refused.
"""

from __future__ import annotations

import logging
import subprocess
import sys
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import httpx
import pytest
from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session, sessionmaker

from ledgerbridge.connectors.connections import ConnectorOptions
from ledgerbridge.demo.data import demo_batch
from ledgerbridge.intake.apply import apply_batch
from ledgerbridge.intake.schemas import Batch
from ledgerbridge.queue.jobs import enqueue_job, run_job
from ledgerbridge.store.db import make_engine, make_session_factory, session_scope
from ledgerbridge.store.models.credits import CreditAllocation
from ledgerbridge.store.models.host import Document, Party
from ledgerbridge.store.models.sync import AuditEvent, Connection, PackagePayment, SyncRecord
from ledgerbridge.sync.exporter import Exporter

from .conftest import World

CREDIT_NOTES = 8
LATENCY_MS = 300
BUSY_TIMEOUT = 2.0  # seconds; the store's default is 30
LOAD_PROCESSES, LOAD_SECONDS = 2, 60
REFUSED_FOR_A_LOCK = ("could not write audit rows", "not written")


@pytest.fixture
def cpu_load() -> Iterator[None]:
    """Two busy loops beside the test, each ending by itself after 60 s and killed when the test ends."""
    loop = f"import time\nend = time.time() + {LOAD_SECONDS}\nwhile time.time() < end: pass\n"
    procs = [subprocess.Popen([sys.executable, "-c", loop]) for _ in range(LOAD_PROCESSES)]
    try:
        yield
    finally:
        for proc in procs:
            proc.kill()
            proc.wait()


class CountingTransport(httpx.BaseTransport):
    """The world's contract-checked transport, counting the write calls that reach the package."""

    def __init__(self, inner: httpx.BaseTransport) -> None:
        self.inner = inner
        self.writes = 0

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        if request.method in ("PUT", "POST") and "/connect/token" not in request.url.path:
            self.writes += 1
        return self.inner.handle_request(request)


def _refused_for_a_lock(caplog: pytest.LogCaptureFixture) -> list[tuple[str, str, str]]:
    """Each refused write: the thread that wrote (``export_N``: a call of the exporter's pool; ``MainThread``: the
    run's own thread; ``job-N-progress``: the job's progress), its message and SQLite's error, so a failure says
    which writer waited on whom."""
    return [(r.threadName or "", r.getMessage(), repr(r.exc_info[1]) if r.exc_info else "")
            for r in caplog.records if any(text in r.getMessage() for text in REFUSED_FOR_A_LOCK)]


def _short_timeout_sessions(world: World) -> sessionmaker[Session]:
    engine = world.sessions.kw["bind"]
    if engine.dialect.name != "sqlite":
        return world.sessions
    return make_session_factory(make_engine(engine.url.render_as_string(hide_password=False),
                                            busy_timeout=BUSY_TIMEOUT))


def _credit_notes(sessions: sessionmaker[Session], world: World) -> list[dict[str, Any]]:
    """One small credit note for each of the first exported sales invoices the demo has (not yet credited)."""
    line = next(d for d in demo_batch()["documents"] if d["host_id"] == "CN-2001")["lines"][0]
    with session_scope(sessions) as session:
        credited = set(session.scalars(select(Document.credits_document_id).where(
            Document.credits_document_id.is_not(None))))
        invoices = session.execute(select(Document.host_id, Document.issue_date, Party.host_id).join(
            Party, Party.id == Document.party_id).join(SyncRecord, SyncRecord.record_id == Document.id).where(
            Document.organisation_id == world.org_id, Document.type == "sales_invoice",
            Document.gross_total > 50, SyncRecord.connection_id == world.conn_id,
            SyncRecord.record_type == "document", SyncRecord.external_id.is_not(None),
            Document.id.not_in(credited or {0})).order_by(Document.id).limit(CREDIT_NOTES)).all()
    assert len(invoices) == CREDIT_NOTES, "the demo has too few exported sales invoices for this test"
    return [{"host_id": f"LOAD-CN-{n}", "type": "sales_credit_note", "number": f"LCN-{n:03d}", "status": "issued",
             "issue_date": issued.isoformat(), "party_host_id": party, "currency": "GBP", "lines": [line],
             "credits_document_host_id": host_id} for n, (host_id, issued, party) in enumerate(invoices)]


def test_an_upload_under_load_has_no_write_refused_for_a_lock(world: World, cpu_load: None,
                                                               caplog: pytest.LogCaptureFixture) -> None:
    sessions = _short_timeout_sessions(world)
    first = Exporter(sessions, world.conn_id, world.connector()).upload()  # the month's documents go out first
    notes = _credit_notes(sessions, world)
    with session_scope(sessions) as session:
        apply_batch(session, world.org_id, Batch.model_validate({"documents": notes}))
        conn = session.get_one(Connection, world.conn_id)
        conn.settings = {**(conn.settings or {}), "allocation_sync": True}
        job_id = enqueue_job(session, world.conn_id, "upload", requested_by="user").id
    with session_scope(sessions) as session:
        audit_rows_before = _write_audit_rows(session)
    transport = CountingTransport(world.transport)
    world.arm_fault(latency_ms=LATENCY_MS)
    caplog.set_level(logging.WARNING)
    try:
        result = run_job(sessions, job_id, options=ConnectorOptions(transport=transport))
    finally:
        world.clear_faults()

    assert _refused_for_a_lock(caplog) == []
    assert result["exported"] == CREDIT_NOTES and result["failed"] == first.failed  # the demo's refused ones
    assert result["payments"]["allocation_sync"]["pushed"] == CREDIT_NOTES + 1  # and the demo's CN-2001
    with session_scope(sessions) as session:
        assert _write_audit_rows(session) - audit_rows_before == transport.writes
        allocated = session.scalar(select(func.count()).select_from(CreditAllocation).join(
            Document, Document.id == CreditAllocation.credit_document_id).where(Document.host_id.like("LOAD-CN-%")))
        assert allocated == CREDIT_NOTES


def test_a_payment_import_under_load_has_no_write_refused_for_a_lock(world: World, cpu_load: None,
                                                                    caplog: pytest.LogCaptureFixture) -> None:
    """Payments keyed into the package: the import stores each one fetched, and reads the package's next
    collection (a call) after them; every payment is stored and no write waits for a lock."""
    sessions = _short_timeout_sessions(world)
    Exporter(sessions, world.conn_id, world.connector()).upload()
    with session_scope(sessions) as session:
        invoices = session.execute(select(SyncRecord.external_id, Document.issue_date).join(
            SyncRecord, SyncRecord.record_id == Document.id).where(
            Document.organisation_id == world.org_id, Document.type == "sales_invoice",
            Document.gross_total > 50, SyncRecord.connection_id == world.conn_id,
            SyncRecord.record_type == "document", SyncRecord.external_id.is_not(None)).order_by(Document.id)).all()
    paid = 0
    for external_id, issued in invoices:
        try:  # the demo's invoices paid in full already refuse another payment
            world.pay(str(external_id), "10.00", date=issued.isoformat())
            paid += 1
        except httpx.HTTPStatusError as refused_by_xero:
            assert "exceeds the amount outstanding" in refused_by_xero.response.text
    with session_scope(sessions) as session:
        job_id = enqueue_job(session, world.conn_id, "import_payments", requested_by="user").id
    world.arm_fault(latency_ms=LATENCY_MS)
    caplog.set_level(logging.WARNING)
    try:
        result = run_job(sessions, job_id, options=ConnectorOptions(transport=world.transport))
    finally:
        world.clear_faults()

    assert _refused_for_a_lock(caplog) == []
    assert result["fetched"] >= paid >= 3
    with session_scope(sessions) as session:
        stored = session.scalar(select(func.count()).select_from(PackagePayment).where(
            PackagePayment.connection_id == world.conn_id, PackagePayment.amount == Decimal("10.00")))
        assert stored == paid


def _write_audit_rows(session: Session) -> int:
    """Audit rows of write calls to the package (the client writes one per PUT or POST)."""
    return session.scalar(select(func.count()).select_from(AuditEvent).where(or_(
        AuditEvent.action.contains(" PUT "), AuditEvent.action.contains(" POST ")))) or 0
