"""The Web Connector's callbacks, answered as Intuit's Programmer's Guide says, over a ``WebConnectorBackend``.

The protocol rules live here, the state in the backend (``sessions``):

* ``serverVersion`` / ``getServerVersion``: our version, shown in the Web Connector's "More information".
* ``clientVersion``: a Web Connector older than :data:`MINIMUM_CLIENT` is refused with ``O:<version>`` (it then
  tells its user which version to install and stops). Older ones are not worth the risk: 2.1 is the line Intuit
  has shipped with every QuickBooks since 2012, and releases before it do not call ``serverVersion`` and predate
  the TLS versions servers now require. No ``W:`` (warning) is ever sent: it opens a dialog that waits for a click,
  which stops every unattended scheduled update. A version string we cannot read is let through (it is more
  likely a newer Web Connector than an older one).
* ``authenticate``: ``[ticket, ""]`` with work to do, ``[ticket, "none"]`` without, ``["", "nvu"]`` for a wrong
  user or password, ``busy`` when the work could not be started now.
* ``sendRequestXML``: the next qbXML message, or "" (then ``getLastError`` answers ``NoOp``: the Web Connector
  waits 5 seconds and asks again; or the reason, which it shows as an error before closing). Work that is over
  never answers "": it hands out a closing request whose answer is 100 (``closing``).
* ``receiveResponseXML``: percent done; negative only when QuickBooks could not process the message (``hresult``
  set). Business errors (statusCode 3100 and the like) are inside a well-formed answer: the work records them and
  the session carries on.
* ``closeConnection``: always answered, for an unknown or empty ticket too (after ``nvu``/``none``, or after the
  server restarted).

Nothing raised by the backend becomes a SOAP fault: a fault makes the Web Connector stop with an exception code
(QBWC1041-1045) and nothing the user can act on. A failing backend call is logged and answered inside the protocol
instead ("" then the reason from ``getLastError``; -1 from ``receiveResponseXML``; ``busy`` from ``authenticate``).
Nothing secret is logged: not the password, not the ticket (a bearer secret for the session's length).
"""

from __future__ import annotations

import hashlib
import logging
import re
import threading
from collections import OrderedDict
from collections.abc import Callable

from ledgerbridge.packages.qbd.webconnector.backend import AuthAnswer, AuthStatus, WebConnectorBackend
from ledgerbridge.packages.qbd.webconnector.soap import SoapCall

__all__ = ["MINIMUM_CLIENT", "NOOP", "SERVER_VERSION", "WebConnectorService", "client_version_answer"]

logger = logging.getLogger(__name__)

NOOP = "NoOp"
SERVER_VERSION = "ledgerbridge Web Connector service 1.0"
MINIMUM_CLIENT = (2, 1, 0, 30)
#: What ``getLastError`` says when our side failed and the backend could not record why.
INTERNAL_FAILURE = ("ledgerbridge could not complete this update because of an error on the server; it has been "
                    "logged. The Web Connector will try again at its next scheduled update.")
_REMEMBERED = 1000  # failures remembered for getLastError, per process


def client_version_answer(version: str, minimum: tuple[int, ...] = MINIMUM_CLIENT) -> str:
    """``clientVersion``'s answer for a Web Connector reporting ``version`` (e.g. "2.2.0.71")."""
    parts = re.findall(r"\d+", version)
    if not parts:
        return ""
    given = tuple(int(p) for p in parts[:4])
    if given < minimum:
        return "O:" + ".".join(str(n) for n in minimum)
    return ""


def _ticket_key(ticket: str) -> str:
    return hashlib.sha256(ticket.encode("utf-8")).hexdigest()


