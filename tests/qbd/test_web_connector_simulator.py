"""The Web Connector simulator against the service over real HTTP (uvicorn on loopback, in a thread): the whole call
sequence and every failure of ``../shared/apis/qbwc.md`` §12, each SOAP message checked against Intuit's WSDL and
each qbXML document against Intuit's XSD.

The work is a scripted ``MessageSource``; QuickBooks is ``fake_quickbooks.FakeQuickBooks`` (the sandbox company
replaces it once it lands); the sessions backend is the real one on SQLite and PostgreSQL.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pytest
from lxml import etree
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from ledgerbridge.packages.qbd.qwc import qwc_for_connection
from ledgerbridge.packages.qbd.sandbox.processor import COULD_NOT_ACCESS, NOT_RUNNING_NO_FILE
from ledgerbridge.packages.qbd.sandbox.web_connector import WebConnectorRefused, WebConnectorSimulator, read_qwc
from ledgerbridge.packages.qbd.sandbox.web_connector_faults import Cut, SimulatorFaults
from ledgerbridge.store.db import session_scope
from ledgerbridge.store.models.polled import PolledSession
from tests.contract_checks.qbwc_wsdl import check_soap
from tests.contract_checks.qbxml import QbxmlViolation, check_qbxml
from tests.qbd.fake_quickbooks import FakeQuickBooks
from tests.qbd.scripted_source import WAIT, ScriptedSource, customer_add, customer_query
from tests.qbd.wc_fixtures import Served, WcConnection

NS = "{http://developer.intuit.com/}"
SOAP_BODY = "{http://schemas.xmlsoap.org/soap/envelope/}Body"


@dataclass
class Sleeps:
    """The simulator's clock: records each wait instead of waiting."""

    seconds: list[float] = field(default_factory=list)

    def sleep(self, seconds: float) -> None:
        self.seconds.append(seconds)


@dataclass
class Checked:
    """Every exchange, checked against the WSDL as it happens; the qbXML inside against the XSD."""

    exchanges: list[tuple[str, bytes, bytes]] = field(default_factory=list)
    invalid_qbxml_expected: int = 0  # requests a test sends invalid on purpose (the check must then fail)

    def __call__(self, operation: str, request: bytes, response: bytes) -> None:
        assert check_soap(request, "request") == operation
        assert check_soap(response, "response") == operation
        self.exchanges.append((operation, request, response))
        if operation == "sendRequestXML":
            sent = _param(response, "sendRequestXMLResult")
            if sent and self.invalid_qbxml_expected:
                with pytest.raises(QbxmlViolation):
                    check_qbxml(sent)
                self.invalid_qbxml_expected -= 1
            elif sent:
                check_qbxml(sent)
            hcp = _param(request, "strHCPResponse")
            if hcp:
                check_qbxml(hcp)
        if operation == "receiveResponseXML" and _param(request, "response"):
            check_qbxml(_param(request, "response"), "13.0")

    def params(self, operation: str, name: str) -> list[str]:
        return [_param(request, name) for op, request, _ in self.exchanges if op == operation]


def _param(envelope: bytes, name: str) -> str:
    body = etree.fromstring(envelope).find(SOAP_BODY)
    assert body is not None
    found = body[0].find(f"{NS}{name}")
    return "" if found is None else (found.text or "")


def _simulator(sessions: sessionmaker[Session], served: Served, wc: WcConnection, quickbooks: FakeQuickBooks,
               **options: Any) -> tuple[WebConnectorSimulator, Checked]:
    with session_scope(sessions) as session:
        _, qwc = qwc_for_connection(session, wc.connection_id, f"http://localhost:{served.port}/packages/desktop")
    checked = Checked()
    options.setdefault("clock", Sleeps())
    return WebConnectorSimulator(qwc, wc.password, quickbooks, observer=checked, **options), checked


def _rows(sessions: sessionmaker[Session]) -> list[PolledSession]:
    with session_scope(sessions) as s:
        rows = list(s.scalars(select(PolledSession).order_by(PolledSession.id)))
        s.expunge_all()
        return rows


