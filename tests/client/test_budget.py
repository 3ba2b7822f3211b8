"""CallBudget on a fake clock: minute windows, the day limit, the package's headers, the connection row."""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime

import pytest

from ledgerbridge.connectors.budget import BudgetExhausted, BudgetLimits, CallBudget
from ledgerbridge.connectors.limits import ANSWER_NOW_PATIENCE, BudgetBusy, answer_now
from ledgerbridge.packages.xero.limits import XERO_LIMITS, read_xero_limits
from ledgerbridge.store.models.sync import Connection


class FakeClock:
    def __init__(self, start: float = 1_800_000_000.0) -> None:
        self.now = start
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


def budget(clock: FakeClock, **limits: float) -> CallBudget:
    return CallBudget(None, BudgetLimits(**limits), clock=clock, sleep=clock.sleep)  # type: ignore[arg-type]


def test_blocks_at_the_minute_limit_until_the_window_turns_over() -> None:
    clock = FakeClock()
    b = budget(clock, per_minute=3, per_day=100)
    for _ in range(3):
        b.acquire()
        b.release()
        clock.now += 1
    assert clock.sleeps == []
    b.acquire()  # the 4th call in the minute waits for the window
    b.release()
    assert clock.sleeps == [pytest.approx(57.0)]
    assert b.snapshot().minute_left == 2


def test_day_budget_gone_raises_with_the_time_it_returns() -> None:
    clock = FakeClock()
    b = budget(clock, per_minute=100, per_day=2, day_seconds=3600)
    for _ in range(2):
        b.acquire()
        b.release()
    with pytest.raises(BudgetExhausted) as info:
        b.acquire()
    assert info.value.until == datetime.fromtimestamp(clock.now + 3600, UTC)
    assert clock.sleeps == []  # never sleeps through a day
    assert b.snapshot().in_flight == 0


def test_headers_lower_our_counts() -> None:
    clock = FakeClock()
    b = budget(clock, per_minute=60, per_day=5000)
    b.acquire()
    b.observe(read_xero_limits({"X-MinLimit-Remaining": "2", "X-DayLimit-Remaining": "10"}))
    b.release()
    snap = b.snapshot()
    assert (snap.minute_left, snap.day_left) == (2, 10)
    b.acquire(), b.release(), b.acquire(), b.release()
    b.acquire()  # the package said 2 were left: the third waits for the next minute
    assert clock.sleeps and clock.sleeps[0] == pytest.approx(60.0)


def test_a_higher_count_from_the_package_means_its_window_turned_over() -> None:
    clock = FakeClock()
    b = budget(clock, per_minute=5, per_day=5000)
    for _ in range(5):
        b.acquire()
        b.release()
    clock.now += 10
    assert b.snapshot().minute_left == 0
    b.observe(read_xero_limits({"X-MinLimit-Remaining": "58"}))
    assert b.snapshot().minute_left == 58


def test_a_429_blocks_the_named_window() -> None:
    clock = FakeClock()
    b = budget(clock, per_minute=60, per_day=5000)
    b.observe_rate_limited("minute", 12)
    b.acquire()
    assert clock.sleeps == [pytest.approx(12)]
    b.release()
    b.observe_rate_limited("day", 7200)
    with pytest.raises(BudgetExhausted) as info:
        b.acquire()
    assert info.value.until == datetime.fromtimestamp(clock.now + 7200, UTC)


def test_unlimited_never_waits_but_still_records() -> None:
    clock = FakeClock()
    b = CallBudget(None, BudgetLimits(per_minute=1, per_day=1, concurrent=1), unlimited=True, clock=clock,
                   sleep=clock.sleep)
    for _ in range(50):
        b.acquire()
    for _ in range(50):
        b.release()
    b.observe(read_xero_limits({"X-MinLimit-Remaining": "0", "X-DayLimit-Remaining": "0"}))
    b.acquire()
    assert clock.sleeps == []
    assert b.snapshot().day_left == 0


