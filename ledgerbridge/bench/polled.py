"""``ledgerbridge bench --package P`` for a package that polls us (``PackageSpec.polled``): N invoices from intake
until every one is seen in the package, the package's program polling continuously.

The app is served on loopback in this process (its SOAP endpoint and its worker, as ``ledgerbridge serve`` runs
them); the package's sandbox runs in a process of its own with its program in it (``ledgerbridge sandbox <kind>``
with ``PolledService.bench_program_args``: the QuickBooks company and the Web Connector simulator on the
connection's setup file, updating continuously and asking again at once after a "NoOp"), so this process's peak
memory is ledgerbridge's alone. Nothing is called: the session's work is the engine's jobs (an upload the session
queues itself because documents are due), their calls packed into the program's messages by the mailbox.

Figures: invoices per second end to end (intake of the first batch until the last invoice is seen), the program's
round trips during that time against :func:`minimum_round_trips`, this process's peak memory (``ru_maxrss``), and
CPU per invoice (``time.process_time`` of this process over that time; the sandbox's from its ``/sandbox/stats``
either side; ``cpu_seconds``: both processes' whole lives, from ``rusage``).
"""

from __future__ import annotations

import csv
import json
import math
import os
import resource
import tempfile
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session, sessionmaker

from ledgerbridge.connectors.spec import PackageSpec
from ledgerbridge.store.db import utcnow
from ledgerbridge.store.models.mailbox import MailboxMessage
from ledgerbridge.store.models.sync import ChartEntry, Job, RecordType, SyncRecord, SyncStatus

__all__ = ["Phase", "minimum_round_trips", "run_polled_bench"]

#: How long the bench waits for the program to finish what it was given before it calls the run stuck.
STUCK_SECONDS = 600.0
ACTIVE = ("queued", "claimed", "running")
#: How often the bench looks whether the run is over: its looks are CPU of this process, counted as ledgerbridge's
#: (at 50 a second they were a fifth of it); a tenth of a second is 5 % of a 2,000-invoice run at 1,000 a second.
POLL_SECONDS = 0.1
#: A CSV of the run's messages (queued, handed out, answered, seconds from the first intake batch) is written to the
#: file this names: where a run's time went (the Web Connector waiting for a message, QuickBooks running one).
TIMELINE_ENV = "LEDGERBRIDGE_BENCH_TIMELINE"


class Phase:
    """Requests that may travel together: none of them needs another's answer before it can be written."""

    def __init__(self, name: str, request_bytes: int) -> None:
        self.name = name
        self.request_bytes = request_bytes


def minimum_round_trips(phases: Sequence[Phase], message_bytes: int) -> int:
    """The fewest round trips the message-size bound allows for this work.

    * ``request_bytes`` of a phase: the bytes of the requests the work must send in it (each record's write, and
      the reads whose answers the next phase needs), as the package's own text - what any exporter sends, since
      a write's text is the package's format filled with the record's data;
    * ``message_bytes`` (``PolledService.message_bytes``): the most request bytes one message carries, so a phase
      needs at least ``ceil(request_bytes / message_bytes)`` messages, and a round trip carries one message;
    * phases add up: a phase whose requests are written from the previous phase's answers (an invoice that names
      the customer the previous message created, a read-back of what was written) cannot share a message with it.
    """
    return sum(math.ceil(p.request_bytes / message_bytes) for p in phases if p.request_bytes > 0)


def _phases(session: Session, connection_id: int, after_id: int) -> tuple[list[Phase], int, int]:
    """The work's phases as the mailbox saw them (by the purpose the connector gave each exchange), the round trips
    (messages handed out: one message set each) and the request bytes sent."""
    rows = session.execute(select(MailboxMessage.purpose, func.sum(MailboxMessage.request_bytes)).where(
        MailboxMessage.connection_id == connection_id, MailboxMessage.id > after_id,
        MailboxMessage.message_set_id.is_not(None)).group_by(MailboxMessage.purpose)).all()
    trips = session.scalar(select(func.count(func.distinct(MailboxMessage.message_set_id))).where(
        MailboxMessage.connection_id == connection_id, MailboxMessage.id > after_id,
        MailboxMessage.message_set_id.is_not(None))) or 0
    phases = [Phase(purpose, int(size or 0)) for purpose, size in rows]
    return phases, int(trips), sum(p.request_bytes for p in phases)


