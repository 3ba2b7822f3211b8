"""``ledgerbridge worker``: one process of many sharing the database, and automatic sync (R-AUTO, issue 6).

A worker loops: put back the jobs of dead workers (:func:`~ledgerbridge.queue.jobs.requeue_abandoned`), let the
:class:`Scheduler` queue automatic work, claim the most urgent job it may run and run it. Any number of workers
on any number of machines can share one PostgreSQL: the queue's partial unique indexes and ``SKIP LOCKED``
keep them from doing the same work twice, and the call budget in the database
(:mod:`ledgerbridge.connectors.shared_budget`) keeps them, together, inside each package's limits. On SQLite one worker
runs inside ``ledgerbridge serve`` (api.create_app) and no separate process is needed.

Automatic sync is optional per connection (``settings.auto_sync``): an issued document is queued for upload
within ``check_seconds`` of arriving (no one presses a button), and payments are imported every
``settings.auto_payments_minutes`` (default 15). Both are ordinary jobs, queued as ``auto`` at the lowest
priority, so they obey the call budget like any other work and a user's own request goes first. While a
connection's day budget is spent its automatic uploads pause until the budget's reset time.
"""

from __future__ import annotations

import logging
import threading
import time
from datetime import datetime, timedelta

from sqlalchemy import exists, func, select
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session, sessionmaker

from ledgerbridge.connectors.connections import ConnectorOptions
from ledgerbridge.native_memory import release_free_memory
from ledgerbridge.queue.identity import worker_name
from ledgerbridge.queue.jobs import (
    claim_next_job,
    enqueue_job,
    requeue_abandoned,
    requeue_lost_job,
    run_job,
)
from ledgerbridge.security.redact import redact_text
from ledgerbridge.store.db import session_scope, utcnow
from ledgerbridge.store.models.host import Document
from ledgerbridge.store.models.sync import Connection, FailureType, Job, RecordType, SyncRecord, SyncStatus
from ledgerbridge.sync.records import EXPORTABLE, LIVE_STATES

__all__ = ["Scheduler", "Worker", "auto_sync_on"]

logger = logging.getLogger(__name__)
DEFAULT_PAYMENT_MINUTES = 15
#: How long automatic uploads of a connection pause after a run stopped on the call budget (when the budget
#: gave no time of its own).
BUDGET_PAUSE = timedelta(minutes=5)
RETRY_AFTER = timedelta(minutes=1)


def auto_sync_on(conn: Connection) -> bool:
    """Automatic work (uploads, payment imports) is queued for the connection: it is connected and its
    ``settings.auto_sync`` is on. Off, only what a user asks for runs (a new connection's codes are not mapped yet:
    an automatic upload would fail every document in pre-check)."""
    return conn.status == "connected" and bool((conn.settings or {}).get("auto_sync"))


class Scheduler:
    """Queues automatic uploads and payment imports for connections with ``auto_sync`` on."""

    def __init__(self, sessions: sessionmaker[Session], check_seconds: float = 2.0) -> None:
        self.sessions = sessions
        self.check_seconds = check_seconds
        self._next_check = 0.0

    def tick(self, now: float | None = None) -> list[int]:
        """Queue what is due (at most every ``check_seconds``); the ids of the jobs queued or already waiting."""
        now = time.monotonic() if now is None else now
        if now < self._next_check:
            return []
        self._next_check = now + self.check_seconds
        queued: list[int] = []
        with session_scope(self.sessions) as session:
            for conn in session.scalars(select(Connection).where(Connection.status == "connected")):
                settings = conn.settings or {}
                if not auto_sync_on(conn):
                    continue
                if export_due(session, conn):
                    queued.append(enqueue_job(session, conn.id, "upload", {"document_ids": None},
                                              requested_by="auto").id)
                minutes = float(settings.get("auto_payments_minutes") or DEFAULT_PAYMENT_MINUTES)
                if payments_due(session, conn.id, timedelta(minutes=minutes)):
                    queued.append(enqueue_job(session, conn.id, "import_payments", {"create_and_allocate": True},
                                              requested_by="auto").id)
        return queued


def export_due(session: Session, conn: Connection) -> bool:
    """Documents of the connection wait for an upload and no upload job waits or runs for them."""
    export_job = exists().where(Job.connection_id == conn.id, Job.lane == "export",
                                Job.status.in_(("queued", "claimed", "running")))
    if session.scalar(select(export_job)) or _paused_by_budget(session, conn.id):
        return False  # the job that waits or runs takes the new documents too
    waiting = exists().where(SyncRecord.connection_id == conn.id,
                             SyncRecord.record_type == RecordType.DOCUMENT.value,
                             SyncRecord.status.in_((SyncStatus.PENDING.value, SyncStatus.IN_PROGRESS.value,
                                                    SyncStatus.AWAITING_FETCH.value)))
    # A record that failed for a passing reason (429, 5xx, timeout) is tried again after RETRY_AFTER;
    # one the package or the pre-check refused waits until it is changed (refresh_sync_records reopens it).
    retriable = exists().where(SyncRecord.connection_id == conn.id,
                               SyncRecord.record_type == RecordType.DOCUMENT.value,
                               SyncRecord.status == SyncStatus.ERROR.value,
                               SyncRecord.failure_type == FailureType.RETRIABLE.value,
                               SyncRecord.last_error_at < utcnow() - RETRY_AFTER)
    if session.scalar(select(waiting)) or session.scalar(select(retriable)):
        return True
    # A document issued since the last run has no sync record yet (the exporter makes it).
    has_record = exists().where(SyncRecord.connection_id == conn.id,
                                SyncRecord.record_type == RecordType.DOCUMENT.value,
                                SyncRecord.record_id == Document.id)
    new = select(Document.id).where(Document.organisation_id == conn.organisation_id,
                                    Document.type.in_(EXPORTABLE), Document.status.in_(LIVE_STATES), ~has_record)
    if conn.start_date is not None:
        new = new.where(Document.issue_date >= conn.start_date)
    return session.scalar(select(exists(new))) or False


