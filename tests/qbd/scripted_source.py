"""A ``MessageSource`` that hands out a scripted list of qbXML messages: the work, for the Web Connector tests.

The real source is the mailbox (``packages/qbd/mailbox.py``, the lead's); this one lets the sessions backend, the
SOAP service and the simulator be tested on their own: it keeps every call it gets (so a test can check that a cut
session was reported ``broken``), the answers it was given, and says 100 once its list is done.
"""

from __future__ import annotations

import threading
from collections import deque
from dataclasses import dataclass, field

from ledgerbridge.packages.qbd.webconnector.backend import FINISHED, Finished

#: Put in a script to make ``next_message`` answer None once (nothing yet: the Web Connector's NoOp pause).
WAIT = "<wait>"

QBXML_HEAD = '<?xml version="1.0" encoding="utf-8"?><?qbxml version="{v}"?><QBXML><QBXMLMsgsRq onError="stopOnError">'
QBXML_TAIL = "</QBXMLMsgsRq></QBXML>"


def customer_query(request_id: str = "1", version: str = "13.0") -> str:
    return (QBXML_HEAD.format(v=version) + f'<CustomerQueryRq requestID="{request_id}"><MaxReturned>10</MaxReturned>'
            "</CustomerQueryRq>" + QBXML_TAIL)


def customer_add(name: str, request_id: str = "1", version: str = "13.0") -> str:
    return (QBXML_HEAD.format(v=version) + f'<CustomerAddRq requestID="{request_id}"><CustomerAdd><Name>{name}</Name>'
            "</CustomerAdd></CustomerAddRq>" + QBXML_TAIL)


@dataclass
class Answer:
    session_id: int
    response: str | None
    hresult: str
    message: str


@dataclass
class ScriptedSource:
    """Messages per connection (``queue``); every call recorded in ``calls`` as ``(method, connection, session,
    detail)``."""

    scripts: dict[int, deque[str]] = field(default_factory=dict)
    calls: list[tuple[str, int, int | None, str]] = field(default_factory=list)
    answers: list[Answer] = field(default_factory=list)
    handed: dict[int, int] = field(default_factory=dict)  # per connection: messages handed out
    versions: list[str] = field(default_factory=list)
    fail_next: str | None = None  # a method name: raise once in it (a failing source)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def queue(self, connection_id: int, *messages: str) -> None:
        with self._lock:
            self.scripts.setdefault(connection_id, deque()).extend(messages)

    def _record(self, method: str, connection_id: int, session_id: int | None, detail: str = "") -> None:
        self.calls.append((method, connection_id, session_id, detail))
        if self.fail_next == method:
            self.fail_next = None
            raise RuntimeError(f"the scripted source failed in {method}")

    def named(self, method: str) -> list[tuple[str, int, int | None, str]]:
        return [c for c in self.calls if c[0] == method]

    # --- MessageSource ---

    def work_due(self, connection_id: int) -> bool:
        with self._lock:
            self._record("work_due", connection_id, None)
            return bool(self.scripts.get(connection_id))

    def begin(self, connection_id: int, session_id: int) -> None:
        with self._lock:
            self._record("begin", connection_id, session_id)

    def next_message(self, connection_id: int, session_id: int, version: str,
                     wait_seconds: float) -> str | None | Finished:
        with self._lock:
            self._record("next_message", connection_id, session_id, version)
            self.versions.append(version)
            script = self.scripts.get(connection_id)
            if not script:
                return FINISHED
            message = script.popleft()
            if message == WAIT:
                return None
            self.handed[connection_id] = self.handed.get(connection_id, 0) + 1
            return message

    def answer(self, connection_id: int, session_id: int, response: str | None, hresult: str, message: str) -> int:
        with self._lock:
            self._record("answer", connection_id, session_id, hresult)
            self.answers.append(Answer(session_id, response, hresult, message))
            left = len([m for m in self.scripts.get(connection_id, ()) if m != WAIT])
            done = self.handed.get(connection_id, 0)
            return 100 if left == 0 else int(100 * done / (done + left))

    def broken(self, connection_id: int, session_id: int, why: str) -> None:
        with self._lock:
            self._record("broken", connection_id, session_id, why)

    def end(self, connection_id: int, session_id: int) -> None:
        with self._lock:
            self._record("end", connection_id, session_id)
