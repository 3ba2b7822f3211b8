"""Connection health of a polled connection: the last poll, a warning when none came for longer than the schedule,
a refused password, the last session's error; and stale sessions closed for whoever asks."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy.orm import Session, sessionmaker

from ledgerbridge.packages.qbd.webconnector.health import poll_health
from ledgerbridge.packages.qbd.webconnector.sessions import PolledSessions, SessionSettings
from ledgerbridge.store.db import session_scope
from tests.qbd.host_answers import host_response_text
from tests.qbd.scripted_source import ScriptedSource, customer_query
from tests.qbd.wc_fixtures import MovableNow, SoapClient, WcConnection, make_wc_connection


def test_health_over_time(sessions: sessionmaker[Session], soap: SoapClient, source: ScriptedSource,
                          wc: WcConnection, now: MovableNow) -> None:
    with session_scope(sessions) as s:
        fresh = poll_health(s, wc.connection_id, now.at)
    assert fresh.set_up and fresh.last_poll_at is None and not fresh.overdue
    assert fresh.warnings == ["The Web Connector has not polled yet: add the .qwc file to it (Add an application), "
                              "enter the password and tick Auto-Run."]
    soap.authenticate(wc.user, wc.password)  # "none": a poll all the same
    now.advance(minutes=16)
    with session_scope(sessions) as s:
        on_time = poll_health(s, wc.connection_id, now.at)
    assert on_time.last_poll_at == now.at - timedelta(minutes=16) and on_time.warnings == []  # 15 + a minute's grace
    now.advance(minutes=2)
    with session_scope(sessions) as s:
        late = poll_health(s, wc.connection_id, now.at)
    assert late.overdue and late.warnings[0].startswith("The Web Connector last polled 18 minutes ago, though it "
                                                        "should every 15 minutes")
    soap.authenticate(wc.user, "an old password")
    with session_scope(sessions) as s:
        refused = poll_health(s, wc.connection_id, now.at)
    assert any("password was refused" in w for w in refused.warnings)
    source.queue(wc.connection_id, customer_query())
    ticket, _ = soap.authenticate(wc.user, wc.password)
    soap.text("connectionError", ticket=ticket, hresult="0x80040401", message="Could not access QuickBooks.")
    with session_scope(sessions) as s:
        stopped = poll_health(s, wc.connection_id, now.at)
    assert not stopped.overdue and stopped.last_session_status == "closed"
    assert stopped.warnings == [f"The last update stopped: {stopped.last_error}"]
    assert stopped.last_error and "could not reach QuickBooks (0x80040401)" in stopped.last_error
    assert stopped.as_dict()["last_poll_at"] == now.at


def test_health_before_the_password_is_set(sessions: sessionmaker[Session]) -> None:
    wc = make_wc_connection(sessions)
    with session_scope(sessions) as s:
        assert poll_health(s, wc.connection_id + 1).set_up is False  # no credentials at all
        assert "not set up" in poll_health(s, wc.connection_id + 1).warnings[0]


def test_close_stale_breaks_silent_sessions(sessions: sessionmaker[Session], soap: SoapClient,
                                            source: ScriptedSource, wc: WcConnection, now: MovableNow) -> None:
    source.queue(wc.connection_id, customer_query())
    ticket, _ = soap.authenticate(wc.user, wc.password)
    soap.send(ticket, host_response_text())
    backend = PolledSessions(sessions, source, settings=SessionSettings(timeout=timedelta(minutes=30)), now=now)
    now.advance(minutes=29)
    assert backend.close_stale() == 0
    now.advance(minutes=2)
    assert backend.close_stale(wc.connection_id + 1) == 0  # another connection's: nothing
    assert backend.close_stale(wc.connection_id) == 1
    assert [c[0] for c in source.calls][-1] == "broken"
    assert soap.text("getLastError", ticket=ticket).startswith("The session was closed because")
