"""Consent, tenant choice, disconnect and reconnect against a loopback Xero (R-C1, R-C2)."""

from __future__ import annotations

from urllib.parse import parse_qs, urlparse

import httpx
import pytest

from ledgerbridge.connectors.oauth import ConsentError
from ledgerbridge.packages.xero.auth import (
    DEFAULT_SCOPES,
    authorize_url_for,
    begin_consent,
    choose_tenant,
    complete_consent,
    connections_url,
    disconnect,
    xero_endpoints,
)
from ledgerbridge.security.crypto import TokenCipher
from ledgerbridge.store.models.sync import AuditEvent, Connection, OAuthState, SyncRecord

from .conftest import Db, add_connection
from .loopback_xero import LoopbackXero


def db_bytes(db: Db) -> bytes:
    return b"".join(p.read_bytes() for p in db.path.parent.glob(db.path.name + "*"))


def consent(db: Db, conn_id: int) -> list:
    """The user's side: open the consent URL, press Allow, come back to the callback."""
    with db.sessions() as session:
        url = begin_consent(session, session.get_one(Connection, conn_id))
        session.commit()
    answer = httpx.get(url)
    assert answer.status_code == 302
    with db.sessions() as session:
        tenants = complete_consent(session, session.get_one(Connection, conn_id), answer.headers["Location"])
        session.commit()
    return tenants


def test_the_authorize_url_carries_state_and_pkce(db: Db, xero: LoopbackXero, cipher: TokenCipher) -> None:
    conn_id = add_connection(db, xero.base_url, cipher)
    with db.sessions() as session:
        url = begin_consent(session, session.get_one(Connection, conn_id))
        session.commit()
        stored = session.query(OAuthState).one()
    parts = urlparse(url)
    q = {k: v[0] for k, v in parse_qs(parts.query).items()}
    assert f"{parts.scheme}://{parts.netloc}{parts.path}" == f"{xero.base_url}/identity/connect/authorize"
    assert q["response_type"] == "code" and q["client_id"] == "ledgerbridge-demo"
    assert q["scope"] == DEFAULT_SCOPES and q["state"] == stored.state
    assert q["code_challenge_method"] == "S256" and len(q["code_challenge"]) == 43
    assert stored.code_verifier not in url


def test_connect_choose_disconnect_reconnect_keeps_bindings(db: Db, xero: LoopbackXero,
                                                            cipher: TokenCipher) -> None:
    conn_id = add_connection(db, xero.base_url, cipher)
    tenants = consent(db, conn_id)
    assert [t.tenant_name for t in tenants] == ["Demo Company (UK)", "Second Books Ltd"]
    with db.sessions() as session:
        conn = session.get_one(Connection, conn_id)
        assert conn.status == "authorised" and conn.refresh_token_enc and conn.access_expires_at
        chosen = choose_tenant(session, conn, "tenant-222")
        session.add(SyncRecord(connection_id=conn_id, record_type="document", record_id=1, status="exported",
                               external_id="inv-1"))
        session.commit()
        assert (conn.status, conn.tenant_id, conn.package_connection_id) == ("connected", "tenant-222", "conn-bbb")
        assert chosen.tenant_name == "Second Books Ltd"
    # Tokens are encrypted at rest: none of them is in the database files.
    raw = db_bytes(db)
    issued = list(xero.access_tokens) + list(xero.refresh_tokens)
    assert issued and not [t for t in issued if t.encode() in raw]
    assert b"demo-secret" not in raw

    with db.sessions() as session:
        conn = session.get_one(Connection, conn_id)
        refresh = cipher.decrypt(conn.refresh_token_enc)
        assert disconnect(session, conn) == []
        session.commit()
        assert conn.status == "disconnected" and conn.access_token_enc is None and conn.refresh_token_enc is None
        assert session.query(SyncRecord).filter_by(connection_id=conn_id).one().external_id == "inv-1"
    assert xero.revoked == [refresh] and xero.deleted_connections == ["conn-bbb"]

    # Reconnect: same row, same bindings; the other organisation is refused because records point here.
    consent(db, conn_id)
    with db.sessions() as session:
        conn = session.get_one(Connection, conn_id)
        with pytest.raises(ConsentError, match="Second Books Ltd"):
            choose_tenant(session, conn, "tenant-111")
        choose_tenant(session, conn, "tenant-222")
        session.commit()
        assert conn.status == "connected" and session.query(Connection).count() == 1
        actions = [a for (a,) in session.query(AuditEvent.action)]
    assert actions.count("xero_consent") == 2 and "xero_disconnect" in actions


def test_a_callback_with_a_foreign_state_is_refused(db: Db, xero: LoopbackXero, cipher: TokenCipher) -> None:
    conn_id = add_connection(db, xero.base_url, cipher)
    with db.sessions() as session:
        begin_consent(session, session.get_one(Connection, conn_id))
        session.commit()
        conn = session.get_one(Connection, conn_id)
        with pytest.raises(ConsentError, match="does not match"):
            complete_consent(session, conn, "http://localhost:8000/xero/callback?code=abc&state=forged")
        with pytest.raises(ConsentError, match="access_denied"):
            complete_consent(session, conn, "http://localhost:8000/xero/callback?error=access_denied&state=x")
    assert xero.token_calls == []


def test_a_replayed_callback_is_refused(db: Db, xero: LoopbackXero, cipher: TokenCipher) -> None:
    conn_id = add_connection(db, xero.base_url, cipher)
    with db.sessions() as session:
        url = begin_consent(session, session.get_one(Connection, conn_id))
        session.commit()
    callback = httpx.get(url).headers["Location"]
    with db.sessions() as session:
        complete_consent(session, session.get_one(Connection, conn_id), callback)
        session.commit()
    with db.sessions() as session, pytest.raises(ConsentError):
        complete_consent(session, session.get_one(Connection, conn_id), callback)


def test_real_xero_hosts() -> None:
    conn = Connection(api_base_url="https://api.xero.com/api.xro/2.0", identity_base_url="https://identity.xero.com",
                      settings={})
    assert authorize_url_for(conn) == "https://login.xero.com/identity/connect/authorize"
    assert xero_endpoints(conn).token_url == "https://identity.xero.com/connect/token"
    assert xero_endpoints(conn).revocation_url == "https://identity.xero.com/connect/revocation"
    assert connections_url(conn) == "https://api.xero.com/connections"
    conn.settings = {"authorize_url": "https://elsewhere.example/authorize"}
    assert authorize_url_for(conn) == "https://elsewhere.example/authorize"


def test_disconnect_works_locally_when_xero_cannot_be_reached(db: Db, xero: LoopbackXero,
                                                              cipher: TokenCipher) -> None:
    from .conftest import connected

    conn_id, _ = connected(db, xero, cipher)

    def unreachable(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("no route to host", request=request)

    with db.sessions() as session:
        conn = session.get_one(Connection, conn_id)
        problems = disconnect(session, conn, transport=httpx.MockTransport(unreachable))
        session.commit()
        assert len(problems) == 2 and all("could not reach Xero" in p for p in problems)
        assert conn.status == "disconnected" and conn.refresh_token_enc is None and conn.access_token_enc is None
