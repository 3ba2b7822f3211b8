"""Connections and the registry of connectors: one place that knows which class serves which package.

Adding a package means registering a factory here; the core never branches on kind.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

import httpx
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from ledgerbridge.audit.trail import audit
from ledgerbridge.connectors.protocol import Connector
from ledgerbridge.store.db import session_scope
from ledgerbridge.store.models.sync import Connection
from ledgerbridge.sync.mappings import store_chart

ConnectorFactory = Callable[[sessionmaker[Session], int, "ConnectorOptions"], Connector]


@dataclass(frozen=True, slots=True)
class PackageEndpoints:
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
    clock: Any = None


def _budget(sessions: sessionmaker[Session], connection_id: int, options: ConnectorOptions, limits: Any) -> Any:
    from ledgerbridge.clock import WALL
    from ledgerbridge.connectors.budget import CallBudget

    clock = options.clock or WALL
    shared = options.shared_budget
    if shared is None:
        shared = sessions.kw["bind"].dialect.name == "postgresql"
    if shared and not options.unlimited_budget:
        from ledgerbridge.connectors.shared_budget import SharedCallBudget
        from ledgerbridge.queue.identity import worker_name

        return SharedCallBudget(sessions, connection_id, limits, holder=worker_name(), clock=clock,
                                urgent=options.urgent)
    return CallBudget(connection_id, limits, unlimited=options.unlimited_budget, clock=clock.now, sleep=clock.sleep)


def _clock_args(options: ConnectorOptions) -> dict[str, Any]:
    return {} if options.clock is None else {"clock": options.clock.now, "sleep": options.clock.sleep}


def _xero_factory(sessions: sessionmaker[Session], connection_id: int, options: ConnectorOptions) -> Connector:
    from ledgerbridge.connectors.budget import XERO_LIMITS
    from ledgerbridge.packages.xero.client import XeroClient
    from ledgerbridge.packages.xero.connector import XeroConnector

    budget = _budget(sessions, connection_id, options, XERO_LIMITS)
    return XeroConnector(XeroClient(sessions, connection_id, transport=options.transport, budget=budget,
                                    max_attempts=options.max_attempts, **_clock_args(options)))


def _qbo_factory(sessions: sessionmaker[Session], connection_id: int, options: ConnectorOptions) -> Connector:
    from ledgerbridge.connectors.budget import QBO_LIMITS
    from ledgerbridge.packages.qbo.client import QboClient
    from ledgerbridge.packages.qbo.connector import QboConnector

    budget = _budget(sessions, connection_id, options, QBO_LIMITS)
    return QboConnector(QboClient(sessions, connection_id, transport=options.transport, budget=budget,
                                  max_attempts=options.max_attempts, **_clock_args(options)))


CONNECTORS: dict[str, ConnectorFactory] = {"xero": _xero_factory, "qbo": _qbo_factory}
#: Each package in words, as the screens and messages name it (a connection's ``kind`` is a short key).
PACKAGE_NAMES = {"xero": "Xero", "qbo": "QuickBooks Online", "qbd": "QuickBooks Desktop", "myob": "MYOB"}
REAL_ENDPOINTS: dict[str, PackageEndpoints] = {
    "xero": PackageEndpoints("https://api.xero.com/api.xro/2.0", "https://identity.xero.com",
                             "https://login.xero.com/identity/connect/authorize"),
    "qbo": PackageEndpoints("https://quickbooks.api.intuit.com/v3/company", "https://oauth.platform.intuit.com",
                            "https://appcenter.intuit.com/connect/oauth2"),
}


def sandbox_endpoints(kind: str, base_url: str) -> PackageEndpoints:
    base = base_url.rstrip("/")
    if kind == "xero":
        return PackageEndpoints(f"{base}/api.xro/2.0", f"{base}/identity", f"{base}/identity/connect/authorize")
    if kind == "qbo":
        return PackageEndpoints(f"{base}/v3/company", base, f"{base}/connect/oauth2")
    raise ValueError(f"no sandbox for package {kind!r}")


def connector_for(sessions: sessionmaker[Session], connection_id: int,
                  options: ConnectorOptions | None = None) -> Connector:
    with session_scope(sessions) as session:
        kind = session.get_one(Connection, connection_id).kind
    try:
        factory = CONNECTORS[kind]
    except KeyError:
        raise ValueError(f"ledgerbridge has no connector for {kind!r}; known: {', '.join(CONNECTORS)}") from None
    return factory(sessions, connection_id, options or ConnectorOptions())


def create_connection(session: Session, organisation_id: int, kind: str, endpoints: PackageEndpoints, *,
                      client_id: str, client_secret: str, redirect_uri: str, name: str | None = None,
                      start_date: date | None = None, settings: dict[str, Any] | None = None) -> Connection:
    from ledgerbridge.security.crypto import TokenCipher

    if kind not in CONNECTORS:
        raise ValueError(f"unknown package {kind!r}; choose one of {', '.join(CONNECTORS)}")
    conn = Connection(organisation_id=organisation_id, kind=kind, name=name or kind.upper(),
                      api_base_url=endpoints.api_base_url, identity_base_url=endpoints.identity_base_url,
                      client_id=client_id, client_secret_enc=TokenCipher.default().encrypt(client_secret),
                      redirect_uri=redirect_uri, start_date=start_date,
                      settings={"authorize_url": endpoints.authorize_url, **(settings or {})})
    session.add(conn)
    session.flush()
    audit(session, conn, "system", "create_connection", outcome="ok", detail=f"{kind} at {endpoints.api_base_url}")
    return conn


def organisation_connection(session: Session, organisation_id: int, connection_id: int | None = None) -> Connection:
    """The organisation's connection (the only one when none is named); never another organisation's."""
    q = select(Connection).where(Connection.organisation_id == organisation_id)
    if connection_id is not None:
        q = q.where(Connection.id == connection_id)
    rows = session.scalars(q.order_by(Connection.id)).all()
    if not rows:
        raise LookupError("no connection: connect an accounting package first")
    return rows[0]


def refresh_chart(sessions: sessionmaker[Session], connection_id: int, connector: Connector,
                  actor: str = "system") -> dict[str, int]:
    chart = connector.fetch_chart()
    with session_scope(sessions) as session:
        connection = session.get_one(Connection, connection_id)
        counts = store_chart(session, connection, chart)
        audit(session, connection, actor, "refresh_chart", outcome="ok", detail=str(counts))
    return counts
