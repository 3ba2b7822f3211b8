"""What a Web Connector session of a QuickBooks Desktop connection starts (``queue.polled_session.SessionWork``),
on SQLite and PostgreSQL: the chart when it was never read, what a user asked for, and automatic uploads and
payment imports only with the connection's ``auto_sync`` on, as the worker's scheduler does for the packages we
call. A new connection's first session must not upload before its codes are mapped."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from ledgerbridge.demo.data import demo_batch
from ledgerbridge.intake.apply import apply_batch
from ledgerbridge.intake.schemas import Batch
from ledgerbridge.packages.qbd.message_format import QbdMessageFormat
from ledgerbridge.queue.jobs import enqueue_job
from ledgerbridge.queue.polled_session import SessionWork
from ledgerbridge.store.db import session_scope
from ledgerbridge.store.models.sync import ChartEntry, Connection, Job
from ledgerbridge.store.organisations import create_organisation


def _connection(sessions: sessionmaker[Session], *, chart: bool, **settings: Any) -> int:
    """A connected QuickBooks Desktop connection of an organisation with the demo's month waiting to go out."""
    with session_scope(sessions) as session:
        org = create_organisation(session, "Test Trading Ltd")
        apply_batch(session, org.id, Batch.model_validate(demo_batch()))
        conn = Connection(organisation_id=org.id, kind="qbd", name="QuickBooks Desktop", status="connected",
                          api_base_url="", identity_base_url="", client_id="", client_secret_enc="",
                          redirect_uri="", settings=settings)
        session.add(conn)
        session.flush()
        if chart:
            session.add(ChartEntry(connection_id=conn.id, kind="account", code="4000", name="Sales"))
        return conn.id


def _work(sessions: sessionmaker[Session]) -> SessionWork:
    return SessionWork(sessions, QbdMessageFormat(), max_bytes=100_000)


def _jobs(sessions: sessionmaker[Session], conn_id: int) -> list[tuple[str, str]]:
    with session_scope(sessions) as session:
        jobs = session.scalars(select(Job).where(Job.connection_id == conn_id))
        return sorted((j.kind, j.requested_by) for j in jobs)


def test_the_first_session_reads_the_chart_and_uploads_nothing_without_auto_sync(
        sessions: sessionmaker[Session]) -> None:
    conn_id = _connection(sessions, chart=False)
    work = _work(sessions)
    assert work.work_due(conn_id)  # the chart was never read: the user needs it to map the codes
    work.begin(conn_id, session_id=1)
    assert _jobs(sessions, conn_id) == [("refresh_chart", "auto")]
    work.begin(conn_id, session_id=2)  # a chart read already waits: not queued twice
    assert _jobs(sessions, conn_id) == [("refresh_chart", "auto")]


def test_nothing_due_without_auto_sync_until_a_user_asks(sessions: sessionmaker[Session]) -> None:
    conn_id = _connection(sessions, chart=True)
    work = _work(sessions)
    assert not work.work_due(conn_id)  # documents wait, but automatic sync is off: "none"
    with session_scope(sessions) as session:
        enqueue_job(session, conn_id, "upload", {"document_ids": None}, requested_by="web:accounts")
    assert work.work_due(conn_id)
    work.begin(conn_id, session_id=1)
    assert _jobs(sessions, conn_id) == [("upload", "web:accounts")]


def test_with_auto_sync_on_the_session_queues_the_upload_and_the_payment_import(
        sessions: sessionmaker[Session]) -> None:
    conn_id = _connection(sessions, chart=True, auto_sync=True)
    work = _work(sessions)
    assert work.work_due(conn_id)
    work.begin(conn_id, session_id=1)
    assert _jobs(sessions, conn_id) == [("import_payments", "auto"), ("upload", "auto")]


def test_auto_sync_is_not_consulted_for_a_connection_that_is_not_connected(sessions: sessionmaker[Session]) -> None:
    conn_id = _connection(sessions, chart=True, auto_sync=True)
    with session_scope(sessions) as session:
        session.get_one(Connection, conn_id).status = "disconnected"
    assert not _work(sessions).work_due(conn_id)
