"""The call budget every worker shares through the database, on both databases, on a clock the test drives."""

from __future__ import annotations

import os
import threading
from datetime import UTC, datetime

import pytest
from sqlalchemy.orm import Session, sessionmaker

from ledgerbridge.connectors.budget import BudgetExhausted, BudgetLimits
from ledgerbridge.connectors.budget_plan import plan_for
from ledgerbridge.connectors.shared_budget import SharedCallBudget, window_of
from ledgerbridge.packages.xero.limits import read_xero_limits
from ledgerbridge.store.db import session_scope

from .test_queue import _connections

START = 1_800_000_000.0


class FakeClock:
    """Simulated time that moves only when someone sleeps (a wait for the budget)."""

    def __init__(self) -> None:
        self.t = START
        self.slept = 0.0
        self._lock = threading.Lock()

    def now(self) -> float:
        with self._lock:
            return self.t

    def sleep(self, seconds: float) -> None:
        with self._lock:
            self.t += seconds
            self.slept += seconds


LIMITS = BudgetLimits(per_minute=5, per_day=12, concurrent=2)


def _workers(sessions: sessionmaker[Session], conn: int, clock: FakeClock, **kw: object) -> list[SharedCallBudget]:
    return [SharedCallBudget(sessions, conn, LIMITS, holder=f"worker-{n}", clock=clock, urgent_reserve=2,
                             **kw) for n in range(2)]  # type: ignore[arg-type]


def test_two_workers_share_one_minute_and_one_day(sessions: sessionmaker[Session]) -> None:
    (conn,) = _connections(sessions)
    clock = FakeClock()
    a, b = _workers(sessions, conn, clock)
    for n in range(5):  # five calls a minute between the two of them
        (a if n % 2 else b).acquire()
        (a if n % 2 else b).release()
    assert clock.slept == 0
    a.acquire()  # the sixth waits for the next minute (plus the margin for the package's own window)
    a.release()
    assert clock.slept == pytest.approx(61.0)
    for _ in range(4):
        b.acquire()
        b.release()
    with pytest.raises(BudgetExhausted) as spent:  # 10 of 12 used: the last 2 are kept for urgent work
        a.acquire()
    assert "kept for work a user asks for" in str(spent.value)
    urgent = SharedCallBudget(sessions, conn, LIMITS, holder="user", clock=clock, urgent=True, urgent_reserve=2)
    urgent.acquire()
    urgent.release()
    window = window_of(sessions, conn)
    assert window is not None and window.day_used == 11


def test_concurrent_calls_are_capped_across_workers_and_a_dead_holder_frees_its_slot(
        sessions: sessionmaker[Session]) -> None:
    (conn,) = _connections(sessions)
    clock = FakeClock()
    a, b = _workers(sessions, conn, clock, lease_seconds=30.0, idle_wait=1.0)
    a.acquire()  # this worker is then SIGKILLed: it never gives its slot back
    taken = threading.Event()
    holder = threading.Thread(target=lambda: (b.acquire(), taken.set()))
    holder.start()
    holder.join(timeout=10)
    assert taken.is_set()
    before = clock.slept
    b.acquire()  # both slots held: waits until the dead worker's lease runs out
    assert clock.slept - before >= 30.0 - 1.0
    b.release()


def test_the_packages_headers_and_429_keep_every_worker_in_step(sessions: sessionmaker[Session]) -> None:
    (conn,) = _connections(sessions)
    clock = FakeClock()
    a, b = _workers(sessions, conn, clock)
    a.acquire()
    # others used this tenant too
    a.observe(read_xero_limits({"X-MinLimit-Remaining": "1", "X-DayLimit-Remaining": "9"}))
    a.release()
    window = window_of(sessions, conn)
    assert window is not None and (window.minute_used, window.day_used) == (4, 3)
    b.observe_rate_limited("minute", 20.0)
    before = clock.slept
    a.acquire()
    assert clock.slept - before == pytest.approx(20.0)  # the 429's Retry-After held worker a too
    a.release()


