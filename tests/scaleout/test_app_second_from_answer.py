"""An app's second counted from each call's answer (``AppLimits.second_from_answer``, MYOB's 8 a second per API
key): a call holds its place while in flight and for a second after its answer, so no more than 8 calls reach the
package in any second however late each leaves after it was counted. In one process and through the store, on a
clock the test drives."""

from __future__ import annotations

import pytest
from sqlalchemy import event
from sqlalchemy.orm import Session, sessionmaker

from ledgerbridge.connectors.app_budget import IN_FLIGHT_POLL, AppScope, LocalAppWindow, _Counts, wait_for
from ledgerbridge.connectors.budget import BudgetLimits, CallBudget
from ledgerbridge.connectors.limits import AppLimits, CallBudgetLike
from ledgerbridge.connectors.shared_budget import SharedCallBudget
from ledgerbridge.packages.registry import spec_for
from ledgerbridge.store.models.work import AppCallWindow

from .test_queue import _connections
from .test_shared_budget import FakeClock

OWN = BudgetLimits(per_minute=1000, per_day=100_000, concurrent=16, per_second=None)
ANSWERED = AppLimits(per_second=8, second_from_answer=True)


def _slow_answers(budgets: list[CallBudgetLike], clock: FakeClock, answer_after: float) -> float:
    """Eight calls counted, each answered ``answer_after`` seconds later (a slow round trip); then the ninth
    call's start, as simulated seconds after the first eight started."""
    started = clock.now()
    for budget in budgets[:8]:
        budget.acquire()
    clock.sleep(answer_after)  # the eight are under way that long
    for budget in budgets[:8]:
        budget.release()
    budgets[8].acquire()
    budgets[8].release()
    return clock.now() - started


def test_myob_counts_its_second_from_the_answer() -> None:
    limits = spec_for("myob").app_limits
    assert limits is not None and limits.per_second == 8 and limits.per_day == 1_000_000
    assert limits.second_from_answer


def test_in_one_process_a_slow_answer_holds_the_place_a_second_after_it() -> None:
    clock = FakeClock()
    window = LocalAppWindow(AppScope("test:answer-local", ANSWERED))
    budgets: list[CallBudgetLike] = [CallBudget(n, OWN, clock=clock.now, sleep=clock.sleep, app=window)
                                     for n in range(9)]
    # Answered 0.5 s after they left: the ninth may start a second after the answers, not 1.1 s after the starts.
    assert _slow_answers(budgets, clock, 0.5) == pytest.approx(1.5, abs=0.01)


def test_in_one_process_a_quick_answer_costs_no_margin() -> None:
    clock = FakeClock()
    window = LocalAppWindow(AppScope("test:answer-quick", ANSWERED))
    budgets: list[CallBudgetLike] = [CallBudget(n, OWN, clock=clock.now, sleep=clock.sleep, app=window)
                                     for n in range(9)]
    assert _slow_answers(budgets, clock, 0.01) == pytest.approx(1.01, abs=0.005)


def test_through_the_store_every_worker_waits_for_the_answers(sessions: sessionmaker[Session]) -> None:
    first, second = _connections(sessions, 2)
    clock = FakeClock()
    scope = AppScope("test:answer-shared", ANSWERED)
    workers: list[CallBudgetLike] = [SharedCallBudget(sessions, (first, second)[n % 2], OWN, holder=f"worker-{n}",
                                                      clock=clock, app=scope) for n in range(9)]
    assert _slow_answers(workers, clock, 0.5) == pytest.approx(1.5, abs=0.06)


def _full_second(entries: list[str]) -> _Counts:
    return _Counts(recent_starts=",".join(entries))


def test_eight_calls_in_flight_free_a_place_no_sooner_than_a_second_after_the_first_left() -> None:
    # Eight in flight, the first left 0.3 s ago: none can be free before 0.7 s from now (an answer comes after its
    # call left), and the wait is no longer than that: a place may be free then, if its answer has come.
    now = 1_000.0
    state = _full_second([f"~{now - 0.3 + n * 0.01:.6f}" for n in range(8)])
    assert wait_for(state, ANSWERED, now) == pytest.approx(0.7)


def test_a_call_in_flight_for_over_a_second_is_looked_at_again_shortly() -> None:
    now = 1_000.0
    state = _full_second([f"~{now - 1.5:.6f}"] + [f"{now - 0.2:.6f}"] * 7)
    assert wait_for(state, ANSWERED, now) == pytest.approx(IN_FLIGHT_POLL)


def test_an_answered_call_frees_its_place_a_second_after_its_answer() -> None:
    now = 1_000.0
    state = _full_second([f"{now - 0.4:.6f}"] + [f"~{now - 0.5:.6f}"] * 7)
    assert wait_for(state, ANSWERED, now) == pytest.approx(0.5)  # the in-flight ones: 0.5 s, the answered: 0.6 s
    state = _full_second([f"{now - 0.6:.6f}"] + [f"~{now - 0.3:.6f}"] * 7)
    assert wait_for(state, ANSWERED, now) == pytest.approx(0.4)


def test_through_the_store_a_call_costs_two_transactions(sessions: sessionmaker[Session]) -> None:
    # Taking the call (the connection's row, then the app's), and giving it back with its answer told to the app's
    # row: every worker of the app queues for that row, so a third transaction a call would be a third wait.
    (conn,) = _connections(sessions, 1)
    scope = AppScope("test:answer-transactions", ANSWERED)
    budget = SharedCallBudget(sessions, conn, OWN, holder="worker", clock=FakeClock(), app=scope)
    budget.acquire()
    budget.release()  # the rows exist now
    engine = sessions.kw["bind"]
    commits: list[object] = []

    def committed(connection: object) -> None:
        commits.append(connection)

    event.listen(engine, "commit", committed)
    try:
        budget.acquire()
        budget.release()
    finally:
        event.remove(engine, "commit", committed)
    assert len(commits) == 2
    with sessions() as session:
        row = session.get_one(AppCallWindow, scope.key)
        assert row.recent_starts and not any(x.startswith("~") for x in row.recent_starts.split(","))
