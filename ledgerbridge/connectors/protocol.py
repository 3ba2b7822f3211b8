"""The one typed protocol every accounting-package connector implements.

The core (sync records, pre-check, exporter, importer) talks only to this protocol;
what differs between packages (wire format, batch sizes, natural keys, rules)
stays in the connector's own package (``ledgerbridge.packages.xero``, later ``qbo``...).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Protocol, runtime_checkable

from ledgerbridge.store.views import DocumentView, ItemView, PartyView
from ledgerbridge.sync.mappings import MappingSet


@dataclass(frozen=True, slots=True)
class ChartAccount:
    code: str
    external_id: str
    name: str
    category: str  # the package's account type, e.g. REVENUE, BANK
    usable_for: tuple[str, ...]  # "sales", "purchases", "bank"
    active: bool = True


@dataclass(frozen=True, slots=True)
class ChartTaxRate:
    code: str
    name: str
    rate: Decimal
    usable_for: tuple[str, ...]
    active: bool = True


@dataclass(frozen=True, slots=True)
class ChartSnapshot:
    accounts: tuple[ChartAccount, ...]
    tax_rates: tuple[ChartTaxRate, ...]
    currencies: tuple[str, ...]
    base_currency: str


@dataclass(frozen=True, slots=True)
class Problem:
    """A reason a record cannot go out, phrased for the person who must fix it."""

    message: str
    hint: str | None = None
    failure_type: str = "config"


@dataclass(frozen=True, slots=True)
class PartyExport:
    sync_record_id: int
    party: PartyView
    external_id: str | None
    idempotency_key: str


@dataclass(frozen=True, slots=True)
class ItemExport:
    sync_record_id: int
    item: ItemView
    external_id: str | None
    idempotency_key: str


@dataclass(frozen=True, slots=True)
class DocumentExport:
    sync_record_id: int
    action: str  # create | update | void
    document: DocumentView
    party_external_id: str
    external_id: str | None
    idempotency_key: str
    credited_external_id: str | None = None


@dataclass(slots=True)
class ExportOutcome:
    """One record's answer. ``message`` is the package's refusal when not ``ok``; when ``ok``, a note the user must
    see in the record's history (e.g. a void the package could only carry out as a delete)."""

    sync_record_id: int
    ok: bool
    external_id: str | None = None
    external_number: str | None = None
    external_name: str | None = None
    total: Decimal | None = None
    message: str | None = None
    hint: str | None = None
    failure_type: str | None = None
    raw_response: str | None = None


@dataclass(frozen=True, slots=True)
class RemoteDocument:
    """A document as the package holds it now: what read-back, reconciliation and the seen tick compare."""

    external_id: str
    number: str | None
    total: Decimal
    amount_due: Decimal
    status: str
    amount_paid: Decimal = Decimal(0)  # by payments (cash), as the package reports it
    amount_credited: Decimal = Decimal(0)  # by credit notes / credit memos and prepayment or overpayment allocations
    currency: str | None = None
    updated_at: datetime | None = None  # the package's last-modified time (edited there after export?)


@dataclass(frozen=True, slots=True)
class RemotePayment:
    external_id: str
    payment_type: str
    direction: str  # in | out
    payment_date: date
    amount: Decimal
    currency: str
    reference: str | None
    document_external_id: str | None
    document_number: str | None
    party_external_id: str | None
    party_name: str | None
    bank_account_code: str | None
    deleted: bool
    updated_at: datetime
    raw: dict[str, object] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class PaymentExport:
    """A host payment going out: a prepayment (R-E6) or, with payments both ways, a payment of one invoice."""

    sync_record_id: int
    kind: str  # prepayment | invoice_payment
    host_id: str
    label: str  # for messages: "prepayment PP-1 (GBP 300.00)"
    direction: str  # in | out
    payment_date: date
    amount: Decimal
    currency: str
    reference: str | None
    party_external_id: str
    bank_account_code: str  # the package's bank account the money went into or out of
    idempotency_key: str
    external_id: str | None = None
    account_code: str | None = None  # a prepayment's line account (the order's first sales account)
    document_external_id: str | None = None  # an invoice payment: the invoice or bill it pays
    document_type: str | None = None
    #: A prepayment's split, sent with it where the package creates a prepayment allocated
    #: (``Connector.allocates_in_create``); their ``source_external_id`` is empty (not created yet).
    allocations: tuple[AllocationExport, ...] = ()
    order_number: str | None = None  # a prepayment's sales order (MYOB holds what no invoice takes on an order)


