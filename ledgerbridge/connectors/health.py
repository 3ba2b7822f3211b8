"""Connection health (R-C3), the same for every package: token expiry, refresh-token age, calls left, last error.

Each package's ``auth.health`` supplies only what differs: its name, its call limits and how long its refresh
tokens live.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from ledgerbridge.connectors.budget import BudgetLimits
from ledgerbridge.store.models.sync import Connection


def connection_health(connection: Connection, *, package: str, limits: BudgetLimits, warning_days: int,
                      lifetime_days: int, has_day_limit: bool, now: datetime | None = None) -> dict[str, Any]:
    """What the connection-health panel shows, with warnings phrased for the user."""
    now = now or datetime.now(UTC)
    warnings: list[str] = []
    expires_in = (connection.access_expires_at - now).total_seconds() if connection.access_expires_at else None
    refresh_age = (now - connection.refresh_obtained_at).days if connection.refresh_obtained_at else None
    if refresh_age is not None and refresh_age >= warning_days:
        warnings.append(f"{package}'s authorisation was last renewed {refresh_age} days ago and lapses at "
                        f"{lifetime_days} days: run a sync or reconnect soon")
    if connection.status == "reauthorise":
        warnings.append(connection.last_error or f"{package} needs the connection to be authorised again")
    minute_left = connection.calls_left_minute
    day_left = connection.calls_left_day if has_day_limit else None
    observed = connection.budget_observed_at
    since = (now - observed).total_seconds() if observed is not None else None
    if since is not None and since >= limits.minute_seconds:
        minute_left = limits.per_minute  # the minute window has turned over since it was observed
    if has_day_limit and since is not None and since >= limits.day_seconds:
        day_left = limits.per_day
    if day_left is not None and day_left <= 0:
        warnings.append(f"{package}'s daily call limit is used up; syncing resumes when it resets")
    return {
        "status": connection.status, "tenant_name": connection.tenant_name,
        "access_token_expires_at": connection.access_expires_at, "access_token_expires_in_seconds": expires_in,
        "refresh_token_obtained_at": connection.refresh_obtained_at, "refresh_token_age_days": refresh_age,
        "last_success_at": connection.last_success_at, "calls_left_minute": minute_left,
        "calls_left_day": day_left, "budget_observed_at": observed, "last_error": connection.last_error,
        "last_error_at": connection.last_error_at, "warnings": warnings,
    }
