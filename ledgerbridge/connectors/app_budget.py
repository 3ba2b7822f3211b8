"""Limits an app shares across every tenant: one window per app, whichever connection makes the call.

MYOB counts its 8 calls a second and 1,000,000 a day per API key, across every business an install serves;
Xero counts 10,000 calls a minute per app. A per-connection budget cannot keep those: two busy tenants would each
send 8 a second and both be refused. A package's spec states such limits (``PackageSpec.app_limits``); every
connection with the same client id (MYOB's API key *is* the OAuth client id) counts against one
:class:`AppScope`, in one of two forms like the per-connection budgets:

* :class:`LocalAppWindow`, this process's window for the app (SQLite: the one worker inside ``serve``), shared by
  every :class:`~ledgerbridge.connectors.budget.CallBudget` of the process through :func:`local_window`;
* the ``app_call_windows`` row, shared by every worker through the database (PostgreSQL), locked and counted in
  the same transaction as the connection's own ``call_windows`` row (:func:`locked_row`), so that no call is
  counted in one and not the other. Lock order is always the connection's row, then the app's.

Both keep the same counts with the same pure functions (:func:`wait_for`, :func:`count`, :func:`answered`,
:func:`block`): a sliding second (start times of the calls in the last :data:`PACING_WINDOW`; or, for an app whose
``second_from_answer`` is set, the calls in flight, written ``~start``, and the answer times of the last
:data:`ANSWERED_SECOND`), and fixed minute and day windows.
A refusal for the app's limit (the package says which: ``LimitReading.problem == APP_PROBLEM``) blocks the app's
window for every connection until its retry time.

Written by hand for the reasons ``budget.py`` gives (our store, a typed "until", an injectable clock).
"""

from __future__ import annotations

import hashlib
import threading
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Protocol

from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from ledgerbridge.connectors.limits import (
    ANSWERED_SECOND,
    APP_DAY_PROBLEM,
    PACING_WINDOW,
    AppLimits,
    BudgetExhausted,
)
from ledgerbridge.store.models.work import AppCallWindow

__all__ = ["AppScope", "LocalAppWindow", "answered", "app_scope", "block", "count", "local_window",
           "locked_row", "wait_for"]

_TICK = 0.001
EXHAUSTED = "the app's daily call limit, shared by every company it serves, is used up"


@dataclass(frozen=True, slots=True)
class AppScope:
    """One app's shared window: ``key`` names it in the store (the package and a digest of its client id: the id
    is not secret, but a key that names no credential is one thing less to keep out of logs)."""

    key: str
    limits: AppLimits


def app_scope(kind: str, client_id: str, limits: AppLimits | None) -> AppScope | None:
    """The scope a connection's calls count against beside its own budget; None for a package with no app limit."""
    if limits is None:
        return None
    digest = hashlib.sha256(client_id.encode()).hexdigest()[:24]
    return AppScope(f"{kind}:{digest}", limits)


class WindowState(Protocol):
    """The counts of an app's window: the store's row or this process's own."""

    recent_starts: str
    minute_started: float
    minute_used: int
    day_started: float
    day_used: int
    blocked_until: float


_IN_FLIGHT = "~"
#: A call counted from its answer that has none after this long (its worker died) stops holding its place.
IN_FLIGHT_LEASE = 120.0
#: How soon a full second whose first place is a call in flight for over a second is looked at again.
IN_FLIGHT_POLL = 0.05


def _span(limits: AppLimits | None) -> float:
    return ANSWERED_SECOND if limits is not None and limits.second_from_answer else PACING_WINDOW


def _kept(state: WindowState, limits: AppLimits | None, now: float) -> list[str]:
    """The second's entries still holding a place: calls in flight (``~start``), and start (or answer) times
    within the second."""
    out = []
    for entry in (x for x in state.recent_starts.split(",") if x):
        if entry.startswith(_IN_FLIGHT):
            if now - float(entry[1:]) < IN_FLIGHT_LEASE:
                out.append(entry)
        elif now - float(entry) < _span(limits):
            out.append(entry)
    return out


def _roll(state: WindowState, limits: AppLimits, now: float) -> None:
    if now >= state.minute_started + limits.minute_seconds:
        state.minute_started, state.minute_used = now, 0
    if now >= state.day_started + limits.day_seconds:
        state.day_started, state.day_used = now, 0


