"""CLI commands of the scale-out work: ``worker`` (run the queue, automatic sync) and ``plan`` (the call budget).

Worker logs go to stderr through a formatter that removes secrets (ledgerbridge.security.redact), like every other
text ledgerbridge writes.
"""

from __future__ import annotations

import logging
import signal
import threading
from typing import Annotated, Any

import typer

from ledgerbridge.cli.context import STATE, console, print_json
from ledgerbridge.store.db import session_scope


class RedactingFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        from ledgerbridge.security.redact import redact_text

        return redact_text(super().format(record))


def _configure_logging(level: str) -> None:
    handler = logging.StreamHandler()
    handler.setFormatter(RedactingFormatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger("ledgerbridge")
    root.handlers[:] = [handler]
    root.setLevel(level.upper())


def worker(poll: Annotated[float, typer.Option(help="Seconds between polls when idle")] = 1.0,
           schedule: Annotated[bool, typer.Option(help="Queue automatic sync for connections with auto_sync on")]
           = True,
           until_idle: Annotated[bool, typer.Option(help="Stop when the queue is empty (scripts, tests)")] = False,
           max_jobs: Annotated[int | None, typer.Option(help="Stop after this many jobs")] = None,
           log_level: Annotated[str, typer.Option(help="debug | info | warning")] = "info") -> None:
    """Run queued jobs (uploads, imports) and automatic sync until interrupted. Any number can share one
    PostgreSQL; LEDGERBRIDGE_CLOCK_SCALE runs the call budget on an accelerated clock (benchmarks only)."""
    from ledgerbridge.clock import configured_clock
    from ledgerbridge.connectors.connections import ConnectorOptions
    from ledgerbridge.queue.worker import Worker

    _configure_logging(log_level)
    clock = configured_clock()
    options = None if clock.scale == 1.0 else ConnectorOptions(clock=clock)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    logging.getLogger("ledgerbridge.queue.worker").info("worker started; Ctrl-C to stop")
    try:
        Worker(STATE.sessions, options=options, poll_seconds=poll, schedule=schedule).run(
            stop, max_jobs=max_jobs, until_idle=until_idle)
    except KeyboardInterrupt:
        stop.set()


def plan(as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """For each connection: the calls its pending work needs, the day's calls left and when it will be done."""
    from sqlalchemy import select

    from ledgerbridge.connectors.budget_plan import plan_for
    from ledgerbridge.store.models.sync import Connection

    with session_scope(STATE.sessions) as session:
        plans: list[dict[str, Any]] = [plan_for(session, cid).as_dict()
                                       for cid in session.scalars(select(Connection.id).order_by(Connection.id))]
    if as_json:
        print_json(plans)
        return
    for p in plans:
        when = "today" if p["fits_today"] else f"over {p['days_needed']} days"
        console.print(f"connection {p['connection_id']}: {p['pending_documents']} documents and "
                      f"{p['pending_parties']} parties pending need {p['calls_needed']} calls; "
                      f"{p['calls_left_today']} left today ({p['kept_for_urgent_work']} kept for urgent work); "
                      f"done {when}, at {p['finishes_at']}")


def register(app: typer.Typer) -> None:
    app.command("worker")(worker)
    app.command("plan")(plan)
