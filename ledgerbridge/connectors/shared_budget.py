"""A tenant's call budget shared by every worker through the database (issue 6, item 3).

:class:`~ledgerbridge.connectors.budget.CallBudget` counts in one process; with many workers on many machines
each would spend the whole of the package's calls a minute (Xero: 60) and the tenant would be answered 429 (or,
for the day limit, locked out for hours). :class:`SharedCallBudget` implements the same protocol
(:class:`~ledgerbridge.connectors.limits.CallBudgetLike`, so the clients need not know) but keeps the counts in
the ``call_windows`` row of the connection and the concurrent calls in ``call_leases``:

* taking a call is one short transaction on that row (``SELECT ... FOR UPDATE`` on PostgreSQL, ``BEGIN
  IMMEDIATE`` on SQLite), so two workers can never both take the 60th call of a minute;
* the minute, second and batch windows are fixed windows like the package's; ours end ``window_margin``
  seconds later than they started because the package starts its window when our first call *arrives*;
* a concurrent call holds a lease that expires (``lease_seconds``): a worker SIGKILLed mid-call cannot lock the
  tenant out, its slot is free again after the lease;
* the calls left that every answer reports (its package's spec reads them from the headers) raise our counts to
  the package's (never
  lower them: calls of ours still in flight are not in its figure yet), and when the package reports *more*
  left than we think, its window has turned over and ours restarts with it; a 429 blocks every worker until
  its ``Retry-After``;
* ``urgent`` work (a payment import a user asked for) may spend the last ``urgent_reserve`` calls of a day;
  other work stops with :class:`~ledgerbridge.connectors.budget.BudgetExhausted` before them, so the day is never spent
  so fully that the user's own request must wait for tomorrow.

Costs two short transactions a call (take; give back, which also tells an app's window of the answer), three
where the package's answers report the calls left (observe): nothing next to a call to a package that allows one
a second. Benchmarks with limits off keep the in-process budget.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime

from sqlalchemy import select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session, sessionmaker

import ledgerbridge.store.models  # noqa: F401  (every table, so that foreign keys resolve in any process)
from ledgerbridge.clock import WALL, Clock
from ledgerbridge.connectors import app_budget
from ledgerbridge.connectors.app_budget import AppScope
from ledgerbridge.connectors.limits import (
    APP_DAY_PROBLEM,
    APP_PROBLEM,
    BudgetBusy,
    BudgetExhausted,
    BudgetLimits,
    BudgetSnapshot,
    LimitReading,
    may_not_wait,
)
from ledgerbridge.store.db import write_locked_scope
from ledgerbridge.store.models.sync import Connection
from ledgerbridge.store.models.work import CallLease, CallWindow

__all__ = ["SharedCallBudget", "window_of"]

logger = logging.getLogger(__name__)


class SharedCallBudget:
    """One connection's budget as every worker sees it. Thread-safe; one instance per client."""

    def __init__(self, sessions: sessionmaker[Session], connection_id: int, limits: BudgetLimits, *,
                 holder: str, clock: Clock = WALL, urgent: bool = False, urgent_reserve: int | None = None,
                 window_margin: float = 1.0, lease_seconds: float = 120.0,
                 idle_wait: float = 0.05, release_patience: float = 10.0, app: AppScope | None = None) -> None:
        self.sessions = sessions
        #: A limit the package counts per app across every company (``app_budget``): its row is taken in the
        #: same transaction as the connection's, after it (one lock order for every worker).
        self.app = app
        self.connection_id = connection_id
        self.limits = limits
        self.unlimited = False
        self.holder = holder
        self.clock = clock
        self.urgent = urgent
        self.urgent_reserve = urgent_reserve if urgent_reserve is not None else max(1, limits.per_day // 50)
        self.window_margin = window_margin
        self.lease_seconds = lease_seconds
        self.idle_wait = idle_wait
        self.release_patience = release_patience
        self._unreturned: set[int] = set()  # slots whose giving back failed (the database was unreachable)
        #: Calls of the app's window answered (entry, when) that its row has not been told of yet (``_give_back``).
        self._unanswered: list[tuple[str, float]] = []
        self._held = threading.local()  # the slot this thread holds (a thread makes one call at a time)
        self._lock = threading.Lock()
        self._in_flight = 0
        self._observed_at: float | None = None

    # -- the row, locked ------------------------------------------------------------------------------
    @contextmanager
    def _window(self) -> Iterator[tuple[Session, CallWindow]]:
        with write_locked_scope(self.sessions) as session:
            dialect = session.get_bind().dialect.name
            query = select(CallWindow).where(CallWindow.connection_id == self.connection_id)
            if dialect != "sqlite":
                query = query.with_for_update()
            query = query.execution_options(populate_existing=True)
            row = session.execute(query).scalar_one_or_none()
            if row is None:  # made on the connection's first call only: a statement less on every other
                insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
                now = self.clock.now()
                session.execute(insert(CallWindow).values(
                    connection_id=self.connection_id, minute_started=now, minute_used=0, second_started=now,
                    second_used=0, batch_minute_started=now, batch_minute_used=0, day_started=now, day_used=0,
                    blocked_until=0.0, updated_at=datetime.now(UTC)).on_conflict_do_nothing())
                row = session.execute(query).scalar_one()
            yield session, row

    def _roll(self, row: CallWindow, now: float) -> None:
        limits, margin = self.limits, self.window_margin
        if now >= row.minute_started + limits.minute_seconds + margin:
            row.minute_started, row.minute_used = now, 0
        if now >= row.second_started + 1.0 + margin * 0.1:
            row.second_started, row.second_used = now, 0
        if now >= row.batch_minute_started + limits.minute_seconds + margin:
            row.batch_minute_started, row.batch_minute_used = now, 0
        if now >= row.day_started + limits.day_seconds:
            row.day_started, row.day_used = now, 0

    # -- taking and giving back a call --------------------------------------------------------------
    def acquire(self, batch: bool = False) -> None:
        """Wait until a call may be made, then count it. Raises :class:`BudgetExhausted` for the day limit."""
        if self._unreturned or self._unanswered:
            self._give_back()  # slots (and answers) a restart of the database kept us from giving back
        while True:
            taken: list[int] = []
            try:
                wait = self._take_call(batch, taken)
            except DBAPIError:
                # The commit may have reached the server before the connection broke (a crash mid-commit): the
                # slot may be ours in the database without our knowing. Give it back with the next call.
                with self._lock:
                    self._unreturned.update(taken)
                raise
            if taken:
                self._held.slot = taken[0]
                with self._lock:
                    self._in_flight += 1
                return
            if may_not_wait(wait):
                raise BudgetBusy(wait)
            self.clock.sleep(max(wait, 0.001))

    def _take_call(self, batch: bool, taken: list[int]) -> float:
        """One transaction: count a call and take a slot (appended to ``taken``), or say how long to wait."""
        limits = self.limits
        with self._window() as (session, row):
            now = self.clock.now()
            self._roll(row, now)
            day_cap = limits.per_day if self.urgent else limits.per_day - self.urgent_reserve
            if row.day_used >= day_cap:
                until = datetime.fromtimestamp(row.day_started + limits.day_seconds, UTC)
                reason = ("the package's daily call limit is used up" if row.day_used >= limits.per_day
                          else "the package's daily call limit is nearly used up; the rest is kept for "
                               "work a user asks for")
                raise BudgetExhausted(until, reason)
            if row.blocked_until > now:
                return row.blocked_until - now
            if row.minute_used >= limits.per_minute:
                return row.minute_started + limits.minute_seconds + self.window_margin - now
            if limits.per_second is not None and row.second_used >= limits.per_second:
                return row.second_started + 1.0 + self.window_margin * 0.1 - now
            if batch and limits.batch_per_minute is not None and row.batch_minute_used >= limits.batch_per_minute:
                return row.batch_minute_started + limits.minute_seconds + self.window_margin - now
            app_row = None
            if self.app is not None:
                app_row = app_budget.locked_row(session, self.app)
                app_wait = app_budget.wait_for(app_row, self.app.limits, now)
                if app_wait > 0:
                    return app_wait
            slot = self._take_lease(session, now)
            if slot is None:
                return self.idle_wait
            if app_row is not None and self.app is not None:
                self._held.app_entry = app_budget.count(app_row, now, self.app.limits)
            row.minute_used += 1
            row.second_used += 1
            row.day_used += 1
            if batch:
                row.batch_minute_used += 1
            taken.append(slot)
        return 0.0  # committed: the slot is ours

    def _take_lease(self, session: Session, now: float) -> int | None:
        """A free (or expired) concurrent-call slot, taken under the window row's lock."""
        leases = session.scalars(select(CallLease).where(CallLease.connection_id == self.connection_id)).all()
        free = next((lease for lease in leases if lease.holder is None or lease.lease_until < now), None)
        if free is None:
            if len(leases) >= self.limits.concurrent:
                return None
            free = CallLease(connection_id=self.connection_id, slot=len(leases))
            session.add(free)
        free.holder = self.holder[:120]
        free.lease_until = now + self.lease_seconds
        with self._lock:  # an expired slot of ours taken again is in use, no longer one to give back
            self._unreturned.discard(free.slot)
        return free.slot

    def release(self) -> None:
        entry = getattr(self._held, "app_entry", None)
        self._held.app_entry = None
        slot = getattr(self._held, "slot", None)
        self._held.slot = None
        with self._lock:
            self._in_flight = max(0, self._in_flight - 1)
            if entry is not None and self.app is not None and self.app.limits.second_from_answer:
                self._unanswered.append((entry, self.clock.now()))  # the answer's time, not the lock's
            if slot is not None:
                self._unreturned.add(slot)
            if not self._unanswered and not self._unreturned:
                return
        # A call whose answer we have must not fail because the slot could not be given back: the database may
        # be restarting (refusing connections for seconds, then recovering). This thread's next step needs the
        # database anyway, so wait for it a while; failing that, the next acquire gives the slot back, and if
        # there is none (the run ended) the lease expires, and the app's place with it (the app waits longer,
        # never calls too often).
        delay, waited = 0.2, 0.0
        while True:
            try:
                self._give_back()
                return
            except DBAPIError:
                if waited >= self.release_patience:
                    logger.warning("call slot %s of connection %s not given back yet; the next call gives it "
                                   "back, or its lease expires", slot, self.connection_id)
                    return
                time.sleep(delay)
                waited += delay
                delay = min(delay * 2, 2.0)

    def _give_back(self) -> None:
        """Free the slots of this budget not given back yet and tell the app's window of the answers it has not
        heard of, in one short transaction: one transaction a call fewer on the app's row, which every worker of
        the app queues for (and an answer told late holds its place in the second longer than it needs)."""
        with self._lock:
            slots = sorted(self._unreturned)
            answers = list(self._unanswered)
        if not slots and not answers:
            return
        with write_locked_scope(self.sessions) as session:
            if answers and self.app is not None:  # the app's row before the leases, the order _take_call keeps
                app_row = app_budget.locked_row(session, self.app)
                for entry, answered_at in answers:
                    app_budget.answered(app_row, self.app.limits, entry, answered_at)
            if slots:
                session.execute(update(CallLease).where(
                    CallLease.connection_id == self.connection_id, CallLease.slot.in_(slots),
                    CallLease.holder == self.holder[:120]).values(holder=None, lease_until=0.0))
        with self._lock:  # only once committed
            self._unreturned.difference_update(slots)
            self._unanswered = [told for told in self._unanswered if told not in answers]

    @contextmanager
    def slot(self) -> Iterator[None]:
        self.acquire()
        try:
            yield
        finally:
            self.release()

    # -- keeping in step with the package -----------------------------------------------------------
    def observe(self, reading: LimitReading) -> None:
        minute, day = reading.minute_left, reading.day_left
        if minute is None and day is None:
            return
        limits = self.limits
        with self._window() as (_session, row):
            now = self.clock.now()
            self._roll(row, now)
            if minute is not None:
                theirs = limits.per_minute - minute
                if theirs < row.minute_used - limits.concurrent:
                    # The package's window turned over before ours (ours may hold up to `concurrent` calls
                    # it has not counted yet): follow its window from now.
                    row.minute_started, row.minute_used = now, theirs
                else:
                    row.minute_used = max(row.minute_used, theirs)
            if day is not None:
                theirs = limits.per_day - day
                if theirs < row.day_used - limits.concurrent:
                    row.day_started, row.day_used = now, theirs
                else:
                    row.day_used = max(row.day_used, theirs)
        self._observed_at = self.clock.now()

    def observe_rate_limited(self, problem: str | None, retry_after: float) -> None:
        """A 429: every worker waits ``retry_after``; for the day limit the day is spent until then."""
        if problem in (APP_PROBLEM, APP_DAY_PROBLEM):
            if self.app is not None:  # every connection of the app waits, not this one alone
                with write_locked_scope(self.sessions) as session:
                    app_row = app_budget.locked_row(session, self.app)
                    app_budget.block(app_row, self.app.limits, self.clock.now(), retry_after, problem)
                return
            problem = "day" if problem == APP_DAY_PROBLEM else None
        with self._window() as (_session, row):
            now = self.clock.now()
            row.blocked_until = max(row.blocked_until, now + retry_after)
            if problem in (None, "", "minute"):
                # The package's minute window ends when it says (Retry-After), not a whole window of ours from
                # the 429's headers (which read 0 left): start ours so that it rolls over then.
                row.minute_started = min(row.minute_started, now + retry_after - self.limits.minute_seconds
                                         - self.window_margin)
            if problem == "day":
                row.day_used = self.limits.per_day
                row.day_started = now + retry_after - self.limits.day_seconds

    # -- the CallBudget interface the clients use for health figures --------------------------------
    def load(self, connection: Connection) -> None:
        """Nothing to load: the shared row is read on every call."""

    @property
    def has_unflushed(self) -> bool:
        return self._observed_at is not None

    def flush_due(self) -> bool:
        return self._observed_at is not None

    def flush(self, session: Session) -> None:
        """Copy the shared figures to the connection row (what connection health shows)."""
        snap = self.snapshot(session)
        self._observed_at = None
        session.execute(update(Connection).where(Connection.id == self.connection_id).values(
            calls_left_minute=snap.minute_left, calls_left_day=snap.day_left, budget_observed_at=snap.observed_at))

    def snapshot(self, session: Session | None = None) -> BudgetSnapshot:
        own = session or self.sessions()
        try:
            row = own.get(CallWindow, self.connection_id, populate_existing=True)
        finally:
            if session is None:
                own.close()
        now = self.clock.now()
        with self._lock:
            in_flight = self._in_flight
        if row is None:
            return BudgetSnapshot(self.limits.per_minute, self.limits.per_day, None, None, in_flight)
        minute_used = 0 if now >= row.minute_started + self.limits.minute_seconds + self.window_margin \
            else row.minute_used
        day_used = 0 if now >= row.day_started + self.limits.day_seconds else row.day_used
        blocked = None
        if day_used >= self.limits.per_day:
            blocked = datetime.fromtimestamp(row.day_started + self.limits.day_seconds, UTC)
        elif row.blocked_until > now:
            blocked = datetime.fromtimestamp(row.blocked_until, UTC)
        return BudgetSnapshot(max(0, self.limits.per_minute - minute_used), max(0, self.limits.per_day - day_used),
                              datetime.fromtimestamp(now, UTC), blocked, in_flight)


def window_of(sessions: sessionmaker[Session], connection_id: int) -> CallWindow | None:
    """The shared counts of a connection as they stand (for plans and tests)."""
    with sessions() as session:
        return session.get(CallWindow, connection_id)


SharedBudgetFactory = Callable[[int, BudgetLimits], SharedCallBudget]
