"""What a session of a package that polls us does: the connection's due work, run by the engine, handed out through
the mailbox (the QuickBooks Web Connector's sessions are the example throughout).

The Web Connector's session is the only time QuickBooks Desktop can be reached, so the session *is* the run:

* at ``authenticate`` (:meth:`SessionWork.work_due`) the service asks whether anything is due: jobs already waiting
  for this connection (an upload a user asked for while the PC was off waits in the queue), a chart never read,
  and, with automatic sync on (``worker.auto_sync_on``, as the worker's scheduler asks for the packages we call),
  documents to upload or a payment import due by the connection's schedule. Nothing due: the service answers
  ``none`` and the Web Connector goes back to sleep without a round trip;
* :meth:`SessionWork.begin` queues those jobs; the worker takes them now that the connection is reachable, and the
  engine's calls reach the mailbox (``connectors.mailbox``);
* each ``sendRequestXML`` (:meth:`SessionWork.next_message`) hands out what waits in the mailbox, waiting a little
  for the engine to queue its next call; when every job of the connection has finished and nothing waits, the
  session is over;
* each ``receiveResponseXML`` (:meth:`SessionWork.answer`) delivers QuickBooks' answer to the waiting connector
  and tells the Web Connector how far the work is (100 ends the session), after waiting a little for the engine to
  either queue its next call or finish, so that the last answer does not cost an extra round trip.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from ledgerbridge.connectors.mailbox import (
    FINISHED,
    Finished,
    MessageFormat,
    break_session,
    change_mark,
    deliver,
    end_session,
    hand_out,
    pending_bytes,
    pending_count,
    wait_for_change,
)
from ledgerbridge.connectors.producers import awaiting, finished_runs, producers
from ledgerbridge.native_memory import LARGE_ANSWER_BYTES, release_free_memory
from ledgerbridge.queue.jobs import enqueue_job
from ledgerbridge.queue.worker import DEFAULT_PAYMENT_MINUTES, auto_sync_on, export_due, payments_due
from ledgerbridge.store.db import session_scope
from ledgerbridge.store.models.sync import ChartEntry, Connection, Job

__all__ = ["SessionWork"]

ACTIVE = ("queued", "claimed", "running")


class SessionWork:
    """The source of work of a polled package's sessions (for the Web Connector, its ``MessageSource``)."""

    def __init__(self, sessions: sessionmaker[Session], fmt: MessageFormat, *, max_bytes: int,
                 settle_seconds: float = 2.0, poll_seconds: float = 0.25, gather_quiet: float = 0.1,
                 gather_most: float = 0.5, gather_producing: float = 5.0, gather_settle: float = 1.0,
                 monotonic: Callable[[], float] = time.monotonic) -> None:
        self._sessions = sessions
        self._fmt = fmt
        self._max_bytes = max_bytes
        self._settle = settle_seconds
        self._poll = poll_seconds
        self._monotonic = monotonic
        self._gather_quiet = gather_quiet
        self._gather_most = gather_most
        self._gather_producing = gather_producing
        self._gather_settle = gather_settle

    # -- authenticate ----------------------------------------------------------------------------------------
    def work_due(self, connection_id: int) -> bool:
        with session_scope(self._sessions) as session:
            conn = session.get(Connection, connection_id)
            if conn is None:
                return False
            return bool(self._active_jobs(session, connection_id) or not self._has_chart(session, connection_id)
                        or self._auto_upload(session, conn) or self._auto_import(session, conn))

    def begin(self, connection_id: int, session_id: int) -> None:
        """Queue the connection's due work; a job already waiting is not queued twice (``enqueue_job``; a chart
        read, which names no records, by the look-up here)."""
        with session_scope(self._sessions) as session:
            conn = session.get_one(Connection, connection_id)
            if not self._has_chart(session, connection_id) and not self._active_jobs(session, connection_id,
                                                                                      "refresh_chart"):
                enqueue_job(session, connection_id, "refresh_chart", {}, requested_by="auto")
            if self._auto_upload(session, conn):
                enqueue_job(session, connection_id, "upload", {"document_ids": None}, requested_by="auto")
            if self._auto_import(session, conn):
                enqueue_job(session, connection_id, "import_payments", {"create_and_allocate": True},
                            requested_by="auto")

    # -- sendRequestXML / receiveResponseXML -----------------------------------------------------------------
    def next_message(self, connection_id: int, session_id: int, version: str,
                     wait_seconds: float) -> str | None | Finished:
        """The next message for QuickBooks; None when the engine is still working on it (the Web Connector
        pauses and asks again); FINISHED when the session's work is done."""
        deadline = self._monotonic() + wait_seconds
        while True:
            self._gather(connection_id)
            seen = change_mark(connection_id)
            message = hand_out(self._sessions, connection_id, session_id, self._fmt, version=version,
                               max_bytes=self._max_bytes)
            if message is not None:
                return message
            if not self._busy(connection_id):
                return FINISHED
            if self._monotonic() >= deadline:
                return None
            wait_for_change(connection_id, seen, self._poll)

    def answer(self, connection_id: int, session_id: int, response: str | None, hresult: str,
               message: str) -> int:
        """Deliver QuickBooks' answer (or why it could not run the message); the percent done."""
        error = f"{hresult}: {message}".strip(": ") if hresult else None
        deliver(self._sessions, connection_id, session_id, self._fmt, response, error)
        if response is not None and len(response) >= LARGE_ANSWER_BYTES:
            release_free_memory()  # the answer's tree, cut and freed in this thread (``native_memory``)
        deadline = self._monotonic() + self._settle
        while self._monotonic() < deadline:
            seen = change_mark(connection_id)
            if pending_count(self._sessions, connection_id):
                return self._percent(connection_id)
            if not self._busy(connection_id):
                return 100
            wait_for_change(connection_id, seen, self._poll)
        return self._percent(connection_id)

    def broken(self, connection_id: int, session_id: int, why: str) -> None:
        break_session(self._sessions, connection_id, session_id, why)

    def end(self, connection_id: int, session_id: int) -> None:
        end_session(self._sessions, connection_id, session_id, "the Web Connector's session ended")

    # -- helpers ---------------------------------------------------------------------------------------------
    def _gather(self, connection_id: int) -> None:
        """Before a message is packed: while what waits is below the bound and the engine is still queueing, wait
        for the rest, so that one message carries them all instead of the first alone.

        The engine is known to be queueing while a thread of this process is making the connection's calls and
        not waiting for an answer (``connectors.producers``: the run preparing its next window, a call building its
        requests or reading its answer). Writes of at least a sixteenth of the bound are held for them up to
        ``gather_producing`` seconds in all, and go once ``gather_settle`` seconds passed with nothing new and no
        one producing: the tail of one window waits for the next rather than going alone (the threads an answer
        wakes may take a while to be seen producing on a busy machine). Reads and small writes (a look-up, the
        items the documents name: the run waits for their answers before it can go on), and everything when the
        run is in another process, go after ``gather_quiet`` seconds with nothing new, or ``gather_most`` in all;
        a thread producing meanwhile does not hold them (the run's next chunk being checked held the items'
        look-up, which every call of the window waited for, for all of ``gather_most``).
        A run that has queued its last call (``producers.all_sent``) is not waited for once no thread is building
        one, nor a read or small write that a thread of this process waits for while none produces (the look-ups
        and the read-back went a tenth of a second later each). Nothing waiting: nothing to gather."""
        size = pending_bytes(self._sessions, connection_id)
        started = quiet_since = self._monotonic()
        while 0 < size < self._max_bytes:
            seen = change_mark(connection_id)
            hold = pending_bytes(self._sessions, connection_id, writes=True) >= self._max_bytes // 16
            if self._monotonic() - started >= (self._gather_producing if hold else self._gather_most):
                return
            if not hold and awaiting(connection_id) and not producers(connection_id):
                return  # a run of this process waits for this read, and no thread is making another call
            wait_for_change(connection_id, seen, self._gather_quiet)
            now = pending_bytes(self._sessions, connection_id)
            producing_now = producers(connection_id)
            if not producing_now and finished_runs(connection_id):
                return  # the run queued its last call and no thread is building one: nothing more is coming
            if now != size or (hold and producing_now > 0):
                quiet_since = self._monotonic()
                size = now
                continue
            if not hold or self._monotonic() - quiet_since >= self._gather_settle:
                return

    def _busy(self, connection_id: int) -> bool:
        with session_scope(self._sessions) as session:
            return self._active_jobs(session, connection_id) > 0

    @staticmethod
    def _has_chart(session: Session, connection_id: int) -> bool:
        first = session.scalar(select(ChartEntry.id).where(ChartEntry.connection_id == connection_id).limit(1))
        return first is not None

    @staticmethod
    def _active_jobs(session: Session, connection_id: int, kind: str | None = None) -> int:
        query = select(func.count(Job.id)).where(Job.connection_id == connection_id, Job.status.in_(ACTIVE))
        if kind is not None:
            query = query.where(Job.kind == kind)
        return session.scalar(query) or 0

    def _auto_upload(self, session: Session, conn: Connection) -> bool:
        return auto_sync_on(conn) and export_due(session, conn)

    def _auto_import(self, session: Session, conn: Connection) -> bool:
        return auto_sync_on(conn) and payments_due(session, conn.id, self._import_every(conn))

    def _percent(self, connection_id: int) -> int:
        """How far the session's jobs are, 1-99 (100 is said only when all is done)."""
        with session_scope(self._sessions) as session:
            done, total = session.execute(select(func.sum(Job.done), func.sum(Job.total)).where(
                Job.connection_id == connection_id, Job.status.in_(ACTIVE))).one()
        if not total:
            return 1
        return max(1, min(99, int(100 * (done or 0) / total)))

    @staticmethod
    def _import_every(conn: Connection) -> timedelta:
        minutes = float((conn.settings or {}).get("auto_payments_minutes") or DEFAULT_PAYMENT_MINUTES)
        return timedelta(minutes=minutes)
