"""When will the pending work be done? The plan for one connection under its package's call budget (issue 6).

A package may allow only so many calls a day (Xero: 5,000 per organisation; 100,000 invoices need over 2,000
batch calls, a backlog of a few hundred thousand more than a day).
Rather than let a run stop with "limit reached", the plan says how many
calls the pending work needs, how many the day has left (from the budget every worker shares), and when the
work will be done at the package's per-minute rate, carrying what does not fit over to the next days. It also
says how many calls are kept back for urgent work (a payment import a user asks for), which automatic work
never spends.

Where the package also counts calls per app across every company (MYOB: 8 a second and 1,000,000 a day per API
key, ``PackageSpec.app_limits``), the connection's calls wait their turn with those of every other connection of
the app: the plan takes the app's rate where it is the slower, the app's calls left today where fewer, and the
calls the app makes before this connection's are done: with the app's calls shared in turn, every connection's
pending calls up to as many as this one has (``app_calls_until_done``).
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ledgerbridge.clock import WALL, Clock
from ledgerbridge.connectors.app_budget import AppScope, WindowState, app_scope
from ledgerbridge.connectors.limits import BudgetLimits
from ledgerbridge.connectors.spec import PackageSpec
from ledgerbridge.packages.registry import spec_for
from ledgerbridge.store.models.sync import Connection, RecordType, SyncRecord, SyncStatus
from ledgerbridge.store.models.work import AppCallWindow, CallWindow

__all__ = ["BudgetPlan", "plan_for"]


@dataclass(frozen=True, slots=True)
class BudgetPlan:
    connection_id: int
    pending_documents: int
    pending_parties: int
    calls_needed: int
    calls_left_today: int
    kept_for_urgent_work: int
    fits_today: bool
    days_needed: int
    finishes_at: datetime
    #: Calls every connection of the app makes before this one's are done (None: no per-app limit).
    app_calls_until_done: int | None = None
    #: The app's calls left today, shared by every connection of the app (None: no per-app day).
    app_calls_left_today: int | None = None

    def as_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out["finishes_at"] = self.finishes_at.isoformat(timespec="seconds")
        return out


def _pending(session: Session, connection_id: int, record_type: RecordType) -> int:
    open_states = (SyncStatus.PENDING.value, SyncStatus.IN_PROGRESS.value, SyncStatus.AWAITING_FETCH.value)
    return session.scalar(select(func.count(SyncRecord.id)).where(
        SyncRecord.connection_id == connection_id, SyncRecord.record_type == record_type.value,
        SyncRecord.status.in_(open_states))) or 0


def _work(session: Session, spec: PackageSpec, connection_id: int) -> tuple[int, int, int]:
    """(pending documents, pending parties, the calls they need)."""
    batch, read_page = spec.batch_size, spec.read_page  # the read-back after an upload pages the documents
    docs, parties = _pending(session, connection_id, RecordType.DOCUMENT), _pending(session, connection_id,
                                                                                   RecordType.PARTY)
    calls = math.ceil(docs / batch) + math.ceil(parties / batch) + (math.ceil(docs / read_page) if docs else 0)
    return docs, parties, calls


def _app_terms(session: Session, conn: Connection, spec: PackageSpec, scope: AppScope, calls: int,
               now: float, app_state: WindowState | None) -> tuple[int, float, int | None, float | None]:
    """(calls the app makes until this connection's are done, the app's calls a second, its calls left today or
    None, when its day turns over or None)."""
    others = session.scalars(select(Connection.id).where(
        Connection.kind == conn.kind, Connection.client_id == conn.client_id, Connection.id != conn.id)).all()
    until_done = calls + sum(min(_work(session, spec, other)[2], calls) for other in others)
    app = scope.limits
    rates = [n / seconds for n, seconds in ((app.per_second, 1.0), (app.per_minute, app.minute_seconds))
             if n is not None]
    if app.per_day is None:
        return until_done, min(rates, default=math.inf), None, None
    row = app_state if app_state is not None else session.get(AppCallWindow, scope.key)
    used, resets = 0, now + app.day_seconds
    if row is not None and now < row.day_started + app.day_seconds:
        used, resets = row.day_used, row.day_started + app.day_seconds
    return until_done, min(rates, default=math.inf), max(0, app.per_day - used), resets


def plan_for(session: Session, connection_id: int, clock: Clock = WALL,
             limits: BudgetLimits | None = None, app_state: WindowState | None = None) -> BudgetPlan:
    """The plan for the pending (and in-progress) documents of one connection, as of now. ``app_state``: the
    app's window where it is not the store's row (this process's own, on SQLite: ``app_key_usage``)."""
    conn = session.get_one(Connection, connection_id)
    spec = spec_for(conn.kind)
    limits = limits or spec.limits
    docs, parties, calls = _work(session, spec, connection_id)
    now = clock.now()
    reserve = max(1, limits.per_day // 50)
    window = session.get(CallWindow, connection_id)
    day_used, day_resets = 0, now + limits.day_seconds
    if window is not None and now < window.day_started + limits.day_seconds:
        day_used, day_resets = window.day_used, window.day_started + limits.day_seconds
    left_today = max(0, limits.per_day - reserve - day_used)
    per_second = limits.per_minute / limits.minute_seconds
    per_day = limits.per_day - reserve
    scope = app_scope(conn.kind, conn.client_id, spec.app_limits)
    until_done = app_left = None
    own = calls
    if scope is not None:
        # The app's calls are shared: this connection's are done once the app has made ``until_done``.
        until_done, app_rate, app_left, app_resets = _app_terms(session, conn, spec, scope, calls, now, app_state)
        calls = until_done
        per_second = min(per_second, app_rate)
        if app_left is not None and app_resets is not None and scope.limits.per_day is not None:
            if app_left - reserve < left_today:
                left_today, day_resets = max(0, app_left - reserve), app_resets
            per_day = min(per_day, scope.limits.per_day - reserve)
    if calls <= left_today:
        finish, days = now + calls / per_second, 1
    else:
        rest = calls - left_today
        days = 1 + math.ceil(rest / per_day)
        finish = day_resets + (days - 2) * limits.day_seconds + (rest - (days - 2) * per_day) / per_second
    return BudgetPlan(connection_id, docs, parties, own, left_today, reserve, calls <= left_today, days,
                      datetime.fromtimestamp(finish, UTC) + timedelta(0), until_done, app_left)