def _write_timeline(session: Session, connection_id: int, after_id: int, path: Path, started_at: Any) -> None:
    rows = session.execute(select(MailboxMessage.message_set_id, MailboxMessage.purpose, MailboxMessage.request_bytes,
                                  MailboxMessage.created_at, MailboxMessage.handed_out_at, MailboxMessage.settled_at)
                           .where(MailboxMessage.connection_id == connection_id, MailboxMessage.id > after_id)
                           .order_by(MailboxMessage.id)).all()

    def since(moment: Any) -> str:
        return "" if moment is None else f"{(moment - started_at).total_seconds():.3f}"

    with path.open("w", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(["message_set", "purpose", "request_bytes", "queued_s", "handed_out_s", "answered_s"])
        for set_id, purpose, size, queued, handed, answered in rows:
            writer.writerow([set_id or "", purpose, size, since(queued), since(handed), since(answered)])


def _counts(session: Session, connection_id: int) -> dict[str, int]:
    return {status: int(n) for status, n in session.execute(select(SyncRecord.status, func.count(SyncRecord.id)).where(
        SyncRecord.connection_id == connection_id, SyncRecord.record_type == RecordType.DOCUMENT.value)
        .group_by(SyncRecord.status)).all()}


def _settled(session: Session, connection_id: int, documents: int = 0) -> bool:
    """Every one of ``documents`` seen or refused and no job left. The jobs first: while one runs the records are
    not counted (a count by status over N records 50 times a second was a fifth of this process's CPU)."""
    jobs = session.scalar(select(func.count(Job.id)).where(Job.connection_id == connection_id,
                                                           Job.status.in_(ACTIVE))) or 0
    if jobs:
        return False
    by_status = _counts(session, connection_id)
    return by_status.get(SyncStatus.SEEN.value, 0) + by_status.get(SyncStatus.ERROR.value, 0) >= documents


def _wait(sessions: sessionmaker[Session], what: str, done: Any, seconds: float = STUCK_SECONDS) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        from ledgerbridge.store.db import session_scope

        with session_scope(sessions) as session:
            if done(session):
                return
        time.sleep(POLL_SECONDS)
    raise RuntimeError(f"the bench waited {seconds:.0f} s for {what}")


def _sandbox_cpu(base_url: str) -> float:
    """The sandbox process's CPU seconds so far (its ``/sandbox/stats``)."""
    import httpx

    return float(httpx.get(f"{base_url}/sandbox/stats", timeout=30).json().get("cpu_seconds", 0.0))


def _hold_uploads(sessions: sessionmaker[Session], connection_id: int) -> int:
    from ledgerbridge.store.db import session_scope

    with session_scope(sessions) as session:
        job = Job(connection_id=connection_id, kind="upload", lane="export", status="running", params={},
                  requested_by="bench", worker_id="bench", step="the bench's intake", heartbeat_at=utcnow(),
                  started_at=utcnow())
        session.add(job)
        session.flush()
        return job.id


def _release(sessions: sessionmaker[Session], job_id: int, connection_id: int) -> None:
    """The intake is in: the upload is asked for, as the host asks for it after its last batch (``POST
    /v1/connections/{id}/upload``), in the transaction that ends the hold, so the Web Connector's session never
    sees the connection idle in between (it would end, and the next session begin, with a sign-in, before the
    scheduler's next look queued the upload)."""
    from ledgerbridge.queue.jobs import enqueue_job
    from ledgerbridge.store.db import session_scope

    with session_scope(sessions) as session:
        session.execute(update(Job).where(Job.id == job_id).values(status="done", step="done", finished_at=utcnow()))
        enqueue_job(session, connection_id, "upload", {"document_ids": None}, requested_by="bench")


def run_polled_bench(spec: PackageSpec, documents: int, database_url: str | None, reference: Mapping[str, Any],
                     invoices: Any, intake_batch: int, sandbox_process: Any) -> dict[str, Any]:
    """See the module docstring; ``invoices(start, count)`` makes a batch of the bench's invoices,
    ``sandbox_process(package=..., extra=...)`` serves the package's sandbox in a process of its own."""
    from ledgerbridge.api.app import create_app
    from ledgerbridge.connectors.connections import create_connection, production_endpoints
    from ledgerbridge.intake.apply import apply_batch
    from ledgerbridge.intake.schemas import Batch, parse_json
    from ledgerbridge.native_memory import release_free_memory
    from ledgerbridge.store.db import make_engine, make_session_factory, session_scope, upgrade_schema
    from ledgerbridge.store.organisations import create_organisation
    from ledgerbridge.sync.mappings import MappingKind, set_mapping
    from ledgerbridge.web.serving import serve_in_thread

    polled = spec.polled
    if polled is None or polled.bench_program_args is None:
        raise ValueError(f"{spec.name} has no program to run in its sandbox")
    with tempfile.TemporaryDirectory(prefix="ledgerbridge-bench-") as tmp:
        engine = make_engine(database_url or f"sqlite:///{Path(tmp) / 'bench.db'}")
        upgrade_schema(engine)
        sessions = make_session_factory(engine)
        served = serve_in_thread(create_app(engine, run_worker=True), name="bench-polled-app")
        try:
            with session_scope(sessions) as session:
                org = create_organisation(session, "Bench Ltd")
                apply_batch(session, org.id, Batch.model_validate(dict(reference)))
                conn = create_connection(session, org.id, spec.kind, production_endpoints(spec.kind),
                                         client_id="", client_secret="", redirect_uri="")
                conn.status = "connected"
                # Automatic sync on: each session queues what is due itself (the reference data has no documents,
                # so the first session reads the chart, and imports payments, before any upload is due).
                conn.settings = {**(conn.settings or {}), "auto_sync": True}
                session.flush()
                password = polled.new_password(session, conn)
                _, setup = polled.setup_file(session, conn, served.base_url.replace("127.0.0.1", "localhost"))
                org_id, conn_id = org.id, conn.id
            setup_path = Path(tmp) / "bench.setup"
            setup_path.write_bytes(setup)
            with sandbox_process(package=spec.kind, extra=polled.bench_program_args(setup_path, password)) as base:
                # The first session reads the chart (nothing else is due yet); the codes are mapped from it.
                _wait(sessions, "the chart", lambda s: s.scalar(select(ChartEntry.id).where(
                    ChartEntry.connection_id == conn_id).limit(1)) is not None and _settled(s, conn_id), 120)
                with session_scope(sessions) as session:
                    set_mapping(session, conn_id, MappingKind.NOMINAL, "4000", spec.demo.nominal["4000"])
                    set_mapping(session, conn_id, MappingKind.TAX, "T1", spec.demo.tax_sales["T1"])
                    mark = session.scalar(select(func.max(MailboxMessage.id))) or 0
                timings: dict[str, float] = {}
                sandbox_started = _sandbox_cpu(base)
                started, cpu_started, started_at = time.perf_counter(), time.process_time(), utcnow()
                # The N invoices are one piece of work: the session's upload starts once all are in (the bench's
                # own running upload job holds it, as the demo holds its steps), so the round trips are those of
                # one upload, against the minimum for N. Without it the first session would upload the first batch
                # alone, and the rest in a second upload, as the intake's timing happens to fall.
                held = _hold_uploads(sessions, conn_id)
                for start in range(0, documents, intake_batch):
                    raw = json.dumps({"documents": invoices(start, min(intake_batch, documents - start))})
                    with session_scope(sessions) as session:  # as the API does: parse, validate, apply, trim
                        apply_batch(session, org_id, Batch.model_validate(parse_json(raw)))
                    release_free_memory()
                _release(sessions, held, conn_id)
                timings["intake"] = time.perf_counter() - started
                _wait(sessions, "every invoice to be seen", lambda s: _settled(s, conn_id, documents))
                timings["end_to_end"] = time.perf_counter() - started
                cpu = time.process_time() - cpu_started
                sandbox_cpu = _sandbox_cpu(base) - sandbox_started
                with session_scope(sessions) as session:
                    seen = _counts(session, conn_id).get(SyncStatus.SEEN.value, 0)
                    phases, trips, sent = _phases(session, conn_id, mark)
                    if os.environ.get(TIMELINE_ENV):
                        _write_timeline(session, conn_id, mark, Path(os.environ[TIMELINE_ENV]), started_at)
                    failed = session.scalar(select(func.count(SyncRecord.id)).where(
                        SyncRecord.connection_id == conn_id, SyncRecord.record_type == RecordType.DOCUMENT.value,
                        SyncRecord.status == SyncStatus.ERROR.value)) or 0
        finally:
            served.stop()
            engine.dispose()
    minimum = minimum_round_trips(phases, polled.message_bytes)
    mine, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return {
        "package": spec.kind, "documents": documents, "lines_per_invoice": 5, "exported": seen, "seen": seen,
        "failed": failed, "seconds": {k: round(v, 3) for k, v in timings.items()},
        "invoices_per_second": {k: round(documents / v, 1) for k, v in timings.items() if v > 0},
        "round_trips": trips, "round_trips_minimum": minimum, "round_trips_ratio": round(trips / max(minimum, 1), 3),
        "request_bytes": sent, "message_bytes": polled.message_bytes,
        "phases": {p.name: p.request_bytes for p in phases},
        "peak_memory_mb": round(mine.ru_maxrss / 1024, 1),
        # Where the time went: this process (ledgerbridge) and the sandbox's (the company and its program).
        "cpu_seconds": {"ledgerbridge": round(mine.ru_utime + mine.ru_stime, 1),
                        "sandbox": round(children.ru_utime + children.ru_stime, 1)},
        # A shared machine's seconds say little; CPU per invoice says what it costs: this process's (the app, its
        # worker, the intake) from intake until every invoice is seen, and the sandbox's over the same time (the
        # company and its Web Connector simulator; its start-up and the chart's first session are not the upload's).
        "cpu_ms_per_invoice": {"ledgerbridge": round(1000 * cpu / documents, 2),
                               "sandbox": round(1000 * sandbox_cpu / documents, 2)},
    }
