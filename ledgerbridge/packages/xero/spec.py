"""Xero, as the rest of ledgerbridge sees it: the one registration of this folder (``packages.registry``)."""

from __future__ import annotations

from sqlalchemy.orm import Session, sessionmaker

from ledgerbridge.connectors.limits import CallBudgetLike
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
from ledgerbridge.packages.xero.commands import sandbox_command
from ledgerbridge.packages.xero.demo import DEMO_WORLD, add_customers, start_sandbox
from ledgerbridge.packages.xero.limits import (
    BATCH_SIZE,
    MAX_IDS,
    READ_PAGE,
    XERO_LIMITS,
    XERO_TEXT_LIMITS,
    read_xero_limits,
)


def _auth() -> AuthFlow:
    from ledgerbridge.packages.xero import auth

    return AuthFlow.of(auth)


def _connector(sessions: sessionmaker[Session], connection_id: int, budget: CallBudgetLike,
               options: ConnectorOptions) -> Connector:
    from ledgerbridge.packages.xero.client import XeroClient
    from ledgerbridge.packages.xero.connector import XeroConnector

    return XeroConnector(XeroClient(sessions, connection_id, **client_arguments(budget, options)))


def _sandbox_endpoints(base_url: str) -> PackageEndpoints:
    """As Xero's: the token endpoint at the identity host's ``/connect/token`` (``identity.xero.com``), the
    consent page at ``/identity/connect/authorize`` (``login.xero.com``), both on the one sandbox."""
    base = base_url.rstrip("/")
    return PackageEndpoints(f"{base}/api.xro/2.0", base, f"{base}/identity/connect/authorize")


SPEC = PackageSpec(
    kind="xero",
    name="Xero",
    limits=XERO_LIMITS,
    text_limits=XERO_TEXT_LIMITS,
    read_limits=read_xero_limits,
    batch_size=BATCH_SIZE,
    read_page=READ_PAGE,
    production=PackageEndpoints("https://api.xero.com/api.xro/2.0", "https://identity.xero.com",
                                "https://login.xero.com/identity/connect/authorize"),
    auth=_auth,
    connector=_connector,
    sandbox=SandboxSpec(start=start_sandbox, command=sandbox_command, endpoints=_sandbox_endpoints,
                        stats_calls_key="accounting_total", add_customers=add_customers,
                        party_page=READ_PAGE),
    demo=DEMO_WORLD,
    # Invoices and bills are both Invoices (ACCREC, ACCPAY): one PUT and one paged list holds either; a page's
    # answer carries pagination.pageCount; a prepayment is a bank transaction, allocated by a call of its own.
    bench=BenchMinimums(
        write_groups={"sales_invoice": "Invoices", "purchase_invoice": "Invoices",
                      "sales_credit_note": "CreditNotes", "purchase_credit_note": "CreditNotes"},
        read_lists={"sales_invoice": "Invoices", "purchase_invoice": "Invoices",
                    "sales_credit_note": "CreditNotes", "purchase_credit_note": "CreditNotes"},
        ids_per_read=MAX_IDS,
        payment_lists={"receipt": "Payments", "bill_payment": "Payments", "prepayment": "Prepayments",
                       "overpayment": "Overpayments"},
        page_count_known=True, allocations_in_create=False),
)
