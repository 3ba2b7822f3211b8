"""The mailbox: how a connector calls a package that cannot be called, only polled.

Some packages are reached through a program on the user's machine that comes and asks for work (the QuickBooks
Web Connector polls our web service; ``docs/qbd.md``). Their connectors keep the engine's synchronous contract by
calling through this mailbox: :meth:`Mailbox.exchange` records the message (committed) *before* anything can hand
it out, then waits; the package's next ask takes it (:func:`hand_out`), its answer comes back (:func:`deliver`)
and wakes the connector. When the package's session breaks after it took a write, the write is *in doubt*
(:func:`break_session`): the connector is told the outcome is unknown, and the engine looks the record up before it
ever sends it again, as it does after a lost answer from a package it calls. Where the package can say what
became of a message set (QuickBooks' error recovery), the connector asks, and :func:`resolve_doubt` keeps its
word on the in-doubt rows (:func:`resolved_messages` reads it back for the look-up that follows).

What travels is the package's own text: the mailbox never reads it. A :class:`MessageFormat` from the package puts
requests into one message (its envelope depends on the version the package announces when it asks) and splits an
answer back by request id. Messages are packed up to a byte bound, never reordered, and only with messages that
share the same rule for a failing request.

Waiting is a condition variable (``mailbox_signals``) for the answers delivered by this process (the serving
process usually runs the worker too) and a short poll of the database for those delivered by another, so it works
on one machine and on many sharing PostgreSQL. Hand-written: no library models a call whose answer arrives on
another HTTP request.
"""

from __future__ import annotations

import json
import secrets
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Final, Protocol

from sqlalchemy import Row, func, select, update
from sqlalchemy.orm import Session, sessionmaker

from ledgerbridge.connectors.mailbox_signals import QUEUED, SETTLED
from ledgerbridge.connectors.producers import waiting
from ledgerbridge.connectors.protocol import ConnectorCallFailed
from ledgerbridge.store.db import rowcount, session_scope, utcnow
from ledgerbridge.store.models.mailbox import MailboxMessage, MailboxState

__all__ = ["FINISHED", "Delivery", "Finished", "Mailbox", "MessageFormat", "OutgoingRequest", "PartlyAnswered",
           "ResolvedMessage",
           "break_session", "change_mark", "deliver", "end_session", "hand_out", "in_doubt_messages", "pending_bytes",
           "pending_count", "resolve_doubt", "resolved_messages", "wait_for_change"]

#: How often a waiting connector looks at the database for an answer another process delivered.
POLL_SECONDS = 0.2
_STOP_ON_ERROR = "stopOnError"


@dataclass(frozen=True, slots=True)
class Finished:
    """A session's "the run is over: nothing more this session" (as opposed to None, "nothing yet, ask again")."""


FINISHED: Final = Finished()


class MessageFormat(Protocol):
    """The package's envelope: what the mailbox needs to put requests together and take an answer apart."""

    def wrap(self, requests: Sequence[str], *, version: str, on_error: str, message_set_id: str) -> str:
        """One message of these requests (each the package's text of one request, with its id in it)."""

    def split(self, answer: str) -> Mapping[str, str]:
        """The answer's part for each request id (requests the package did not run are absent)."""


@dataclass(frozen=True, slots=True)
class OutgoingRequest:
    request_id: str
    text: str


@dataclass(frozen=True, slots=True)
class Delivery:
    """The package's answer to one exchange: the text of each request's answer, by request id."""

    message_id: int
    message_set_id: str
    answers: Mapping[str, str]


class PartlyAnswered(ConnectorCallFailed):
    """An exchange sent in parts: some answered (``answers``, by request id), one at least in doubt. The caller
    that learns what became of the doubtful part (the package's error recovery) has the whole answer."""

    def __init__(self, failure: ConnectorCallFailed, answers: Mapping[str, str]) -> None:
        super().__init__(failure.message, failure_type=failure.failure_type, source=failure.source,
                         raw_response=failure.raw_response, outcome_unknown=True)
        self.answers = dict(answers)


