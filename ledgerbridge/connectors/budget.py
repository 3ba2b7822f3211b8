"""The call budget of one connection in one process: calls per minute, per day and at once (Xero: 60, 5000, 5).

:class:`CallBudget` and ``shared_budget.SharedCallBudget`` (the same counts kept in the database for every
worker) implement one protocol, :class:`~ledgerbridge.connectors.limits.CallBudgetLike`, which is all the
package client knows of a budget; ``connections`` chooses one per connection.

Going over a package's limits costs more than waiting: Xero answers 429 and, for the day limit, locks
the tenant out for hours. So every call first takes a slot from its connection's :class:`CallBudget`,
which

* caps concurrency with a semaphore (in this process);
* keeps a fixed-window counter per minute and per day, and sleeps until the minute window turns over
  rather than let a call go out that would be refused;
* raises :class:`BudgetExhausted` (with the time it ends) when the day's budget is gone, so a run stops
  and the user sees when it can resume instead of a worker sleeping for hours;
* stays in step with the package: the calls left that its answers report (read from its headers by its
  spec into a :class:`~ledgerbridge.connectors.limits.LimitReading`) lower our counts, and a count higher
  than ours means the package's window has turned over, so ours restarts with it;
* shares its figures through the ``connections`` row (``calls_left_minute``, ``calls_left_day``,
  ``budget_observed_at``) so connection health (R-C3) can show them and a second process starts from
  them. Writes are kept off the hot path: :meth:`flush_due` says when a second has passed, and the
  caller writes with :meth:`flush` in a transaction it was making anyway (or at the end of a run).

Modelled on airbyte-cdk's ``APIBudget`` (a rate per window, synced from response headers), written by
hand because ours must persist to our row, raise a typed "until" for the day limit and run on an
injectable clock for tests. ``unlimited=True`` switches the limits off (benchmarks against a sandbox
that has none) while still recording what the package reports.
"""

from __future__ import annotations

import threading
import time
import weakref
from collections import deque
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime

from sqlalchemy import update
from sqlalchemy.orm import Session

import ledgerbridge.store.models  # noqa: F401  (every table, so that foreign keys resolve in any process)
from ledgerbridge.clock import WALL, Clock
from ledgerbridge.connectors.app_budget import LocalAppWindow
from ledgerbridge.connectors.limits import (
    ANSWER_NOW_PATIENCE,
    APP_DAY_PROBLEM,
    APP_PROBLEM,
    PACING_WINDOW,
    BudgetBusy,
    BudgetExhausted,
    BudgetLimits,
    BudgetSnapshot,
    LimitReading,
    may_not_wait,
    must_answer_now,
)
from ledgerbridge.store.models.sync import Connection

__all__ = ["BudgetExhausted", "BudgetLimits", "BudgetSnapshot", "CallBudget", "process_budget"]


