"""The whole connection life cycle against the Xero sandbox (``ledgerbridge.packages.xero.sandbox``), over loopback."""

from __future__ import annotations

import re
import threading
from datetime import UTC, datetime
from html import unescape
from urllib.parse import urlencode

import httpx
import pytest

from ledgerbridge.packages.xero.auth import (
    begin_consent,
    choose_tenant,
    complete_consent,
    disconnect,
    ensure_fresh_access_token,
)
from ledgerbridge.packages.xero.client import XeroClient, decode_json
from ledgerbridge.security.crypto import TokenCipher
from ledgerbridge.store.models.sync import Connection

from .conftest import Db

sandbox_module = pytest.importorskip("ledgerbridge.packages.xero.sandbox")


@pytest.fixture
def sandbox():
    running = sandbox_module.start_xero_sandbox(sandbox_module.SandboxConfig())
    yield running
    running.stop()


def token_calls(base_url: str) -> int:
    calls = httpx.get(f"{base_url}/sandbox/stats").json()["calls"]
    return sum(n for key, n in calls.items() if "connect/token" in key)


def press_allow(consent_url: str) -> str:
    """What the user does on the consent page: submit the form as shown (all organisations ticked)."""
    page = httpx.get(consent_url)
    assert page.status_code == 200, page.text
    fields = [(unescape(name), unescape(value)) for name, value in
              re.findall(r"<input type=(?:hidden|checkbox) name=(\w+) value='([^']*)'", page.text)]
    answer = httpx.post(consent_url.split("?")[0], content=urlencode([*fields, ("action", "allow")]),
                        headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert answer.status_code == 302, answer.text
    return answer.headers["location"]


def test_connect_call_refresh_race_and_disconnect(db: Db, cipher: TokenCipher, sandbox) -> None:
    with db.sessions() as session:
        conn = Connection(organisation_id=db.organisation_id, kind="xero", name="Xero", api_base_url=sandbox.api_url,
                          identity_base_url=sandbox.identity_url, client_id=sandbox.config.client_id,
                          client_secret_enc=cipher.encrypt(sandbox.config.client_secret),
                          redirect_uri="http://localhost:8000/xero/callback")
        session.add(conn)
        session.flush()
        url = begin_consent(session, conn)
        session.commit()
        conn_id = conn.id
    callback = press_allow(url)
    with db.sessions() as session:
        conn = session.get_one(Connection, conn_id)
        tenants = complete_consent(session, conn, callback)
        choose_tenant(session, conn, tenants[0].tenant_id)
        session.commit()
    with XeroClient(db.sessions, conn_id) as client:
        org = decode_json(client.request("GET", "/Organisation").content)
    assert org["Organisations"][0]["Name"] == tenants[0].tenant_name

    # Expire the access token; two workers need it at once: one refresh, one shared token.
    with db.sessions() as session:
        session.get_one(Connection, conn_id).access_expires_at = datetime.now(UTC)
        session.commit()
    before = token_calls(sandbox.base_url)
    barrier, tokens = threading.Barrier(2), []

    def worker() -> None:
        barrier.wait()
        tokens.append(ensure_fresh_access_token(db.sessions, conn_id))

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert token_calls(sandbox.base_url) - before == 1
    assert len(tokens) == 2 and tokens[0] == tokens[1]
    with XeroClient(db.sessions, conn_id) as client:
        assert client.request("GET", "/Organisation").status_code == 200

    with db.sessions() as session:
        conn = session.get_one(Connection, conn_id)
        assert disconnect(session, conn) == []
        session.commit()
    listed = httpx.get(f"{sandbox.base_url}/connections", headers={"Authorization": f"Bearer {tokens[0]}"})
    assert listed.status_code == 401 or listed.json() == []