_SettledRow = Row[int, str, str | None, str | None, str | None]


class Mailbox:
    """A connector's side: queue a message and wait for its answer.

    ``reachable`` says whether the package is in a session now (it is asked while a message waits to be taken);
    a message still queued when the package is not reachable is withdrawn and the call fails with a known outcome:
    nothing was handed out, so the engine may send it at the next session.
    """

    def __init__(self, sessions: sessionmaker[Session], connection_id: int, *, reachable: Callable[[], bool],
                 package: str = "the package", poll_seconds: float = POLL_SECONDS) -> None:
        self._sessions = sessions
        self._connection_id = connection_id
        self._reachable = reachable
        self._package = package
        self._poll = poll_seconds

    def reachable(self) -> bool:
        """Whether the package is in a session now (a caller deciding whether to ask again asks this)."""
        return self._reachable()

    def exchange(self, requests: Sequence[OutgoingRequest], *, writes: bool, purpose: str,
                 on_error: str = "continueOnError", part_bytes: int | None = None) -> Delivery:
        """Send ``requests`` as one message at the package's next ask; their answers, by request id.

        ``part_bytes``: queue them as parts of at most that many bytes (a request is never cut), so that the
        message the package takes is filled up to its bound with whole requests rather than whole exchanges; only
        under ``continueOnError`` (a request that stops the message, or names what an earlier one made, must travel
        with it). A part that never ran while others did leaves its requests out of the answer, as a message the
        package stopped part-way does; a part in doubt makes the whole exchange in doubt.

        Raises :class:`ConnectorCallFailed`: ``outcome_unknown`` when a write was handed out and no answer came.
        """
        if not requests:
            raise ValueError("an exchange needs at least one request")
        parts = [list(requests)]
        if part_bytes is not None and on_error == "continueOnError":
            parts = _cut(requests, part_bytes)
        message_ids = self._queue(parts, writes=writes, purpose=purpose, on_error=on_error)
        with waiting(self._connection_id):
            rows = self._await_settled(message_ids)
        delivered: list[Delivery] = []
        failures: list[ConnectorCallFailed] = []
        for message_id in message_ids:
            try:
                delivered.append(self._settled(rows[message_id]))
            except ConnectorCallFailed as failure:
                if len(message_ids) == 1:
                    raise
                failures.append(failure)
        if len(message_ids) == 1:
            return delivered[0]
        answers = {rid: text for d in delivered for rid, text in d.answers.items()}
        unknown = next((f for f in failures if f.outcome_unknown), None)
        if unknown is not None and delivered:
            raise PartlyAnswered(unknown, answers)
        if unknown is not None or not delivered:
            raise unknown or failures[0]
        return Delivery(delivered[0].message_id, delivered[0].message_set_id, answers)

    def _queue(self, parts: Sequence[Sequence[OutgoingRequest]], *, writes: bool, purpose: str,
               on_error: str) -> list[int]:
        with session_scope(self._sessions) as session:  # one transaction: the parts stay together, in order
            messages = []
            for part in parts:
                text = "".join(r.text for r in part)
                messages.append(MailboxMessage(
                    connection_id=self._connection_id, state=MailboxState.QUEUED, writes=writes, on_error=on_error,
                    purpose=purpose[:200], requests=text, request_ids=" ".join(r.request_id for r in part),
                    request_bytes=len(text.encode("utf-8"))))
            session.add_all(messages)
            session.flush()
            message_ids = [m.id for m in messages]
        QUEUED.wake(self._connection_id)  # a session waiting for work hands it out at once
        return message_ids

    def _await_settled(self, message_ids: Sequence[int]) -> dict[int, _SettledRow]:
        """Wait until every one of ``message_ids`` (an exchange's parts) is settled; their rows. One look at the
        states of all the parts each time (an exchange in 20 parts looked at each part in turn, at every wake),
        the requests' text never, and the answers once, when all are settled."""
        waiting_ids = set(message_ids)
        reach_checked = float("-inf")
        while True:
            seen = SETTLED.generation(self._connection_id)
            with session_scope(self._sessions) as session:
                states = session.execute(select(MailboxMessage.id, MailboxMessage.state).where(
                    MailboxMessage.id.in_(waiting_ids))).all()
                waiting_ids = {message_id for message_id, state in states if state not in MailboxState.SETTLED}
                queued = [message_id for message_id, state in states if state == MailboxState.QUEUED]
                # Whether the package is still in a session is asked once a poll, not at every wake: a run keeps
                # some 15 exchanges waiting, each woken by every answer, and most of them still queued.
                if queued and time.monotonic() - reach_checked >= self._poll:
                    reach_checked = time.monotonic()
                    if not self._reachable():
                        self._withdraw(session, queued)
                        continue  # withdrawn (or taken between the two reads): look again
                if not waiting_ids:
                    return {row.id: row for row in session.execute(select(
                        MailboxMessage.id, MailboxMessage.state, MailboxMessage.answer, MailboxMessage.error,
                        MailboxMessage.message_set_id).where(MailboxMessage.id.in_(message_ids))).all()}
            SETTLED.wait(self._connection_id, seen, self._poll)

    def _withdraw(self, session: Session, message_ids: Sequence[int]) -> None:
        """The package is not in a session: what it has not taken is withdrawn (settled as such, committed)."""
        session.execute(update(MailboxMessage).where(
            MailboxMessage.id.in_(message_ids), MailboxMessage.state == MailboxState.QUEUED).values(
            state=MailboxState.WITHDRAWN, settled_at=utcnow(),
            error=f"{self._package} ended its session before it took this"))
        session.commit()

    def _settled(self, message: _SettledRow) -> Delivery:
        if message.state == MailboxState.ANSWERED:
            answers: dict[str, str] = json.loads(message.answer or "{}")
            return Delivery(message.id, message.message_set_id or "", answers)
        said = message.error or f"{self._package} did not answer"
        if message.state == MailboxState.IN_DOUBT:
            raise ConnectorCallFailed(f"{said}; {self._package} may have acted on it: it is looked up before it "
                                      "is sent again", failure_type="retriable", source="network",
                                      outcome_unknown=True)
        if message.state == MailboxState.WITHDRAWN:
            raise ConnectorCallFailed(f"{said}; it goes at its next session", failure_type="retriable",
                                      source="network")
        raise ConnectorCallFailed(said, failure_type="retriable", source="network")


