"""A QuickBooks Web Connector simulator: reads a .qwc file, polls its SOAP endpoint over HTTP on the schedule or on
demand ("Update Selected"), and runs each qbXML request in a ``QuickBooksLike`` (the sandbox company).

It replays the real Web Connector's call sequence (``../shared/apis/qbwc.md`` §4 and §12; Programmer's Guide ch. 4):
``serverVersion``, ``clientVersion``, ``authenticate`` (``closeConnection`` straight after ``nvu``, ``none`` or
``busy``), the request processor's session under the .qwc's AppName (``connectionError`` when QuickBooks cannot be
opened), then ``sendRequestXML`` (``strHCPResponse`` on the first call only) / ``receiveResponseXML`` until 100; an
empty request is followed by ``getLastError``: ``NoOp`` waits 5 seconds (on the injected clock) and asks again,
anything else is shown to the user as an error (outcome ``error``) and ends the session, as does a negative
answer. Envelopes are written as the Web Connector writes them
(``soap:`` prefix, the operation in the default namespace, ``SOAPAction`` in quotes). Failures are played on request
(``web_connector_faults``). Every call is counted (round trips, bytes) for the bench, and can be handed to an
observer (the tests check each against the WSDL); a cap on round trips per session makes a runaway iterator fail
fast.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

import httpx

from ledgerbridge.packages.qbd.qwc import check_app_url
from ledgerbridge.packages.qbd.sandbox.processor import PARSE_ERROR, QuickBooksLike, RequestProcessorError
from ledgerbridge.packages.qbd.sandbox.web_connector_faults import Cut, SimulatorFaults
from ledgerbridge.packages.qbd.webconnector.operations import OPERATIONS
from ledgerbridge.packages.qbd.webconnector.soap import CONTENT_TYPE, SoapFault, parse_result, parse_xml, render_call

__all__ = ["NOOP_PAUSE_SECONDS", "QwcApplication", "RoundTripLog", "Sleeper", "UpdateResult", "WebConnectorRefused",
           "WebConnectorSimulator", "read_qwc"]

NOOP_PAUSE_SECONDS = 5.0  # Programmer's Guide p23: after "NoOp" the Web Connector asks again in 5 seconds


class Sleeper(Protocol):
    def sleep(self, seconds: float) -> None: ...


class WebConnectorRefused(Exception):
    """The Web Connector would refuse this (a .qwc it cannot add, a support page that does not answer 200)."""


@dataclass(frozen=True, slots=True)
class QwcApplication:
    app_name: str
    app_url: str
    app_support: str
    user_name: str
    owner_id: str
    file_id: str
    run_every_seconds: float


def read_qwc(qwc: bytes | str | Path) -> QwcApplication:
    """The application a .qwc file describes, refused as the Web Connector refuses it (QBWC1000-1010)."""
    content = qwc.read_bytes() if isinstance(qwc, Path) else qwc.encode() if isinstance(qwc, str) else qwc
    try:
        root = parse_xml(content)
    except SoapFault as exc:
        raise WebConnectorRefused(f"the .qwc file cannot be read: {exc.reason}") from None
    values = {child.tag: (child.text or "").strip() for child in root if isinstance(child.tag, str)}
    missing = [tag for tag in ("AppName", "AppURL", "AppSupport", "UserName", "OwnerID", "FileID", "QBType")
               if not values.get(tag)]
    if root.tag != "QBWCXML" or missing:
        raise WebConnectorRefused(f"the .qwc file lacks {', '.join(missing) or 'its QBWCXML root'}")
    try:
        host = check_app_url(values["AppURL"], "AppURL")
        if check_app_url(values["AppSupport"], "AppSupport") != host:
            raise WebConnectorRefused("QBWC1000: AppSupport is not in the AppURL's domain")
    except ValueError as exc:
        raise WebConnectorRefused(str(exc)) from None
    every = 0.0
    for child in root.findall("Scheduler/*"):  # the first of RunEveryNMinutes / RunEveryNSeconds wins
        if child.tag in ("RunEveryNMinutes", "RunEveryNSeconds") and (child.text or "").strip().isdigit():
            every = float(child.text or 0) * (60 if child.tag == "RunEveryNMinutes" else 1)
            break
    return QwcApplication(values["AppName"], values["AppURL"], values["AppSupport"], values["UserName"],
                          values["OwnerID"], values["FileID"], every)


@dataclass
class RoundTripLog:
    """What the simulator exchanged with the service (the bench reads it)."""

    sessions: int = 0
    calls: int = 0  # SOAP calls of any kind
    round_trips: int = 0  # messages handed to QuickBooks (a sendRequestXML that returned qbXML)
    noops: int = 0
    bytes_sent: int = 0  # request bodies
    bytes_received: int = 0  # response bodies
    qbxml_bytes: int = 0  # the qbXML requests alone


@dataclass
class UpdateResult:
    """One update (session): how it ended, what the Web Connector showed, the calls made in order."""

    outcome: str  # done, none, nvu, busy, error, connection_error, refused, cut, answer_lost, unreachable, cap
    message: str = ""
    ticket: str = ""
    round_trips: int = 0
    calls: list[str] = field(default_factory=list)


class _Ended(Exception):
    def __init__(self, result: UpdateResult) -> None:
        self.result = result


class WebConnectorSimulator:
    """See the module docstring. ``observer(operation, request_body, response_body)`` sees every exchange."""

    def __init__(self, qwc: bytes | str | Path, password: str, quickbooks: QuickBooksLike, *,
                 client: httpx.Client | None = None, clock: Sleeper | None = None,
                 faults: SimulatorFaults | None = None, version: str = "2.3.0.215",
                 company_file: str = r"C:\Users\Public\Documents\Intuit\QuickBooks\Company Files\Komet Sales.QBW",
                 country: str = "US", qbxml_version: tuple[int, int] = (13, 0), max_round_trips: int = 10_000,
                 observer: Callable[[str, bytes, bytes], None] | None = None) -> None:
        self.application = read_qwc(qwc)
        self.password = password
        self.quickbooks = quickbooks
        self._own_client = client is None
        # The Web Connector's own HTTP timeout is long; QuickBooks' answers and our long polls take time.
        self.client = client or httpx.Client(timeout=httpx.Timeout(300.0, connect=10.0))
        self.clock = clock
        self.faults = faults or SimulatorFaults()
        self.version = version
        self.company_file = company_file
        self.country = country
        self.qbxml_version = qbxml_version
        self.max_round_trips = max_round_trips
        self.observer = observer
        self.log = RoundTripLog()

    def close(self) -> None:
        if self._own_client:
            self.client.close()

    def __enter__(self) -> WebConnectorSimulator:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def add_application(self) -> None:
        """"Add an application": the Web Connector fetches AppSupport and refuses the file unless it answers 200."""
        try:
            status = self.client.get(self.application.app_support).status_code
        except httpx.HTTPError as exc:
            raise WebConnectorRefused(f"QBWC1004: the support page could not be fetched ({exc})") from None
        if status not in (200, 202):
            raise WebConnectorRefused(f"QBWC1003: the support page answered HTTP {status}")

    def update_selected(self) -> UpdateResult:
        """One update, now (the user's "Update Selected")."""
        self.log.sessions += 1
        result = UpdateResult("done")
        try:
            self._session(result)
        except _Ended as ended:
            return ended.result
        except httpx.HTTPError as exc:
            result.outcome, result.message = "unreachable", f"the service could not be reached: {exc}"
        except SoapFault as exc:
            result.outcome, result.message = "error", f"the service answered a SOAP fault: {exc.reason}"
        return result

    def run_scheduled(self, updates: int | None = None, stop: threading.Event | None = None,
                      interval_seconds: float | None = None) -> list[UpdateResult]:
        """Update on the .qwc's schedule (or every ``interval_seconds``), ``updates`` times or until ``stop``."""
        interval = self.application.run_every_seconds if interval_seconds is None else interval_seconds
        results: list[UpdateResult] = []
        while (updates is None or len(results) < updates) and not (stop is not None and stop.is_set()):
            if results:
                self._sleep(interval)
            results.append(self.update_selected())
        return results

    def poll_until_idle(self, max_updates: int = 100) -> list[UpdateResult]:
        """Update until the service says there is no work ("none"); raises if it never does."""
        results: list[UpdateResult] = []
        while len(results) < max_updates:
            results.append(self.update_selected())
            if results[-1].outcome == "none":
                return results
        raise RuntimeError(f"the service still had work after {max_updates} updates: {results[-1]}")

    # --- one session ------------------------------------------------------------------------------------------

    def _session(self, result: UpdateResult) -> None:
        self._call(result, "serverVersion")
        answer = str(self._call(result, "clientVersion", strVersion=self.version))
        if answer[:2] in ("E:", "O:", "W:"):  # W: would ask the user; unattended, the update does not go on
            raise _Ended(UpdateResult("refused", answer, calls=result.calls))
        auth = self._call(result, "authenticate", strUserName=self.application.user_name,
                          strPassword=self.password)
        assert isinstance(auth, list)
        ticket, status = (auth + ["", ""])[:2]
        result.ticket = ticket
        if status in ("nvu", "none", "busy"):
            result.outcome = status
            result.message = str(self._call(result, "closeConnection", ticket=ticket))
            return
        company_file = status or self.company_file
        failed = self.faults.take_not_running()
        try:
            if failed is not None:
                raise RequestProcessorError(failed)
            self.quickbooks.begin_session(self.application.app_name)
        except RequestProcessorError as exc:
            self._call(result, "connectionError", ticket=ticket, hresult=exc.hresult_hex, message=exc.message)
            result.outcome = "connection_error"
            result.message = str(self._call(result, "closeConnection", ticket=ticket))
            return
        try:
            self._exchange(result, ticket, company_file)
        finally:
            self.quickbooks.end_session()

    def _exchange(self, result: UpdateResult, ticket: str, company_file: str) -> None:
        hcp = self.quickbooks.host_response()
        major, minor = self.qbxml_version
        while True:
            if result.round_trips >= self.max_round_trips:
                result.outcome = "cap"
                result.message = f"stopped after {self.max_round_trips} round trips (the simulator's cap)"
                self._call(result, "closeConnection", ticket=ticket)
                return
            request = str(self._call(result, "sendRequestXML", ticket=ticket, strHCPResponse=hcp,
                                     strCompanyFileName=company_file, qbXMLCountry=self.country,
                                     qbXMLMajorVers=major, qbXMLMinorVers=minor))
            hcp = ""  # strHCPResponse is sent on the first call of a session only
            if not request:
                error = str(self._call(result, "getLastError", ticket=ticket))
                if error == "NoOp":
                    self.log.noops += 1
                    self._sleep(NOOP_PAUSE_SECONDS)
                    continue
                self._finish(result, ticket, "error", error)
                return
            self.log.round_trips += 1
            self.log.qbxml_bytes += len(request.encode("utf-8"))
            result.round_trips += 1
            if self.faults.take_cut(Cut.BEFORE_PROCESS, result.round_trips):
                raise _Ended(UpdateResult("cut", "stopped before QuickBooks ran the request", ticket,
                                          result.round_trips, result.calls))
            response, hresult, message = self._process(request)
            if self.faults.take_cut(Cut.AFTER_PROCESS, result.round_trips) or \
                    self.faults.take_mid_iterator(Cut.AFTER_PROCESS, response):
                raise _Ended(UpdateResult("answer_lost", "QuickBooks ran the request; its answer was lost", ticket,
                                          result.round_trips, result.calls))
            percent = self._call(result, "receiveResponseXML", ticket=ticket, response=response, hresult=hresult,
                                 message=message)
            assert isinstance(percent, int)
            if percent < 0:
                self._finish(result, ticket, "error", str(self._call(result, "getLastError", ticket=ticket)))
                return
            if self.faults.take_mid_iterator(Cut.AFTER_ANSWER, response):
                raise _Ended(UpdateResult("cut", "stopped between two pages of an iterator", ticket,
                                          result.round_trips, result.calls))
            if percent >= 100:
                self._finish(result, ticket, "done", "")
                return
            if self.faults.take_cut(Cut.AFTER_ANSWER, result.round_trips):
                raise _Ended(UpdateResult("cut", "stopped between two requests", ticket, result.round_trips,
                                          result.calls))

    def _process(self, request: str) -> tuple[str, str, str]:
        """QuickBooks' answer, or the request processor's HRESULT with an empty response."""
        try:
            if self.faults.take_bad_xml():
                raise RequestProcessorError(PARSE_ERROR)
            return self.quickbooks.process(request), "", ""
        except RequestProcessorError as exc:
            return "", exc.hresult_hex, exc.message

    def _finish(self, result: UpdateResult, ticket: str, outcome: str, error: str) -> None:
        closed = str(self._call(result, "closeConnection", ticket=ticket))
        result.outcome, result.message = outcome, error or closed

    def _sleep(self, seconds: float) -> None:
        if self.clock is not None:
            self.clock.sleep(seconds)
        elif seconds > 0:
            threading.Event().wait(seconds)

    def _call(self, result: UpdateResult, name: str, **values: str | int) -> str | int | list[str]:
        restart = self.faults.take_restart(name)
        if restart is not None:
            restart()
        op = OPERATIONS[name]
        body = render_call(op, values)
        response = self.client.post(self.application.app_url, content=body,
                                    headers={"Content-Type": CONTENT_TYPE, "SOAPAction": f'"{op.soap_action}"'})
        result.calls.append(name)
        self.log.calls += 1
        self.log.bytes_sent += len(body)
        self.log.bytes_received += len(response.content)
        if self.observer is not None:
            self.observer(name, body, response.content)
        if response.status_code not in (200, 500):  # a SOAP fault comes with 500 and is read below
            raise _Ended(UpdateResult("error", f"{name}: the service answered HTTP {response.status_code}",
                                      result.ticket, result.round_trips, result.calls))
        return parse_result(response.content, op)

