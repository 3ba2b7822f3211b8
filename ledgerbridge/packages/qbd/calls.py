"""QuickBooks Desktop calls as the connector makes them: exchanges through the mailbox, query pages, and the audit
rows and health figures each exchange leaves.

An *exchange* is one mailbox message: the connector's requests, handed out at the Web Connector's next
``sendRequestXML`` (perhaps packed with other exchanges into one message set), answered at its
``receiveResponseXML``. The connector never sees HTTP. Each request carries a requestID made here: a kind letter,
the sync record it is for (when it is for one: the in-doubt look-up finds its records by it), and a token of this
connector with a counter, so ids never meet in one message set even when several connectors' exchanges are packed
together (``REQUEST_ID_MAX`` is 50).

Audit (R-A1): one row per exchange, as the HTTP client writes one per call: the purpose, the batch key (so the
records of a batch link to it), the request ids, the bytes, each request's status and QuickBooks' message; the
qbXML itself for writes (reads are large and say nothing the records do not). qbXML carries no credential.
Buffered and written by :meth:`QbdCalls.flush`: on close, and at least once a second (or every 200 rows) while
exchanges go on, as the HTTP client does.
"""

from __future__ import annotations

import itertools
import re
import secrets
import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session, sessionmaker

from ledgerbridge.connectors.mailbox import Mailbox, OutgoingRequest, PartlyAnswered
from ledgerbridge.connectors.protocol import ConnectorCallFailed
from ledgerbridge.packages.qbd.message_format import STATUS_REQUEST, status_check_rule
from ledgerbridge.packages.qbd.qbxml.envelope import OnError, request_text
from ledgerbridge.packages.qbd.qbxml.iterators import continue_query
from ledgerbridge.packages.qbd.qbxml.nodes import Element
from ledgerbridge.packages.qbd.qbxml.responses import QbxmlParseError, RequestResult, parse_results
from ledgerbridge.packages.qbd.qbxml.status import classify
from ledgerbridge.security.redact import redact_text
from ledgerbridge.store.models.sync import AuditEvent, Connection

__all__ = ["AUDIT_MAX", "QbdCalls", "record_of"]

AUDIT_MAX = 20_000
#: An exchange is queued in parts of at most this many bytes (``Mailbox.exchange``): the Web Connector's message is
#: filled to within a part of its bound (``limits.MESSAGE_BYTES``), not within a whole exchange of 100 documents.
PART_BYTES = 16_384
FLUSH_SECONDS = 1.0  # audit rows and health are written at least this often while exchanges go on
_RECORD_ID = re.compile(r"^([a-z])(\d+)-")


def record_of(request_id: str) -> tuple[str, int] | None:
    """(kind letter, sync record id) of a request made for a record (:meth:`QbdCalls.request_id`), else None."""
    found = _RECORD_ID.match(request_id)
    return (found.group(1), int(found.group(2))) if found else None


def _clip(text: str) -> str:
    return text if len(text) <= AUDIT_MAX else text[:AUDIT_MAX] + f"\n... ({len(text) - AUDIT_MAX} more characters)"


