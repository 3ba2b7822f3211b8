"""No request waits on the package's call budget (issue 12): a request that reads the package while someone waits
answers at once when the budget has no call for it, through the API and the screens alike. 429 with
``Retry-After`` while the minute's calls are spent, 503 with the time calls resume once the day's are; a screen's
action goes back to its page with the same message.

The budget is spent as a worker spends it, in the real budget tables: the figures a worker's budget flushes to the
connection row (what the in-process budget reads on SQLite) and the shared call window (every worker's budget on
PostgreSQL), with the package's own 429 recorded there. Were any of these requests to wait, it would wait out the
minute and then read the package: the tests would then see a report, not a refusal."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from ledgerbridge.api.app import create_app
from ledgerbridge.connectors.shared_budget import SharedCallBudget
from ledgerbridge.packages.registry import spec_for
from ledgerbridge.security.apikeys import issue_api_key
from ledgerbridge.store.db import session_scope, utcnow
from ledgerbridge.store.models.sync import Connection
from ledgerbridge.sync.exporter import Exporter
from ledgerbridge.web.auth import create_admin

from .conftest import World

PASSWORD = "a long enough password"
DAY_RESUMES_IN = 3 * 3600  # what the package's 429 for the day said (Retry-After)


def _spend(world: World, window: str) -> None:
    """The package answered 429 for ``window`` ("minute" or "day"), as a worker's upload saw it."""
    with session_scope(world.sessions) as session:
        conn = session.get_one(Connection, world.conn_id)
        if window == "minute":
            conn.calls_left_minute = 0
        else:
            conn.calls_left_day = 0
        conn.budget_observed_at = utcnow()
        limits = spec_for(conn.kind).limits
    SharedCallBudget(world.sessions, world.conn_id, limits, holder="worker-1").observe_rate_limited(
        window, 60 if window == "minute" else DAY_RESUMES_IN)


@pytest.fixture
def app(world: World) -> Iterator[TestClient]:
    Exporter(world.sessions, world.conn_id, world.connector()).upload()  # books to compare
    with TestClient(create_app(world.sessions.kw["bind"], run_worker=False), follow_redirects=False) as client:
        yield client


def _api_key(world: World) -> dict[str, str]:
    with session_scope(world.sessions) as session:
        return {"Authorization": f"Bearer {issue_api_key(session, world.org_id, 'host')}"}


def _signed_in(world: World, client: TestClient) -> TestClient:
    with session_scope(world.sessions) as session:
        create_admin(session, world.org_id, "ada@books.test", PASSWORD)
    page = client.get("/login")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert token is not None
    answer = client.post("/login", data={"email": "ada@books.test", "password": PASSWORD,
                                         "csrf_token": token.group(1), "next": "/mapping"})
    assert answer.status_code == 303, answer.text
    return client


def _csrf(client: TestClient, page: str) -> str:
    token = re.search(r'name="csrf_token" value="([^"]+)"', client.get(page).text)
    assert token is not None
    return token.group(1)


def _resumes_within_the_day(answer: object) -> None:
    """Not a minute's wait, and never later than the package said. (The shared window keeps the package's time;
    the connection row keeps no time of day, so the in-process budget probes again after an hour.)"""
    retry_after = int(answer.headers["retry-after"])  # type: ignore[attr-defined]
    assert 120 < retry_after <= DAY_RESUMES_IN


@pytest.mark.parametrize("url", ["/v1/connections/{id}/reconciliation",
                                 "/v1/connections/{id}/reconciliation?format=csv"])
def test_the_api_answers_503_with_when_calls_resume_once_the_days_calls_are_spent(
        world: World, app: TestClient, url: str) -> None:
    auth = _api_key(world)
    _spend(world, "day")
    answer = app.get(url.format(id=world.conn_id), headers=auth)
    assert answer.status_code == 503, answer.text
    _resumes_within_the_day(answer)
    assert "daily call limit" in answer.json()["detail"]


@pytest.mark.parametrize("url", ["/reconciliation", "/reconciliation.csv"])
def test_the_reconciliation_screen_answers_429_at_once_while_the_minutes_calls_are_spent(
        world: World, app: TestClient, url: str) -> None:
    client = _signed_in(world, app)
    _spend(world, "minute")
    answer = client.get(url, headers={"Accept": "text/html"})
    assert answer.status_code == 429, answer.text
    assert 1 <= int(answer.headers["retry-after"]) <= 61
    assert "The package cannot be read just now, so nothing is compared" in answer.text
    assert "call limit allows no call now" in answer.text


@pytest.mark.parametrize("url", ["/reconciliation", "/reconciliation.csv"])
def test_the_reconciliation_screen_answers_503_once_the_days_calls_are_spent(
        world: World, app: TestClient, url: str) -> None:
    client = _signed_in(world, app)
    _spend(world, "day")
    answer = client.get(url, headers={"Accept": "text/html"})
    assert answer.status_code == 503, answer.text
    _resumes_within_the_day(answer)
    assert "The package cannot be read today, so nothing is compared" in answer.text
    assert "daily call limit" in answer.text


@pytest.mark.parametrize(("window", "said"), [("minute", r"call limit allows no call now; retry in \d+ s"),
                                               ("day", "daily call limit for this organisation is used up")])
def test_refreshing_the_chart_on_the_screen_goes_back_at_once_saying_why(
        world: World, app: TestClient, window: str, said: str) -> None:
    client = _signed_in(world, app)
    token = _csrf(client, "/mapping")
    _spend(world, window)
    answer = client.post("/mapping/refresh", data={"csrf_token": token})
    assert answer.status_code == 303 and answer.headers["location"].startswith("/mapping?")
    shown = client.get(answer.headers["location"]).text
    assert "The chart could not be refreshed" in shown and re.search(said, shown), shown
