"""What the Connection page shows of an app-wide call budget (``PackageSpec.app_limits``: MYOB's 8 calls a second
and 1,000,000 a day per API key, across every company the app serves): the key's calls this second and today, a
refusal that holds every connection back, and, from ``budget_plan``, when this connection's pending work is done.

Read only: the counts are the app's window where the workers keep it. That is the ``app_call_windows`` row on
PostgreSQL (every worker counts there) and this process's own window on SQLite (the one worker runs inside
``serve``, the process that serves the page): the same choice ``connections._budget`` makes for the calls.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy.orm import Session

from ledgerbridge.clock import WALL, Clock
from ledgerbridge.connectors.app_budget import IN_FLIGHT_LEASE, AppScope, WindowState, app_scope, local_window
from ledgerbridge.connectors.budget_plan import BudgetPlan, plan_for
from ledgerbridge.packages.registry import spec_for
from ledgerbridge.store.models.sync import Connection
from ledgerbridge.store.models.work import AppCallWindow

__all__ = ["AppKeyUsage", "app_key_usage", "calls_within_second"]

_IN_FLIGHT = "~"


@dataclass(frozen=True, slots=True)
class AppKeyUsage:
    per_second: int | None
    calls_this_second: int
    per_day: int | None
    calls_today: int
    day_resets_at: datetime | None  # None: no call counted in a day that is still running
    blocked_until: datetime | None  # the package refused a call for the key's limit: nothing goes before then
    plan: BudgetPlan

    @property
    def day_share_used(self) -> int | None:
        """Per cent of the key's day used, for the meter (None: no day limit)."""
        return None if not self.per_day else min(100, round(100 * self.calls_today / self.per_day))


def calls_within_second(recent_starts: str, now: float) -> int:
    """Calls the window counts in the second up to ``now``: those started (or answered) within it, and those still
    in flight (``~start``, until their lease runs out), which hold their place until they are answered."""
    held = 0
    for entry in (x for x in recent_starts.split(",") if x):
        started = float(entry.lstrip(_IN_FLIGHT))
        if entry.startswith(_IN_FLIGHT):
            held += now - started < IN_FLIGHT_LEASE
        else:
            held += 0 <= now - started < 1.0 or started > now  # an answer time is stamped a hair ahead
    return held


def _counts(session: Session, scope: AppScope) -> WindowState | None:
    """The app's counts where the calls are counted (this process's window is read without its lock: each field
    is replaced whole, and a figure a call old is good enough for a page)."""
    if session.get_bind().dialect.name == "postgresql":
        return session.get(AppCallWindow, scope.key)
    return local_window(scope).counts


def app_key_usage(session: Session, connection: Connection, clock: Clock = WALL) -> AppKeyUsage | None:
    """The key's budget as it stands, for a connection whose package counts calls per app; None for the others."""
    scope = app_scope(connection.kind, connection.client_id, spec_for(connection.kind).app_limits)
    if scope is None:
        return None
    limits = scope.limits
    now = clock.now()
    state = _counts(session, scope)
    second = today = 0
    resets = blocked = None
    if state is not None:
        second = calls_within_second(state.recent_starts, now)
        if now < state.day_started + limits.day_seconds:
            today = state.day_used
            resets = datetime.fromtimestamp(state.day_started + limits.day_seconds, UTC)
        if state.blocked_until > now:
            blocked = datetime.fromtimestamp(state.blocked_until, UTC)
    return AppKeyUsage(limits.per_second, second, limits.per_day, today, resets, blocked,
                       plan_for(session, connection.id, clock, app_state=state))
