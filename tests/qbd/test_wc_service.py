"""The Web Connector service answers as Intuit's Programmer's Guide says, over the real sessions backend, on SQLite
and PostgreSQL: every call goes through the app's HTTP layer as SOAP and is checked against Intuit's WSDL.

The work comes from a scripted ``MessageSource`` (``scripted_source.py``); sessions, tickets and passwords are the
real ones in the store.
"""

from __future__ import annotations

import hashlib
import logging
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from ledgerbridge.packages.qbd.webconnector.routes import SOAP_PATH
from ledgerbridge.store.db import session_scope
from ledgerbridge.store.models.polled import PolledCredential, PolledSession
from tests.contract_checks.qbxml import check_qbxml
from tests.qbd.host_answers import empty_answer, host_response_text, name_in_use
from tests.qbd.scripted_source import WAIT, ScriptedSource, customer_add, customer_query
from tests.qbd.wc_fixtures import BASE, MovableNow, SoapClient, WcConnection, service_app


def _session(sessions: sessionmaker[Session], ticket: str) -> PolledSession:
    with session_scope(sessions) as s:
        row = s.scalar(select(PolledSession).where(
            PolledSession.ticket_hash == hashlib.sha256(ticket.encode()).hexdigest()))
        assert row is not None
        s.expunge(row)
        return row


def test_a_whole_session(soap: SoapClient, source: ScriptedSource, wc: WcConnection,
                         sessions: sessionmaker[Session]) -> None:
    first, second = customer_query("q-1"), customer_add("Acme Corp", "c-1")
    source.queue(wc.connection_id, first, second)
    assert soap.text("serverVersion").startswith("ledgerbridge")
    assert soap.text("clientVersion", strVersion="2.2.0.71") == ""
    ticket, status = soap.authenticate(wc.user, wc.password)
    assert status == "" and len(ticket) == 36  # a GUID; "" = the company file QuickBooks has open
    hcp = host_response_text()
    check_qbxml(hcp)
    request = soap.send(ticket, hcp)
    assert request == first
    check_qbxml(request)
    assert soap.receive(ticket, empty_answer("q-1")) == 50
    assert soap.send(ticket) == second
    assert soap.receive(ticket, name_in_use("Acme Corp", "c-1")) == 100  # a business error: carried, not -1
    assert soap.text("closeConnection", ticket=ticket) == "Done: 2 requests exchanged with QuickBooks."
    assert soap.text("getLastError", ticket=ticket) != "NoOp"  # a closed session never loops
    row = _session(sessions, ticket)
    assert (row.status, row.round_trips, row.awaiting_answer, row.percent_done) == ("closed", 2, False, 100)
    assert row.product and row.product.startswith("QuickBooks Enterprise")
    assert (row.country, row.version_min, row.version_max, row.processor_version) == ("US", "1.0", "16.0", "13.0")
    assert row.company_file == r"C:\Company Files\Komet Sales.QBW"
    assert row.bytes_sent == len(first) + len(second) and row.bytes_received > 0
    assert [a.response for a in source.answers] == [empty_answer("q-1"), name_in_use("Acme Corp", "c-1")]
    assert [c[0] for c in source.calls] == ["work_due", "begin", "next_message", "answer", "next_message", "answer",
                                            "end"]
    assert source.versions == ["13.0", "13.0"]  # never above the request processor's 13.0


def test_the_version_is_never_above_what_quickbooks_lists(soap: SoapClient, source: ScriptedSource,
                                                          wc: WcConnection) -> None:
    source.queue(wc.connection_id, customer_query())
    ticket, _ = soap.authenticate(wc.user, wc.password)
    soap.send(ticket, host_response_text(versions=("2.0", "13.0")), major=16, minor=0)
    assert source.versions == ["13.0"]