def test_the_plan_says_when_a_backlog_beyond_the_days_budget_is_done(sessions: sessionmaker[Session]) -> None:
    from ledgerbridge.store.models.sync import RecordType, SyncRecord

    (conn,) = _connections(sessions)
    with session_scope(sessions) as session:
        session.add_all([SyncRecord(connection_id=conn, record_type=RecordType.DOCUMENT.value, record_id=n)
                         for n in range(1, 301)])
    clock = FakeClock()
    with session_scope(sessions) as session:
        small = plan_for(session, conn, clock)  # type: ignore[arg-type]
    assert (small.calls_needed, small.fits_today, small.days_needed) == (6 + 1, True, 1)
    assert small.finishes_at == datetime.fromtimestamp(START + 7, UTC)  # 7 calls at one a second
    xero_day = BudgetLimits(per_day=250)  # Xero's limits with a short day (the code path of 5,000 a day)
    with session_scope(sessions) as session:
        big = plan_for(session, conn, clock, xero_day)  # type: ignore[arg-type]
    # 7 calls; 250 a day less 5 kept for urgent work: fits. With a day already half spent by others it does not.
    assert (big.calls_left_today, big.fits_today) == (245, True)
    from ledgerbridge.store.models.work import CallWindow

    with session_scope(sessions) as session:
        session.add(CallWindow(connection_id=conn, minute_started=START, day_started=START - 3600, day_used=241))
    with session_scope(sessions) as session:
        late = plan_for(session, conn, clock, xero_day)  # type: ignore[arg-type]
    # 4 calls today, then the day turns over (23 hours on) and the other 3 go at one a second.
    assert (late.calls_left_today, late.fits_today, late.days_needed) == (4, False, 2)
    assert late.finishes_at == datetime.fromtimestamp(START - 3600 + 86_400 + 3, UTC)


def test_quickbooks_batch_calls_are_capped_at_40_a_minute_in_both_budgets(sessions: sessionmaker[Session]) -> None:
    from ledgerbridge.connectors.budget import CallBudget
    from ledgerbridge.packages.qbo.limits import QBO_LIMITS

    assert QBO_LIMITS.batch_per_minute == 40
    (conn,) = _connections(sessions)
    limits = BudgetLimits(per_minute=500, per_day=10_000, concurrent=10, per_second=None, batch_per_minute=3)
    clock = FakeClock()
    local = CallBudget(conn, limits, clock=clock.now, sleep=clock.sleep)
    shared = SharedCallBudget(sessions, conn, limits, holder="w", clock=clock)  # type: ignore[arg-type]
    for budget in (local, shared):
        start = clock.slept
        for _ in range(5):  # plain calls do not count against the batch limit
            budget.acquire()
            budget.release()
        for _ in range(3):
            budget.acquire(batch=True)
            budget.release()
        assert clock.slept == start
        budget.acquire(batch=True)  # the fourth batch call of the minute waits for the next minute
        budget.release()
        assert clock.slept - start >= 59.0


def test_a_slot_held_by_a_dead_process_of_this_machine_is_given_back_by_the_next_worker_loop(
        sessions: sessionmaker[Session]) -> None:
    import socket
    import subprocess
    import sys

    from sqlalchemy import select

    from ledgerbridge.queue.jobs import requeue_abandoned
    from ledgerbridge.store.models.work import CallLease

    (conn,) = _connections(sessions)
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()  # a worker SIGKILLed mid-call: its pid names no process any more
    clock = FakeClock()
    killed = SharedCallBudget(sessions, conn, LIMITS, holder=f"{socket.gethostname()}:{dead.pid}:1", clock=clock)
    alive = SharedCallBudget(sessions, conn, LIMITS, holder=f"{socket.gethostname()}:{os.getpid()}:1", clock=clock)
    elsewhere = SharedCallBudget(sessions, conn, BudgetLimits(per_minute=5, per_day=12, concurrent=3),
                                 holder=f"another-machine:{dead.pid}:1", clock=clock)
    killed.acquire()
    alive.acquire()
    elsewhere.acquire()  # a process of another machine: only its lease's expiry may free it
    requeue_abandoned(sessions)
    with session_scope(sessions) as session:
        held = sorted(h for h in session.scalars(select(CallLease.holder).where(CallLease.connection_id == conn))
                      if h is not None)
    assert held == sorted([f"{socket.gethostname()}:{os.getpid()}:1", f"another-machine:{dead.pid}:1"])
    alive.release()
    elsewhere.release()