class CallBudget:
    """Per-connection limiter; thread-safe; one instance per connection per process (:func:`process_budget`)."""

    def __init__(self, connection_id: int | None, limits: BudgetLimits, *,
                 unlimited: bool = False, clock: Callable[[], float] = time.time,
                 sleep: Callable[[float], None] = time.sleep, flush_interval: float = 1.0,
                 app: LocalAppWindow | None = None) -> None:
        self.connection_id = connection_id
        #: The window of a limit the package counts per app across every company (``app_budget``), or None.
        self.app = app
        #: This thread's call's entry in the app's window, given back with the answer (``release``).
        self._app_call = threading.local()
        self.limits = limits
        self.unlimited = unlimited
        self._clock = clock
        self._sleep = sleep
        self._flush_interval = flush_interval
        self._lock = threading.Lock()
        self._slots = threading.BoundedSemaphore(max(1, limits.concurrent))
        now = clock()
        self._minute_left = limits.per_minute
        self._minute_reset_at = now + limits.minute_seconds
        self._day_left = limits.per_day
        self._day_reset_at = now + limits.day_seconds
        self._recent_starts: deque[float] = deque()  # start times within the last second (per-second limit)
        self._batch_left = limits.batch_per_minute
        self._batch_reset_at = now + limits.minute_seconds
        self._in_flight = 0
        self._observed_at: float | None = None
        self._dirty = False
        self._last_flush = now

    # -- taking and giving back a slot -------------------------------------------------------------
    def acquire(self, batch: bool = False) -> None:
        """Wait until a call may be made, then count it. Raises :class:`BudgetExhausted` for the day limit.

        ``batch`` marks a batch call, which QuickBooks also counts against its 40 a minute."""
        if self.unlimited:
            with self._lock:
                self._in_flight += 1
            return
        if not self._slots.acquire(timeout=ANSWER_NOW_PATIENCE if must_answer_now() else None):
            raise BudgetBusy(PACING_WINDOW, "every call this connection may make at once is under way")
        try:
            self._take_window_slot(batch)
        except BaseException:
            self._slots.release()
            raise

    def _take_window_slot(self, batch: bool) -> None:
        while True:
            with self._lock:
                now = self._clock()
                self._roll_windows(now)
                if self._day_left <= 0:
                    raise BudgetExhausted(self._as_datetime(self._day_reset_at))
                per_second = self.limits.per_second
                recent = self._recent_starts
                while recent and now - recent[0] >= PACING_WINDOW:
                    recent.popleft()
                if per_second is not None and not self.unlimited and len(recent) >= per_second:
                    wait = recent[0] + PACING_WINDOW - now  # paced, as the package would otherwise answer 429
                elif batch and self._batch_left is not None and self._batch_left <= 0:
                    wait = self._batch_reset_at - now
                elif self._minute_left <= 0:
                    wait = self._minute_reset_at - now
                else:
                    wait = self._app_wait(now)
                    if wait <= 0:
                        if per_second is not None:
                            recent.append(now)
                        if batch and self._batch_left is not None:
                            self._batch_left -= 1
                        self._minute_left -= 1
                        self._day_left -= 1
                        self._in_flight += 1
                        self._dirty = True
                        return
            if may_not_wait(wait):
                raise BudgetBusy(wait)
            self._sleep(max(wait, 0.001))

    def _app_wait(self, now: float) -> float:
        """Take the call from the app's window too (0), or say how long the app must wait (nothing counted)."""
        if self.app is None:
            return 0.0
        wait, self._app_call.entry = self.app.take(now)
        return wait

    def release(self) -> None:
        entry = getattr(self._app_call, "entry", None)
        if entry is not None and self.app is not None:  # the app counts its second from the answer: now
            self._app_call.entry = None
            self.app.answered(entry, self._clock())
        with self._lock:
            self._in_flight = max(0, self._in_flight - 1)
        if not self.unlimited:
            self._slots.release()

    @contextmanager
    def slot(self) -> Iterator[None]:
        self.acquire()
        try:
            yield
        finally:
            self.release()

    def _roll_windows(self, now: float) -> None:
        if now >= self._minute_reset_at:
            self._minute_left = self.limits.per_minute
            self._minute_reset_at = now + self.limits.minute_seconds
        if now >= self._batch_reset_at:
            self._batch_left = self.limits.batch_per_minute
            self._batch_reset_at = now + self.limits.minute_seconds
        if now >= self._day_reset_at:
            self._day_left = self.limits.per_day
            self._day_reset_at = now + self.limits.day_seconds

    # -- keeping in step with the package ---------------------------------------------------------
    def observe(self, reading: LimitReading) -> None:
        """Take the package's own counts from an answer (its spec read them from the headers)."""
        minute, day = reading.minute_left, reading.day_left
        if minute is None and day is None:
            return
        with self._lock:
            now = self._clock()
            self._roll_windows(now)
            others = max(0, self._in_flight - 1)  # calls still out that the package has not counted yet
            if minute is not None:
                if minute > self._minute_left + others:
                    # The package's window turned over before ours: follow its window from now.
                    self._minute_reset_at = now + self.limits.minute_seconds
                    self._minute_left = max(0, minute - others)
                else:
                    self._minute_left = min(self._minute_left, minute)
            if day is not None:
                if day > self._day_left + others:
                    self._day_reset_at = now + self.limits.day_seconds
                    self._day_left = max(0, day - others)
                else:
                    self._day_left = min(self._day_left, day)
            self._observed_at = now
            self._dirty = True

    def observe_rate_limited(self, problem: str | None, retry_after: float) -> None:
        """A 429 arrived: block the named window for ``retry_after`` seconds."""
        if problem in (APP_PROBLEM, APP_DAY_PROBLEM):
            if self.app is not None:  # every connection of the app waits, not this one alone
                self.app.block(self._clock(), retry_after, problem)
                return
            problem = "day" if problem == APP_DAY_PROBLEM else None
        with self._lock:
            now = self._clock()
            if problem == "day":
                self._day_left = 0
                self._day_reset_at = now + retry_after
            elif problem in (None, "", "minute"):
                self._minute_left = 0
                self._minute_reset_at = now + retry_after
            self._observed_at = now
            self._dirty = True

    # -- sharing through the connection row -------------------------------------------------------
    def load(self, connection: Connection) -> None:
        """Start from the figures another process (or an earlier run) left on the row."""
        observed = connection.budget_observed_at
        if observed is None:
            return
        with self._lock:
            now = self._clock()
            age = now - observed.timestamp()
            if connection.calls_left_minute is not None and 0 <= age < self.limits.minute_seconds:
                self._minute_left = min(self._minute_left, connection.calls_left_minute)
                self._minute_reset_at = observed.timestamp() + self.limits.minute_seconds
            if connection.calls_left_day is not None and 0 <= age < self.limits.day_seconds:
                self._day_left = min(self._day_left, connection.calls_left_day)
                # The row does not say when the package's day turns over: probe again after a while.
                horizon = self.limits.day_probe_seconds if self._day_left <= 0 else self.limits.day_seconds
                self._day_reset_at = observed.timestamp() + horizon

    @property
    def has_unflushed(self) -> bool:
        return self._dirty

    def flush_due(self) -> bool:
        """True when there are figures to write and the last write is at least ``flush_interval`` old."""
        return self._dirty and self._clock() - self._last_flush >= self._flush_interval

    def flush(self, session: Session) -> None:
        """Write the current figures to the connection row (in the caller's transaction; no commit)."""
        if self.connection_id is None:
            return
        with self._lock:
            snap = self._snapshot_locked()
            self._dirty = False
            self._last_flush = self._clock()
        session.execute(update(Connection).where(Connection.id == self.connection_id).values(
            calls_left_minute=snap.minute_left, calls_left_day=snap.day_left,
            budget_observed_at=snap.observed_at or self._as_datetime(self._last_flush)))

    def snapshot(self) -> BudgetSnapshot:
        with self._lock:
            return self._snapshot_locked()

    def _snapshot_locked(self) -> BudgetSnapshot:
        now = self._clock()
        self._roll_windows(now)
        blocked = None
        if self._day_left <= 0:
            blocked = self._as_datetime(self._day_reset_at)
        elif self._minute_left <= 0:
            blocked = self._as_datetime(self._minute_reset_at)
        return BudgetSnapshot(minute_left=self._minute_left, day_left=self._day_left,
                              observed_at=self._as_datetime(self._observed_at or now), blocked_until=blocked,
                              in_flight=self._in_flight)

    @staticmethod
    def _as_datetime(seconds: float) -> datetime:
        return datetime.fromtimestamp(seconds, UTC)


#: Database (its engine) -> (connection id, limits, unlimited, clock, app scope) -> this process's budget.
_process_budgets: weakref.WeakKeyDictionary[object, dict[tuple[object, ...], CallBudget]] = \
    weakref.WeakKeyDictionary()
_process_guard = threading.Lock()


def process_budget(database: object, connection_id: int, limits: BudgetLimits, *, unlimited: bool = False,
                   clock: Clock = WALL, app: LocalAppWindow | None = None) -> CallBudget:
    """This process's one budget for a connection of one database (``database``: its engine), so that every
    connector made for it (the demo's steps, one job after another in a worker) paces its calls in one window.
    Two budgets would each start the package's per-second allowance and together break it: QuickBooks answered
    the ninth call of a second with 429, and its 429 costs a minute's wait."""
    key = (connection_id, limits, unlimited, clock, None if app is None else app.scope)
    with _process_guard:
        budgets = _process_budgets.setdefault(database, {})
        budget = budgets.get(key)
        if budget is None:
            budget = budgets[key] = CallBudget(connection_id, limits, unlimited=unlimited, clock=clock.now,
                                               sleep=clock.sleep, app=app)
        return budget