def test_concurrency_is_capped() -> None:
    b = CallBudget(None, BudgetLimits(per_minute=1000, per_day=1000, concurrent=2))
    peak, live, lock = [0], [0], threading.Lock()

    def call() -> None:
        with b.slot():
            with lock:
                live[0] += 1
                peak[0] = max(peak[0], live[0])
            time.sleep(0.02)
            with lock:
                live[0] -= 1

    threads = [threading.Thread(target=call) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert peak[0] == 2


def test_flush_writes_the_row_at_most_once_a_second_and_load_reads_it(db, xero, cipher) -> None:
    from .conftest import add_connection

    conn_id = add_connection(db, xero.base_url, cipher)
    clock = FakeClock(time.time())
    b = CallBudget(conn_id, BudgetLimits(), clock=clock, sleep=clock.sleep)
    b.acquire()
    b.observe(read_xero_limits({"X-MinLimit-Remaining": "41", "X-DayLimit-Remaining": "4321"}))
    b.release()
    assert not b.flush_due()  # less than a second since the last write
    clock.now += 1.5
    assert b.flush_due()
    with db.sessions() as session, session.begin():
        b.flush(session)
    assert not b.flush_due()
    with db.sessions() as session:
        row = session.get_one(Connection, conn_id)
        assert (row.calls_left_minute, row.calls_left_day) == (41, 4321)
        assert row.budget_observed_at is not None
        other = CallBudget(conn_id, BudgetLimits(), clock=clock, sleep=clock.sleep)  # a second process
        other.load(row)
    assert (other.snapshot().minute_left, other.snapshot().day_left) == (41, 4321)


def test_one_budget_per_connection_per_database_per_process() -> None:
    """Every connector of a connection in one process takes its calls from one budget (two would each allow the
    package's calls a second and together break it); another database's connection 9 is another connection."""
    from sqlalchemy import create_engine

    from ledgerbridge.connectors.budget import process_budget

    one, two = create_engine("sqlite://"), create_engine("sqlite://")
    assert process_budget(one, 9, XERO_LIMITS) is process_budget(one, 9, XERO_LIMITS)
    assert process_budget(one, 9, XERO_LIMITS) is not process_budget(one, 10, XERO_LIMITS)
    assert process_budget(one, 9, XERO_LIMITS) is not process_budget(two, 9, XERO_LIMITS)
    assert process_budget(one, 9, XERO_LIMITS, unlimited=True).unlimited


def test_per_second_limit_paces_calls() -> None:
    """QuickBooks allows 10 calls a second; we start 8 (room for calls around the budget), the ninth waits."""
    from ledgerbridge.packages.qbo.limits import QBO_LIMITS

    clock = FakeClock()
    paced = CallBudget(None, QBO_LIMITS, clock=clock, sleep=clock.sleep)
    for _ in range(QBO_LIMITS.per_second or 0):
        paced.acquire()
        paced.release()
    assert clock.sleeps == []
    paced.acquire()
    assert 1.1 - 1e-6 <= sum(clock.sleeps) <= 1.102  # a second and the safety margin (float clock steps)


def test_a_request_waits_out_pacing_but_not_a_spent_minute() -> None:
    """Inside ``answer_now`` (a web request) a pause of a second's pacing is still taken, since it is the calls' own
    cost; a wait for the next minute is answered at once with ``BudgetBusy`` and its Retry-After."""
    clock = FakeClock()
    paced = budget(clock, per_minute=100, per_day=1000, per_second=1)
    minute = budget(clock, per_minute=1, per_day=1000)
    with answer_now():
        paced.acquire()
        paced.release()
        paced.acquire()  # the second call of the second waits out the pacing window
        paced.release()
        assert clock.sleeps and sum(clock.sleeps) <= ANSWER_NOW_PATIENCE
        minute.acquire()
        minute.release()
        slept = len(clock.sleeps)
        with pytest.raises(BudgetBusy) as busy:
            minute.acquire()
    assert len(clock.sleeps) == slept  # never slept for the minute
    assert busy.value.retry_after > ANSWER_NOW_PATIENCE
    minute.acquire()  # outside a request the same budget waits for the window, as a worker does
    assert len(clock.sleeps) > slept
