"""Disconnecting revokes the tokens and keeps every binding; reconnecting to the same company sends nothing
again (R-C2), through the package-neutral connection flow."""

from __future__ import annotations

from sqlalchemy import func, select

from ledgerbridge.connectors.auth_flows import connection_health, flow_for
from ledgerbridge.connectors.consent import approve_in_sandbox
from ledgerbridge.store.db import session_scope
from ledgerbridge.store.models.sync import Connection, SyncRecord
from ledgerbridge.sync.exporter import Exporter

from .harness import PackageHarness, PackageWorld


def test_disconnect_and_reconnect_keep_every_binding(world: PackageWorld, package: PackageHarness) -> None:
    Exporter(world.sessions, world.conn_id, world.connector()).upload()
    before = world.remote_numbers()
    flow = flow_for(package.kind)
    with session_scope(world.sessions) as session:
        conn = session.get_one(Connection, world.conn_id)
        assert connection_health(session, conn)["warnings"] == []
        assert flow.disconnect(session, conn, transport=world.transport) == []  # the package took the revocation
    with session_scope(world.sessions) as session:
        conn = session.get_one(Connection, world.conn_id)
        assert conn.status == "disconnected"
        assert conn.access_token_enc is None and conn.refresh_token_enc is None
        assert conn.tenant_id == world.tenant_id  # the records stay bound to this company
        bound = session.scalar(select(func.count(SyncRecord.id)).where(SyncRecord.external_id.is_not(None)))
        assert bound and bound >= 29
        url = flow.begin_consent(session, conn)
    callback = approve_in_sandbox(url)
    with session_scope(world.sessions) as session:
        conn = session.get_one(Connection, world.conn_id)
        companies = flow.complete_consent(session, conn, callback, transport=world.transport)
        flow.choose_tenant(session, conn, world.tenant_id, transport=world.transport)
        assert world.tenant_id in {c.tenant_id for c in companies} and conn.status == "connected"
    again = Exporter(world.sessions, world.conn_id, world.connector()).upload()
    assert (again.exported, again.updated, again.parties_exported) == (0, 0, 0)
    assert world.remote_numbers() == before
