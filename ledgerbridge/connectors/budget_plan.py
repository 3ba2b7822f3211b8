"""When will the pending work be done? The plan for one connection under its package's call budget (issue 6).

A package may allow only so many calls a day (Xero: 5,000 per organisation; 100,000 invoices need over 2,000
batch calls, a backlog of a few hundred thousand more than a day).
Rather than let a run stop with "limit reached", the plan says how many
calls the pending work needs, how many the day has left (from the budget every worker shares), and when the
work will be done at the package's per-minute rate, carrying what does not fit over to the next days. It also
says how many calls are kept back for urgent work (a payment import a user asks for), which automatic work
never spends.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ledgerbridge.clock import WALL, Clock
from ledgerbridge.connectors.limits import BudgetLimits
from ledgerbridge.packages.registry import spec_for
from ledgerbridge.store.models.sync import Connection, RecordType, SyncRecord, SyncStatus
from ledgerbridge.store.models.work import CallWindow

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

    def as_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out["finishes_at"] = self.finishes_at.isoformat(timespec="seconds")
        return out


def _pending(session: Session, connection_id: int, record_type: RecordType) -> int:
    open_states = (SyncStatus.PENDING.value, SyncStatus.IN_PROGRESS.value, SyncStatus.AWAITING_FETCH.value)
    return session.scalar(select(func.count(SyncRecord.id)).where(
        SyncRecord.connection_id == connection_id, SyncRecord.record_type == record_type.value,
        SyncRecord.status.in_(open_states))) or 0


def plan_for(session: Session, connection_id: int, clock: Clock = WALL,
             limits: BudgetLimits | None = None) -> BudgetPlan:
    """The plan for the pending (and in-progress) documents of one connection, as of now."""
    conn = session.get_one(Connection, connection_id)
    spec = spec_for(conn.kind)
    limits = limits or spec.limits
    batch, read_page = spec.batch_size, spec.read_page  # the read-back after an upload pages the documents
    docs, parties = _pending(session, connection_id, RecordType.DOCUMENT), _pending(session, connection_id,
                                                                                   RecordType.PARTY)
    calls = math.ceil(docs / batch) + math.ceil(parties / batch) + (math.ceil(docs / read_page) if docs else 0)
    now = clock.now()
    reserve = max(1, limits.per_day // 50)
    window = session.get(CallWindow, connection_id)
    day_used, day_resets = 0, now + limits.day_seconds
    if window is not None and now < window.day_started + limits.day_seconds:
        day_used, day_resets = window.day_used, window.day_started + limits.day_seconds
    left_today = max(0, limits.per_day - reserve - day_used)
    per_second = limits.per_minute / limits.minute_seconds
    if calls <= left_today:
        finish, days = now + calls / per_second, 1
    else:
        rest = calls - left_today
        per_day = limits.per_day - reserve
        days = 1 + math.ceil(rest / per_day)
        finish = day_resets + (days - 2) * limits.day_seconds + (rest - (days - 2) * per_day) / per_second
    return BudgetPlan(connection_id, docs, parties, calls, left_today, reserve, calls <= left_today, days,
                      datetime.fromtimestamp(finish, UTC) + timedelta(0))
