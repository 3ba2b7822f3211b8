"""Background work with visible progress: upload, pre-check, payment import (R-E5), and its queue (issue 6).

A job is a row; whoever runs it (a thread of ``serve``, a ``worker`` process, or the CLI in the foreground)
writes its progress back to that row, throttled, so any screen or command can show done/total and the
current step while the user works on.

The queue is shared by every worker through the database:

* :func:`enqueue_job` names the job's records in ``queued_records``, whose partial unique index lets a record
  wait at most once per kind (models_work explains the index): asking twice returns the job already waiting;
* :func:`claim_next_job` takes the most urgent waiting job with ``FOR UPDATE SKIP LOCKED`` (PostgreSQL), so
  workers never wait on each other's claims, and only where the job's lane on its connection is free; the
  partial unique index ``uq_jobs_running_lane`` makes that a database fact even when two workers race;
* a running job's heartbeat (and progress) is written every ``heartbeat_interval()`` by a thread of its own
  (a job waiting minutes for the call budget is alive); :func:`requeue_abandoned` puts back the job of a worker
  whose heartbeat stopped, at once when that worker was a process on this machine that no longer exists.
  Taking a job up again is safe: the exporter records its attempt before every call and looks in the package
  before creating anything a dead run may have created.

Why a queue of our own and not a library's (issue 11):

* it must run on SQLite, the embedded default, with no other service: Celery, RQ, Dramatiq and arq need a broker
  (Redis or RabbitMQ) beside the database, and Procrastinate and PgQueuer run on PostgreSQL only;
* a job is part of the database's rules, not only a message: asking for a job is one transaction with the
  ``queued_records`` rows whose partial unique index lets a record wait at most once per kind, and a claim is
  one transaction that releases them and meets ``uq_jobs_running_lane`` (one export, one import, one chart
  refresh at a time per connection). Huey, which can keep its queue in SQLite or PostgreSQL, does so in its
  own tables through its own connection, so neither rule could be part of the same transaction;
* the call budget is shared through the same database (``connectors.shared_budget``: ``call_windows`` and
  ``call_leases``): a job waiting for calls is kept alive by its heartbeat, and :func:`requeue_abandoned` gives
  back a dead worker's jobs and (a process of this machine) its call leases in one sweep; a library's retry or
  rate limit counts per task, not per tenant of the package;
* what is left is small: PostgreSQL's ``FOR UPDATE SKIP LOCKED`` (what Procrastinate and PgQueuer use too) so
  that workers never wait on each other's claims, SQLite's single writer serialising claims there, and a
  heartbeat thread. Progress is the job's row, which the screens and the CLI already read.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
from collections.abc import Callable, Sequence
from datetime import timedelta
from typing import Any

from sqlalchemy import and_, delete, exists, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.orm import Session, aliased, sessionmaker

from ledgerbridge.config import get_settings
from ledgerbridge.connectors.connections import ConnectorOptions, connector_for, refresh_chart
from ledgerbridge.queue import party_jobs
from ledgerbridge.queue.identity import worker_name
from ledgerbridge.queue.polled import publish_for_next_session, unreachable_connections
from ledgerbridge.store.db import rowcount, session_scope, utcnow
from ledgerbridge.store.models.sync import Job
from ledgerbridge.store.models.work import CallLease, QueuedRecord
from ledgerbridge.sync.exporter import Exporter, Progress
from ledgerbridge.sync.importer import PaymentImporter

logger = logging.getLogger(__name__)

JOB_KINDS = ("upload", "precheck", "import_payments", "refresh_chart", party_jobs.PREVIEW, party_jobs.COMMIT)
LANES = {"upload": "export", "precheck": "export", "import_payments": "import", "refresh_chart": "chart",
         party_jobs.PREVIEW: "parties", party_jobs.COMMIT: "export"}  # party_jobs says why
RUNNING = ("claimed", "running")
#: Kinds that make no call to the package: they run while a package that polls us is not in a session.
OFFLINE_KINDS = (party_jobs.COMMIT,)
ALL_PENDING = "*"
#: A job whose run lost the database (a restart, a dropped connection) is queued again this many times.
MAX_REQUEUES = 5


class JobTaken(Exception):
    """Another worker holds this job (or another job of its lane on the same connection runs)."""


def heartbeat_timeout() -> timedelta:
    """After this long without a heartbeat a job is taken up again (setting ``heartbeat_timeout``, seconds)."""
    return timedelta(seconds=get_settings().heartbeat_timeout)


def heartbeat_interval() -> float:
    return max(0.2, heartbeat_timeout().total_seconds() / 4)


def priority_for(kind: str, requested_by: str) -> int:
    """Urgent first: a payment import a user asked for, then a user's upload, then automatic work."""
    by_user = requested_by not in ("system", "auto")
    if kind == "import_payments" and by_user:
        return 10
    return 5 if by_user else 0


