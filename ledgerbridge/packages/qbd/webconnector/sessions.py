"""The real ``WebConnectorBackend``: tickets, passwords and the life of each Web Connector session, in the store.

A session is a row of ``polled_sessions`` (``store/models/polled.py``) keyed by the SHA-256 of its ticket (a random
GUID given once, in ``authenticate``'s answer). The *work* (is any due, the next message, what its answer means)
is the ``MessageSource``'s; this module keeps the protocol's state around it:

* ``awaiting_answer``: a message is out and its answer not in. A new ``authenticate`` or a ``sendRequestXML`` while
  it is set means the Web Connector lost track (the network dropped a call, the PC was switched off): the session
  is *broken* and the source told so (``MessageSource.broken``), because QuickBooks may or may not have applied
  the message: writes in it are in doubt until the next session resolves them (``../shared/apis/qbwc.md`` §4, §9).
* A session with no call for longer than ``SessionSettings.timeout`` is broken by whoever next touches the
  connection (a call on it, a new ``authenticate``, or :meth:`PolledSessions.close_stale`). The Web Connector's
  own HTTP timeout is long and QuickBooks may take minutes over a large message, so the default is generous.
* Every call to the source happens after this module's transaction has committed: on SQLite a transaction holds
  the database's only write lock, and the source (the mailbox) writes too, from this thread or the run's.

Sessions survive a restart of the server (they are rows, not memory): a Web Connector that calls again after one
carries on where it was.
"""

from __future__ import annotations

import hashlib
import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Select, select
from sqlalchemy.orm import Session, sessionmaker

from ledgerbridge.packages.qbd.webconnector.backend import AuthAnswer, AuthStatus, Finished, MessageSource
from ledgerbridge.packages.qbd.webconnector.closing import closing_message
from ledgerbridge.packages.qbd.webconnector.credentials import verify_credentials
from ledgerbridge.packages.qbd.webconnector.host_facts import parse_host_response, version_ceiling
from ledgerbridge.packages.qbd.webconnector.session_texts import (
    TIMED_OUT,
    UNKNOWN_SESSION,
    close_text,
    closed_without_answer,
    connection_error_text,
    out_of_order_answer,
    out_of_order_request,
    source_failed,
    superseded,
    transport_failure,
)
from ledgerbridge.store.db import session_scope, utcnow, write_locked_scope
from ledgerbridge.store.models.polled import PolledCredential, PolledSession, PolledSessionStatus

__all__ = ["PolledSessions", "SessionSettings", "ticket_hash"]

logger = logging.getLogger(__name__)

_OPEN = PolledSessionStatus.OPEN.value
_Later = Callable[[], None]


def ticket_hash(ticket: str) -> str:
    return hashlib.sha256(ticket.encode("utf-8")).hexdigest()


@dataclass(frozen=True, slots=True)
class _Turn:
    """What a call needs of its session once the transaction that read it has committed."""

    connection_id: int
    session_id: int
    version: str


@dataclass(frozen=True, slots=True)
class SessionSettings:
    #: A session with no call for this long is broken by whoever next touches its connection.
    timeout: timedelta = timedelta(minutes=30)
    #: How long ``sendRequestXML`` waits for the next message before answering "nothing yet" (NoOp): each NoOp
    #: costs the Web Connector two calls and a 5-second pause, so a short wait for a message that is being made
    #: saves round trips; well under the Web Connector's HTTP timeout.
    wait_seconds: float = 10.0