class WebConnectorService:
    """Answers each :class:`~ledgerbridge.packages.qbd.webconnector.soap.SoapCall` (see the module docstring)."""

    def __init__(self, backend: WebConnectorBackend, *, server_version: str = SERVER_VERSION,
                 minimum_client: tuple[int, ...] = MINIMUM_CLIENT) -> None:
        self.backend = backend
        self.server_version_text = server_version
        self.minimum_client = minimum_client
        self._failures: OrderedDict[str, str] = OrderedDict()
        self._lock = threading.Lock()
        self._handlers: dict[str, Callable[[SoapCall], str | int | list[str]]] = {
            "serverVersion": lambda call: self.server_version_text,
            "getServerVersion": lambda call: self.server_version_text,
            "clientVersion": lambda call: client_version_answer(call.text("strVersion"), self.minimum_client),
            "authenticate": lambda call: self.authenticate(call.text("strUserName"), call.text("strPassword")),
            "sendRequestXML": lambda call: self.send_request_xml(
                call.text("ticket"), call.text("strHCPResponse"), call.text("strCompanyFileName"),
                call.text("qbXMLCountry"), call.integer("qbXMLMajorVers"), call.integer("qbXMLMinorVers")),
            "receiveResponseXML": lambda call: self.receive_response_xml(
                call.text("ticket"), call.text("response"), call.text("hresult"), call.text("message")),
            "connectionError": lambda call: self.connection_error(
                call.text("ticket"), call.text("hresult"), call.text("message")),
            "getLastError": lambda call: self.get_last_error(call.text("ticket")),
            "closeConnection": lambda call: self.close_connection(call.text("ticket")),
            # Interactive mode is never asked for (getLastError never answers "Interactive mode"): no URL, and
            # the two notifications are acknowledged.
            "getInteractiveURL": lambda call: "",
            "interactiveDone": lambda call: "Done",
            "interactiveRejected": lambda call: "",
        }

    def handle(self, call: SoapCall) -> str | int | list[str]:
        """The result of ``call`` (its operation is one of ``operations.OPERATIONS``)."""
        logger.debug("Web Connector called %s", call.operation.name)
        return self._handlers[call.operation.name](call)

    # Each callback: the backend's answer, or a safe one in the protocol if the backend failed.

    def authenticate(self, user: str, password: str) -> list[str]:
        try:
            answer = self.backend.authenticate(user, password)
        except Exception:
            logger.exception("Web Connector authenticate failed on the server")
            answer = AuthAnswer("", AuthStatus.BUSY.value)
        return answer.strings()

    def send_request_xml(self, ticket: str, hcp_response: str, company_file: str, country: str, major: int,
                         minor: int) -> str:
        try:
            return self.backend.send_request(ticket, hcp_response, company_file, country, major, minor)
        except Exception:
            logger.exception("Web Connector sendRequestXML failed on the server")
            self._remember_failure(ticket, INTERNAL_FAILURE)
            return ""

    def receive_response_xml(self, ticket: str, response: str, hresult: str, message: str) -> int:
        try:
            return self.backend.receive_response(ticket, response, hresult, message)
        except Exception:
            logger.exception("Web Connector receiveResponseXML failed on the server")
            self._remember_failure(ticket, INTERNAL_FAILURE)
            return -1

    def connection_error(self, ticket: str, hresult: str, message: str) -> str:
        try:
            return self.backend.connection_error(ticket, hresult, message)
        except Exception:
            logger.exception("Web Connector connectionError failed on the server")
            return "done"

    def get_last_error(self, ticket: str) -> str:
        failure = self._take_failure(ticket)
        if failure is not None:
            return failure
        try:
            text = self.backend.last_error(ticket)
        except Exception:
            logger.exception("Web Connector getLastError failed on the server")
            return INTERNAL_FAILURE  # never NoOp here: a failing backend must not keep the Web Connector looping
        return text or NOOP

    def close_connection(self, ticket: str) -> str:
        self._take_failure(ticket)
        try:
            return self.backend.close(ticket)
        except Exception:
            logger.exception("Web Connector closeConnection failed on the server")
            return "OK"

    def _remember_failure(self, ticket: str, text: str) -> None:
        with self._lock:
            self._failures[_ticket_key(ticket)] = text
            while len(self._failures) > _REMEMBERED:
                self._failures.popitem(last=False)

    def _take_failure(self, ticket: str) -> str | None:
        with self._lock:
            return self._failures.pop(_ticket_key(ticket), None)
