"""The sign-in throttle (issue 12): 5 wrong passwords lock the account for a growing delay (429, Retry-After, the
right password refused too), many from one address lock the address, an audit row says so, a success resets;
counted in the database, so every worker sees the others' failures (SQLite and PostgreSQL). Time is a test clock,
moved rather than slept."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from ledgerbridge.api.app import create_app
from ledgerbridge.store.db import session_scope
from ledgerbridge.store.models.sync import AuditEvent
from ledgerbridge.web.serving import ServedApp, serve_in_thread
from ledgerbridge.web.throttle import ACCOUNT_LIMITS, ADDRESS_LIMITS, SignInThrottle

from .conftest import PASSWORD, Store
from .test_auth import csrf_of

START = 1_800_000_000.0


class TestClock:
    """Time that moves only when the test says so."""

    __test__ = False

    def __init__(self) -> None:
        self.t = START

    def now(self) -> float:
        return self.t

    def advance(self, seconds: float) -> None:
        self.t += seconds


@pytest.fixture
def clock() -> TestClock:
    return TestClock()


@pytest.fixture
def app(store: Store, clock: TestClock) -> Iterator[ServedApp]:
    served = serve_in_thread(create_app(store.engine, run_worker=False, clock=clock))
    yield served
    served.stop()


def _attempt(client: httpx.Client, email: str, password: str) -> httpx.Response:
    page = client.get("/login")
    return client.post("/login", data={"email": email, "password": password, "csrf_token": csrf_of(page.text),
                                       "next": "/documents"})


def test_five_wrong_passwords_lock_the_account_for_a_growing_delay(store: Store, app: ServedApp,
                                                                   clock: TestClock) -> None:
    client = httpx.Client(base_url=app.base_url, timeout=10)
    for _ in range(4):
        assert _attempt(client, "admin@dunmore.test", "wrong password!").status_code == 303
    fifth = _attempt(client, "admin@dunmore.test", "wrong password!")
    assert fifth.status_code == 429 and fifth.headers["retry-after"] == "30"
    assert "Too many failed sign-ins" in fifth.text and "Try again in 30 seconds" in fifth.text
    clock.advance(29)
    right = _attempt(client, "Admin@Dunmore.test", PASSWORD)  # the right password, during the lock-out
    assert right.status_code == 429 and right.headers["retry-after"] == "1" and "lb_session" not in client.cookies
    clock.advance(1)
    again = _attempt(client, "admin@dunmore.test", "wrong password!")  # the sixth failure: twice as long
    assert again.status_code == 429 and again.headers["retry-after"] == "60"
    with session_scope(store.sessions) as session:
        rows = session.scalars(select(AuditEvent).where(AuditEvent.action == "sign-in locked")).all()
        assert [(r.organisation_id, r.actor, r.outcome) for r in rows] == [
            (store.org_id, "web:admin@dunmore.test", "refused")] * 2
        assert "wrong password" not in " ".join(r.detail or "" for r in rows)
    clock.advance(60)
    signed_in = _attempt(client, "admin@dunmore.test", PASSWORD)
    assert signed_in.status_code == 303 and signed_in.headers["location"] == "/documents"
    fresh = httpx.Client(base_url=app.base_url, timeout=10)  # the success cleared the account's failures
    for _ in range(ACCOUNT_LIMITS.limit - 1):
        assert _attempt(fresh, "admin@dunmore.test", "wrong password!").status_code == 303
    assert _attempt(fresh, "admin@dunmore.test", PASSWORD).status_code == 303


def test_one_address_guessing_many_accounts_is_locked(app: ServedApp, clock: TestClock) -> None:
    client = httpx.Client(base_url=app.base_url, timeout=10)
    for n in range(ADDRESS_LIMITS.limit - 1):
        assert _attempt(client, f"guess{n}@dunmore.test", "wrong password!").status_code == 303
    last = _attempt(client, "someone@dunmore.test", "wrong password!")
    assert last.status_code == 429 and last.headers["retry-after"] == "30"
    assert _attempt(client, "accounts@dunmore.test", PASSWORD).status_code == 429  # another account, same address
    clock.advance(30)
    assert _attempt(client, "accounts@dunmore.test", PASSWORD).status_code == 303


def test_failures_are_shared_by_every_worker(sessions: sessionmaker[Session]) -> None:
    """Two workers, each with its own database connection, guessing in turn: the store counts them together."""
    clock = TestClock()
    throttle = SignInThrottle(clock)
    with sessions() as first, sessions() as second:
        for n in range(ACCOUNT_LIMITS.limit):
            worker = first if n % 2 == 0 else second
            assert throttle.locked(worker, "a@b.test", f"10.0.0.{n}") is None
            lock = throttle.failed(worker, "a@b.test", f"10.0.0.{n}")
            worker.commit()
            clock.advance(1)
        assert lock is not None and lock.scope == "account"
        for worker in (first, second):
            seen = throttle.locked(worker, "A@b.test ", "10.0.0.99")
            assert seen is not None and seen.retry_after == 29
            worker.rollback()
        clock.advance(ACCOUNT_LIMITS.window)  # failures older than the window are forgotten
        assert throttle.locked(first, "a@b.test", "10.0.0.99") is None
