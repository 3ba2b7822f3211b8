"""Limits an app shares across every company it serves (MYOB: 8 a second and 1,000,000 a day per API key), kept by
one window whichever connection calls: in one process, and through the database for every worker, on both stores,
on a clock the test drives."""

from __future__ import annotations

from collections.abc import Sequence

import pytest
from sqlalchemy.orm import Session, sessionmaker

from ledgerbridge.connectors.app_budget import AppScope, LocalAppWindow, app_scope, local_window
from ledgerbridge.connectors.budget import BudgetExhausted, BudgetLimits, CallBudget
from ledgerbridge.connectors.limits import APP_DAY_PROBLEM, APP_PROBLEM, PACING_WINDOW, AppLimits, CallBudgetLike
from ledgerbridge.connectors.shared_budget import SharedCallBudget
from ledgerbridge.store.db import session_scope
from ledgerbridge.store.models.work import AppCallWindow

from .test_queue import _connections
from .test_shared_budget import FakeClock

# Each connection alone could make far more calls than the app may: only the app's window holds them back.
OWN = BudgetLimits(per_minute=1000, per_day=100_000, concurrent=4, per_second=None)
APP = AppLimits(per_second=8, per_day=40)


def _most_in_any_second(starts: Sequence[float]) -> int:
    """The most calls that started within any one pacing window (what the package would count)."""
    ordered = sorted(starts)
    return max((sum(1 for t in ordered[i:] if t - s < PACING_WINDOW - 1e-9) for i, s in enumerate(ordered)),
               default=0)


def _take(budgets: Sequence[CallBudgetLike], calls: int, clock: FakeClock) -> list[float]:
    starts = []
    for n in range(calls):
        budget = budgets[n % len(budgets)]
        budget.acquire()
        starts.append(clock.now())
        budget.release()
    return starts


def test_the_scope_names_the_app_not_its_client_id() -> None:
    scope = app_scope("myob", "my-api-key-123", APP)
    assert scope is not None and scope.key.startswith("myob:") and "my-api-key-123" not in scope.key
    assert app_scope("myob", "my-api-key-123", APP) == scope
    assert app_scope("myob", "another-key", APP) != scope
    assert app_scope("xero", "my-api-key-123", None) is None


def test_two_companies_in_one_process_share_the_apps_second() -> None:
    clock = FakeClock()
    window = LocalAppWindow(AppScope("test:one-process", APP))
    first, second = (CallBudget(conn, OWN, clock=clock.now, sleep=clock.sleep, app=window) for conn in (1, 2))
    starts = _take([first, second], 24, clock)
    assert _most_in_any_second(starts) == 8  # 24 calls between two companies: 8 a second, never more
    assert clock.slept > 2 * PACING_WINDOW - 0.01
    # Without the app's window each company paces only itself: the check above can fail.
    alone = [CallBudget(conn, OWN, clock=clock.now, sleep=clock.sleep) for conn in (1, 2)]
    assert _most_in_any_second(_take(alone, 24, clock)) == 24


def test_local_windows_are_one_per_app_in_the_process() -> None:
    scope = AppScope("test:registry", APP)
    assert local_window(scope) is local_window(AppScope("test:registry", APP))
    assert local_window(scope) is not local_window(AppScope("test:registry-2", APP))


def test_a_refusal_for_the_apps_limit_holds_back_every_company_of_the_app() -> None:
    clock = FakeClock()
    window = LocalAppWindow(AppScope("test:refused", APP))
    refused, other = (CallBudget(conn, OWN, clock=clock.now, sleep=clock.sleep, app=window) for conn in (1, 2))
    refused.observe_rate_limited(APP_PROBLEM, 5.0)
    other.acquire()
    other.release()
    assert clock.slept == pytest.approx(5.0)


def test_the_apps_day_ends_for_every_company() -> None:
    clock = FakeClock()
    window = LocalAppWindow(AppScope("test:day", AppLimits(per_day=5)))
    first, second = (CallBudget(conn, OWN, clock=clock.now, sleep=clock.sleep, app=window) for conn in (1, 2))
    _take([first, second], 5, clock)
    with pytest.raises(BudgetExhausted) as spent:
        second.acquire()
    assert "shared by every company" in str(spent.value)
    assert second.snapshot().in_flight == 0  # the refused call holds no slot of its own


def test_workers_of_two_companies_share_the_apps_window_through_the_store(
        sessions: sessionmaker[Session]) -> None:
    first_conn, second_conn = _connections(sessions, 2)
    clock = FakeClock()
    scope = AppScope("test:shared", APP)
    workers = [SharedCallBudget(sessions, conn, OWN, holder=f"worker-{n}", clock=clock, app=scope)
               for n, conn in enumerate((first_conn, second_conn, first_conn, second_conn))]
    starts = _take(workers, 24, clock)
    assert _most_in_any_second(starts) == 8
    with session_scope(sessions) as session:
        row = session.get_one(AppCallWindow, scope.key)
        assert row.day_used == 24
    # Past the day's 40 no company of the app may call, whichever worker asks.
    _take(workers, 16, clock)
    with pytest.raises(BudgetExhausted):
        workers[1].acquire()


def test_a_refusal_seen_by_one_worker_blocks_the_app_for_all(sessions: sessionmaker[Session]) -> None:
    first_conn, second_conn = _connections(sessions, 2)
    clock = FakeClock()
    scope = AppScope("test:shared-refused", APP)
    refused = SharedCallBudget(sessions, first_conn, OWN, holder="worker-1", clock=clock, app=scope)
    other = SharedCallBudget(sessions, second_conn, OWN, holder="worker-2", clock=clock, app=scope)
    refused.observe_rate_limited(APP_PROBLEM, 3.0)
    other.acquire()
    other.release()
    assert clock.slept == pytest.approx(3.0)
    refused.observe_rate_limited(APP_DAY_PROBLEM, 3600.0)
    with pytest.raises(BudgetExhausted):
        other.acquire()
