"""Background work with visible progress: upload, pre-check, payment import (R-E5).

A job is a row; whoever runs it (a thread of ``serve``, a ``worker`` process, or the
CLI in the foreground) writes its progress back to that row, throttled, so any screen
or command can show done/total and the current step while the user works on.
"""

from __future__ import annotations

import os
import socket
import threading
import time
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from ledgerbridge.connections import ConnectorOptions, connector_for, refresh_chart
from ledgerbridge.db import session_scope, utcnow
from ledgerbridge.exporter import Exporter, Progress
from ledgerbridge.importer import PaymentImporter
from ledgerbridge.models_sync import Job

JOB_KINDS = ("upload", "precheck", "import_payments", "refresh_chart")
HEARTBEAT_TIMEOUT = timedelta(minutes=2)


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{threading.get_ident()}"


def enqueue_job(session: Session, connection_id: int, kind: str, params: dict[str, Any] | None = None,
                requested_by: str = "system") -> Job:
    if kind not in JOB_KINDS:
        raise ValueError(f"unknown job kind {kind!r}")
    job = Job(connection_id=connection_id, kind=kind, params=params or {}, requested_by=requested_by)
    session.add(job)
    session.flush()
    return job


class _ProgressWriter:
    """Writes progress to the job row at most every ``interval`` seconds (and always at the end)."""

    def __init__(self, sessions: sessionmaker[Session], job_id: int, echo: Callable[[Progress], None] | None,
                 interval: float = 0.5) -> None:
        self.sessions = sessions
        self.job_id = job_id
        self.echo = echo
        self.interval = interval
        self._last = 0.0

    def __call__(self, progress: Progress, force: bool = False) -> None:
        if self.echo:
            self.echo(progress)
        now = time.monotonic()
        if not force and now - self._last < self.interval:
            return
        self._last = now
        with session_scope(self.sessions) as session:
            session.execute(update(Job).where(Job.id == self.job_id).values(
                total=progress.total, done=progress.done, failed=progress.failed, step=progress.step[:200],
                heartbeat_at=utcnow()))


def run_job(sessions: sessionmaker[Session], job_id: int, options: ConnectorOptions | None = None,
            echo: Callable[[Progress], None] | None = None) -> dict[str, Any]:
    with session_scope(sessions) as session:
        job = session.get_one(Job, job_id)
        job.status = "running"
        job.started_at = utcnow()
        job.heartbeat_at = job.started_at
        job.worker_id = job.worker_id or worker_name()
        kind, params, connection_id, actor = job.kind, dict(job.params), job.connection_id, job.requested_by
    writer = _ProgressWriter(sessions, job_id, echo)
    try:
        connector = connector_for(sessions, connection_id, options)
        try:
            result: dict[str, Any]
            if kind in ("upload", "precheck"):
                exporter = Exporter(sessions, connection_id, connector, actor=actor, progress=writer)
                report = exporter.upload(params.get("document_ids")) if kind == "upload" else exporter.precheck(
                    params.get("document_ids"))
                result = report.as_dict()
                writer(exporter.progress, force=True)
            elif kind == "import_payments":
                importer = PaymentImporter(sessions, connection_id, connector, actor=actor)
                writer(Progress(step="fetching payments"), force=True)
                report_i = importer.fetch()
                if params.get("create_and_allocate", True):
                    writer(Progress(total=report_i.fetched, step="creating and allocating"), force=True)
                    importer.create_and_allocate(params.get("package_payment_ids"), report_i)
                result = report_i.as_dict()
            else:
                result = refresh_chart(sessions, connection_id, connector, actor)
        finally:
            connector.close()  # audit rows, health and budget figures are written here
    except Exception as exc:
        from ledgerbridge.redact import redact

        with session_scope(sessions) as session:
            session.execute(update(Job).where(Job.id == job_id).values(
                status="failed", finished_at=utcnow(), step=redact(f"failed: {exc}")[:200],
                result={"error": redact(str(exc))}))
        raise
    with session_scope(sessions) as session:
        session.execute(update(Job).where(Job.id == job_id).values(status="done", finished_at=utcnow(),
                                                                   step="done", result=result))
    return result


def claim_next_job(sessions: sessionmaker[Session], worker_id: str) -> int | None:
    """Take the oldest queued job; on PostgreSQL with SKIP LOCKED so workers never take the same one."""
    with session_scope(sessions) as session:
        q = select(Job.id).where(Job.status == "queued").order_by(Job.id).limit(1)
        if session.get_bind().dialect.name == "postgresql":
            q = q.with_for_update(skip_locked=True)
        job_id = session.scalar(q)
        if job_id is None:
            return None
        claimed = session.execute(update(Job).where(Job.id == job_id, Job.status == "queued").values(
            status="claimed", worker_id=worker_id, heartbeat_at=utcnow()))
        return job_id if claimed.rowcount else None


def requeue_abandoned(sessions: sessionmaker[Session]) -> int:
    """Jobs whose worker stopped sending heartbeats go back to the queue."""
    cutoff = utcnow() - HEARTBEAT_TIMEOUT
    with session_scope(sessions) as session:
        result = session.execute(update(Job).where(Job.status.in_(("claimed", "running")),
                                                   Job.heartbeat_at < cutoff).values(status="queued", worker_id=None))
        return result.rowcount or 0


def work_loop(sessions: sessionmaker[Session], stop: threading.Event, options: ConnectorOptions | None = None,
              poll_seconds: float = 1.0) -> None:
    me = worker_name()
    while not stop.is_set():
        requeue_abandoned(sessions)
        job_id = claim_next_job(sessions, me)
        if job_id is None:
            stop.wait(poll_seconds)
            continue
        try:
            run_job(sessions, job_id, options)
        except Exception:  # noqa: BLE001 - recorded on the job row; the worker goes on
            continue
