"""The plan of a connection whose package counts calls per app across every company (MYOB: 8 a second and
1,000,000 a day per API key): its calls wait their turn with those of the app's other connections, at the app's
rate, within the app's day."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy.orm import Session, sessionmaker

from ledgerbridge.connectors.app_budget import app_scope
from ledgerbridge.connectors.budget_plan import plan_for
from ledgerbridge.connectors.connections import create_connection, sandbox_endpoints
from ledgerbridge.packages.registry import spec_for
from ledgerbridge.store.db import session_scope
from ledgerbridge.store.models.sync import RecordType, SyncRecord
from ledgerbridge.store.models.work import AppCallWindow
from ledgerbridge.store.organisations import create_organisation

from .test_shared_budget import START, FakeClock


def _myob(sessions: sessionmaker[Session], documents: list[int], key: str = "api-key") -> list[int]:
    """MYOB connections of one app (API key), each with that many documents pending."""
    ids = []
    with session_scope(sessions) as session:
        for n, pending in enumerate(documents):
            org = create_organisation(session, f"Tenant {n} Pty Ltd")
            conn = create_connection(session, org.id, "myob", sandbox_endpoints("myob", "http://127.0.0.1:9"),
                                     client_id=key, client_secret="s", redirect_uri="http://127.0.0.1:9/cb")
            session.add_all([SyncRecord(connection_id=conn.id, record_type=RecordType.DOCUMENT.value,
                                        record_id=1000 * n + k) for k in range(pending)])
            ids.append(conn.id)
    return ids


def test_connections_of_one_api_key_share_its_eight_calls_a_second(sessions: sessionmaker[Session]) -> None:
    small, big = _myob(sessions, [100, 300])
    (other_app,) = _myob(sessions, [300], key="another-key")
    clock = FakeClock()
    with session_scope(sessions) as session:
        first, second = plan_for(session, small, clock), plan_for(session, big, clock)  # type: ignore[arg-type]
        alone = plan_for(session, other_app, clock)  # type: ignore[arg-type]
    # One call a document (no batch) and one page of read-back: 101 and 301 calls. Taking turns, the small one is
    # done after 202 of the app's calls, the big one after all 402; at 8 a second.
    assert (first.calls_needed, first.app_calls_until_done) == (101, 202)
    assert first.finishes_at == datetime.fromtimestamp(START + 202 / 8, UTC)
    assert (second.calls_needed, second.app_calls_until_done) == (301, 402)
    assert second.finishes_at == datetime.fromtimestamp(START + 402 / 8, UTC)
    # Another API key is another app: its calls wait for nobody else's.
    assert alone.app_calls_until_done == 301 and alone.finishes_at == datetime.fromtimestamp(START + 301 / 8, UTC)


def test_the_apps_day_spent_by_other_companies_moves_the_finish_to_the_next_day(
        sessions: sessionmaker[Session]) -> None:
    (conn,) = _myob(sessions, [100])
    scope = app_scope("myob", "api-key", spec_for("myob").app_limits)
    assert scope is not None
    with session_scope(sessions) as session:  # other businesses of the key spent the day since an hour ago
        session.add(AppCallWindow(scope=scope.key, recent_starts="", minute_started=0.0, minute_used=0,
                                  day_started=START - 3600, day_used=1_000_000 - 50, blocked_until=0.0,
                                  updated_at=datetime.now(UTC)))
    with session_scope(sessions) as session:
        plan = plan_for(session, conn, FakeClock())  # type: ignore[arg-type]
    assert plan.app_calls_left_today == 50 and plan.calls_left_today == 0 and not plan.fits_today
    assert plan.days_needed == 2
    assert plan.finishes_at == datetime.fromtimestamp(START - 3600 + 86_400 + 101 / 8, UTC)