def test_the_whole_sequence(sessions: sessionmaker[Session], served: Served, source: ScriptedSource,
                            wc: WcConnection) -> None:
    quickbooks = FakeQuickBooks()
    simulator, checked = _simulator(sessions, served, wc, quickbooks)
    simulator.add_application()  # the support page answers 200
    source.queue(wc.connection_id, customer_add("Acme Corp", "c-1"), customer_query("q-1"))
    result = simulator.update_selected()
    assert (result.outcome, result.message) == ("done", "Done: 2 requests exchanged with QuickBooks.")
    assert result.calls == ["serverVersion", "clientVersion", "authenticate", "sendRequestXML", "receiveResponseXML",
                            "sendRequestXML", "receiveResponseXML", "closeConnection"]
    hcp = checked.params("sendRequestXML", "strHCPResponse")
    assert hcp[0].startswith("<?xml") and hcp[1:] == [""]  # strHCPResponse on the first call only
    assert checked.params("sendRequestXML", "strCompanyFileName")[0].endswith("Komet Sales.QBW")
    assert quickbooks.customers == ["Acme Corp"] and quickbooks.sessions == ["ledgerbridge (Komet Sales)"]
    assert not quickbooks.in_session
    [row] = _rows(sessions)
    assert (row.status, row.round_trips, row.product is not None) == ("closed", 2, True)
    again = simulator.update_selected()
    assert (again.outcome, again.calls) == ("none", ["serverVersion", "clientVersion", "authenticate",
                                                     "closeConnection"])
    log = simulator.log
    assert (log.sessions, log.round_trips, log.calls, log.noops) == (2, 2, 12, 0)
    assert log.bytes_sent > log.qbxml_bytes > 0 and log.bytes_received > 0


def test_the_noop_pause(sessions: sessionmaker[Session], served: Served, source: ScriptedSource,
                        wc: WcConnection) -> None:
    simulator, _ = _simulator(sessions, served, wc, FakeQuickBooks())
    source.queue(wc.connection_id, WAIT, WAIT, customer_query())
    result = simulator.update_selected()
    assert result.outcome == "done"
    assert result.calls[3:] == ["sendRequestXML", "getLastError", "sendRequestXML", "getLastError",
                                "sendRequestXML", "receiveResponseXML", "closeConnection"]
    assert isinstance(simulator.clock, Sleeps) and simulator.clock.seconds == [5.0, 5.0]
    assert simulator.log.noops == 2


def test_work_that_needs_nothing_of_quickbooks_ends_as_done(sessions: sessionmaker[Session], served: Served,
                                                            source: ScriptedSource, wc: WcConnection) -> None:
    """Work was due at authenticate but the run asked QuickBooks nothing: the Web Connector shows a getLastError
    text as an error, so the service ends with its closing request answered 100 instead."""
    quickbooks = FakeQuickBooks()
    simulator, checked = _simulator(sessions, served, wc, quickbooks)
    source.queue(wc.connection_id, WAIT)  # due; the engine is still at it; then it finishes with nothing to ask
    result = simulator.update_selected()
    assert (result.outcome, result.message) == ("done", "Done."), result
    assert result.calls[3:] == ["sendRequestXML", "getLastError", "sendRequestXML", "receiveResponseXML",
                                "closeConnection"]
    assert "<HostQueryRq" in quickbooks.requests[-1]  # checked against the XSD by ``Checked``
    assert simulator.log.round_trips == 1
    [row] = _rows(sessions)
    assert (row.status, row.round_trips, row.finished) == ("closed", 0, True)


def test_nvu_and_busy(sessions: sessionmaker[Session], served: Served, source: ScriptedSource,
                      wc: WcConnection) -> None:
    simulator, _ = _simulator(sessions, served, wc, FakeQuickBooks())
    simulator.password = "not the password"
    source.queue(wc.connection_id, customer_query())
    result = simulator.update_selected()
    assert (result.outcome, result.calls[-1], result.ticket) == ("nvu", "closeConnection", "")
    assert source.calls == []
    simulator.password = wc.password
    source.fail_next = "work_due"  # the work cannot be looked at now: "busy", try at the next update
    busy = simulator.update_selected()
    assert (busy.outcome, busy.calls[-2:]) == ("busy", ["authenticate", "closeConnection"])
    assert simulator.update_selected().outcome == "done"


