"""Connecting to QBO (Intuit's consent, the realm from the redirect, rolling refresh tokens, disconnect) and the
client's retries (429 throttling, 5xx), against the QBO sandbox with every exchange schema-checked."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy.orm import Session, sessionmaker

from ledgerbridge.auth_flows import connection_health, flow_for
from ledgerbridge.contracts.qbo_transport import QboSchemaTransport
from ledgerbridge.crypto import default_cipher
from ledgerbridge.db import session_scope
from ledgerbridge.exporter import Exporter
from ledgerbridge.models_sync import Connection
from ledgerbridge.oauth import ConsentError
from ledgerbridge.sandboxes.qbo import DEFAULT_REALM_ID, RunningSandbox, SandboxConfig, start_qbo_sandbox

from .conftest import QboWorld, connect_qbo_world


def _row(world: QboWorld) -> tuple[str, str, int, str]:
    with session_scope(world.sessions) as session:
        conn = session.get_one(Connection, world.conn_id)
        cipher = default_cipher()
        return (conn.tenant_id or "", cipher.decrypt(conn.refresh_token_enc), conn.token_generation or 0,
                conn.tenant_name or "")


def test_consent_binds_the_realm_from_the_redirect(world: QboWorld) -> None:
    realm, _, _, name = _row(world)
    assert realm == DEFAULT_REALM_ID and name == "Ledgerbridge Demo Ltd"
    with session_scope(world.sessions) as session:
        conn = session.get_one(Connection, world.conn_id)
        assert conn.status == "connected"
        health = connection_health(session, conn)
        assert health["status"] == "connected" and health["warnings"] == []
        with pytest.raises(ConsentError):  # a realm the user did not choose in this consent
            flow_for("qbo").choose_tenant(session, conn, "123", transport=world.transport)


def test_expired_token_is_refreshed_and_the_rolled_refresh_token_saved(world: QboWorld) -> None:
    _, refresh_before, generation_before, _ = _row(world)
    world.admin("POST", "/clock", json={"advance_seconds": 3700}).raise_for_status()  # QBO's token has expired
    chart = world.connector().fetch_chart()  # 401, refresh once, retry
    assert chart.base_currency == "GBP" and {"2", "4", "6"} <= {r.code for r in chart.tax_rates}
    _, refresh_after, generation_after, _ = _row(world)
    assert refresh_after != refresh_before and generation_after > generation_before


def test_disconnect_revokes_and_keeps_the_bindings(world: QboWorld) -> None:
    Exporter(world.sessions, world.conn_id, world.connector()).upload()
    with session_scope(world.sessions) as session:
        conn = session.get_one(Connection, world.conn_id)
        assert flow_for("qbo").disconnect(session, conn, transport=world.transport) == []
        assert conn.status == "disconnected" and conn.refresh_token_enc is None
        assert conn.tenant_id == DEFAULT_REALM_ID  # the records stay bound to this company


@pytest.fixture
def throttling_sandbox() -> Iterator[RunningSandbox]:
    with start_qbo_sandbox(SandboxConfig(rate_limits_enabled=False, retry_after_seconds=0)) as running:
        yield running


def test_throttling_and_outages_are_retried_not_shown(sessions: sessionmaker[Session],
                                                      throttling_sandbox: RunningSandbox,
                                                      schema: QboSchemaTransport) -> None:
    world = connect_qbo_world(sessions, throttling_sandbox, schema)
    try:
        world.admin("POST", "/faults", json={"rate_limit_storm": 2}).raise_for_status()
        world.admin("POST", "/faults", json={"fail_with_status": 503, "count": 2}).raise_for_status()
        report = Exporter(world.sessions, world.conn_id, world.connector()).upload()
        assert (report.exported, report.failed) == (29, 1)
        assert world.admin("GET", "/faults").json().get("rate_limit_storm", 0) == 0
    finally:
        world.close()
