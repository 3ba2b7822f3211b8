"""What a package is to ledgerbridge: one typed :class:`PackageSpec` per package.

Each package folder (``ledgerbridge/packages/<kind>/``) declares its spec in ``spec.py``, and
``ledgerbridge.packages.registry`` lists the specs, one line each. Everything outside a package's folder
(the core, the API, the screens, the command line, the demo, the benchmarks) reads what differs between
packages from here: its name in words, its call limits and batch sizes, how its answers tell the calls left,
where it lives in production and in its sandbox, how a user connects to it, how its connector is made, how its
sandbox starts and is served, the demo's world in it and the benchmark's minimums. Nothing outside the folder
names a package or branches on its kind (``tests/architecture`` holds that).

A spec is data and small functions. The heavy parts (the connector, the OAuth flow, the sandbox) are imported
by the spec's functions when first used, so reading the registry costs nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, TypedDict

import httpx
from sqlalchemy.orm import Session, sessionmaker

from ledgerbridge.clock import WALL, Clock
from ledgerbridge.connectors.limits import AppLimits, BudgetLimits, CallBudgetLike, LimitReading, TextLimits
from ledgerbridge.store.models.sync import Connection

if TYPE_CHECKING:
    # A type only: importing FastAPI costs every command-line start some 0.3 s.
    from fastapi import APIRouter

    from ledgerbridge.connectors.mailbox import MessageFormat
    from ledgerbridge.connectors.protocol import Connector
    from ledgerbridge.sandboxes.package_user import PackageUser


@dataclass(frozen=True, slots=True)
class PackageEndpoints:
    """Where a package's API, its identity service and its consent page are."""

    api_base_url: str
    identity_base_url: str
    authorize_url: str


@dataclass(frozen=True, slots=True)
class ConnectorOptions:
    transport: httpx.BaseTransport | None = None
    unlimited_budget: bool = False
    max_attempts: int = 5  # per call, for transient failures (same idempotency key every time)
    #: The call budget shared by every worker through the database (shared_budget); None: on PostgreSQL only
    #: (on SQLite one worker runs inside ``serve``, and the in-process budget is enough).
    shared_budget: bool | None = None
    #: A user asked for this work (a payment import): it may spend the day's last calls (shared budget only).
    urgent: bool = False
    #: The clock of the budget and the client; benchmarks pass an accelerated one (ledgerbridge.clock).
    clock: Clock | None = None


class Company(Protocol):
    """What a consent allows: an organisation (a tenant, a realm, a company file)."""

    tenant_id: str
    tenant_name: str


class AuthModule(Protocol):
    """A package's ``auth`` module, as :meth:`AuthFlow.of` reads it: the five functions of :class:`AuthFlow`.

    Read-only members, so that a module (whose functions take keyword options of their own: a transport, a clock)
    satisfies it under mypy; the calls' shapes are :class:`AuthFlow`'s."""

    @property
    def begin_consent(self) -> Callable[..., str]: ...
    @property
    def complete_consent(self) -> Callable[..., list[Any]]: ...
    @property
    def choose_tenant(self) -> Callable[..., Any]: ...
    @property
    def disconnect(self) -> Callable[..., list[str]]: ...
    @property
    def health(self) -> Callable[[Session, Connection], dict[str, Any]]: ...


@dataclass(frozen=True, slots=True)
class AuthFlow:
    """Connecting to a package: each package's ``auth`` module has these five functions."""

    #: (session, connection, scopes=None) -> the consent page's URL (a state is stored for the callback)
    begin_consent: Callable[..., str]
    #: (session, connection, callback URL) -> the companies the consent allows
    complete_consent: Callable[..., list[Any]]
    #: (session, connection, company id) -> the company the connection is now bound to
    choose_tenant: Callable[..., Any]
    #: (session, connection) -> problems met while revoking (the connection is disconnected regardless)
    disconnect: Callable[..., list[str]]
    #: (session, connection) -> token expiry, refresh-token age, calls left, last error (R-C3)
    health: Callable[[Session, Connection], dict[str, Any]]

    @classmethod
    def of(cls, module: AuthModule) -> AuthFlow:
        """The flow of a package's ``auth`` module (its spec imports the module on first use, not at load)."""
        return cls(module.begin_consent, module.complete_consent, module.choose_tenant, module.disconnect,
                   module.health)


class ClientArguments(TypedDict):
    """The keyword arguments every package's client (a ``PackageClient``) takes from :class:`ConnectorOptions`."""

    transport: httpx.BaseTransport | None
    budget: CallBudgetLike
    max_attempts: int
    clock: Callable[[], float]
    sleep: Callable[[float], None]


def client_arguments(budget: CallBudgetLike, options: ConnectorOptions) -> ClientArguments:
    """What a spec's connector factory passes its client: ``Client(sessions, connection_id, **client_arguments(...))``
    (the wall clock unless the options bring one, e.g. the benchmark's accelerated clock)."""
    clock = options.clock or WALL
    return ClientArguments(transport=options.transport, budget=budget, max_attempts=options.max_attempts,
                           clock=clock.now, sleep=clock.sleep)