@pytest.mark.parametrize("hresult", [COULD_NOT_ACCESS, NOT_RUNNING_NO_FILE])
def test_quickbooks_not_running(sessions: sessionmaker[Session], served: Served, source: ScriptedSource,
                                wc: WcConnection, hresult: int) -> None:
    faults = SimulatorFaults()
    faults.quickbooks_not_running(hresult)
    quickbooks = FakeQuickBooks()
    simulator, checked = _simulator(sessions, served, wc, quickbooks, faults=faults)
    source.queue(wc.connection_id, customer_query())
    result = simulator.update_selected()
    assert result.outcome == "connection_error" and result.calls[-2:] == ["connectionError", "closeConnection"]
    assert checked.params("connectionError", "hresult") == [f"0x{hresult:08X}"]
    assert result.message.startswith("Stopped:")
    [row] = _rows(sessions)
    assert row.status == "closed" and row.last_error and f"0x{hresult:08X}" in row.last_error
    assert quickbooks.requests == [] and [c[0] for c in source.calls][-1] == "end"
    assert simulator.update_selected().outcome == "done"  # QuickBooks is back at the next update


def test_bad_xml_is_an_hresult_with_an_empty_response(sessions: sessionmaker[Session], served: Served,
                                                      source: ScriptedSource, wc: WcConnection) -> None:
    faults = SimulatorFaults()
    faults.refuse_xml()
    simulator, checked = _simulator(sessions, served, wc, FakeQuickBooks(), faults=faults)
    source.queue(wc.connection_id, customer_query(), customer_query("q-2"))
    result = simulator.update_selected()
    assert source.scripts[wc.connection_id].popleft() == customer_query("q-2")  # not asked for: the session ended
    assert result.outcome == "error" and result.calls[-3:] == ["receiveResponseXML", "getLastError",
                                                               "closeConnection"]
    assert checked.params("receiveResponseXML", "hresult") == ["0x80040400"]
    assert checked.params("receiveResponseXML", "response") == [""]
    assert result.message.startswith("QuickBooks could not process the request (0x80040400)")
    # Without the fault too: qbXML QuickBooks cannot parse gets the same from the request processor.
    source.queue(wc.connection_id, customer_query().replace("<MaxReturned>10</MaxReturned>", "<Bogus/>"))
    checked.invalid_qbxml_expected = 1
    assert simulator.update_selected().outcome == "error"
    assert checked.invalid_qbxml_expected == 0
    assert checked.params("receiveResponseXML", "hresult")[-1] == "0x80040400"


def test_the_answer_lost_after_quickbooks_wrote(sessions: sessionmaker[Session], served: Served,
                                                source: ScriptedSource, wc: WcConnection) -> None:
    faults = SimulatorFaults()
    faults.lose_answer(at_message=1)
    quickbooks = FakeQuickBooks()
    simulator, _ = _simulator(sessions, served, wc, quickbooks, faults=faults)
    source.queue(wc.connection_id, customer_add("Acme Corp", "c-1"), customer_query("q-2"))
    lost = simulator.update_selected()
    assert lost.outcome == "answer_lost" and lost.calls[-1] == "sendRequestXML"  # no receiveResponseXML, no close
    assert quickbooks.customers == ["Acme Corp"]  # QuickBooks wrote it
    assert source.answers == [] and source.named("broken") == []
    assert simulator.update_selected().outcome == "done"  # the next update: a new authenticate
    first, second = _rows(sessions)
    [broken] = source.named("broken")
    assert broken[2] == first.id and "waiting for QuickBooks' answer" in broken[3]  # the write is in doubt
    assert (first.status, second.status) == ("broken", "closed")