@pytest.mark.parametrize("who", ["wrong password", "unknown user", "empty"])
def test_nvu_for_a_wrong_user_or_password(soap: SoapClient, source: ScriptedSource, wc: WcConnection,
                                          sessions: sessionmaker[Session], who: str) -> None:
    source.queue(wc.connection_id, customer_query())
    user, password = {"wrong password": (wc.user, wc.password + "x"), "unknown user": ("nobody", wc.password),
                      "empty": ("", "")}[who]
    assert soap.authenticate(user, password) == ["", "nvu"]
    assert soap.text("closeConnection", ticket="") == "OK"  # what the Web Connector calls next
    assert source.calls == []  # the work is never asked about
    with session_scope(sessions) as s:
        credential = s.scalars(select(PolledCredential)).one()
        assert credential.last_poll_at is None
        assert (credential.last_refused_at is not None) == (who == "wrong password")
        assert s.scalars(select(PolledSession)).all() == []


def test_none_when_there_is_no_work(soap: SoapClient, source: ScriptedSource, wc: WcConnection,
                                    sessions: sessionmaker[Session], now: MovableNow) -> None:
    ticket, status = soap.authenticate(wc.user, wc.password)
    assert status == "none" and ticket
    assert soap.text("closeConnection", ticket=ticket) == "OK"
    with session_scope(sessions) as s:
        assert s.scalars(select(PolledCredential)).one().last_poll_at == now.at  # a poll, for connection health
        assert s.scalars(select(PolledSession)).all() == []
    assert [c[0] for c in source.calls] == ["work_due"]


def test_noop_pause_then_the_message(soap: SoapClient, source: ScriptedSource, wc: WcConnection,
                                     sessions: sessionmaker[Session]) -> None:
    source.queue(wc.connection_id, WAIT, customer_query())
    ticket, _ = soap.authenticate(wc.user, wc.password)
    assert soap.send(ticket, host_response_text()) == ""
    assert soap.text("getLastError", ticket=ticket) == "NoOp"  # the Web Connector waits 5 s and asks again
    assert soap.send(ticket) == customer_query()
    assert soap.receive(ticket, empty_answer()) == 100
    assert _session(sessions, ticket).waits == 1


def test_work_that_needs_nothing_ends_with_a_hundred_not_an_error(soap: SoapClient, source: ScriptedSource,
                                                                   wc: WcConnection,
                                                                   sessions: sessionmaker[Session]) -> None:
    source.queue(wc.connection_id, customer_query())
    ticket, status = soap.authenticate(wc.user, wc.password)
    assert status == ""
    source.scripts[wc.connection_id].clear()  # the run found nothing to ask QuickBooks after all
    closing = soap.send(ticket, host_response_text())
    assert "<HostQueryRq" in closing  # never "": the Web Connector would show getLastError's text as an error
    check_qbxml(closing)
    assert soap.receive(ticket, empty_answer("ledgerbridge-done")) == 100
    assert soap.text("closeConnection", ticket=ticket) == "Done."
    row = _session(sessions, ticket)
    assert (row.status, row.round_trips, row.awaiting_answer, row.finished) == ("closed", 0, False, True)
    assert source.answers == []  # the closing answer is nothing of the work's
    assert [c[0] for c in source.calls] == ["work_due", "begin", "next_message", "end"]


def test_a_session_cut_while_its_closing_request_is_out_puts_nothing_in_doubt(
        soap: SoapClient, source: ScriptedSource, wc: WcConnection, sessions: sessionmaker[Session]) -> None:
    source.queue(wc.connection_id, customer_query())
    ticket, _ = soap.authenticate(wc.user, wc.password)
    source.scripts[wc.connection_id].clear()
    assert "<HostQueryRq" in soap.send(ticket, host_response_text())
    assert soap.text("closeConnection", ticket=ticket) == "Done."  # its answer never came: nothing was at stake
    assert _session(sessions, ticket).status == "closed"
    assert source.named("broken") == [] and len(source.named("end")) == 1


@pytest.mark.parametrize("ticket", ["", "not-a-ticket", "0c6d1e84-1b2b-4a37-9f0a-000000000000"])
def test_close_connection_answers_any_ticket(soap: SoapClient, ticket: str) -> None:
    assert soap.text("closeConnection", ticket=ticket) == "OK"
    assert soap.text("getLastError", ticket=ticket) != "NoOp"  # an unknown session must never loop
    assert soap.send(ticket) == ""
    assert soap.receive(ticket, empty_answer()) == -1