@dataclass(frozen=True, slots=True)
class AllocationExport:
    """Credit applied to an invoice in the package: a prepayment, overpayment or credit note (R-E6, R-X1)."""

    key: str  # the caller's id for the outcome (e.g. "<payment sync record>:<document id>")
    source_kind: str  # prepayment | overpayment | credit_note
    source_external_id: str
    invoice_external_id: str
    amount: Decimal
    allocation_date: date
    party_external_id: str | None = None  # QuickBooks links credit and invoice in a Payment of the customer
    currency: str | None = None


@dataclass(frozen=True, slots=True)
class RemoteAllocation:
    """An allocation as the package holds it: what was applied from which credit to which invoice."""

    source_kind: str  # prepayment | overpayment | credit_note
    source_external_id: str
    invoice_external_id: str
    amount: Decimal
    allocation_date: date | None = None
    external_id: str | None = None


@dataclass(frozen=True, slots=True)
class RemoteCredit:
    """A prepayment, overpayment or credit note as the package holds it now: what is applied, what remains."""

    external_id: str
    total: Decimal
    remaining: Decimal
    status: str
    allocations: tuple[RemoteAllocation, ...] = ()
    kind: str = "prepayment"  # prepayment | overpayment | credit_note
    updated_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class ExportContext:
    """What a connector needs besides the record: mappings, chart and the connection's settings."""

    mappings: MappingSet
    settings: dict[str, object]


class Connector(Protocol):
    kind: str
    display_name: str
    max_batch: int
    max_concurrent_calls: int
    max_number_length: int
    # What the package itself says when a line's account is missing, quoted in pre-check (None: nothing to quote).
    missing_account_answer: str | None
    # True when a customer and a supplier are different kinds of record in the package (QuickBooks: Customer and
    # Vendor), so a party in both roles needs two records; False when one record serves both (Xero's Contact).
    separate_party_roles: bool
    tax_rounding: str  # "line" (tax rounded per line) | "total" (once per rate on the subtotal): ``rounding``
    rounding_lines: bool  # a cent of rounding goes out as a line on the settings' rounding account
    # Package ids one read-by-id call carries (``read_back_documents``, ``read_credits``): fewer calls a list of
    # pages would cost.
    max_ids_per_read: int
    # True when a prepayment is created with its allocations in the same call (``PaymentExport.allocations``:
    # QuickBooks' Payment with LinkedTxn lines); False when they are a call of their own (``export_allocations``).
    allocates_in_create: bool

    def fetch_chart(self) -> ChartSnapshot: ...

    def precheck_document(self, document: DocumentView, ctx: ExportContext) -> list[Problem]: ...

    def export_parties(self, items: Sequence[PartyExport], ctx: ExportContext,
                       batch_key: str) -> list[ExportOutcome]: ...

    def export_items(self, items: Sequence[ItemExport], ctx: ExportContext, batch_key: str) -> list[ExportOutcome]: ...

    def find_existing_items(self, items: Sequence[ItemView]) -> dict[int, tuple[str, str]]: ...

    def export_documents(self, items: Sequence[DocumentExport], ctx: ExportContext,
                         batch_key: str) -> list[ExportOutcome]:
        """One write of up to ``max_batch`` documents of one action and one ``write_group``."""

    def write_group(self, doc_type: str) -> str:
        """Documents whose types share a group may go out in one ``export_documents`` call (Xero: invoices and
        bills are both ``Invoices``; QuickBooks' batch takes any entity), so a batch is never cut short by type."""

    def find_existing_parties(self, parties: Sequence[PartyView]) -> dict[int, tuple[str, str]]: ...

    def find_existing_documents(self, items: Sequence[DocumentExport]) -> dict[int, RemoteDocument]: ...

    def read_back_documents(self, wanted: Sequence[tuple[str, str]]) -> dict[str, RemoteDocument]: ...

    def remote_documents_since(self, since: datetime, doc_types: set[str],
                               wanted: Mapping[str, str] | None = None) -> Iterator[list[RemoteDocument]]:
        """Pages of the documents of these host types that the package changed since ``since``. With ``wanted``
        (package id -> host type), each of the package's lists stops once every wanted document it holds was
        seen: the caller knows what it waits for, so no read is made to find out that a list has ended."""

    def payment_parts_prefix(self, external_id: str) -> str | None:
        """Where the package's one payment is imported as parts (one per document it pays), the prefix of every
        part's ``external_id``, so a deletion that names the payment removes its parts; None where a payment of
        the package is one record here."""

    def whole_payment_id(self, external_id: str) -> str:
        """The package's id of the payment that an imported part belongs to (itself where there are no parts)."""

    def host_id_in_reference(self, reference: str | None) -> str | None:
        """The host id our own export wrote into a payment's reference, when ``reference`` is one of ours."""

    def fetch_payments(self, since: datetime | None) -> Iterator[RemotePayment]:
        """Payments changed since ``since``, and prepayments and overpayments made in the package (their
        ``document_external_id`` is None: they are imported here as payments on account)."""

    # -- money out (issue 5) ---------------------------------------------------------------------------------
    def export_payments(self, items: Sequence[PaymentExport], ctx: ExportContext,
                        batch_key: str) -> list[ExportOutcome]:
        """Create prepayments (external id: the package's prepayment) or invoice payments."""

    def find_existing_payments(self, items: Sequence[PaymentExport]) -> dict[int, str]:
        """After a lost answer: sync record id -> external id of what the package already holds."""

    def export_allocations(self, items: Sequence[AllocationExport], batch_key: str) -> dict[str, ExportOutcome]:
        """Apply credit to invoices; outcomes by ``AllocationExport.key`` (``sync_record_id`` is unused: 0)."""

    def read_credits(self, source_kind: str, external_ids: Sequence[str]) -> dict[str, RemoteCredit]:
        """Prepayments, overpayments or credit notes (all of ``source_kind``) as they stand, with their
        allocations, by package id, as many a call as the package allows (one missing is not in the answer)."""

    def fetch_allocations(self, since: datetime | None) -> Iterator[RemoteCredit]:
        """Credit notes, prepayments and overpayments changed since ``since``, each with all its allocations
        (the whole set, so one removed in the package is removed here too: R-X1 import)."""

    def close(self) -> None:
        """Write what the connector still holds (audit rows, health, budget) and release its connections."""


