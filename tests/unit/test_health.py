"""Connection health phrases its warnings for the user and rolls the observed call budget forward."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from ledgerbridge.connectors.health import connection_health
from ledgerbridge.packages.qbo.limits import QBO_LIMITS
from ledgerbridge.packages.xero.limits import XERO_LIMITS
from ledgerbridge.store.models.sync import Connection

NOW = datetime(2026, 11, 21, 12, 0, tzinfo=UTC)


def _conn(**fields: object) -> Connection:
    return Connection(status="connected", tenant_name="Demo", **fields)


def test_old_refresh_token_and_spent_day_are_warned() -> None:
    conn = _conn(refresh_obtained_at=NOW - timedelta(days=55), calls_left_minute=0, calls_left_day=0,
                 budget_observed_at=NOW - timedelta(seconds=5), access_expires_at=NOW + timedelta(minutes=10))
    got = connection_health(conn, package="Xero", limits=XERO_LIMITS, warning_days=50, lifetime_days=60,
                            has_day_limit=True, now=NOW)
    assert got["refresh_token_age_days"] == 55 and got["access_token_expires_in_seconds"] == 600
    assert any("55 days ago and lapses at 60 days" in w for w in got["warnings"])
    assert any("daily call limit is used up" in w for w in got["warnings"])
    assert got["calls_left_minute"] == 0


def test_minute_window_turned_over_and_no_day_limit_for_quickbooks() -> None:
    conn = _conn(calls_left_minute=3, calls_left_day=0, budget_observed_at=NOW - timedelta(minutes=2))
    got = connection_health(conn, package="QuickBooks", limits=QBO_LIMITS, warning_days=80, lifetime_days=100,
                            has_day_limit=False, now=NOW)
    assert got["calls_left_minute"] == QBO_LIMITS.per_minute
    assert got["calls_left_day"] is None and got["warnings"] == []