def _cut(requests: Sequence[OutgoingRequest], part_bytes: int) -> list[list[OutgoingRequest]]:
    parts: list[list[OutgoingRequest]] = [[]]
    size = 0
    for request in requests:
        length = len(request.text.encode("utf-8"))
        if parts[-1] and size + length > part_bytes:
            parts.append([])
            size = 0
        parts[-1].append(request)
        size += length
    return parts


def change_mark(connection_id: int) -> int:
    """Read before looking at the database; hand to :func:`wait_for_change` after."""
    return QUEUED.generation(connection_id)


def wait_for_change(connection_id: int, seen: int, seconds: float) -> None:
    """Sleep until this process queues a message of the connection after ``seen`` was read (at once when it
    already has), or ``seconds`` pass: a message queued by another process is seen at the caller's next look at
    the database."""
    QUEUED.wait(connection_id, seen, seconds)


def hand_out(sessions: sessionmaker[Session], connection_id: int, session_id: int, fmt: MessageFormat, *,
             version: str, max_bytes: int) -> str | None:
    """The next message for the package's session: queued messages in order, packed up to ``max_bytes`` (the first
    always goes, however large), all with the same rule for a failing request. None when nothing waits."""
    with session_scope(sessions) as session:
        # What to take is decided on the sizes; only the taken messages' text is read (a run keeps some two
        # messages' worth queued ahead, which was read, a megabyte or two, at every ask).
        query = (select(MailboxMessage.id, MailboxMessage.request_bytes, MailboxMessage.on_error)
                 .where(MailboxMessage.connection_id == connection_id, MailboxMessage.state == MailboxState.QUEUED)
                 .order_by(MailboxMessage.id).limit(500))
        if session.get_bind().dialect.name == "postgresql":
            query = query.with_for_update(skip_locked=True)
        waiting = session.execute(query).all()
        if not waiting:
            return None
        on_error = waiting[0].on_error
        taken = [waiting[0].id]
        size = waiting[0].request_bytes
        for message in waiting[1:]:
            if message.on_error != on_error or size + message.request_bytes > max_bytes:
                break  # never reorder: the rest wait for the next ask
            taken.append(message.id)
            size += message.request_bytes
        message_set_id = secrets.token_hex(10)  # the package's error recovery keeps at most 23 characters
        session.execute(update(MailboxMessage).where(MailboxMessage.id.in_(taken)).values(
            state=MailboxState.HANDED_OUT, session_id=session_id, message_set_id=message_set_id,
            handed_out_at=utcnow()))
        texts = list(session.scalars(select(MailboxMessage.requests).where(MailboxMessage.id.in_(taken))
                                     .order_by(MailboxMessage.id)))
        return fmt.wrap(texts, version=version, on_error=on_error, message_set_id=message_set_id)


