"""The Connection page of a package that counts calls per API key (MYOB: 8 a second and 1,000,000 a day, across
every business the app serves): connected through the MYOB sandbox's consent, the page shows the key's calls this
second and today, as many as the sandbox was sent, and when the pending work will be done, as ``ledgerbridge plan``
says; a refusal for the key's limit holds every connection back and says until when; the page fits a phone. A
package without such limits shows none."""

from __future__ import annotations

import re
from collections.abc import Iterator

import httpx
import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from ledgerbridge.connectors.app_key_usage import calls_within_second
from ledgerbridge.connectors.budget_plan import plan_for
from ledgerbridge.connectors.connections import connector_for, refresh_chart
from ledgerbridge.connectors.consent import approve_in_sandbox
from ledgerbridge.connectors.protocol import CallBudgetSpent
from ledgerbridge.packages.myob.sandbox import AU_BUSINESS_ID, RunningSandbox, SandboxConfig, start_myob_sandbox
from ledgerbridge.store.db import session_scope
from ledgerbridge.store.models.sync import Connection
from ledgerbridge.sync.records import refresh_sync_records

from .browser import chromium
from .browser import sign_in as browser_sign_in
from .conftest import PASSWORD, LiveApp, Store
from .test_auth import csrf_of, sign_in
from .test_qbd_screens import PHONE, WIDER_THAN_THE_SCREEN

FACT = r"<dt>{}</dt><dd>([^<]*)"


@pytest.fixture
def myob_sandbox() -> Iterator[RunningSandbox]:
    with start_myob_sandbox(SandboxConfig(client_id="ledgerbridge-demo", rate_limits_enabled=False)) as running:
        yield running


def _connect(web: httpx.Client, sandbox: RunningSandbox) -> httpx.Response:
    page = web.get("/connection")
    answer = web.post("/connection/connect", data={"package": "myob", "sandbox_url": sandbox.base_url,
                                                   "csrf_token": csrf_of(page.text)})
    assert answer.status_code == 303, answer.text[:500]
    chosen = web.get(approve_in_sandbox(answer.headers["location"]))
    assert chosen.status_code == 200 and f'value="{AU_BUSINESS_ID}"' in chosen.text, chosen.text[:2000]
    return web.post("/connection/choose", data={"tenant_id": AU_BUSINESS_ID, "csrf_token": csrf_of(chosen.text)},
                    follow_redirects=True)


def _fact(page: str, name: str) -> str:
    found = re.search(FACT.format(name), page)
    assert found, f"no {name!r} on the page"
    return found.group(1).strip()


def _api_calls(sandbox: RunningSandbox) -> int:
    return int(httpx.get(f"{sandbox.base_url}/sandbox/stats").json()["api_total"])


def test_the_page_shows_the_keys_calls_and_when_the_work_is_done(
        store: Store, live_app: LiveApp, myob_sandbox: RunningSandbox) -> None:
    web = sign_in(live_app, "admin@dunmore.test")
    connected = _connect(web, myob_sandbox)
    assert "Connected to" in connected.text, connected.text[-3000:]
    assert "The app's API key" in connected.text
    with session_scope(store.sessions) as session:
        conn_id = session.scalars(select(Connection.id).where(Connection.organisation_id == store.org_id)).one()
    before_page = int(_fact(web.get("/connection").text, "Calls today").split(" of ")[0].replace(",", ""))
    before_sandbox = _api_calls(myob_sandbox)

    # Calls made in this process, as the worker inside ``serve`` makes them: they count in the key's window.
    connector = connector_for(store.sessions, conn_id)
    refresh_chart(store.sessions, conn_id, connector, actor="test")
    connector.close()
    with session_scope(store.sessions) as session:
        refresh_sync_records(session, session.get_one(Connection, conn_id))  # the month's documents are pending
        plan = plan_for(session, conn_id)
    page = web.get("/connection").text

    today = _fact(page, "Calls today")
    made = _api_calls(myob_sandbox) - before_sandbox
    assert made > 0
    assert today.startswith(f"{before_page + made:,} of 1,000,000"), (today, before_page, made)
    this_second, limit = _fact(page, "Calls this second").split(" of ")
    assert limit == "8" and 0 <= int(this_second) <= 8
    assert plan.pending_documents > 0 and plan.app_calls_until_done == plan.calls_needed  # the only business
    assert _fact(page, "Pending work") == (f"{plan.pending_documents} documents and {plan.pending_parties} "
                                           f"parties: {plan.calls_needed:,} calls")
    assert re.search(r"<dt>Done by</dt><dd>\d\d \w{3} \d{4} \d\d:\d\d <span class=\"muted\">\(today\)</span>", page)
    assert "refused a call for the key" not in page

    # The sandbox now refuses the key's calls for the day: MYOB's 403 blocks every connection of the key.
    httpx.post(f"{myob_sandbox.base_url}/sandbox/rate-limits", json={"enabled": True, "per_day": 1}).raise_for_status()
    connector = connector_for(store.sessions, conn_id)
    with pytest.raises(CallBudgetSpent):
        refresh_chart(store.sessions, conn_id, connector, actor="test")
    connector.close()
    refused = web.get("/connection").text
    assert "MYOB Business refused a call for the key's limit: no company's calls go before" in refused
    assert _fact(refused, "Calls today").startswith("1,000,000 of 1,000,000")  # MYOB said the day is spent
    assert re.search(r"<dt>Done by</dt><dd>[^<]+<span class=\"muted\">\(over 2 days\)</span>", refused)

    # A package without app-wide limits (the other organisation's Xero connection) shows its health only.
    with session_scope(store.sessions) as session:
        session.add(Connection(organisation_id=store.other_org_id, kind="xero", name="Xero", status="connected",
                               api_base_url="", identity_base_url="", client_id="app", client_secret_enc="",
                               redirect_uri=""))
    elsewhere = sign_in(live_app, "admin@elsewhere.test").get("/connection").text
    assert "Calls left today" in elsewhere and "The app's API key" not in elsewhere

    with chromium() as browser:
        phone = browser.new_page(viewport=PHONE)
        browser_sign_in(phone, live_app.base_url, "admin@dunmore.test", PASSWORD)
        phone.goto(f"{live_app.base_url}/connection")
        expect(phone.get_by_role("heading", name="The app's API key")).to_be_visible()
        overflow = phone.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
        wider = [] if overflow <= 0 else phone.evaluate(WIDER_THAN_THE_SCREEN)
        assert overflow <= 0, f"/connection: {overflow}px wider than a phone: {wider}"


def test_the_second_counts_calls_started_answered_or_in_flight_within_it() -> None:
    now = 1_000_000.0
    assert calls_within_second("", now) == 0
    # started 0.2 s and 0.9 s ago, one 1.5 s ago (gone), one in flight for 30 s, one answered a hair ahead of now
    assert calls_within_second(f"{now - 0.2:.6f},{now - 0.9:.6f},{now - 1.5:.6f},~{now - 30:.6f},"
                               f"{now + 1e-6:.6f}", now) == 4
    assert calls_within_second(f"~{now - 600:.6f}", now) == 0  # its worker died: its lease ran out