def wait_for(state: WindowState, limits: AppLimits, now: float) -> float:
    """Seconds until the app may make a call (0: now). Raises :class:`BudgetExhausted` for a spent day."""
    _roll(state, limits, now)
    if limits.per_day is not None and state.day_used >= limits.per_day:
        raise BudgetExhausted(datetime.fromtimestamp(state.day_started + limits.day_seconds, UTC), EXHAUSTED)
    # Every wait is at least a millisecond: at the clock's magnitude (1.8e9 s) a float subtraction may say 0 for
    # a window that still holds its calls, and a 0 here would let the call through.
    if state.blocked_until > now:
        return max(state.blocked_until - now, _TICK)
    if limits.per_minute is not None and state.minute_used >= limits.per_minute:
        return max(state.minute_started + limits.minute_seconds - now, _TICK)
    kept = _kept(state, limits, now)
    if limits.per_second is not None and len(kept) >= limits.per_second:
        # The first place that may be free: an answered call's a second after its answer; a call in flight's not
        # before a second after it started (its answer comes after), and, once that is past, as soon as its answer
        # is told (another worker's, through the store): looked at again shortly.
        earliest = min(float(x.lstrip(_IN_FLIGHT)) for x in kept) + _span(limits)
        return max(earliest - now, IN_FLIGHT_POLL if earliest <= now else _TICK)
    return 0.0


def count(state: WindowState, now: float, limits: AppLimits | None = None) -> str:
    """Count a call that :func:`wait_for` allowed just now; the entry to pass :func:`answered` when its answer
    comes (a call counted from its answer holds its place until then)."""
    entry = f"{_IN_FLIGHT if limits is not None and limits.second_from_answer else ''}{now:.6f}"
    state.recent_starts = ",".join([*_kept(state, limits, now), entry])
    state.minute_used += 1
    state.day_used += 1
    return entry


def answered(state: WindowState, limits: AppLimits, entry: str, now: float) -> None:
    """The call counted as ``entry`` was answered ``now``: its place is held for a second from now (nothing to do
    for a call counted from its start, or one whose entry has expired)."""
    if not entry.startswith(_IN_FLIGHT):
        return
    kept = _kept(state, limits, now)
    if entry in kept:
        kept[kept.index(entry)] = f"{now + 1e-6:.6f}"  # rounded up: the second is never shorter than one
        state.recent_starts = ",".join(kept)


def block(state: WindowState, limits: AppLimits, now: float, retry_after: float, problem: str | None) -> None:
    """The package refused a call for the app's limit (``problem``: :data:`APP_PROBLEM` or
    :data:`APP_DAY_PROBLEM`): no connection of the app calls before ``retry_after``."""
    state.blocked_until = max(state.blocked_until, now + retry_after)
    if problem == APP_DAY_PROBLEM and limits.per_day is not None:
        state.day_used = limits.per_day
        state.day_started = now + retry_after - limits.day_seconds


@dataclass(slots=True)
class _Counts:
    recent_starts: str = ""
    minute_started: float = 0.0
    minute_used: int = 0
    day_started: float = 0.0
    day_used: int = 0
    blocked_until: float = 0.0


@dataclass(slots=True)
class LocalAppWindow:
    """An app's window in this process; thread-safe."""

    scope: AppScope
    counts: _Counts = field(default_factory=_Counts)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def try_take(self, now: float) -> float:
        """Count a call and answer 0, or answer how long to wait (nothing counted)."""
        return self.take(now)[0]

    def take(self, now: float) -> tuple[float, str | None]:
        """(0, the call's entry for :meth:`answered`), or (how long to wait, None) with nothing counted."""
        with self.lock:
            wait = wait_for(self.counts, self.scope.limits, now)
            if wait > 0:
                return wait, None
            return 0.0, count(self.counts, now, self.scope.limits)

    def answered(self, entry: str, now: float) -> None:
        with self.lock:
            answered(self.counts, self.scope.limits, entry, now)

    def block(self, now: float, retry_after: float, problem: str | None) -> None:
        with self.lock:
            block(self.counts, self.scope.limits, now, retry_after, problem)


_local: dict[AppScope, LocalAppWindow] = {}
_local_guard = threading.Lock()


def local_window(scope: AppScope) -> LocalAppWindow:
    """This process's one window for the app, shared by every connection's budget in the process."""
    with _local_guard:
        window = _local.get(scope)
        if window is None:
            window = _local[scope] = LocalAppWindow(scope)
        return window


def locked_row(session: Session, scope: AppScope) -> AppCallWindow:
    """The app's row in the store, made if missing, locked for the caller's transaction (``FOR UPDATE`` on
    PostgreSQL; on SQLite the caller's ``BEGIN IMMEDIATE`` already holds the database's one write lock).

    Read first and made only when missing: the row is there for every call but the app's first, and every
    statement is a round trip made while other workers of the app may queue for the row."""
    dialect = session.get_bind().dialect.name
    query = select(AppCallWindow).where(AppCallWindow.scope == scope.key)
    if dialect != "sqlite":
        query = query.with_for_update()
    query = query.execution_options(populate_existing=True)
    row = session.scalars(query).one_or_none()
    if row is not None:
        return row
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    session.execute(insert(AppCallWindow).values(
        scope=scope.key, recent_starts="", minute_started=0.0, minute_used=0, day_started=0.0, day_used=0,
        blocked_until=0.0, updated_at=datetime.now(UTC)).on_conflict_do_nothing())
    return session.scalars(query).one()
