"""The sandbox QuickBooks company: an in-memory company file behind the request processor's contract
(:class:`.processor.QuickBooksLike`), for the Web Connector simulator, the tests, the demo and the books page.

``process`` runs a qbXML request message as QuickBooks does (:mod:`.envelope`) against the books
(:mod:`.store`), with one handler per request type from the object families (:mod:`.lists`, :mod:`.sales`,
:mod:`.purchases`, :mod:`.payments`, :mod:`.deletes`, the queries); ``host_response`` answers HostQuery,
CompanyQuery and PreferencesQuery for the Web Connector's ``strHCPResponse``. What a QuickBooks user does by hand
(receive a payment, pay a bill, delete a payment) goes through the same handlers (:meth:`run_as_user`), so the
books page obeys QuickBooks' rules too. One lock serialises everything: QuickBooks runs one request at a time.
"""

from __future__ import annotations

import random
import threading
import uuid
from collections.abc import Callable
from datetime import datetime

from . import deletes, host, payments, purchases, sales, txn_queries
from .config import CompanyConfig
from .context import Answer, Context, Handler, Session
from .currency import currency_seed
from .elements import Element
from .envelope import parse_message, run_message
from .list_queries import QUERY_KINDS, handle_list_query
from .lists import LIST_SPECS, handle_list_add, handle_list_mod
from .processor import NOT_RUNNING_NO_FILE, RequestProcessorError
from .recovery import RecoveryStore
from .schema import QbxmlSchema, load_schema
from .seed import SEED_TIME, seed_requests
from .status import QbStatus
from .store import Books

__all__ = ["QuickBooksCompany", "USER_APP"]

#: The "application" a QuickBooks user works as on the books page (their changes keep no recovery state).
USER_APP = "QuickBooks user"


def _handlers() -> dict[str, Handler]:
    table: dict[str, Handler] = {}
    for kind in LIST_SPECS:
        table[f"{kind}AddRq"] = handle_list_add
        if kind not in ("StandardTerms", "DateDrivenTerms", "PaymentMethod", "ItemSalesTax"):
            table[f"{kind}ModRq"] = handle_list_mod
    table["ItemSalesTaxModRq"] = handle_list_mod
    for tag in QUERY_KINDS:
        table[tag] = handle_list_query
    for module in (host, sales, purchases, payments, deletes, txn_queries):
        table.update(module.HANDLERS)
    return table


class QuickBooksCompany:
    """One company file and its request processor. ``QuickBooksCompany(CompanyConfig(flavour="UK"))``."""

    def __init__(self, config: CompanyConfig | None = None, *, seed: bool = True) -> None:
        self.config = config or CompanyConfig()
        self._lock = threading.RLock()
        self._handlers = _handlers()
        self._schemas: dict[str, QbxmlSchema] = {}
        self._random = random.Random(self.config.random_seed)
        self.recovery = RecoveryStore()
        self.books = Books(int(SEED_TIME.timestamp()))
        self._session: Session | None = None
        self._implicit: Session | None = None
        #: Faults: QuickBooks not running (begin_session fails), or a crash after N requests of the next message.
        self.running = True
        self._crash_after: int | None = None
        self.messages_processed = 0
        self._seeded = seed
        if seed:
            self._seed()

    # -- the request processor (QuickBooksLike) ----------------------------------------------------------

    def begin_session(self, app_name: str) -> None:
        with self._lock:
            if not self.running:
                raise RequestProcessorError(NOT_RUNNING_NO_FILE)
            self._session = Session(app_name)

    def end_session(self) -> None:
        with self._lock:
            self._session = None
            self._implicit = None

    def host_response(self) -> str:
        """The answers to HostQuery, CompanyQuery and PreferencesQuery, as the Web Connector passes them on."""
        version = self.config.max_qbxml_version
        return self.process(
            f'<?xml version="1.0"?><?qbxml version="{version}"?><QBXML><QBXMLMsgsRq onError="continueOnError">'
            "<HostQueryRq/><CompanyQueryRq/><PreferencesQueryRq/></QBXMLMsgsRq></QBXML>")

    def process(self, request_qbxml: str) -> str:
        with self._lock:
            if not self.running:
                raise RequestProcessorError(NOT_RUNNING_NO_FILE)
            message, schema = parse_message(request_qbxml, self.config.max_qbxml_version, self.schema)
            crash, self._crash_after = self._crash_after, None
            self.messages_processed += 1
            return run_message(self._context(schema, self._current_session()), message, self._handlers,
                               self.recovery, crash)

    # -- what the sandbox adds -----------------------------------------------------------------------------

    def schema(self, version: str) -> QbxmlSchema:
        schema = self._schemas.get(version)
        if schema is None:
            schema = self._schemas[version] = load_schema(version, self.config.schema_dir)
        return schema

    def crash_during_next_message(self, after_requests: int | None) -> None:
        """Fault: the next message runs ``after_requests`` requests, then the processor fails (0x80040402) and
        no answer comes back, as when QuickBooks dies mid-message; what ran stays, error recovery knows it.
        None disarms it."""
        with self._lock:
            self._crash_after = after_requests

    @property
    def pending_crash(self) -> int | None:
        return self._crash_after

    def run_as_user(self, request: Element, now: datetime | None = None) -> Answer:
        """Run one request element (``ReceivePaymentAddRq``, ``TxnDelRq``, ...) as a QuickBooks user's action."""
        with self._lock:
            schema = self.schema(self.config.max_qbxml_version)
            ctx = self._context(schema, Session(USER_APP), now)
            handler = self._handlers.get(str(request.tag))
            if handler is None:
                raise ValueError(f"no handler for {request.tag!s}")
            try:
                return handler(ctx, request)
            except QbStatus as status:
                return Answer(status=status)

    def read(self, reader: Callable[[Context], object]) -> object:
        """Run ``reader`` with a context under the lock (the books page and admin API read through this)."""
        with self._lock:
            return reader(self._context(self.schema(self.config.max_qbxml_version), Session(USER_APP)))

    def reset(self) -> None:
        """A fresh company file: the seed again, no recovery state, no session, no faults."""
        with self._lock:
            self.books = Books(int(SEED_TIME.timestamp()))
            self.recovery = RecoveryStore()
            self._session = self._implicit = None
            self._random = random.Random(self.config.random_seed)
            self.running, self._crash_after, self.messages_processed = True, None, 0
            if self._seeded:
                self._seed()

    # -- inside ----------------------------------------------------------------------------------------------

    def _current_session(self) -> Session:
        if self._session is not None:
            return self._session
        if self._implicit is None:
            self._implicit = Session(self.config.default_app_name)
        return self._implicit

    def _new_guid(self) -> str:
        return "{" + str(uuid.UUID(int=self._random.getrandbits(128), version=4)) + "}"

    def _context(self, schema: QbxmlSchema, session: Session, now: datetime | None = None) -> Context:
        return Context(self.books, self.config, schema, now or self.config.now(), session, self._new_guid)

    def _seed(self) -> None:
        for request in currency_seed(self.config) + seed_requests(self.config.flavour):
            answer = self.run_as_user(request, SEED_TIME)
            if answer.status.is_error:
                raise RuntimeError(f"the sandbox's seed failed at {request.tag!s}: {answer.status.message}")
