"""Screens over real HTTP without a browser: job progress and coming back to it, settings checks,
grid paging and sorting, suitable mapping choices, and organisation scoping of jobs."""

from __future__ import annotations

import re
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from ledgerbridge.connectors.connections import create_connection, sandbox_endpoints
from ledgerbridge.store.db import session_scope, utcnow
from ledgerbridge.store.models.sync import ChartEntry, Job

from .conftest import LiveApp, Store
from .test_auth import csrf_of, sign_in


@pytest.fixture
def connected(store: Store) -> int:
    """A connection with a small chart (no consent needed for what these tests look at)."""
    with session_scope(store.sessions) as session:
        conn = create_connection(session, store.org_id, "xero", sandbox_endpoints("xero", "http://127.0.0.1:9"),
                                 client_id="ledgerbridge-demo", client_secret="demo-secret",
                                 redirect_uri="http://127.0.0.1/oauth/callback")
        conn.status = "connected"
        conn.tenant_name = "Demo Company (UK)"
        for code, name, category, usable in [("090", "Business Bank Account", "BANK", ["bank"]),
                                             ("200", "Sales", "REVENUE", ["sales"]),
                                             ("300", "Purchases", "DIRECTCOSTS", ["purchases"])]:
            session.add(ChartEntry(connection_id=conn.id, kind="account", code=code, name=name, category=category,
                                   usable_for=usable))
        return conn.id


def message_of(answer: httpx.Response) -> dict[str, list[str]]:
    assert answer.status_code == 303, answer.text
    return parse_qs(urlsplit(answer.headers["location"]).query)


def test_a_running_upload_is_shown_when_the_user_comes_back(store: Store, live_app: LiveApp, connected: int) -> None:
    with session_scope(store.sessions) as session:
        job = Job(connection_id=connected, kind="upload", status="running", total=40, done=10, step="exporting",
                  heartbeat_at=utcnow() + timedelta(minutes=5), requested_by="web:admin@dunmore.test")
        session.add(job)
        session.flush()
        job_id = job.id
    client = sign_in(live_app, "admin@dunmore.test")
    page = client.get("/export").text
    assert f'data-job-url="/jobs/{job_id}.json"' in page and "10 of 40 done" in page
    progress = client.get(f"/jobs/{job_id}.json").json()
    assert progress["percent"] == 25 and progress["finished"] is False and progress["step"] == "exporting"
    other = sign_in(live_app, "admin@elsewhere.test")
    assert other.get(f"/jobs/{job_id}.json").status_code == 404


def test_settings_are_checked_against_the_chart(live_app: LiveApp, connected: int) -> None:
    client = sign_in(live_app, "admin@dunmore.test")
    token = csrf_of(client.get("/settings").text)

    def save(**values: str) -> dict[str, list[str]]:
        return message_of(client.post("/settings", data={"csrf_token": token, "reference_field": "order_number",
                                                          **values}))

    assert "is not in the package's chart" in save(rounding_account="999")["err"][0]
    assert "is not a bank account" in save(receiving_account="200")["err"][0]
    assert "reference_field must be one of" in save(reference_field="colour")["err"][0]
    assert "not one of the host's payment methods" in save(default_payment_method="CHEQUE")["err"][0]
    assert save(receiving_account="090", rounding_account="200", push_lines_as_items="on",
                start_date="2026-10-01")["msg"] == ["Accounting settings saved."]
    page = client.get("/settings").text
    assert re.search(r'<option value="090"\s+selected', page)
    assert 'value="2026-10-01"' in page and re.search(r'name="push_lines_as_items"\s+checked', page)
    # Allocation sync (R-X1), payments both ways and the payment import interval are on the page, and kept.
    assert "Payment import interval" in save(auto_payments_minutes="0")["err"][0]
    assert "enter a number of minutes" in save(auto_payments_minutes="often")["err"][0]
    assert save(allocation_sync="on", payments_both_ways="on", auto_payments_minutes="30")["msg"]
    page = client.get("/settings").text
    assert re.search(r'name="allocation_sync"\s+checked', page) and re.search(r'name="payments_both_ways"\s+checked',
                                                                              page)
    assert 'name="auto_payments_minutes"' in page and 'value="30"' in page


def test_grids_page_and_sort_on_the_server_and_ignore_unknown_columns(live_app: LiveApp) -> None:
    client = sign_in(live_app, "admin@dunmore.test")
    page = client.get("/documents", params={"d_size": "10", "d_sort": "number", "d_dir": "asc"}).text
    assert re.search(r"1–10 of \d+ documents", page)
    numbers = re.findall(r'href="/documents/\d+">([^<]+)</a>', page)
    assert numbers == sorted(numbers) and len(numbers) == 10
    page2 = client.get("/documents", params={"d_size": "10", "d_sort": "number", "d_dir": "asc", "d_page": "2"})
    assert re.findall(r'href="/documents/\d+">([^<]+)</a>', page2.text)[0] > numbers[-1]
    hostile = client.get("/documents", params={"d_sort": "number; DROP TABLE documents", "d_size": "9999"})
    assert hostile.status_code == 200 and "1–25 of" in hostile.text
    found = client.get("/documents", params={"d_q": "aldgate"}).text
    assert "Aldgate Bakery Ltd" in found and "Fernside Cafe" not in found


def test_mapping_offers_only_suitable_accounts_unless_relaxed(live_app: LiveApp, connected: int) -> None:
    client = sign_in(live_app, "admin@dunmore.test")
    strict = client.get("/mapping").text
    bacs = re.search(r'<select id="payment_method:BACS".*?</select>', strict, re.S).group(0)  # type: ignore[union-attr]
    assert 'value="090"' in bacs and 'value="200"' not in bacs
    relaxed = client.get("/mapping", params={"relax": "1"}).text
    bacs = re.search(r'<select id="payment_method:BACS".*?</select>', relaxed, re.S).group(0)  # type: ignore[union-attr]
    assert 'value="200"' in bacs
    token = csrf_of(strict)
    refused = message_of(client.post("/mapping", data={"csrf_token": token, "relax": "0",
                                                       "payment_method:BACS": "200"}))
    assert "is not a bank account" in refused["err"][0]
    saved = message_of(client.post("/mapping", data={"csrf_token": token, "relax": "0", "nominal:4000": "200"}))
    assert saved["msg"][0].startswith("Saved 1 mapping(s)")