def _queued_keys(kind: str, params: dict[str, Any]) -> list[tuple[str, int]]:
    if kind in ("upload", "precheck"):
        ids = params.get("document_ids")
        return [("document", int(i)) for i in ids] if ids else [(ALL_PENDING, 0)]
    if kind == "import_payments":
        ids = params.get("package_payment_ids")
        if ids and params.get("create_and_allocate", True):
            return [("package_payment", int(i)) for i in ids]
        return [(ALL_PENDING, 1 if params.get("create_and_allocate", True) else 0)]
    if kind == party_jobs.COMMIT:  # a preview is committed once: asking again returns the job that commits it
        return [(party_jobs.PREVIEW, int(params["preview_job_id"]))]
    return [(ALL_PENDING, 0)]


def enqueue_job(session: Session, connection_id: int, kind: str, params: dict[str, Any] | None = None,
                requested_by: str = "system") -> Job:
    """Queue a job, unless its records already wait: then the job that holds them (or the one that holds the
    first of them) is returned, and only the records not yet waiting get a new job."""
    if kind not in JOB_KINDS:
        raise ValueError(f"unknown job kind {kind!r}")
    params = dict(params or {})
    keys = _queued_keys(kind, params)
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    if kind == "upload" and connection_id in unreachable_connections(session):
        publish_for_next_session(session, connection_id, params.get("document_ids"))
    job = Job(connection_id=connection_id, kind=kind, params=params, requested_by=requested_by,
              lane=LANES[kind], priority=priority_for(kind, requested_by))
    session.add(job)
    session.flush()
    rows = [{"job_id": job.id, "connection_id": connection_id, "kind": kind, "record_type": rtype,
             "record_id": rid, "queued_at": utcnow()} for rtype, rid in keys]
    taken = session.execute(insert(QueuedRecord).values(rows).on_conflict_do_nothing(
        index_elements=["connection_id", "kind", "record_type", "record_id"],
        index_where=QueuedRecord.released_at.is_(None)).returning(QueuedRecord.record_type, QueuedRecord.record_id))
    mine = {(rtype, rid) for rtype, rid in taken}
    if len(mine) == len(keys):
        return job
    waiting = session.scalar(select(QueuedRecord.job_id).where(
        QueuedRecord.connection_id == connection_id, QueuedRecord.kind == kind, QueuedRecord.released_at.is_(None),
        QueuedRecord.job_id != job.id, QueuedRecord.record_type == keys[0][0]).order_by(QueuedRecord.job_id))
    if not mine and waiting is not None:  # every record already waits: nothing new to queue
        session.delete(job)
        session.flush()
        return session.get_one(Job, waiting)
    id_key = "document_ids" if kind in ("upload", "precheck") else "package_payment_ids"
    job.params = {**params, id_key: sorted(rid for _, rid in mine)}
    session.flush()
    return job