def _paused_by_budget(session: Session, connection_id: int) -> bool:
    last = session.execute(select(Job.finished_at, Job.result).where(
        Job.connection_id == connection_id, Job.kind == "upload", Job.requested_by == "auto",
        Job.status == "done").order_by(Job.id.desc()).limit(1)).first()
    if last is None or not (last.result or {}).get("stopped_reason"):
        return False
    resume = _resume_time(str(last.result["stopped_reason"])) or (last.finished_at + BUDGET_PAUSE)
    return utcnow() < resume


def payments_due(session: Session, connection_id: int, every: timedelta) -> bool:
    """No payment import was asked for the connection within ``every``."""
    last = session.scalar(select(func.max(Job.created_at)).where(Job.connection_id == connection_id,
                                                                 Job.kind == "import_payments"))
    return last is None or utcnow() - last >= every


def _resume_time(reason: str) -> datetime | None:
    """The time in a budget message ("... calls resume at 2026-11-22T10:00:00+00:00")."""
    _, sep, rest = reason.rpartition("resume at ")
    if not sep:
        return None
    try:
        return datetime.fromisoformat(rest.split()[0].rstrip(".;)"))
    except (ValueError, IndexError):
        return None


class Worker:
    def __init__(self, sessions: sessionmaker[Session], *, options: ConnectorOptions | None = None,
                 poll_seconds: float = 1.0, schedule: bool = True, requeue_seconds: float = 5.0,
                 check_seconds: float = 2.0) -> None:
        self.sessions = sessions
        self.options = options
        self.poll_seconds = poll_seconds
        self.scheduler = Scheduler(sessions, check_seconds) if schedule else None
        self.requeue_seconds = requeue_seconds
        self.jobs_run = 0

    def run(self, stop: threading.Event, max_jobs: int | None = None, until_idle: bool = False) -> None:
        """Work until ``stop`` is set (or ``max_jobs`` ran, or with ``until_idle`` the queue is empty)."""
        me = worker_name()
        next_requeue = 0.0
        lost_at: float | None = None  # when the queue became unreachable (None while it is reachable)
        lost_job: int | None = None  # the job whose run lost the database, perhaps still marked running by us
        while not stop.is_set():
            try:
                if time.monotonic() >= next_requeue:
                    requeue_abandoned(self.sessions)
                    next_requeue = time.monotonic() + self.requeue_seconds
                if lost_job is not None:  # before claiming: the lost job may be the most urgent one
                    requeue_lost_job(self.sessions, lost_job, me)
                    lost_job = None
                if self.scheduler is not None:
                    self.scheduler.tick()
                job_id = claim_next_job(self.sessions, me)
            except Exception as exc:  # noqa: BLE001 - the database may be restarting: wait and try again
                # Said once per outage, not at every poll (a restart would write pages of the same traceback).
                if lost_at is None:
                    lost_at = time.monotonic()
                    logger.warning("worker %s could not reach the queue (%s); trying again until it can", me,
                                   redact_text(str(exc).splitlines()[0] if str(exc) else type(exc).__name__))
                    logger.debug("the queue's error", exc_info=True)
                stop.wait(self.poll_seconds)
                continue
            if lost_at is not None:
                logger.warning("worker %s reached the queue again after %.1f s", me, time.monotonic() - lost_at)
                lost_at = None
            if job_id is None:
                if until_idle:
                    return
                stop.wait(self.poll_seconds)
                continue
            try:
                run_job(self.sessions, job_id, self.options, worker_id=me)
            except DBAPIError:
                logger.warning("job %s lost the database; it is queued again", job_id)
                lost_job = job_id
            except Exception:  # noqa: BLE001 - recorded on the job row; the worker goes on
                logger.info("job %s ended with an error (recorded on the job)", job_id)
            # The job's transient memory (an upload's windows, its read-back's trees) back to the system, so the
            # next job does not start from this one's high mark (``native_memory``).
            release_free_memory()
            self.jobs_run += 1
            if max_jobs is not None and self.jobs_run >= max_jobs:
                return


def work_loop(sessions: sessionmaker[Session], stop: threading.Event, options: ConnectorOptions | None = None,
              poll_seconds: float = 1.0) -> None:
    """One worker: the queue and, with ``schedule``, automatic sync (see :class:`Worker`)."""
    Worker(sessions, options=options, poll_seconds=poll_seconds).run(stop)