@dataclass(frozen=True, slots=True)
class ImportedPayment:
    """A payment imported earlier from the package, as a connector that must look for deletions is told of it."""

    external_id: str  # the package's whole payment (``Connector.whole_payment_id``)
    direction: str  # in | out
    payment_date: date


@runtime_checkable
class FindsDeletedPayments(Protocol):
    """A connector whose package lists no deleted payments (MYOB: a deleted payment is simply gone from its lists):
    after each fetch the importer asks it which of the payments imported earlier are gone, and reverses them here as
    it does a deletion the package reports (R-I1). Connectors whose ``fetch_payments`` reports deletions do not
    implement it."""

    def deleted_payments(self, imported: Sequence[ImportedPayment]) -> list[str]:
        """The ``external_id`` of each of these payments the package no longer holds (the connector may check only
        the recent ones: each is a read)."""


@dataclass(frozen=True, slots=True)
class RemoteParty:
    """A customer or supplier as the package holds it: what an import of parties matches with the host's (R-I4)."""

    external_id: str
    code: str | None  # the package's own code for it (MYOB's DisplayID); None where it has none
    name: str
    #: customer | supplier | both: "both" only where one record serves both roles (Xero's Contact with
    #: ``IsCustomer`` and ``IsSupplier``); where the package keeps them apart, a party in both roles is two records.
    role: str
    email: str | None = None
    active: bool = True
    updated_at: datetime | None = None


@runtime_checkable
class ReadsParties(Protocol):
    """A connector that lists the package's customers and suppliers, so that those the host does not have yet can
    be imported (R-I4, issue 15). Connectors without it are not offered the import."""

    def fetch_parties(self, role: str | None, since: datetime | None) -> Iterator[list[RemoteParty]]:
        """Pages of the package's parties in ``role`` (customer | supplier; None: every party, each list of the
        package read once) changed since ``since`` (with a look-back where the package's change times need one);
        every one of them with None. Pages are as large as the package allows: 10,000 contacts are a normal size."""


class ConnectorCallFailed(Exception):
    """A call to the package failed after the connector's own retries.

    ``outcome_unknown`` is true when the package may have acted (timeout, dropped
    connection): the records stay bound to their attempt and are looked up before
    they are ever created again.
    """

    def __init__(self, message: str, *, failure_type: str, source: str = "network",
                 raw_response: str | None = None, outcome_unknown: bool = False) -> None:
        super().__init__(message)
        self.message = message
        self.failure_type = failure_type
        self.source = source
        self.raw_response = raw_response
        self.outcome_unknown = outcome_unknown


class CallBudgetSpent(Exception):
    """The package's call budget for the day is spent; the run stops and says when it can go on."""

    def __init__(self, message: str, resume_at: datetime | None) -> None:
        super().__init__(message)
        self.resume_at = resume_at