def deliver(sessions: sessionmaker[Session], connection_id: int, session_id: int, fmt: MessageFormat,
            answer: str | None, error: str | None = None) -> int:
    """The package's answer to what its session took (or, with ``error``, why it could not run it at all);
    returns how many messages it settles, and wakes their connectors."""
    parts = fmt.split(answer) if answer is not None and error is None else {}
    with session_scope(sessions) as session:
        taken = list(session.scalars(select(MailboxMessage).where(
            MailboxMessage.connection_id == connection_id, MailboxMessage.session_id == session_id,
            MailboxMessage.state == MailboxState.HANDED_OUT)))
        now = utcnow()
        for message in taken:
            message.settled_at = now
            if error is not None or answer is None:
                message.state = MailboxState.FAILED
                message.error = (error or "the package answered nothing")[:2000]
                continue
            message.state = MailboxState.ANSWERED
            message.answer = json.dumps({rid: parts[rid] for rid in message.request_ids.split() if rid in parts})
    SETTLED.wake(connection_id)
    return len(taken)


def break_session(sessions: sessionmaker[Session], connection_id: int, session_id: int | None, why: str) -> int:
    """The session ended while the package held messages: its writes are in doubt (it may have applied them),
    its reads simply failed (asked again at will). Returns how many writes are in doubt."""
    where = [MailboxMessage.connection_id == connection_id, MailboxMessage.state == MailboxState.HANDED_OUT]
    if session_id is not None:
        where.append(MailboxMessage.session_id == session_id)
    now = utcnow()
    with session_scope(sessions) as session:
        doubtful = session.execute(update(MailboxMessage).where(*where, MailboxMessage.writes.is_(True)).values(
            state=MailboxState.IN_DOUBT, settled_at=now, error=why[:2000]))
        session.execute(update(MailboxMessage).where(*where, MailboxMessage.writes.is_(False)).values(
            state=MailboxState.FAILED, settled_at=now, error=why[:2000]))
    SETTLED.wake(connection_id)
    return rowcount(doubtful)


def end_session(sessions: sessionmaker[Session], connection_id: int, session_id: int, why: str) -> None:
    """The session is over: what it held and did not answer is settled as :func:`break_session` says, and what
    still waits is withdrawn (its connector is told at once, not at its next look)."""
    break_session(sessions, connection_id, session_id, why)
    with session_scope(sessions) as session:
        session.execute(update(MailboxMessage).where(
            MailboxMessage.connection_id == connection_id, MailboxMessage.state == MailboxState.QUEUED).values(
            state=MailboxState.WITHDRAWN, settled_at=utcnow(), error=why[:2000]))
    SETTLED.wake(connection_id)


