"""The Web Connector's operations: their names, their parameters (exact, case-sensitive) and what each returns.

One table, read by the SOAP layer (which parameters to take from a call, which are integers, what shape the answer
has), by the WSDL we serve (``wsdl``), and by the Web Connector simulator (what it sends). It is Intuit's WSDL
(``specs/qbxml/qbwc/TroubleshootWebServiceFS.wsdl``) written down once: the tests check the WSDL we build from it
against Intuit's, element by element.

Parameter names matter: the Web Connector sends ``strCompanyFileName`` with a capital N, and a service that looks
for ``strCompanyFilename`` never sees the company file (``../shared/apis/qbwc.md`` §3). Beyond the WSDL's eight
operations the service answers a few the Programmer's Guide describes for other Web Connector versions
(``getServerVersion`` and the interactive-mode calls) harmlessly; they are not in the WSDL we serve.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

__all__ = ["NAMESPACE", "OPERATIONS", "Operation", "Param", "ParamType", "Returns", "operation"]

#: Intuit: "You must keep the namespace as http://developer.intuit.com/" (Programmer's Guide p41).
NAMESPACE = "http://developer.intuit.com/"


class ParamType(enum.StrEnum):
    STRING = "string"
    INT = "int"


class Returns(enum.StrEnum):
    STRING = "string"
    INT = "int"
    STRINGS = "ArrayOfString"  # authenticate's answer: <string>…</string> members, empty ones kept


@dataclass(frozen=True, slots=True)
class Param:
    name: str
    type: ParamType = ParamType.STRING


@dataclass(frozen=True, slots=True)
class Operation:
    name: str
    params: tuple[Param, ...]
    returns: Returns
    in_wsdl: bool = True  # one of Intuit's eight; the others are answered but not advertised

    @property
    def response_element(self) -> str:
        return f"{self.name}Response"

    @property
    def result_element(self) -> str:
        return f"{self.name}Result"

    @property
    def soap_action(self) -> str:
        return f"{NAMESPACE}{self.name}"


_S, _I = ParamType.STRING, ParamType.INT
_TICKET = Param("ticket")

#: In the order of Intuit's WSDL (the WSDL we serve keeps it).
OPERATIONS: dict[str, Operation] = {op.name: op for op in (
    Operation("serverVersion", (), Returns.STRING),
    Operation("clientVersion", (Param("strVersion"),), Returns.STRING),
    Operation("authenticate", (Param("strUserName"), Param("strPassword")), Returns.STRINGS),
    Operation("connectionError", (_TICKET, Param("hresult"), Param("message")), Returns.STRING),
    Operation("sendRequestXML", (_TICKET, Param("strHCPResponse"), Param("strCompanyFileName"),
                                 Param("qbXMLCountry"), Param("qbXMLMajorVers", _I), Param("qbXMLMinorVers", _I)),
              Returns.STRING),
    Operation("receiveResponseXML", (_TICKET, Param("response"), Param("hresult"), Param("message")), Returns.INT),
    Operation("getLastError", (_TICKET,), Returns.STRING),
    Operation("closeConnection", (_TICKET,), Returns.STRING),
    # Programmer's Guide v2.0 (p74) documents getServerVersion(ticket); current Web Connectors call serverVersion.
    Operation("getServerVersion", (_TICKET,), Returns.STRING, in_wsdl=False),
    # Interactive mode (Programmer's Guide ch. 9): we never ask for it, but answer if a Web Connector calls.
    Operation("getInteractiveURL", (Param("wcTicket"), Param("sessionID")), Returns.STRING, in_wsdl=False),
    Operation("interactiveDone", (Param("wcTicket"),), Returns.STRING, in_wsdl=False),
    Operation("interactiveRejected", (Param("wcTicket"), Param("reason")), Returns.STRING, in_wsdl=False),
)}


def operation(name: str) -> Operation | None:
    """The operation called ``name`` (exact case), or None."""
    return OPERATIONS.get(name)