#: (sessions, connection id, the call budget, options) -> the package's connector for that connection.
ConnectorFactory = Callable[[sessionmaker[Session], int, CallBudgetLike, ConnectorOptions], "Connector"]


class RunningSandbox(Protocol):
    """A sandbox served in a thread of this process (the demo, the tests)."""

    @property
    def base_url(self) -> str:
        """Where it serves, e.g. ``http://127.0.0.1:40123``."""


@dataclass(frozen=True, slots=True)
class SandboxSpec:
    """The package's sandbox: ledgerbridge's own server on loopback that behaves like the package."""

    #: Serve it in a thread of this process with its default company; a context manager that stops it.
    start: Callable[[], AbstractContextManager[RunningSandbox]]
    #: The ``ledgerbridge sandbox <kind>`` command (Typer reads its signature: host, port, limits, ...).
    command: Callable[..., None]
    #: A sandbox's base URL -> where its API, identity service and consent page are.
    endpoints: Callable[[str], PackageEndpoints]
    #: The key of ``GET /sandbox/stats`` that counts the package's API calls (not OAuth, not the admin API).
    stats_calls_key: str
    #: (base URL, company, [(code, name)]) -> those customers made in the company by hand, spending no API call
    #: (``ledgerbridge bench-parties``); None where the sandbox has no such route.
    add_customers: Callable[[str, str, list[tuple[str, str]]], None] | None = None
    #: Parties one read of the package's list carries at most, and its lists of parties (customers and suppliers
    #: apart, or one): the bench's minimum is the pages they need, an empty list one read.
    party_page: int = 1000
    party_lists: int = 1


#: (http client on the sandbox, company id, the document's package id, amount, reference, is a bill) -> None
RecordPayment = Callable[[httpx.Client, str, str, Decimal, str, bool], None]
#: (sandbox base URL, company id, transport) -> someone working in the package by hand (the demo's bookkeeper)
MakePackageUser = Callable[[str, str, "httpx.BaseTransport | None"], "PackageUser"]
#: (sandbox base URL, tenant, transport) -> the cards made: the customers the books held before they were connected.
AddCustomers = Callable[[str, str, "httpx.BaseTransport | None"], int]


@dataclass(frozen=True, slots=True)
class DemoWorld:
    """The demo's company in the package's sandbox: where the demo's codes map in its chart, and how a user of
    the package records a customer's payment there."""

    nominal: Mapping[str, str]
    tax_sales: Mapping[str, str]
    tax_purchases: Mapping[str, str]
    bank_account: str | None  # the payment methods' bank account (None: the package's payments name none)
    record_payment: RecordPayment
    pays_bills: bool  # the sandbox's books page pays bills too
    package_user: MakePackageUser
    #: The host's currency and tax codes (code, name, rate %) for the demo's month; None: the UK month (GBP, VAT
    #: at 20, 0 and 5 %). A company file that trades in one currency and its country's tax (MYOB: AUD, GST) needs
    #: its own.
    currency: str = "GBP"
    tax_codes: tuple[tuple[str, str, str], ...] | None = None
    #: Customers a user of the package made there before connecting, for the import on connect (R-I4) to find:
    #: None where the demo's package is not offered the import yet.
    customers_in_books: AddCustomers | None = None


@dataclass(frozen=True, slots=True)
class BenchMinimums:
    """What the benchmarks count as the fewest calls any exporter needs: the package's own facts that
    ``bench.run.minimum_calls`` and ``bench.month_minimum`` combine with the work done (each term is explained
    there). Facts of the package's API, not of ledgerbridge's connector."""

    #: Reads any exporter needs before the first invoice (a package whose sales lines name items, not accounts,
    #: must find the item for each income account first).
    setup_reads: int = 0
    #: Document type -> the write call it can share with other types (Xero: invoices and bills are both
    #: ``PUT /Invoices``, credit notes ``PUT /CreditNotes``; QuickBooks' batch takes any entity).
    write_groups: Mapping[str, str] = field(default_factory=dict)
    #: Document type -> the paged list it is read from (Xero: ``/Invoices`` holds sales invoices and bills;
    #: QuickBooks: one query per entity).
    read_lists: Mapping[str, str] = field(default_factory=dict)
    #: Ids one read-by-id call may carry (Xero: at most 50 in ``IDs=``; QuickBooks: the connector's ``Id IN``).
    ids_per_read: int = 50
    #: Kind of payment made in the package ("receipt", "bill_payment", "prepayment") -> the list an import pages
    #: through to find it (Xero: ``/Payments``, ``/Prepayments``, ``/Overpayments``; QuickBooks: ``Payment``,
    #: ``BillPayment``). Every list is read at least once, even when empty.
    payment_lists: Mapping[str, str] = field(default_factory=dict)
    #: Answers of a paged list say how many pages there are (Xero's ``pagination.pageCount``); without it
    #: (QuickBooks) a list whose last page is full takes one more read to learn that it ended.
    page_count_known: bool = True
    #: A prepayment is created with its allocations in the same call (QuickBooks: a Payment with ``LinkedTxn``
    #: lines); otherwise each prepayment's allocations are a call of their own (Xero:
    #: ``PUT /Prepayments/{id}/Allocations``).
    allocations_in_create: bool = False
    #: The package's documents do not say how much of what was settled on them was credit rather than cash
    #: (QuickBooks: a credit memo is applied through a Payment that links both): reconciliation reads the payments
    #: that apply a credit (the credits' own links name them) by id.
    credit_split_by_payments: bool = False


