"""QuickBooks Online, as the rest of ledgerbridge sees it: the one registration of this folder
(``packages.registry``)."""

from __future__ import annotations

from sqlalchemy.orm import Session, sessionmaker

from ledgerbridge.connectors.limits import CallBudgetLike, no_limit_headers
from ledgerbridge.connectors.protocol import Connector
from ledgerbridge.connectors.spec import (
    AuthFlow,
    BenchMinimums,
    ConnectorOptions,
    PackageEndpoints,
    PackageSpec,
    SandboxSpec,
    client_arguments,
)
from ledgerbridge.packages.qbo.commands import sandbox_command
from ledgerbridge.packages.qbo.demo import DEMO_WORLD, start_sandbox
from ledgerbridge.packages.qbo.limits import BATCH_SIZE, ENTITIES, IN_CHUNK, QBO_LIMITS, QBO_TEXT_LIMITS, READ_PAGE


def _auth() -> AuthFlow:
    from ledgerbridge.packages.qbo import auth

    return AuthFlow.of(auth)


def _connector(sessions: sessionmaker[Session], connection_id: int, budget: CallBudgetLike,
               options: ConnectorOptions) -> Connector:
    from ledgerbridge.packages.qbo.client import QboClient
    from ledgerbridge.packages.qbo.connector import QboConnector

    return QboConnector(QboClient(sessions, connection_id, **client_arguments(budget, options)))


def _sandbox_endpoints(base_url: str) -> PackageEndpoints:
    base = base_url.rstrip("/")
    return PackageEndpoints(f"{base}/v3/company", base, f"{base}/connect/oauth2")


SPEC = PackageSpec(
    kind="qbo",
    name="QuickBooks Online",
    limits=QBO_LIMITS,
    text_limits=QBO_TEXT_LIMITS,
    read_limits=no_limit_headers,  # QuickBooks' answers carry no calls-left headers
    batch_size=BATCH_SIZE,
    read_page=READ_PAGE,
    production=PackageEndpoints("https://quickbooks.api.intuit.com/v3/company", "https://oauth.platform.intuit.com",
                                "https://appcenter.intuit.com/connect/oauth2"),
    auth=_auth,
    connector=_connector,
    sandbox=SandboxSpec(start=start_sandbox, command=sandbox_command, endpoints=_sandbox_endpoints,
                        stats_calls_key="api_total"),
    demo=DEMO_WORLD,
    # setup_reads: the one query that finds an item for each income account. A batch takes any entity; each
    # entity is a query of its own, whose answers give no count; a prepayment is a Payment whose lines
    # (LinkedTxn) allocate it, so it can be created allocated; a credit memo is applied through a Payment.
    bench=BenchMinimums(
        setup_reads=1,
        write_groups={t: "batch" for t in ENTITIES},
        read_lists=ENTITIES,
        ids_per_read=IN_CHUNK,
        payment_lists={"receipt": "Payment", "prepayment": "Payment", "overpayment": "Payment",
                       "bill_payment": "BillPayment"},
        page_count_known=False, allocations_in_create=True, credit_split_by_payments=True),
)
