"""The Web Connector played without SOAP, for tests that drive the engine against the sandbox company.

A :class:`Pump` is a thread that does what the Web Connector service does with the mailbox in a session: it takes
the next message (``hand_out``), has QuickBooks run it (the sandbox company's ``process``) and delivers the answer
(``deliver``); every message and every answer is checked against the qbXML schema of the version it announces
(``tests/contract_checks/qbxml.check_qbxml``). It counts round trips (messages handed out) and requests.

Faults, as a real session meets them:

* :meth:`Pump.drop_next_answer`: QuickBooks runs the next message (the next one ``matches`` accepts), but its
  answer never reaches us (the network dropped it, the Web Connector crashed): the session breaks
  (``break_session``), its writes are in doubt, and a new session begins (QuickBooks keeps its error-recovery
  state across sessions, not its iterators). With ``run=False`` the message is lost on its way to QuickBooks,
  which never runs it: in doubt all the same, since nobody can tell the two apart. With ``resume=False`` the Web
  Connector does not come back until :meth:`Pump.resume` (its next scheduled run): meanwhile
  :meth:`Pump.in_session` is false, so the mailbox withdraws what waits for it;
* :meth:`Pump.quickbooks_down`: QuickBooks is not running; each message is answered with the request
  processor's HRESULT instead of qbXML (``deliver(..., error=...)``), as the Web Connector reports it;
* :meth:`Pump.before`: someone works in QuickBooks just before the next message that matches (a user edits the
  invoice between our read and our Mod), once.

A problem in the pump (a message or answer that breaks the schema) is kept and raised by :meth:`Pump.stop`, and
the message's connector is answered with it so that no test hangs.
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable
from types import TracebackType

from sqlalchemy.orm import Session, sessionmaker

from ledgerbridge.connectors.mailbox import break_session, change_mark, deliver, hand_out, wait_for_change
from ledgerbridge.packages.qbd.message_format import ENVELOPE_BYTES, QbdMessageFormat
from ledgerbridge.packages.qbd.sandbox import QuickBooksCompany, RequestProcessorError
from ledgerbridge.packages.qbd.sandbox.processor import NOT_RUNNING_NO_FILE, hresult_text
from tests.contract_checks.qbxml import check_qbxml

__all__ = ["Pump"]

#: The size bound of one message: what the Web Connector service would pass (1 MB less the envelope).
MAX_BYTES = 1_000_000 - ENVELOPE_BYTES
APP_NAME = "ledgerbridge"


class Pump:
    def __init__(self, sessions: sessionmaker[Session], connection_id: int, company: QuickBooksCompany, *,
                 version: str | None = None, max_bytes: int = MAX_BYTES) -> None:
        self.sessions = sessions
        self.connection_id = connection_id
        self.company = company
        self.version = version or company.config.max_qbxml_version
        self.max_bytes = max_bytes
        self.format = QbdMessageFormat()
        self.round_trips = 0  # messages handed out (each a sendRequestXML and a receiveResponseXML)
        self.requests = 0
        self.request_kinds: Counter[str] = Counter()
        self.messages: list[str] = []
        self.errors: list[BaseException] = []
        self.session_id = 1
        self._drops: list[tuple[Callable[[str], bool], bool, bool]] = []
        self._paused = False
        self._down = False
        self._down_for: int | None = None
        self._before: list[tuple[Callable[[str], bool], Callable[[], object]]] = []
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="web-connector", daemon=True)

    # -- life ------------------------------------------------------------------------------------------------
    def start(self) -> Pump:
        self.company.begin_session(APP_NAME)
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop the thread (again: nothing); raises what went wrong in it."""
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout=10)
            assert not self._thread.is_alive(), "the Web Connector thread did not stop"
        if self.errors:
            raise AssertionError(f"the Web Connector met {len(self.errors)} problem(s)") from self.errors[0]

    def __enter__(self) -> Pump:
        return self.start()

    def __exit__(self, kind: type[BaseException] | None, value: BaseException | None,
                 traceback: TracebackType | None) -> None:
        self.stop()

    # -- faults ----------------------------------------------------------------------------------------------
    def drop_next_answer(self, matches: Callable[[str], bool] | None = None, *, run: bool = True,
                         resume: bool = True) -> None:
        with self._lock:
            self._drops.append((matches or (lambda _: True), run, resume))

    def clear_faults(self) -> None:
        with self._lock:
            self._drops.clear()
            self._down, self._down_for, self._paused = False, None, False

    def pending_faults(self) -> tuple[int, int]:
        """(answers still to drop, messages QuickBooks is still to miss; -1: until told)."""
        with self._lock:
            down = (self._down_for if self._down_for is not None else -1) if self._down else 0
            return len(self._drops), down

    def in_session(self) -> bool:
        """Whether the Web Connector is in a session (the mailbox's ``reachable``)."""
        with self._lock:
            return not self._paused

    def resume(self) -> None:
        """The Web Connector's next run: a new session."""
        with self._lock:
            self._paused = False

    def quickbooks_down(self, down: bool = True, messages: int | None = None) -> None:
        """QuickBooks is not running (for the next ``messages`` messages, or until told otherwise)."""
        with self._lock:
            self._down = down
            self._down_for = messages if down else None

    def before(self, matches: Callable[[str], bool], action: Callable[[], object]) -> None:
        """Run ``action`` (in QuickBooks, as its user) before the next message ``matches`` accepts, once."""
        with self._lock:
            self._before.append((matches, action))

    def counts(self) -> tuple[int, int]:
        """(round trips, requests) so far."""
        with self._lock:
            return self.round_trips, self.requests

    # -- the session -----------------------------------------------------------------------------------------
    def _run(self) -> None:
        while not self._stop.is_set():
            seen = change_mark(self.connection_id)
            if not self.in_session():
                wait_for_change(self.connection_id, seen, 0.05)
                continue
            message = hand_out(self.sessions, self.connection_id, self.session_id, self.format,
                               version=self.version, max_bytes=self.max_bytes)
            if message is None:
                wait_for_change(self.connection_id, seen, 0.05)
                continue
            try:
                self._one(message)
            except BaseException as exc:  # keep it for stop(), and free the waiting connector
                self.errors.append(exc)
                deliver(self.sessions, self.connection_id, self.session_id, self.format, None,
                        error=f"the test's Web Connector failed: {exc}")

    def _one(self, message: str) -> None:
        check_qbxml(message, self.version)
        with self._lock:
            self.round_trips += 1
            self.messages.append(message)
            drop = next((d for d in self._drops if d[0](message)), None)
            if drop is not None:
                self._drops.remove(drop)
            down = self._down
            if down and self._down_for is not None:
                self._down_for -= 1
                if self._down_for <= 0:
                    self._down, self._down_for = False, None
            hooks = [h for h in self._before if h[0](message)]
            self._before = [h for h in self._before if h not in hooks]
        for _, action in hooks:
            action()
        self._count(message)
        if down:
            error = RequestProcessorError(NOT_RUNNING_NO_FILE)
            deliver(self.sessions, self.connection_id, self.session_id, self.format, None,
                    error=f"{hresult_text(error.hresult)}: {error.message}")
            return
        if drop is not None and not drop[1]:  # lost on its way: QuickBooks never saw it
            self._break(drop[2])
            return
        try:
            answer = self.company.process(message)
        except RequestProcessorError as failure:
            deliver(self.sessions, self.connection_id, self.session_id, self.format, None,
                    error=f"{failure.hresult_hex}: {failure.message}")
            return
        check_qbxml(answer, self.version)
        if drop is not None:  # QuickBooks did it; the answer is lost and the session with it
            self._break(drop[2])
            return
        deliver(self.sessions, self.connection_id, self.session_id, self.format, answer)

    def _break(self, resume: bool) -> None:
        if not resume:
            with self._lock:
                self._paused = True
        break_session(self.sessions, self.connection_id, self.session_id, "the Web Connector's session broke")
        self.company.end_session()
        self.session_id += 1
        self.company.begin_session(APP_NAME)

    def _count(self, message: str) -> None:
        from lxml import etree

        root = etree.fromstring(message.encode("utf-8"))
        requests = root.find("QBXMLMsgsRq")
        assert requests is not None
        with self._lock:
            for request in requests:
                self.requests += 1
                self.request_kinds[str(request.tag)] += 1