def test_authenticate_while_an_answer_is_pending_breaks_the_session(soap: SoapClient, source: ScriptedSource,
                                                                    wc: WcConnection,
                                                                    sessions: sessionmaker[Session]) -> None:
    source.queue(wc.connection_id, customer_add("Acme", "c-1"), customer_query("q-2"))
    ticket, _ = soap.authenticate(wc.user, wc.password)
    assert soap.send(ticket, host_response_text()) == customer_add("Acme", "c-1")
    # The answer never arrives (the PC went to sleep); the next scheduled update signs in again.
    ticket2, status = soap.authenticate(wc.user, wc.password)
    assert status == "" and ticket2 != ticket
    first = _session(sessions, ticket)
    [broken] = source.named("broken")
    assert broken[1:3] == (wc.connection_id, first.id) and "waiting for QuickBooks' answer" in broken[3]
    assert first.status == "broken" and first.closed_at is not None
    # The old ticket is over: its late answer is refused, and its close says why.
    assert soap.receive(ticket, empty_answer()) == -1
    assert soap.text("closeConnection", ticket=ticket).startswith("Stopped: A new Web Connector session")
    assert soap.send(ticket2, host_response_text()) == customer_query("q-2")


def test_send_request_while_an_answer_is_pending_breaks_the_session(soap: SoapClient, source: ScriptedSource,
                                                                    wc: WcConnection,
                                                                    sessions: sessionmaker[Session]) -> None:
    source.queue(wc.connection_id, customer_add("Acme", "c-1"), customer_query("q-2"))
    ticket, _ = soap.authenticate(wc.user, wc.password)
    soap.send(ticket, host_response_text())
    assert soap.send(ticket) == ""
    assert "before the answer to the last one arrived" in soap.text("getLastError", ticket=ticket)
    assert [c[2] for c in source.named("broken")] == [_session(sessions, ticket).id]
    assert source.named("end") == []


def test_a_session_silent_for_longer_than_the_timeout_is_broken_by_the_next_caller(
        sessions: sessionmaker[Session], source: ScriptedSource, wc: WcConnection, now: MovableNow) -> None:
    with TestClient(service_app(sessions, source, now, timeout=timedelta(minutes=10)), base_url=BASE) as http:
        soap = SoapClient(http, BASE + "/packages/desktop" + SOAP_PATH)
        source.queue(wc.connection_id, customer_add("Acme", "c-1"))
        ticket, _ = soap.authenticate(wc.user, wc.password)
        soap.send(ticket, host_response_text())
        now.advance(minutes=9)
        assert source.named("broken") == []
        now.advance(minutes=2)
        assert soap.text("getLastError", ticket=ticket).startswith("The session was closed because")
        assert soap.receive(ticket, empty_answer()) == -1  # too late: the session is over
        assert [c[3] for c in source.named("broken")] and "no call for too long" in source.named("broken")[0][3]
        assert _session(sessions, ticket).status == "broken"


def test_closing_while_an_answer_is_out_puts_its_writes_in_doubt(soap: SoapClient, source: ScriptedSource,
                                                                  wc: WcConnection) -> None:
    source.queue(wc.connection_id, customer_add("Acme", "c-1"))
    ticket, _ = soap.authenticate(wc.user, wc.password)
    soap.send(ticket, host_response_text())
    assert soap.text("closeConnection", ticket=ticket).startswith("Stopped: The Web Connector closed the session "
                                                                  "before QuickBooks' answer")
    assert [c[0] for c in source.calls][-1] == "broken" and source.named("end") == []


def test_a_transport_failure_is_negative_and_ends_the_session(soap: SoapClient, source: ScriptedSource,
                                                              wc: WcConnection,
                                                              sessions: sessionmaker[Session]) -> None:
    source.queue(wc.connection_id, customer_query(), customer_query("q-2"))
    ticket, _ = soap.authenticate(wc.user, wc.password)
    soap.send(ticket, host_response_text())
    parse_error = "QuickBooks found an error when parsing the provided XML text stream."
    assert soap.receive(ticket, "", "0x80040400", parse_error) < 0
    assert source.answers[-1].response is None and source.answers[-1].hresult == "0x80040400"
    error = soap.text("getLastError", ticket=ticket)
    assert error == f"QuickBooks could not process the request (0x80040400): {parse_error}"
    assert soap.text("closeConnection", ticket=ticket) == f"Stopped: {error}"
    row = _session(sessions, ticket)
    assert row.last_error == error and row.status == "closed"
    assert [c[0] for c in source.calls][-1] == "end"