class PolledSessions:
    """The ``WebConnectorBackend`` over the store and a :class:`MessageSource` (see the module docstring)."""

    def __init__(self, sessions: sessionmaker[Session], source: MessageSource, *,
                 settings: SessionSettings | None = None, now: Callable[[], datetime] = utcnow) -> None:
        self._sessions = sessions
        self._source = source
        self.settings = settings or SessionSettings()
        self._now = now

    # --- WebConnectorBackend ----------------------------------------------------------------------------------

    def authenticate(self, user: str, password: str) -> AuthAnswer:
        # argon2 takes tens of milliseconds: verified before the write transaction, so no writer waits on it.
        with session_scope(self._sessions) as s:
            credential, ok = verify_credentials(s, user, password)
            credential_id = credential.id if credential is not None else None
        if credential_id is None:
            return AuthAnswer("", AuthStatus.INVALID_USER.value)  # "nvu", the same answer as a wrong password
        now = self._now()
        later: list[_Later] = []
        with write_locked_scope(self._sessions) as s:
            credential = s.get_one(PolledCredential, credential_id)
            if not ok:
                credential.last_refused_at = now
                return AuthAnswer("", AuthStatus.INVALID_USER.value)
            credential.last_poll_at = now
            connection_id = credential.connection_id
            for row in self._open_sessions(s, connection_id):
                later.append(self._cut(row, superseded(self._work_out(row)), now))
        self._run(later)
        ticket = str(uuid.uuid4())
        try:
            due = self._source.work_due(connection_id)
        except Exception:
            logger.exception("the work of connection %s could not be checked", connection_id)
            return AuthAnswer(ticket, AuthStatus.BUSY.value)
        if not due:
            return AuthAnswer(ticket, AuthStatus.NO_WORK.value)
        with session_scope(self._sessions) as s:
            row = PolledSession(connection_id=connection_id, ticket_hash=ticket_hash(ticket), opened_at=now,
                                last_call_at=now)
            s.add(row)
            s.flush()
            session_id = row.id
        try:
            self._source.begin(connection_id, session_id)
        except Exception as exc:
            logger.exception("the run of connection %s could not be started", connection_id)
            with write_locked_scope(self._sessions) as s:
                row = s.get_one(PolledSession, session_id)
                self._record_error(row, source_failed("start the work", exc), now)
                self._close(row, PolledSessionStatus.BROKEN, row.last_error or "", now)
            return AuthAnswer(ticket, AuthStatus.BUSY.value)
        return AuthAnswer(ticket, AuthStatus.OPEN_COMPANY.value)

    def send_request(self, ticket: str, hcp_response: str, company_file: str, country: str, major: int,
                     minor: int) -> str:
        now = self._now()
        later: list[_Later] = []
        turn: _Turn | None = None
        with write_locked_scope(self._sessions) as s:
            row = self._live(s, ticket, now, later)
            if row is not None and row.awaiting_answer:
                later.append(self._cut(row, out_of_order_request(), now))
            elif row is not None:
                self._note_call(row, hcp_response, company_file, country, major, minor, now)
                turn = _Turn(row.connection_id, row.id, version_ceiling(major, minor, row.version_max))
        self._run(later)
        if turn is None:
            return ""
        try:
            message = self._source.next_message(turn.connection_id, turn.session_id, turn.version,
                                                self.settings.wait_seconds)
        except Exception as exc:
            logger.exception("the next message of connection %s could not be made", turn.connection_id)
            self._fail(turn.session_id, source_failed("prepare the next request", exc))
            return ""
        now = self._now()
        with write_locked_scope(self._sessions) as s:
            row = self._lock_row(s, turn.session_id)
            if row.status != _OPEN:
                return ""  # cut while we waited (a new sign-in): its notice says why
            row.last_call_at = now
            if isinstance(message, Finished):
                # Never "" here: the Web Connector would show getLastError's text as an error (``closing``).
                closing = closing_message(turn.version)
                row.finished = True
                row.awaiting_answer = True
                row.bytes_sent += len(closing.encode("utf-8"))
                return closing
            if not message:
                row.waits += 1
                return ""
            row.awaiting_answer = True
            row.finished = False  # the work had more after all: its answer is the work's, not the closing one's
            row.bytes_sent += len(message.encode("utf-8"))
            return message

    def receive_response(self, ticket: str, response: str, hresult: str, message: str) -> int:
        now = self._now()
        later: list[_Later] = []
        turn: _Turn | None = None
        with write_locked_scope(self._sessions) as s:
            row = self._live(s, ticket, now, later)
            if row is not None and not row.awaiting_answer:
                later.append(self._cut(row, out_of_order_answer(), now))
            elif row is not None and row.finished:  # the answer to the closing request: nothing for the work
                row.last_call_at = now
                row.awaiting_answer = False
                row.bytes_received += len(response.encode("utf-8"))
                row.percent_done = 100
                return 100
            elif row is not None:
                row.last_call_at = now
                turn = _Turn(row.connection_id, row.id, row.processor_version or "")
        self._run(later)
        if turn is None:
            return -1
        connection_id, session_id = turn.connection_id, turn.session_id
        # The source hears the answer before the session stops waiting for it: should we fail in between, the
        # session still shows the answer as out, and the next call treats its writes as in doubt (never lost).
        if hresult:
            def tell() -> None:
                self._source.answer(connection_id, session_id, None, hresult, message)

            self._run([tell])
            with write_locked_scope(self._sessions) as s:
                row = self._lock_row(s, session_id)
                row.awaiting_answer = False
                self._record_error(row, transport_failure(hresult, message), now)
            return -1
        try:
            percent = self._source.answer(connection_id, session_id, response, "", "")
        except Exception as exc:
            # QuickBooks has run the message but we could not take its answer in: what it wrote is in doubt.
            logger.exception("the answer for connection %s could not be taken in", connection_id)
            why = source_failed("read QuickBooks' answer", exc)
            with write_locked_scope(self._sessions) as s:
                row = self._lock_row(s, session_id)
                self._record_error(row, why, now)
                later = [self._cut(row, why, now)] if row.status == _OPEN else []
            self._run(later)
            return -1
        percent = max(0, min(100, int(percent)))
        with write_locked_scope(self._sessions) as s:
            row = self._lock_row(s, session_id)
            row.awaiting_answer = False
            row.bytes_received += len(response.encode("utf-8"))
            row.round_trips += 1
            row.percent_done = percent
            row.finished = row.finished or percent >= 100
        return percent

    def connection_error(self, ticket: str, hresult: str, message: str) -> str:
        now = self._now()
        later: list[_Later] = []
        with write_locked_scope(self._sessions) as s:
            row = self._live(s, ticket, now, later)
            if row is not None:
                text = connection_error_text(hresult, message)
                self._record_error(row, text, now)
                later.append(self._close(row, PolledSessionStatus.CLOSED, text, now))
        self._run(later)
        return "done"  # we know no other company file to try; the next scheduled update tries again

    def last_error(self, ticket: str) -> str:
        now = self._now()
        later: list[_Later] = []
        with write_locked_scope(self._sessions) as s:
            row = self._by_ticket(s, ticket)
            if row is None:
                return UNKNOWN_SESSION
            if row.status == _OPEN and self._expired(row, now):
                later.append(self._cut(row, TIMED_OUT, now))
            text = row.notice or ""
            if row.status != _OPEN:  # never "" (NoOp) for a session that is over: that would loop for ever
                text = text or row.close_reason or UNKNOWN_SESSION
        self._run(later)
        return text

    def close(self, ticket: str) -> str:
        now = self._now()
        later: list[_Later] = []
        with write_locked_scope(self._sessions) as s:
            row = self._by_ticket(s, ticket) if ticket else None
            if row is None:
                return "OK"
            if row.status == _OPEN:
                if self._expired(row, now):
                    later.append(self._cut(row, TIMED_OUT, now))
                else:
                    reason = closed_without_answer() if self._work_out(row) else "closed by the Web Connector"
                    later.append(self._close(row, PolledSessionStatus.CLOSED, reason, now))
            text = close_text(row.round_trips, row.last_error, row.status == PolledSessionStatus.BROKEN.value,
                              row.close_reason)
        self._run(later)
        return text

    # --- for the rest of ledgerbridge -------------------------------------------------------------------------

    def close_stale(self, connection_id: int | None = None) -> int:
        """Break the open sessions (of one connection, or all) that had no call for longer than the timeout;
        returns how many. The worker or connection health may call it; calls on a connection do it anyway."""
        now = self._now()
        later: list[_Later] = []
        with write_locked_scope(self._sessions) as s:
            query = select(PolledSession).where(PolledSession.status == _OPEN,
                                                PolledSession.last_call_at < now - self.settings.timeout)
            if connection_id is not None:
                query = query.where(PolledSession.connection_id == connection_id)
            for row in s.scalars(self._for_update(s, query)):
                later.append(self._cut(row, TIMED_OUT, now))
        self._run(later)
        return len(later)

    # --- inside a transaction ---------------------------------------------------------------------------------

    @staticmethod
    def _for_update(s: Session, query: Select[PolledSession]) -> Select[PolledSession]:
        """On PostgreSQL the rows read for a change are locked (SQLite's BEGIN IMMEDIATE already serialises)."""
        return query.with_for_update() if s.get_bind().dialect.name == "postgresql" else query

    def _by_ticket(self, s: Session, ticket: str) -> PolledSession | None:
        if not ticket:
            return None
        query = select(PolledSession).where(PolledSession.ticket_hash == ticket_hash(ticket))
        return s.scalar(self._for_update(s, query))

    def _lock_row(self, s: Session, session_id: int) -> PolledSession:
        query = select(PolledSession).where(PolledSession.id == session_id)
        return s.scalars(self._for_update(s, query)).one()

    def _open_sessions(self, s: Session, connection_id: int) -> list[PolledSession]:
        query = select(PolledSession).where(PolledSession.connection_id == connection_id,
                                            PolledSession.status == _OPEN).order_by(PolledSession.id)
        return list(s.scalars(self._for_update(s, query)))

    def _expired(self, row: PolledSession, now: datetime) -> bool:
        return now - row.last_call_at > self.settings.timeout

    def _live(self, s: Session, ticket: str, now: datetime, later: list[_Later]) -> PolledSession | None:
        """The ticket's session if it is open and not timed out (a timed-out one is broken on the way); None
        otherwise. The connection's other stale sessions are broken too."""
        row = self._by_ticket(s, ticket)
        if row is None or row.status != _OPEN:
            return None
        for other in self._open_sessions(s, row.connection_id):
            if self._expired(other, now):
                later.append(self._cut(other, TIMED_OUT, now))
        return row if row.status == _OPEN else None

    @staticmethod
    def _note_call(row: PolledSession, hcp_response: str, company_file: str, country: str, major: int,
                   minor: int, now: datetime) -> None:
        row.last_call_at = now
        row.notice = None
        row.processor_version = f"{major}.{minor}"[:10]
        if company_file:
            row.company_file = company_file
        if country:
            row.country = country[:10]
        if hcp_response:
            facts = parse_host_response(hcp_response)
            row.product = facts.product[:200] if facts.product else row.product
            row.country = (facts.country or row.country or "")[:10] or None
            row.version_min, row.version_max = facts.version_min, facts.version_max

    @staticmethod
    def _record_error(row: PolledSession, text: str, now: datetime) -> None:
        row.last_error = text
        row.last_error_at = now
        row.notice = text

    @staticmethod
    def _work_out(row: PolledSession) -> bool:
        """A message of the work is out and its answer not in (the closing request puts nothing in doubt)."""
        return row.awaiting_answer and not row.finished

    def _close(self, row: PolledSession, status: PolledSessionStatus, reason: str, now: datetime) -> _Later:
        """Close ``row``; returns the source call to make after commit (``broken`` if an answer was still out)."""
        if self._work_out(row):
            return self._cut(row, reason, now)
        row.status = status.value
        row.closed_at = now
        row.close_reason = reason
        connection_id, session_id = row.connection_id, row.id
        return lambda: self._source.end(connection_id, session_id)

    def _cut(self, row: PolledSession, why: str, now: datetime) -> _Later:
        row.status = PolledSessionStatus.BROKEN.value
        row.closed_at = now
        row.close_reason = why
        row.notice = row.notice or why
        connection_id, session_id = row.connection_id, row.id
        return lambda: self._source.broken(connection_id, session_id, why)

    # --- outside any transaction ------------------------------------------------------------------------------

    def _fail(self, session_id: int, text: str) -> None:
        with write_locked_scope(self._sessions) as s:
            self._record_error(self._lock_row(s, session_id), text, self._now())

    @staticmethod
    def _run(later: list[_Later]) -> None:
        for call in later:
            try:
                call()
            except Exception:
                logger.exception("the work could not be told that a Web Connector session ended")
