"""The Connection screens with QuickBooks Online, over real HTTP (no browser needed for forms and redirects):
consent through Intuit's flow (the QBO sandbox), the company (realm) choice, health, disconnect and reconnect,
all through ``auth_flows.flow_for`` like Xero's."""

from __future__ import annotations

import re
from collections.abc import Iterator

import httpx
import pytest
from sqlalchemy import select

from ledgerbridge.connectors.consent import approve_in_sandbox
from ledgerbridge.packages.qbo.sandbox import DEFAULT_REALM_ID, RunningSandbox, SandboxConfig, start_qbo_sandbox
from ledgerbridge.store.db import session_scope
from ledgerbridge.store.models.sync import Connection

from .conftest import LiveApp, Store
from .test_auth import csrf_of, sign_in


@pytest.fixture
def qbo_sandbox() -> Iterator[RunningSandbox]:
    with start_qbo_sandbox(SandboxConfig(rate_limits_enabled=False)) as running:
        yield running


def _consent(web: httpx.Client, answer: httpx.Response) -> httpx.Response:
    """The browser's part: Intuit's consent page ("Allow access"), then back to this app's callback."""
    assert answer.status_code == 303, answer.text[:500]
    callback = approve_in_sandbox(answer.headers["location"])
    assert callback.startswith(str(web.base_url)) and "realmId=" in callback
    return web.get(callback)


def _choose(web: httpx.Client, page: httpx.Response) -> httpx.Response:
    assert page.status_code == 200 and "QuickBooks Online allowed access to 1 organisation(s)" in page.text
    realm = re.search(r'name="tenant_id" value="([^"]+)"', page.text)
    assert realm and realm.group(1) == DEFAULT_REALM_ID
    return web.post("/connection/choose", data={"tenant_id": realm.group(1), "csrf_token": csrf_of(page.text)},
                    follow_redirects=True)


def test_quickbooks_connects_through_the_same_screens(store: Store, live_app: LiveApp,
                                                      qbo_sandbox: RunningSandbox) -> None:
    web = sign_in(live_app, "admin@dunmore.test")
    page = web.get("/connection")
    assert '<option value="qbo">QuickBooks Online</option>' in page.text
    answer = web.post("/connection/connect", data={"package": "qbo", "sandbox_url": qbo_sandbox.base_url,
                                                   "csrf_token": csrf_of(page.text)})
    connected = _choose(web, _consent(web, answer))
    assert "Connected to" in connected.text and "QuickBooks Online (sandbox)" in connected.text
    assert "s-connected" in connected.text and "Health" in connected.text and "Access token expires" in connected.text
    with session_scope(store.sessions) as session:
        conn = session.scalars(select(Connection).where(Connection.organisation_id == store.org_id)).one()
        assert (conn.kind, conn.tenant_id, conn.status) == ("qbo", DEFAULT_REALM_ID, "connected")
        conn_id = conn.id

    # disconnect (Intuit's revoke), then reconnect: the same connection row, connected again
    page = web.get("/connection")
    gone = web.post("/connection/disconnect", data={"csrf_token": csrf_of(page.text)}, follow_redirects=True)
    assert "Disconnected" in gone.text and "s-disconnected" in gone.text
    again = web.post("/connection/connect", data={"csrf_token": csrf_of(gone.text)})
    assert "Connected to" in _choose(web, _consent(web, again)).text
    with session_scope(store.sessions) as session:
        rows = session.scalars(select(Connection).where(Connection.organisation_id == store.org_id)).all()
        assert [(c.id, c.kind, c.status) for c in rows] == [(conn_id, "qbo", "connected")]


def test_an_unknown_package_is_refused_with_the_choices(live_app: LiveApp) -> None:
    web = sign_in(live_app, "admin@dunmore.test")
    page = web.get("/connection")
    refused = web.post("/connection/connect", data={"package": "sage", "sandbox_url": "http://127.0.0.1:9",
                                                    "csrf_token": csrf_of(page.text)}, follow_redirects=True)
    assert "Choose one of the packages: Xero, QuickBooks Online, QuickBooks Desktop, MYOB Business." in refused.text
