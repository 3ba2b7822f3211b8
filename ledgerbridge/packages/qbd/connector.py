"""The QuickBooks Desktop connector behind ledgerbridge's ``Connector`` protocol, on the mailbox.

QuickBooks Desktop cannot be called: the Web Connector on the user's PC polls our SOAP service and runs the qbXML
it is handed (``docs/qbd.md``). So every call of this connector is an *exchange* through the mailbox
(``connectors.mailbox.Mailbox.exchange``): its requests are recorded, handed out at the Web Connector's next ask
(perhaps packed with other exchanges into one message set), and QuickBooks' answer comes back by requestID. The
engine's rules hold unchanged: the attempt key is on record before the call, a write whose answer never came is
looked up before it is sent again (``qbd.doubt``: QuickBooks' error recovery first, then a query confirmed by
ExternalGUID), the seen tick, imports from a cursor.

The parts: ``qbd.calls`` (exchanges, pages, audit), ``qbd.reads`` (chart, look-ups, read-back), ``qbd.writes``
(customers, vendors, items), ``qbd.documents`` (invoices, credit memos, bills, vendor credits), ``qbd.money``
(payments, prepayments, prepayments applied), ``qbd.credits`` (credit memos and vendor credits: applied, read
back), ``qbd.doubt`` (lost answers), ``qbd.lookups`` (accounts, tax codes and
the items sales lines name), and this module (the connector and its factory).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator, Sequence
from datetime import datetime, timedelta

from sqlalchemy.orm import Session, sessionmaker

from ledgerbridge.connectors.limits import CallBudgetLike
from ledgerbridge.connectors.mailbox import Mailbox
from ledgerbridge.connectors.protocol import (
    AllocationExport,
    DocumentExport,
    ExportContext,
    ExportOutcome,
    ItemExport,
    PartyExport,
    PaymentExport,
    Problem,
    RemoteCredit,
    RemoteDocument,
    RemotePayment,
)
from ledgerbridge.connectors.spec import ConnectorOptions
from ledgerbridge.packages.qbd import doubt, money, writes
from ledgerbridge.packages.qbd.calls import QbdCalls
from ledgerbridge.packages.qbd.credits import HeldCredit
from ledgerbridge.packages.qbd.currency import currencies_of, currency_problem
from ledgerbridge.packages.qbd.documents import export_documents
from ledgerbridge.packages.qbd.limits import QBD_TEXT_LIMITS
from ledgerbridge.packages.qbd.lookups import QbdLookups
from ledgerbridge.packages.qbd.mapper import country_of, entity_of, precheck_problems, rounding_mode
from ledgerbridge.packages.qbd.names import name_problem
from ledgerbridge.packages.qbd.qbxml.txn_queries import DEFAULT_LOOK_BACK
from ledgerbridge.packages.qbd.readers import HOME_CURRENCY, PART_SEPARATOR
from ledgerbridge.packages.qbd.reads import READ_PAGE, QbdReads, page_size_of
from ledgerbridge.packages.qbd.vendor_rule import HINT as VENDOR_HINT
from ledgerbridge.packages.qbd.vendor_rule import VendorList, rule_on, vendor_problem
from ledgerbridge.store.db import session_scope
from ledgerbridge.store.models.host import Party
from ledgerbridge.store.models.sync import Connection
from ledgerbridge.store.views import DocumentView, ItemView, PartyView

__all__ = ["MAX_BATCH", "QbdConnector", "connector_for"]

NAME = "QuickBooks Desktop"
#: Records per exchange. An invoice Add is 1-3 KB, so 200 make 200-600 KB, which QuickBooks runs in a few seconds;
#: the mailbox queues an exchange in parts (``calls.PART_BYTES``) and packs the parts queued together into one
#: message set up to the service's bound.
MAX_BATCH = 200
PURCHASE_ENTITIES = {"Bill", "VendorCredit"}


class QbdConnector(QbdReads):
    kind = "qbd"
    display_name = NAME
    max_batch = MAX_BATCH
    # Customers, vendors and items a call (``sync.dependencies``): the documents wait for all of them, so they go in
    # one exchange (a CustomerAdd is some 300 bytes: 1,000 are a third of a message) rather than 100 at a time,
    # each waiting for the previous one's round trip.
    max_dependency_batch = 1000
    # Exchanges a run may have queued at once: the mailbox packs them into the Web Connector's next message, so
    # enough in flight fill it; QuickBooks runs them one after another anyway. A window of 5 exchanges of 200
    # five-line invoices is some 1.4 MB, more than a message of MESSAGE_BYTES, and the exporter builds the next
    # window while this one waits (two windows' threads: 10 at most, within the store's pool of 15 connections,
    # which 20 waiting threads exhausted on SQLite).
    max_concurrent_calls = 5
    calls_in_flight = 5
    # Two windows in flight while the run binds the one before and prepares the next: a window (750 invoices) is
    # some 1.2 messages, so with one the next message waited, every other time, for the previous answer to be bound
    # and the next chunk checked and built (0.4-0.7 s in which QuickBooks had nothing to run).
    export_windows_ahead = 2
    max_number_length = QBD_TEXT_LIMITS.number
    missing_account_answer: str | None = None  # a sales line's account is its item's: no single message to quote
    separate_party_roles = True  # Customer and Vendor: a party in both roles is two records, one name space
    rounding_lines = True  # on the rounding account: the "Rounding" item on sales, an expense line on purchases
    # TxnIDs one query carries (``TxnID`` repeated): bounded by the message's size, not by a URL.
    max_ids_per_read = READ_PAGE
    # A prepayment goes out as a payment with its rest unapplied, then is applied (``export_allocations``).
    allocates_in_create = False

    def __init__(self, sessions: sessionmaker[Session], connection_id: int, mailbox: Mailbox, *,
                 actor: str = "system", read_back_from_answers: bool = False,
                 look_back: timedelta = DEFAULT_LOOK_BACK, max_attempts: int = 3) -> None:
        self.sessions = sessions
        self.connection_id = connection_id
        self.calls = QbdCalls(sessions, connection_id, mailbox, actor=actor, max_attempts=max_attempts)
        self.lookups = QbdLookups(self.calls, sessions, connection_id)
        self.read_back_from_answers = read_back_from_answers
        self.look_back = look_back
        self.written = {}
        self._written_lock = threading.Lock()
        self.doubt_lock = threading.Lock()
        self._parties: dict[int, PartyView | None] = {}  # party id -> its name and code (pre-check)
        # credit TxnID -> its kind and party, from the reads of this run (``qbd.credits``: applying one needs them)
        self.credits_held: dict[str, HeldCredit] = {}
        with session_scope(sessions) as session:
            settings = dict(session.get_one(Connection, connection_id).settings or {})
        self.page_size = page_size_of(settings, connection_id)
        # Komet's rule: suppliers must exist in QuickBooks (vendor_rule)
        self.vendors = VendorList(self.calls, self.page_size)
        # before anything is written, QuickBooks is asked what became of a write whose answer was lost, while it
        # still knows (it keeps the last message set's outcome only)
        self.calls.before_write = lambda: doubt.resolve_doubts(self)
        self.calls.recover = lambda request_ids: doubt.recover(self, request_ids)
        self.country = country_of(settings)
        self.tax_rounding = rounding_mode(self.country)  # US sales tax on the subtotal; VAT and GST per line
        self._base_currency = str(settings.get("base_currency") or "") or None
        self.currencies = currencies_of(settings)  # code -> ListID with multicurrency on (``qbd.currency``)

    def close(self) -> None:
        self.calls.flush()

    def __enter__(self) -> QbdConnector:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def base_currency(self) -> str:
        return self._base_currency or HOME_CURRENCY.get(self.country, "USD")

    # -- pre-check -------------------------------------------------------------------------------------------
    def precheck_document(self, document: DocumentView, ctx: ExportContext) -> list[Problem]:
        """QuickBooks Desktop's own rules (numbers per type, tax by edition, rounding), the party's name, which
        QuickBooks takes only up to 41 characters (refused here, never cut: names are matched exactly), in a
        multicurrency company the party's currency (``qbd.currency``: a transaction is in its party's), and, with
        Komet's rule on, a purchase document's supplier must be a QuickBooks vendor of exactly its name."""
        problems = precheck_problems(document, ctx)
        party = self._party(document.party_id)
        said = name_problem(party) if party is not None else None
        if said is not None:
            problems.append(Problem(f"{document.label()}: {said}", failure_type="data",
                                    hint="Shorten the customer's or supplier's name in the host."))
        mismatch = currency_problem(document, party, ctx.settings, self.base_currency()) if party else None
        if mismatch is not None:
            problems.append(mismatch)
        if said is None and party is not None and rule_on(ctx.settings) and \
                entity_of(document.type) in PURCHASE_ENTITIES:
            vendors = self.vendors.names_if_reachable()  # between sessions: the upload checks it
            missing = vendor_problem(party, vendors) if vendors is not None else None
            if missing is not None:
                problems.append(Problem(f"{document.label()}: {missing}", failure_type="data", hint=VENDOR_HINT))
        return problems

    def _party(self, party_id: int) -> PartyView | None:
        if party_id not in self._parties:
            with session_scope(self.sessions) as session:
                party = session.get(Party, party_id)
                self._parties[party_id] = None if party is None else PartyView(
                    party.id, party.host_id, party.code, party.name, party.is_customer, party.is_supplier, None,
                    None, party.currency, None, [], 0)
        return self._parties[party_id]

    # -- export ----------------------------------------------------------------------------------------------
    def export_parties(self, items: Sequence[PartyExport], ctx: ExportContext, batch_key: str) -> list[ExportOutcome]:
        return writes.export_parties(self, items, ctx, batch_key)

    def export_items(self, items: Sequence[ItemExport], ctx: ExportContext, batch_key: str) -> list[ExportOutcome]:
        return writes.export_items(self, items, ctx, batch_key)

    def export_documents(self, items: Sequence[DocumentExport], ctx: ExportContext,
                         batch_key: str) -> list[ExportOutcome]:
        return export_documents(self, items, ctx, batch_key)

    def find_existing_items(self, items: Sequence[ItemView]) -> dict[int, tuple[str, str]]:
        return QbdReads.find_existing_items(self, items)

    def find_existing_documents(self, items: Sequence[DocumentExport]) -> dict[int, RemoteDocument]:
        return doubt.find_existing_documents(self, items)

    # -- payments' identity: one payment over several documents is imported as parts "TxnID:InvoiceTxnID" --------
    def payment_parts_prefix(self, external_id: str) -> str:
        return f"{external_id}{PART_SEPARATOR}"

    def whole_payment_id(self, external_id: str) -> str:
        return external_id.split(PART_SEPARATOR, 1)[0]

    def host_id_in_reference(self, reference: str | None) -> str | None:
        """Our export writes the host id (cut to the field's 20 or 11 characters) as the RefNumber: a cut one is
        not recognised, and such a payment is imported like any other."""
        return reference.strip() or None if reference else None

    def fetch_payments(self, since: datetime | None) -> Iterator[RemotePayment]:
        return money.fetch_payments(self, since)

    # -- money out and allocations ---------------------------------------------------------------------------
    def export_payments(self, items: Sequence[PaymentExport], ctx: ExportContext,
                        batch_key: str) -> list[ExportOutcome]:
        return money.export_payments(self, items, batch_key)

    def find_existing_payments(self, items: Sequence[PaymentExport]) -> dict[int, str]:
        return doubt.find_existing_payments(self, items)

    def export_allocations(self, items: Sequence[AllocationExport], batch_key: str) -> dict[str, ExportOutcome]:
        return money.export_allocations(self, items, batch_key)

    def read_credits(self, source_kind: str, external_ids: Sequence[str]) -> dict[str, RemoteCredit]:
        return money.read_credits(self, source_kind, external_ids)

    def write_group(self, doc_type: str) -> str:
        """Any requests travel in one qbXML message: every type shares one write."""
        return "message"

    def fetch_allocations(self, since: datetime | None) -> Iterator[RemoteCredit]:
        return money.fetch_allocations(self, since)


def _always() -> bool:
    return True


def connector_for(sessions: sessionmaker[Session], connection_id: int, budget: CallBudgetLike,
                  options: ConnectorOptions, *, reachable: Callable[[], bool] | None = None) -> QbdConnector:
    """The connector of a QuickBooks Desktop connection (``connectors.spec.ConnectorFactory``).

    ``reachable`` says whether the Web Connector is in a session now (the mailbox withdraws a message still
    waiting when it is not, and the run says the work goes at the next session); the Web Connector service wires
    it to its sessions. Without it the connector waits for the next session however long it takes. The call
    budget is unused: QuickBooks Desktop has no call limits, and its pace is the Web Connector's."""
    mailbox = Mailbox(sessions, connection_id, reachable=reachable or _always, package=NAME)
    return QbdConnector(sessions, connection_id, mailbox, max_attempts=options.max_attempts)