def pending_bytes(sessions: sessionmaker[Session], connection_id: int, *, writes: bool = False) -> int:
    """Request bytes of the messages queued and not yet taken (``writes``: of those that write only)."""
    where = [MailboxMessage.connection_id == connection_id, MailboxMessage.state == MailboxState.QUEUED]
    if writes:
        where.append(MailboxMessage.writes.is_(True))
    with session_scope(sessions) as session:
        return session.scalar(select(func.sum(MailboxMessage.request_bytes)).where(*where)) or 0


def pending_count(sessions: sessionmaker[Session], connection_id: int) -> int:
    """Messages queued and not yet taken."""
    with session_scope(sessions) as session:
        return session.scalar(select(func.count(MailboxMessage.id)).where(
            MailboxMessage.connection_id == connection_id, MailboxMessage.state == MailboxState.QUEUED)) or 0


def in_doubt_messages(sessions: sessionmaker[Session], connection_id: int) -> list[tuple[str, str]]:
    """(message set id, request ids) of the writes whose outcome is unknown: what the connector resolves with the
    package's error recovery before it sends any of them again."""
    with session_scope(sessions) as session:
        rows = session.execute(select(MailboxMessage.message_set_id, MailboxMessage.request_ids).where(
            MailboxMessage.connection_id == connection_id, MailboxMessage.state == MailboxState.IN_DOUBT)
            .order_by(MailboxMessage.id)).all()
    return [(set_id or "", ids) for set_id, ids in rows]


def resolve_doubt(sessions: sessionmaker[Session], connection_id: int, message_set_id: str,
                  answers: Mapping[str, str] | None, why: str) -> int:
    """The package said what became of the in-doubt message set ``message_set_id``: ``answers`` are the answers
    it recorded, by request id (a request it did not run is absent), or None when it no longer knows (the
    connector then looks its records up). Its rows are ``resolved`` and never asked about again; returns how
    many."""
    with session_scope(sessions) as session:
        rows = list(session.scalars(select(MailboxMessage).where(
            MailboxMessage.connection_id == connection_id, MailboxMessage.state == MailboxState.IN_DOUBT,
            MailboxMessage.message_set_id == message_set_id)))
        for row in rows:
            row.state = MailboxState.RESOLVED
            row.error = why[:2000]
            if answers is not None:
                row.answer = json.dumps({rid: answers[rid] for rid in row.request_ids.split() if rid in answers})
    return len(rows)


@dataclass(frozen=True, slots=True)
class ResolvedMessage:
    """A write that was in doubt, and what the package said became of it (``answers`` None: it did not know)."""

    message_set_id: str
    request_ids: tuple[str, ...]
    answers: Mapping[str, str] | None


def resolved_messages(sessions: sessionmaker[Session], connection_id: int,
                      request_id_like: str | None = None) -> list[ResolvedMessage]:
    """The connection's resolved messages, oldest first (``request_id_like``: only those with a request id
    containing it, e.g. a record's part of the ids its connector gives)."""
    where = [MailboxMessage.connection_id == connection_id, MailboxMessage.state == MailboxState.RESOLVED]
    if request_id_like is not None:
        where.append(MailboxMessage.request_ids.contains(request_id_like, autoescape=True))
    with session_scope(sessions) as session:
        rows = session.execute(select(MailboxMessage.message_set_id, MailboxMessage.request_ids,
                                      MailboxMessage.answer).where(*where).order_by(MailboxMessage.id)).all()
    return [ResolvedMessage(set_id or "", tuple(ids.split()), json.loads(answer) if answer is not None else None)
            for set_id, ids, answer in rows]
