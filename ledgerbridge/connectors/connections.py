"""Connections: making one, finding the organisation's, and the connector that serves it.

Which class serves which package, and with which call limits, is the package's spec
(``ledgerbridge.packages.registry``); this module only chooses the call budget (shared through the database on
PostgreSQL, this process's own on SQLite) and hands it to the spec's factory. The core never branches on kind.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from ledgerbridge.audit.trail import audit
from ledgerbridge.clock import WALL
from ledgerbridge.connectors.app_budget import AppScope, app_scope, local_window
from ledgerbridge.connectors.budget import process_budget
from ledgerbridge.connectors.limits import BudgetLimits, CallBudgetLike
from ledgerbridge.connectors.protocol import Connector
from ledgerbridge.connectors.shared_budget import SharedCallBudget
from ledgerbridge.connectors.spec import ConnectorOptions, PackageEndpoints
from ledgerbridge.packages.registry import spec_for
from ledgerbridge.queue.identity import worker_name
from ledgerbridge.security.crypto import TokenCipher
from ledgerbridge.store.db import session_scope
from ledgerbridge.store.models.sync import Connection
from ledgerbridge.sync.mappings import store_chart

__all__ = ["ConnectorOptions", "PackageEndpoints", "connector_for", "create_connection", "organisation_connection",
           "production_endpoints", "refresh_chart", "sandbox_endpoints"]


def _budget(sessions: sessionmaker[Session], connection_id: int, options: ConnectorOptions,
            limits: BudgetLimits, app: AppScope | None = None) -> CallBudgetLike:
    """The connection's call budget: shared by every worker through the database, or this process's own; with
    the window of the app's limits (``app``) where the package counts some per app across every company."""
    clock = options.clock or WALL
    shared = options.shared_budget
    if shared is None:
        shared = sessions.kw["bind"].dialect.name == "postgresql"
    if shared and not options.unlimited_budget:
        return SharedCallBudget(sessions, connection_id, limits, holder=worker_name(), clock=clock,
                                urgent=options.urgent, app=app)
    return process_budget(sessions.kw["bind"], connection_id, limits, unlimited=options.unlimited_budget, clock=clock,
                          app=None if app is None else local_window(app))


def production_endpoints(kind: str) -> PackageEndpoints:
    return spec_for(kind).production


def sandbox_endpoints(kind: str, base_url: str) -> PackageEndpoints:
    """Where a package's sandbox at ``base_url`` serves its API, identity service and consent page."""
    return spec_for(kind).sandbox.endpoints(base_url)


def connector_for(sessions: sessionmaker[Session], connection_id: int,
                  options: ConnectorOptions | None = None) -> Connector:
    with session_scope(sessions) as session:
        conn = session.get_one(Connection, connection_id)
        kind, client_id = conn.kind, conn.client_id
    spec = spec_for(kind)
    options = options or ConnectorOptions()
    app = app_scope(kind, client_id, spec.app_limits)
    return spec.connector(sessions, connection_id, _budget(sessions, connection_id, options, spec.limits, app),
                          options)


def create_connection(session: Session, organisation_id: int, kind: str, endpoints: PackageEndpoints, *,
                      client_id: str, client_secret: str, redirect_uri: str, name: str | None = None,
                      start_date: date | None = None, settings: dict[str, Any] | None = None) -> Connection:
    spec = spec_for(kind)
    conn = Connection(organisation_id=organisation_id, kind=kind, name=name or spec.name,
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