def test_connection_error_is_done_and_recorded(soap: SoapClient, source: ScriptedSource, wc: WcConnection,
                                               sessions: sessionmaker[Session]) -> None:
    source.queue(wc.connection_id, customer_query())
    ticket, _ = soap.authenticate(wc.user, wc.password)
    answer = soap.text("connectionError", ticket=ticket, hresult="0x80040416",
                       message="If QuickBooks is not running, the company data file name must be supplied to "
                               "BeginSession.")
    assert answer == "done"
    assert soap.text("closeConnection", ticket=ticket).startswith("Stopped: QuickBooks is not running")
    row = _session(sessions, ticket)
    assert row.status == "closed" and row.last_error and "0x80040416" in row.last_error
    assert [c[0] for c in source.calls] == ["work_due", "begin", "end"]


def test_a_failing_source_is_answered_inside_the_protocol(soap: SoapClient, source: ScriptedSource,
                                                          wc: WcConnection) -> None:
    source.queue(wc.connection_id, customer_query(), customer_query("q-2"))
    ticket, _ = soap.authenticate(wc.user, wc.password)
    source.fail_next = "next_message"
    assert soap.send(ticket, host_response_text()) == ""
    assert "could not prepare the next request" in soap.text("getLastError", ticket=ticket)
    ticket, _ = soap.authenticate(wc.user, wc.password)
    soap.send(ticket, host_response_text())
    source.fail_next = "answer"
    assert soap.receive(ticket, empty_answer()) == -1  # QuickBooks ran it: what it wrote is in doubt
    assert "read QuickBooks' answer" in source.named("broken")[-1][3]
    source.fail_next = "work_due"
    assert soap.authenticate(wc.user, wc.password)[1] == "busy"


def test_client_version(soap: SoapClient) -> None:
    assert soap.text("clientVersion", strVersion="2.3.0.215") == ""
    assert soap.text("clientVersion", strVersion="2.1.0.30") == ""
    assert soap.text("clientVersion", strVersion="2.0.1.6") == "O:2.1.0.30"
    assert soap.text("clientVersion", strVersion="1.5.0.0") == "O:2.1.0.30"
    assert soap.text("clientVersion", strVersion="") == ""


def test_the_calls_outside_the_wsdl_are_answered_harmlessly(soap: SoapClient) -> None:
    assert soap.text("getServerVersion", ticket="x").startswith("ledgerbridge")
    assert soap.text("getInteractiveURL", wcTicket="x", sessionID="y") == ""
    assert soap.text("interactiveDone", wcTicket="x") == "Done"
    assert soap.text("interactiveRejected", wcTicket="x", reason="no") == ""


def test_the_password_is_hashed_and_never_logged(soap: SoapClient, source: ScriptedSource, wc: WcConnection,
                                                 sessions: sessionmaker[Session],
                                                 caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    source.queue(wc.connection_id, customer_query())
    soap.authenticate(wc.user, "a wrong password!")
    ticket, _ = soap.authenticate(wc.user, wc.password)
    source.fail_next = "next_message"  # the failure path logs a traceback: it must not carry secrets either
    soap.send(ticket, host_response_text())
    soap.text("getLastError", ticket=ticket)
    soap.text("closeConnection", ticket=ticket)
    logged = "\n".join(r.getMessage() + (r.exc_text or "") for r in caplog.records)
    assert "Web Connector called authenticate" in logged  # the log was captured
    assert wc.password not in logged and ticket not in logged and "a wrong password!" not in logged
    with session_scope(sessions) as s:
        credential = s.scalars(select(PolledCredential)).one()
        assert credential.password_hash and credential.password_hash.startswith("$argon2")
        assert wc.password not in credential.password_hash
        dumped = repr([(r.ticket_hash, r.close_reason, r.notice) for r in s.scalars(select(PolledSession))])
        assert ticket not in dumped
