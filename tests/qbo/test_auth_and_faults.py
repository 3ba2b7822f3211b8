"""Connecting to QBO, what is QuickBooks' own: Intuit's consent with the realm from the redirect, rolling refresh
tokens after an expired access token; every exchange schema-checked.

Disconnect and reconnect, throttling (429) and outages (5xx) are the conformance suite's (``tests/conformance``).
"""

from __future__ import annotations

import pytest

from ledgerbridge.connectors.auth_flows import connection_health, flow_for
from ledgerbridge.connectors.oauth import ConsentError
from ledgerbridge.packages.qbo.sandbox import DEFAULT_REALM_ID
from ledgerbridge.security.crypto import default_cipher
from ledgerbridge.store.db import session_scope
from ledgerbridge.store.models.sync import Connection

from .conftest import QboWorld


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
