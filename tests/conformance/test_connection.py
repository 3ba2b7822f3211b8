"""Disconnecting revokes the tokens and keeps every binding; reconnecting to the same company sends nothing
again (R-C2), through the package-neutral connection flow (the harness connects again as the package's user
does: OAuth consent, or a new Web Connector password for QuickBooks Desktop)."""

from __future__ import annotations

from sqlalchemy import func, select

from ledgerbridge.connectors.auth_flows import connection_health
from ledgerbridge.store.db import session_scope
from ledgerbridge.store.models.sync import Connection, SyncRecord

from .harness import PackageHarness, PackageWorld


def test_disconnect_and_reconnect_keep_every_binding(world: PackageWorld, package: PackageHarness) -> None:
    package.upload(world)
    before = world.remote_numbers()
    with session_scope(world.sessions) as session:
        conn = session.get_one(Connection, world.conn_id)
        assert connection_health(session, conn)["warnings"] == []
        assert package.disconnect(world, session, conn) == []  # the package took the revocation
    with session_scope(world.sessions) as session:
        conn = session.get_one(Connection, world.conn_id)
        assert conn.status == "disconnected"
        assert conn.access_token_enc is None and conn.refresh_token_enc is None
        assert (conn.tenant_id or "") == world.tenant_id  # the records stay bound to this company
        bound = session.scalar(select(func.count(SyncRecord.id)).where(SyncRecord.external_id.is_not(None)))
        assert bound and bound >= 29
    package.reconnect(world)
    with session_scope(world.sessions) as session:
        assert session.get_one(Connection, world.conn_id).status == "connected"
    again = package.upload(world)
    assert (again["exported"], again["updated"], again["parties_exported"]) == (0, 0, 0)
    assert world.remote_numbers() == before