class _ProgressWriter:
    """Keeps the job's latest progress; a thread of its own writes it (at most every ``interval`` s) with the
    heartbeat (every ``heartbeat_interval()``), so a job that waits minutes for the call budget is seen alive.

    Writing from its own thread is also what keeps SQLite from deadlocking: the exporter reports progress
    while its own session holds the database's one write lock, and a write from the reporting thread would
    wait for that lock for ever. The thread simply waits until the exporter commits. A failed write (the
    database restarting) is tried again next time."""

    def __init__(self, sessions: sessionmaker[Session], job_id: int, echo: Callable[[Progress], None] | None,
                 worker_id: str, interval: float = 0.5) -> None:
        self.sessions = sessions
        self.job_id = job_id
        self.echo = echo
        self.worker_id = worker_id
        self.interval = interval
        self._lock = threading.Lock()
        self._latest: Progress | None = None
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True, name=f"job-{job_id}-progress")

    def __call__(self, progress: Progress, force: bool = False) -> None:
        if self.echo:
            self.echo(progress)
        with self._lock:
            self._latest = Progress(progress.total, progress.done, progress.failed, progress.step)
        if force:
            self._write()

    def _write(self) -> None:
        with self._lock:
            progress, self._latest = self._latest, None
        values: dict[str, Any] = {"heartbeat_at": utcnow()}
        if progress is not None:
            values.update(total=progress.total, done=progress.done, failed=progress.failed, step=progress.step[:200])
        try:
            with session_scope(self.sessions) as session:
                session.execute(update(Job).where(Job.id == self.job_id, Job.worker_id == self.worker_id)
                                .values(**values))
        except DBAPIError:
            with self._lock:
                self._latest = self._latest or progress
            logger.warning("progress of job %s not written; trying again", self.job_id)

    def _run(self) -> None:
        last_beat = time.monotonic()
        while not self._stop.wait(self.interval):
            if self._latest is not None or time.monotonic() - last_beat >= heartbeat_interval():
                self._write()
                last_beat = time.monotonic()

    def __enter__(self) -> _ProgressWriter:
        self._thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self._stop.set()
        self._thread.join(timeout=35)


def _claim(session: Session, job_id: int, worker_id: str) -> bool:
    """Mark a queued job claimed by ``worker_id`` and release its queued records (see models_work)."""
    connection_id, kind = session.execute(select(Job.connection_id, Job.kind).where(Job.id == job_id)).one()
    if kind not in OFFLINE_KINDS and connection_id in unreachable_connections(session):
        return False  # its package is not in a session: the job waits for the next
    claimed = session.execute(update(Job).where(Job.id == job_id, Job.status == "queued").values(
        status="claimed", worker_id=worker_id[:100], heartbeat_at=utcnow()))
    if not rowcount(claimed):
        return False
    session.execute(update(QueuedRecord).where(QueuedRecord.job_id == job_id, QueuedRecord.released_at.is_(None))
                    .values(released_at=utcnow()))
    return True


def claim_job(sessions: sessionmaker[Session], job_id: int, worker_id: str | None = None) -> bool:
    """Claim one named job (the CLI's foreground run); False while its lane on the connection is busy."""
    try:
        with session_scope(sessions) as session:
            return _claim(session, job_id, worker_id or worker_name())
    except IntegrityError:
        return False


def claim_next_job(sessions: sessionmaker[Session], worker_id: str) -> int | None:
    """Take the most urgent queued job whose lane on its connection is free; SKIP LOCKED on PostgreSQL."""
    other = aliased(Job)
    busy = exists().where(and_(other.connection_id == Job.connection_id, other.lane == Job.lane,
                               other.status.in_(RUNNING)))
    try:
        with session_scope(sessions) as session:
            q = select(Job.id).where(Job.status == "queued", ~busy).order_by(Job.priority.desc(), Job.id).limit(1)
            waiting = unreachable_connections(session)
            if waiting:
                q = q.where(or_(Job.connection_id.not_in(waiting), Job.kind.in_(OFFLINE_KINDS)))
            if session.get_bind().dialect.name == "postgresql":
                q = q.with_for_update(skip_locked=True, of=Job)
            job_id = session.scalar(q)
            if job_id is None or not _claim(session, job_id, worker_id):
                return None
            return job_id
    except IntegrityError:  # another worker claimed a job of the same lane and connection first
        return None


