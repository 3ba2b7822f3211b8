"""An app's second counted from each call's answer (``AppLimits.second_from_answer``, MYOB's 8 a second per API
key): a call holds its place while in flight and for a second after its answer, so no more than 8 calls reach the
package in any second however late each leaves after it was counted. In one process and through the store, on a
clock the test drives."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session, sessionmaker

from ledgerbridge.connectors.app_budget import AppScope, LocalAppWindow
from ledgerbridge.connectors.budget import BudgetLimits, CallBudget
from ledgerbridge.connectors.limits import AppLimits, CallBudgetLike
from ledgerbridge.connectors.shared_budget import SharedCallBudget
from ledgerbridge.packages.registry import spec_for

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