class PolledProgram(Protocol):
    """The package's polling program played against its sandbox (the Web Connector simulator): what the demo and
    the bench drive. One :meth:`update` is one session of the program with our service, as a user's "update now"."""

    def update(self) -> str:
        """One session, now; how it ended ("none": the service had no work, "done": it did the work)."""

    def counts(self) -> Mapping[str, int]:
        """What it exchanged so far: ``round_trips`` (messages run by the package), ``request_bytes`` (their
        requests), ``calls`` (every call to our service), ``sessions``."""

    def close(self) -> None: ...


@dataclass(frozen=True, slots=True)
class PolledService:
    """A package that cannot be called: a program beside it on the user's machine comes and asks for work (the
    QuickBooks Web Connector). Its connector calls through the mailbox (``connectors.mailbox``); its jobs run only
    while that program is in a session; the connection is set up with a password and a file for the program
    instead of a consent page."""

    #: The program that polls, in words ("the Web Connector"), for messages and screens.
    program: str
    #: (sessions, the sessions' source of work) -> the web service the program calls, mounted by the app under
    #: ``/packages/<kind>``; the app makes the source (``queue.polled_session.SessionWork``) with the two below.
    router: Callable[[sessionmaker[Session], Any], APIRouter]
    #: () -> how the package's requests travel together (``connectors.mailbox.MessageFormat``).
    message_format: Callable[[], MessageFormat]
    #: The most request bytes one message carries (the mailbox packs queued calls up to it).
    message_bytes: int
    #: (session) -> the ids of the connections whose program is in a session now (their jobs may run).
    open_connections: Callable[[Session], set[int]]
    #: (session, connection) -> a new password for the program, set (stored hashed) and returned this once.
    new_password: Callable[[Session, Connection], str]
    #: (session, connection, the app's public base URL) -> (file name, content): the file the user adds to the
    #: program (the Web Connector's .qwc).
    setup_file: Callable[[Session, Connection, str], tuple[str, bytes]]
    #: ``ledgerbridge <name>`` commands of its own (Typer reads their signatures), e.g. writing the setup file.
    commands: tuple[tuple[str, Callable[..., None]], ...] = ()
    #: (setup file, password, the running sandbox, seconds the program pauses when told to wait) -> the program
    #: played against the sandbox's company (the demo and the bench); None when the package has no simulator.
    simulate: Callable[[bytes, str, Any, float], PolledProgram] | None = None
    #: (setup file's path, password) -> options of ``ledgerbridge sandbox <kind>`` that also run the program in
    #: that process, updating continuously and asking again at once (the bench); None: no such program.
    bench_program_args: Callable[[Path, str], list[str]] | None = None


@dataclass(frozen=True, slots=True)
class PackageSpec:
    """Everything ledgerbridge knows of one package outside its folder."""

    kind: str  # the connection's key, stored in ``connections.kind``
    name: str  # the package in words, as the screens and messages name it
    limits: BudgetLimits
    #: How the package's answers tell the calls left (and, on a refusal, which limit was hit).
    read_limits: Callable[[Mapping[str, str]], LimitReading]
    batch_size: int  # records per write call (the plan and the benchmark's minimum)
    read_page: int  # documents per page of the read-back
    production: PackageEndpoints
    #: The package's connection flow, imported on first use.
    auth: Callable[[], AuthFlow]
    connector: ConnectorFactory
    sandbox: SandboxSpec
    demo: DemoWorld
    #: The longest text it takes per field (``TextLimits``): pre-check refuses longer before anything is sent.
    text_limits: TextLimits
    bench: BenchMinimums = BenchMinimums()
    #: Set for a package that polls us instead of being called (None: ledgerbridge calls the package).
    polled: PolledService | None = None
    #: ``ConnectionSettings`` fields only this package reads (e.g. ``bill_reference``): the Settings screen shows
    #: them for its connections only, and keeps them as they are for the others.
    own_settings: tuple[str, ...] = ()
    #: Limits the package counts per app (its client id) across every company the install serves (MYOB's 8 a
    #: second and 1,000,000 a day per API key): every connection of the app shares one window
    #: (``connectors.app_budget``). None: the package counts per company only.
    app_limits: AppLimits | None = None
