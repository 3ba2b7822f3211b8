"""MYOB Business, as the rest of ledgerbridge sees it: the one registration of this folder (``packages.registry``)."""

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
from ledgerbridge.packages.myob.demo import DEMO_WORLD, add_customers, start_sandbox
from ledgerbridge.packages.myob.limits import (
    BATCH_SIZE,
    IDS_PER_READ,
    MYOB_APP_LIMITS,
    MYOB_LIMITS,
    MYOB_TEXT_LIMITS,
    READ_PAGE,
    READ_ROUTES,
    WRITE_ROUTES,
)
from ledgerbridge.packages.myob.sandbox.launch import sandbox_command, sandbox_endpoints


def _auth() -> AuthFlow:
    from ledgerbridge.packages.myob import auth

    return AuthFlow.of(auth)


def _connector(sessions: sessionmaker[Session], connection_id: int, budget: CallBudgetLike,
               options: ConnectorOptions) -> Connector:
    from ledgerbridge.packages.myob.client import MyobClient
    from ledgerbridge.packages.myob.connector import MyobConnector

    return MyobConnector(MyobClient(sessions, connection_id, **client_arguments(budget, options)))


SPEC = PackageSpec(
    kind="myob",
    name="MYOB Business",
    limits=MYOB_LIMITS,
    app_limits=MYOB_APP_LIMITS,  # 8 a second and 1,000,000 a day per API key, shared by every business
    text_limits=MYOB_TEXT_LIMITS,
    read_limits=no_limit_headers,  # MYOB's answers carry no calls-left headers (a refusal is a 403 body)
    batch_size=BATCH_SIZE,
    read_page=READ_PAGE,
    production=PackageEndpoints("https://api.myob.com/accountright", "https://secure.myob.com",
                                "https://secure.myob.com/oauth2/account/authorize"),
    auth=_auth,
    connector=_connector,
    sandbox=SandboxSpec(start=start_sandbox, command=sandbox_command, endpoints=sandbox_endpoints,
                        stats_calls_key="api_total", add_customers=add_customers,
                        party_page=READ_PAGE, party_lists=2),
    demo=DEMO_WORLD,
    # No batch: every document a call of its own (write group per route); sales (invoices and credits) are read
    # back from Sale/Invoice, bills from Purchase/Bill; answers give a Count and a NextPageLink.
    bench=BenchMinimums(
        setup_reads=0,
        write_groups=dict(WRITE_ROUTES),
        read_lists=dict(READ_ROUTES),
        ids_per_read=IDS_PER_READ,
        payment_lists={"receipt": "Sale/CustomerPayment", "bill_payment": "Purchase/SupplierPayment"},
        page_count_known=True, allocations_in_create=False),
)