def _pid_gone(worker_id: str | None) -> bool:
    """True when ``worker_id`` names a process of this machine that no longer exists."""
    if not worker_id:
        return False
    host, _, rest = worker_id.partition(":")
    pid_text = rest.partition(":")[0]
    if host != socket.gethostname() or not pid_text.isdigit():
        return False
    try:
        os.kill(int(pid_text), 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return False


def requeue_abandoned(sessions: sessionmaker[Session]) -> int:
    """Jobs whose worker stopped sending heartbeats (or, on this machine, no longer exists) go back to the queue;
    the concurrent-call slots a dead process of this machine held are given back (a SIGKILLed worker cannot give
    them back itself, and waiting for their leases to expire would run its tenant below its limit meanwhile)."""
    cutoff = utcnow() - heartbeat_timeout()
    with session_scope(sessions) as session:
        holders = set(session.scalars(select(CallLease.holder).where(CallLease.holder.is_not(None))))
        gone = [holder for holder in holders if _pid_gone(holder)]
        if gone:
            session.execute(update(CallLease).where(CallLease.holder.in_(gone)).values(holder=None, lease_until=0.0))
        rows = session.execute(select(Job.id, Job.worker_id, Job.heartbeat_at).where(Job.status.in_(RUNNING))).all()
        dead = [job_id for job_id, worker, beat in rows if (beat is not None and beat < cutoff) or _pid_gone(worker)]
        if not dead:
            return 0
        result = session.execute(update(Job).where(Job.id.in_(dead), Job.status.in_(RUNNING)).values(
            status="queued", worker_id=None, step="taken up again after its worker stopped"))
        return rowcount(result) or 0


def run_job(sessions: sessionmaker[Session], job_id: int, options: ConnectorOptions | None = None,
            echo: Callable[[Progress], None] | None = None, worker_id: str | None = None) -> dict[str, Any]:
    """Run a job claimed by ``worker_id`` (or claim it now: raises :class:`JobTaken` if another has it)."""
    me = (worker_id or worker_name())[:100]
    with session_scope(sessions) as session:
        status, holder = session.execute(select(Job.status, Job.worker_id).where(Job.id == job_id)).one()
    if status == "queued" and not claim_job(sessions, job_id, me):
        raise JobTaken(f"job {job_id} waits: another job of its kind runs on this connection, or a worker took it")
    if status != "queued" and holder != me:
        raise JobTaken(f"job {job_id} is {status} with {holder}")
    with session_scope(sessions) as session:
        job = session.get_one(Job, job_id, populate_existing=True)
        if job.worker_id != me:
            raise JobTaken(f"job {job_id} was taken by {job.worker_id}")
        job.status = "running"
        job.started_at = job.started_at or utcnow()
        job.heartbeat_at = utcnow()
        kind, params, connection_id, actor = job.kind, dict(job.params), job.connection_id, job.requested_by
        urgent = job.priority >= 10
    if options is None:
        options = ConnectorOptions(urgent=urgent)
    try:
        with _ProgressWriter(sessions, job_id, echo, me) as writer:
            result = _execute(sessions, kind, params, connection_id, actor, options, writer)
    except DBAPIError as exc:
        if _requeue_after_database_loss(sessions, job_id):
            raise
        _finish(sessions, job_id, exc)
        raise
    except Exception as exc:
        _finish(sessions, job_id, exc)
        raise
    with session_scope(sessions) as session:
        session.execute(update(Job).where(Job.id == job_id).values(status="done", finished_at=utcnow(),
                                                                   step="done", result=result))
        session.execute(delete(QueuedRecord).where(QueuedRecord.job_id == job_id))
    return result


def run_in_foreground(sessions: sessionmaker[Session], job_id: int, echo: Callable[[Progress], None] | None = None,
                      poll_seconds: float = 0.5) -> dict[str, Any]:
    """Run a job here and now (the CLI); while a worker runs it, or another job of its lane, wait for that."""
    while True:
        requeue_abandoned(sessions)
        try:
            return run_job(sessions, job_id, echo=echo)
        except JobTaken:
            pass
        with session_scope(sessions) as session:
            job = session.get_one(Job, job_id)
            status, result, step = job.status, dict(job.result or {}), job.step
        if status == "failed":
            raise RuntimeError(str(result.get("error") or step))
        if status == "done":
            return result
        time.sleep(poll_seconds)


def _execute(sessions: sessionmaker[Session], kind: str, params: dict[str, Any], connection_id: int, actor: str,
             options: ConnectorOptions, writer: _ProgressWriter) -> dict[str, Any]:
    if kind == party_jobs.COMMIT:  # the store only: no call to the package
        return party_jobs.run_commit(sessions, connection_id, params, actor, writer)
    connector = connector_for(sessions, connection_id, options)
    try:
        if kind == party_jobs.PREVIEW:
            return party_jobs.run_preview(sessions, connection_id, connector, writer)
        if kind in ("upload", "precheck"):
            exporter = Exporter(sessions, connection_id, connector, actor=actor, progress=writer)
            ids: Sequence[int] | None = params.get("document_ids")
            report = exporter.upload(ids) if kind == "upload" else exporter.precheck(ids)
            writer(exporter.progress, force=True)
            return report.as_dict()
        if kind == "import_payments":
            importer = PaymentImporter(sessions, connection_id, connector, actor=actor)
            writer(Progress(step="fetching payments"), force=True)
            report_i = importer.fetch()
            if params.get("create_and_allocate", True):
                writer(Progress(total=report_i.fetched, step="creating and allocating"), force=True)
                importer.create_and_allocate(params.get("package_payment_ids"), report_i)
            return report_i.as_dict()
        return refresh_chart(sessions, connection_id, connector, actor)
    finally:
        connector.close()  # audit rows, health and budget figures are written here


def _requeue_after_database_loss(sessions: sessionmaker[Session], job_id: int) -> bool:
    """The database went away mid-run (a restart): queue the job again, a bounded number of times."""
    try:
        with session_scope(sessions) as session:
            return _queue_again(session.get_one(Job, job_id))
    except DBAPIError:
        return True  # still unreachable: the worker queues it again once it can (requeue_lost_job)


def _queue_again(job: Job) -> bool:
    count = int((job.result or {}).get("requeued_after_database_loss", 0))
    if count >= MAX_REQUEUES:
        return False
    job.status, job.worker_id = "queued", None
    job.step = "queued again: the database connection was lost"
    job.result = {"requeued_after_database_loss": count + 1}
    return True


def requeue_lost_job(sessions: sessionmaker[Session], job_id: int, worker_id: str) -> bool:
    """A job this worker was running when the database went away, and could not queue again then (the database
    was down): queue it again now that the database answers, instead of leaving it "running" until its heartbeat
    times out (two minutes by default). True when it was queued again (or failed: lost too often)."""
    with session_scope(sessions) as session:
        job = session.get(Job, job_id, populate_existing=True)
        if job is None or job.status not in RUNNING or job.worker_id != worker_id[:100]:
            return False  # queued again already (run_job, requeue_abandoned), or another worker's now
        if _queue_again(job):
            return True
    _finish(sessions, job_id, RuntimeError(f"the database connection was lost {MAX_REQUEUES} times"))
    return True


def _finish(sessions: sessionmaker[Session], job_id: int, exc: BaseException) -> None:
    from ledgerbridge.security.redact import redact

    with session_scope(sessions) as session:
        session.execute(update(Job).where(Job.id == job_id).values(
            status="failed", finished_at=utcnow(), step=redact(f"failed: {exc}")[:200],
            result={"error": redact(str(exc))}))
        session.execute(delete(QueuedRecord).where(QueuedRecord.job_id == job_id))
