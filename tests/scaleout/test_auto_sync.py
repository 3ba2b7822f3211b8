"""Automatic sync (R-AUTO): with ``auto_sync`` on, an issued document reaches the package and a payment made there
comes back without anyone pressing a button; with it off nothing is queued. And ``serve`` runs a worker."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from sqlalchemy import func, select
from sync.conftest import World

from ledgerbridge.connectors.connections import ConnectorOptions
from ledgerbridge.demo.data import demo_batch
from ledgerbridge.intake.apply import apply_batch
from ledgerbridge.intake.schemas import Batch
from ledgerbridge.queue.worker import Scheduler, Worker
from ledgerbridge.store.db import session_scope
from ledgerbridge.store.models.host import Document, Payment
from ledgerbridge.store.models.sync import Connection, Job, SyncRecord


def _eventually(check: Callable[[], bool], timeout: float = 60.0) -> bool:
    """Poll (not a timing assertion: the timeout only stops a broken run from hanging)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.1)
    return False


def _set(world: World, **settings: object) -> None:
    with session_scope(world.sessions) as session:
        conn = session.get_one(Connection, world.conn_id)
        conn.settings = {**(conn.settings or {}), **settings}


def test_nothing_is_queued_without_auto_sync(world: World) -> None:
    assert Scheduler(world.sessions, check_seconds=0).tick() == []
    _set(world, auto_sync=True)
    queued = Scheduler(world.sessions, check_seconds=0).tick()
    assert len(queued) == 2  # the pending documents' upload and the first payment import
    assert Scheduler(world.sessions, check_seconds=0).tick() == []  # a second worker's scheduler adds nothing


def test_an_issued_document_is_exported_and_a_payment_comes_back_by_itself(world: World) -> None:
    _set(world, auto_sync=True, auto_payments_minutes=0.02)
    stop = threading.Event()
    worker = Worker(world.sessions, options=ConnectorOptions(transport=world.transport), poll_seconds=0.05,
                    check_seconds=0.2)
    thread = threading.Thread(target=worker.run, args=(stop,), daemon=True)
    thread.start()
    try:
        def exported(number: str) -> Callable[[], bool]:
            def check() -> bool:
                with session_scope(world.sessions) as session:
                    return bool(session.scalar(select(func.count(SyncRecord.id)).join(
                        Document, Document.id == SyncRecord.record_id).where(
                        SyncRecord.record_type == "document", Document.number == number,
                        SyncRecord.external_id.is_not(None))))
            return check

        assert _eventually(exported("INV-1001"))  # the backlog went out by itself
        batch = demo_batch()
        new = dict(next(d for d in batch["documents"] if d["number"] == "INV-1001"), host_id="AUTO-1",
                   number="AUTO-0001")
        with session_scope(world.sessions) as session:
            apply_batch(session, world.org_id, Batch.model_validate({"documents": [new]}))
        assert _eventually(exported("AUTO-0001"))  # issued, then in Xero with no button pressed
        with session_scope(world.sessions) as session:
            invoice_id = session.scalar(select(SyncRecord.external_id).join(
                Document, Document.id == SyncRecord.record_id).where(
                SyncRecord.record_type == "document", Document.number == "AUTO-0001"))
        world.pay(str(invoice_id), "5.00")

        def imported() -> bool:
            with session_scope(world.sessions) as session:
                return bool(session.scalar(select(func.count(Payment.id)).where(Payment.origin == "package")))

        assert _eventually(imported)
    finally:
        stop.set()
        thread.join(timeout=60)
    with session_scope(world.sessions) as session:
        assert session.scalar(select(func.count(Payment.id)).where(Payment.origin == "package")) == 1
        assert session.scalar(select(func.count(Job.id)).where(Job.status.in_(("claimed", "running")))) == 0
    assert world.xero_get("/Invoices", page=1, where='InvoiceNumber=="AUTO-0001"')["Invoices"].__len__() == 1


def test_serve_runs_a_worker(sessions: object) -> None:
    from fastapi.testclient import TestClient

    from ledgerbridge.api.app import create_app
    from ledgerbridge.connectors.connections import create_connection, sandbox_endpoints
    from ledgerbridge.queue.jobs import enqueue_job
    from ledgerbridge.store.organisations import create_organisation

    engine = sessions.kw["bind"]  # type: ignore[attr-defined]
    with session_scope(sessions) as session:  # type: ignore[arg-type]
        org = create_organisation(session, "Serve Ltd")
        conn = create_connection(session, org.id, "xero", sandbox_endpoints("xero", "http://127.0.0.1:9"),
                                 client_id="c", client_secret="s", redirect_uri="http://127.0.0.1:9/cb")
        job_id = enqueue_job(session, conn.id, "refresh_chart", {}, requested_by="test").id
    with TestClient(create_app(engine, run_worker=True)):
        assert any(t.name == "ledgerbridge-worker" for t in threading.enumerate())

        def finished() -> bool:
            with session_scope(sessions) as session:  # type: ignore[arg-type]
                return session.get_one(Job, job_id).status in ("done", "failed")

        assert _eventually(finished)  # taken from the queue by the worker inside serve
    with session_scope(sessions) as session:  # type: ignore[arg-type]
        job = session.get_one(Job, job_id)
        assert job.status == "failed" and "not connected" in job.step  # it never reached any package