class QbdCalls:
    """One connection's exchanges with QuickBooks (``mailbox``), counted (``exchanges``) and audited."""

    def __init__(self, sessions: sessionmaker[Session], connection_id: int, mailbox: Mailbox, *,
                 actor: str = "system", max_attempts: int = 3) -> None:
        self.sessions = sessions
        self.connection_id = connection_id
        self.mailbox = mailbox
        self.actor = actor
        #: Tries of one exchange: QuickBooks could not run a message at all (not running, busy: an HRESULT instead
        #: of an answer) is tried again while the Web Connector is in session; a lost answer is asked about.
        self.max_attempts = max(1, max_attempts)
        self.exchanges = 0  # exchanges made (each a message of its own, unless packed with others)
        self.requests_sent = 0
        self._token = secrets.token_hex(3)
        self._counter = itertools.count(1)
        self._lock = threading.Lock()
        self._audit: list[dict[str, Any]] = []
        self._last_success: datetime | None = None
        self._last_error: tuple[str, datetime] | None = None
        self._organisation_id: int | None = None
        self._flushed = time.monotonic()
        #: Called before every write exchange (the connector resolves in-doubt writes there: QuickBooks keeps the
        #: outcome of the last message set that wrote, and the next write would replace it).
        self.before_write: Callable[[], object] | None = None
        #: Asked when a write's answer never came: QuickBooks' recorded answers to these requests, or None when it
        #: cannot tell now (the engine then looks the records up before it sends them again).
        self.recover: Callable[[Sequence[str]], dict[str, RequestResult] | None] | None = None

    # -- request ids -----------------------------------------------------------------------------------------
    def request_id(self, kind: str = "q", record: int | None = None) -> str:
        """``q-3f9a1c7``, or ``d1234-3f9a1c8`` for a request about sync record 1234 (``d`` documents, ``p``
        parties, ``i`` items, ``m`` payments, ``a`` allocations)."""
        with self._lock:
            n = next(self._counter)
        return f"{kind}{record if record is not None else ''}-{self._token}{n:x}"

    # -- exchanges -------------------------------------------------------------------------------------------
    def exchange(self, requests: Sequence[Element | OutgoingRequest], *, writes: bool, purpose: str,
                 key: str | None = None, on_error: OnError | str = "continueOnError") -> dict[str, RequestResult]:
        """Send ``requests`` as one mailbox message and wait for QuickBooks' answer: each request's result by
        requestID (one QuickBooks did not run, under ``stopOnError``, is absent). A request is an element or already
        text (an ``OutgoingRequest``: the document Adds, written as text by ``qbxml.text_nodes``).

        Raises ``ConnectorCallFailed`` as the mailbox does (``outcome_unknown`` for writes handed out and never
        answered), and when QuickBooks' answer cannot be read (outcome unknown for writes: it may have run them).
        A message QuickBooks could not run at all is sent again (up to ``max_attempts``, while the Web Connector is
        in session); a write whose answer never came is asked about (``recover``: QuickBooks' error recovery, at
        the Web Connector's next ask), and what QuickBooks recorded then stands for the answer.
        """
        outgoing = [r if isinstance(r, OutgoingRequest) else OutgoingRequest(str(r.get("requestID")), request_text(r))
                    for r in requests]
        # Sent in parts (``PART_BYTES``), an exchange may be answered in part: what ran is kept in ``done``, and
        # what is known not to have run (a part withdrawn at the session's end, or one QuickBooks could not run)
        # is sent again as a message that QuickBooks could not run at all would be.
        done: dict[str, RequestResult] = {}
        for attempt in range(1, self.max_attempts + 1):
            if writes and self.before_write is not None:
                self.before_write()
            last = attempt == self.max_attempts
            try:
                done.update(self.send(outgoing, writes=writes, purpose=purpose, key=key, on_error=on_error))
            except ConnectorCallFailed as failure:
                if failure.outcome_unknown:
                    if last or not writes or self.recover is None:
                        raise  # what ran before is looked up with the rest (``done`` is not lost: it is in doubt)
                    recovered = self.recover([r.request_id for r in outgoing])
                    if recovered is None:
                        raise
                    if isinstance(failure, PartlyAnswered):  # the parts that were answered
                        done.update(self._parsed(failure.answers, writes))
                    done.update(recovered)
                elif done or last or failure.failure_type != "retriable" or not self.mailbox.reachable():
                    if done:  # what ran is answered; the rest is absent, known not run
                        return done
                    raise  # nothing ran: the engine records why, and the next run sends it
            outgoing = [r for r in outgoing if r.request_id not in done]
            if not outgoing or on_error != "continueOnError" or last or not self.mailbox.reachable():
                return done
        return done

    def send(self, outgoing: Sequence[OutgoingRequest], *, writes: bool, purpose: str, key: str | None = None,
             on_error: str = "continueOnError") -> dict[str, RequestResult]:
        """:meth:`exchange` of requests already in text (a status check's are not qbXML requests)."""
        started = time.monotonic()
        with self._lock:
            self.exchanges += 1
            self.requests_sent += len(outgoing)
        try:
            delivery = self.mailbox.exchange(outgoing, writes=writes, purpose=purpose, on_error=on_error,
                                             part_bytes=PART_BYTES)
        except ConnectorCallFailed as failure:
            self._record(purpose, key, outgoing, writes, {}, started, failure.message)
            raise
        try:
            results = self._parsed(delivery.answers, writes)
        except ConnectorCallFailed as failure:
            self._record(purpose, key, outgoing, writes, {}, started, failure.message)
            raise
        if outgoing and not delivery.answers:
            why = "QuickBooks answered none of the requests (its answer was not qbXML)"
            self._record(purpose, key, outgoing, writes, {}, started, why)
            raise ConnectorCallFailed(why, failure_type="system", source="package", outcome_unknown=writes)
        self._record(purpose, key, outgoing, writes, results, started, None, delivery.answers)
        return results

    @staticmethod
    def _parsed(answers: Mapping[str, str], writes: bool) -> dict[str, RequestResult]:
        try:
            return parse_results(answers)
        except QbxmlParseError as exc:
            raise ConnectorCallFailed(f"QuickBooks' answer could not be read: {exc}", failure_type="system",
                                      source="package", outcome_unknown=writes) from exc

    def status_check(self, message_set_id: str, request_ids: Sequence[str]) -> tuple[int | None, dict[str, str]]:
        """Ask QuickBooks what became of the message set ``message_set_id`` (error recovery, ``oldMessageSetID``):
        its ``messageSetStatusCode`` (0: it knows, 600: it does not; None: no answer) and the answers it saved,
        by the set's own request ids (the ``...Rs`` text of each request it ran)."""
        outgoing = [OutgoingRequest(STATUS_REQUEST, message_set_id),
                    *(OutgoingRequest(rid, "") for rid in request_ids)]
        started = time.monotonic()
        with self._lock:
            self.exchanges += 1
        purpose = "ask QuickBooks what became of a message set"
        try:
            delivery = self.mailbox.exchange(outgoing, writes=False, purpose=purpose, on_error=status_check_rule())
        except ConnectorCallFailed as failure:
            self._record(purpose, None, outgoing, False, {}, started, failure.message)
            raise
        answers = dict(delivery.answers)
        status = answers.pop(STATUS_REQUEST, None)
        code = None
        if status is not None:
            found = re.search(r'messageSetStatusCode="(\d+)"', status)
            code = int(found.group(1)) if found else None
        self._record(purpose, None, outgoing, False, {}, started, None, answers)
        return code, answers

    def read(self, requests: Sequence[Element], purpose: str) -> dict[str, RequestResult]:
        """A read exchange whose every answer must be usable: an Error answer raises, with QuickBooks' words."""
        results = self.exchange(requests, writes=False, purpose=purpose)
        for request in requests:
            rid = str(request.get("requestID"))
            result = results.get(rid)
            if result is None:
                raise ConnectorCallFailed(f"QuickBooks did not answer {request.tag!s} ({purpose})",
                                          failure_type="system", source="package")
            verdict = classify(result.status_code, result.severity, result.message)
            if not verdict.ok:
                raise ConnectorCallFailed(f"{purpose}: {verdict.text()}", failure_type=verdict.failure_type or "system",
                                          source="package")
        return results

    def pages(self, queries: Mapping[str, Element], purpose: str) -> Iterator[dict[str, tuple[Element, ...]]]:
        """The Rets of several iterator queries, a page of each per exchange: every query starts in the first
        exchange, and each later exchange continues those with objects left (``iteratorRemainingCount``), so
        paging N kinds costs the round trips of the longest, not their sum. Yields {query key: Rets}."""
        started = {key: query for key, query in queries.items()}
        current = dict(started)
        while current:
            by_rid = {str(q.get("requestID")): key for key, q in current.items()}
            results = self.read(list(current.values()), purpose)
            page: dict[str, tuple[Element, ...]] = {}
            following: dict[str, Element] = {}
            for rid, key in by_rid.items():
                result = results[rid]
                page[key] = result.rets
                if result.more_pages and result.iterator_id:
                    following[key] = continue_query(started[key], result.iterator_id, self.request_id())
            yield page
            current = following

    # -- audit and health ------------------------------------------------------------------------------------
    def _record(self, purpose: str, key: str | None, outgoing: Sequence[OutgoingRequest], writes: bool,
                results: Mapping[str, RequestResult], started: float, error: str | None,
                answers: Mapping[str, str] | None = None) -> None:
        now = datetime.now(UTC)
        size = sum(len(r.text.encode("utf-8")) for r in outgoing)
        statuses = [f"{r.request_id}: " + (f"{res.status_code} {res.severity} {res.message}"
                                            if (res := results.get(r.request_id)) is not None else "no answer")
                    for r in outgoing]
        request = f"qbXML {purpose}\nIdempotency-Key: {key or '-'}\n\nrequest ids: " + " ".join(
            r.request_id for r in outgoing) + f"\nbytes: {size}\n"
        if writes:
            request += "\n" + "".join(r.text for r in outgoing)
        response = "\n".join(statuses) if error is None else f"failed: {error}\n" + "\n".join(statuses)
        if writes and answers:
            response += "\n\n" + "".join(answers.values())
        failed = error is not None or any(res.severity == "Error" for res in results.values())
        elapsed = (time.monotonic() - started) * 1000
        row = {"connection_id": self.connection_id, "at": now, "actor": self.actor,
               "action": f"QuickBooks Desktop {'write' if writes else 'read'}"[:50], "request": _clip(request),
               "response": _clip(response), "outcome": "failed" if failed else "ok",
               "detail": redact_text(f"{purpose}; {len(outgoing)} requests; {size} bytes; {elapsed:.0f} ms"
                                     + (f"; {error}" if error else ""))}
        with self._lock:
            self._audit.append(row)
            if error is None:
                self._last_success = now
            else:
                self._last_error = (redact_text(error)[:2000], now)
            due = len(self._audit) >= 200 or time.monotonic() - self._flushed >= FLUSH_SECONDS
        if due:
            self.flush()

    def flush(self) -> None:
        """Write the buffered audit rows and the connection's health figures (last success, last error)."""
        with self._lock:
            rows, self._audit = self._audit, []
            success, error = self._last_success, self._last_error
            self._last_success = self._last_error = None
            self._flushed = time.monotonic()
        if not rows and success is None and error is None:
            return
        with self.sessions() as session, session.begin():
            if self._organisation_id is None:
                self._organisation_id = session.scalar(select(Connection.organisation_id).where(
                    Connection.id == self.connection_id))
            if rows:
                session.execute(insert(AuditEvent), [{**row, "organisation_id": self._organisation_id}
                                                     for row in rows])
            values: dict[str, Any] = {}
            if success is not None:
                values["last_success_at"] = success
            if error is not None:
                values["last_error"], values["last_error_at"] = error
            if values:
                session.execute(update(Connection).where(Connection.id == self.connection_id).values(**values))