@pytest.mark.parametrize(("where", "pending"), [(Cut.BEFORE_PROCESS, True), (Cut.AFTER_ANSWER, False)])
def test_a_session_cut_half_way(sessions: sessionmaker[Session], served: Served, source: ScriptedSource,
                                wc: WcConnection, where: Cut, pending: bool) -> None:
    faults = SimulatorFaults()
    faults.cut_session(where, at_message=1)
    quickbooks = FakeQuickBooks()
    simulator, _ = _simulator(sessions, served, wc, quickbooks, faults=faults)
    source.queue(wc.connection_id, customer_add("Acme Corp", "c-1"), customer_query("q-2"))
    assert simulator.update_selected().outcome == "cut"
    assert quickbooks.customers == ([] if pending else ["Acme Corp"])
    assert simulator.update_selected().outcome == "done"
    [broken] = source.named("broken")
    assert ("waiting for QuickBooks' answer" in broken[3]) == pending


def test_the_server_restarted_between_calls(sessions: sessionmaker[Session], served: Served,
                                            source: ScriptedSource, wc: WcConnection) -> None:
    faults = SimulatorFaults()
    faults.restart_server(served.restart, before="receiveResponseXML")
    faults.restart_server(served.restart, before="closeConnection")
    simulator, _ = _simulator(sessions, served, wc, FakeQuickBooks(), faults=faults)
    source.queue(wc.connection_id, customer_add("Acme Corp", "c-1"), customer_query("q-2"))
    result = simulator.update_selected()
    assert served.restarts == 2
    assert (result.outcome, result.message) == ("done", "Done: 2 requests exchanged with QuickBooks.")
    assert source.named("broken") == []  # the session lives in the store, not in the server's memory


def test_a_cap_on_round_trips(sessions: sessionmaker[Session], served: Served, source: ScriptedSource,
                              wc: WcConnection) -> None:
    simulator, _ = _simulator(sessions, served, wc, FakeQuickBooks(), max_round_trips=3)
    source.queue(wc.connection_id, *[customer_query(f"q-{n}") for n in range(10)])
    result = simulator.update_selected()
    assert (result.outcome, result.round_trips, result.calls[-1]) == ("cap", 3, "closeConnection")


def test_polls_on_its_schedule(sessions: sessionmaker[Session], served: Served, source: ScriptedSource,
                               wc: WcConnection) -> None:
    simulator, _ = _simulator(sessions, served, wc, FakeQuickBooks())
    source.queue(wc.connection_id, customer_query())
    results = simulator.run_scheduled(updates=3)
    assert [r.outcome for r in results] == ["done", "none", "none"]
    assert isinstance(simulator.clock, Sleeps) and simulator.clock.seconds == [900.0, 900.0]  # every 15 minutes
    source.queue(wc.connection_id, customer_query())
    assert [r.outcome for r in simulator.poll_until_idle()] == ["done", "none"]


def test_it_refuses_a_qwc_the_web_connector_refuses() -> None:
    good = (b"<QBWCXML><AppName>a</AppName><AppURL>https://sync.example.com/wc</AppURL><AppSupport>"
            b"https://sync.example.com/help</AppSupport><UserName>u</UserName><OwnerID>{o}</OwnerID><FileID>{f}"
            b"</FileID><QBType>QBFS</QBType><Scheduler><RunEveryNSeconds>30</RunEveryNSeconds><RunEveryNMinutes>5"
            b"</RunEveryNMinutes></Scheduler></QBWCXML>")
    assert read_qwc(good).run_every_seconds == 30.0  # the first of the two wins
    for bad, why in ((good.replace(b"https://sync.example.com/wc", b"http://127.0.0.1/wc"), "IP address"),
                     (good.replace(b"https://sync.example.com/wc", b"http://sync.example.com/wc"), "QBWC1010"),
                     (good.replace(b"sync.example.com/help", b"help.example.org/help"), "QBWC1000"),
                     (good.replace(b"<UserName>u</UserName>", b""), "UserName")):
        with pytest.raises(WebConnectorRefused, match=why):
            read_qwc(bad)
