"""A small QuickBooks behind the request processor (``QuickBooksLike``), for the Web Connector simulator's tests.

The sandbox company (``packages/qbd/sandbox/company.py``) is the real one; this keeps the simulator's tests about the
Web Connector's protocol: it refuses a request that is not valid qbXML with HRESULT 0x80040400 as QBXMLRP2 does,
adds customers (3100 for a name in use), answers queries, and counts what it applied, so a test can see that a
write happened though its answer was lost. Every request it gets and every answer it gives is checked against the
qbXML schema.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from xml.sax.saxutils import escape

from lxml import etree

from ledgerbridge.packages.qbd.sandbox.processor import (
    COULD_NOT_ACCESS,
    PARSE_ERROR,
    RequestProcessorError,
)
from tests.contract_checks.qbxml import QbxmlViolation, check_qbxml
from tests.qbd.host_answers import host_response_text


@dataclass
class FakeQuickBooks:
    running: bool = True
    customers: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)
    sessions: list[str] = field(default_factory=list)  # the AppName of each session begun
    in_session: bool = False

    def begin_session(self, app_name: str) -> None:
        if not self.running:
            raise RequestProcessorError(COULD_NOT_ACCESS)
        self.sessions.append(app_name)
        self.in_session = True

    def host_response(self) -> str:
        text = host_response_text()
        check_qbxml(text)
        return text

    def end_session(self) -> None:
        self.in_session = False

    def process(self, request_qbxml: str) -> str:
        self.requests.append(request_qbxml)
        try:
            version = check_qbxml(request_qbxml)
        except QbxmlViolation:
            raise RequestProcessorError(PARSE_ERROR) from None
        root = etree.fromstring(request_qbxml.encode())
        messages = root.find("QBXMLMsgsRq")
        answers = [self._answer(rq) for rq in (messages if messages is not None else [])]
        response = f'<?xml version="1.0" ?><QBXML><QBXMLMsgsRs>{"".join(answers)}</QBXMLMsgsRs></QBXML>'
        check_qbxml(response, version)
        return response

    def _answer(self, rq: etree._Element) -> str:
        request_id = rq.get("requestID", "")
        kind = str(rq.tag).removesuffix("Rq")
        if kind == "CustomerAdd":
            name = rq.findtext("CustomerAdd/Name") or ""
            if name in self.customers:
                return (f'<CustomerAddRs requestID="{request_id}" statusCode="3100" statusSeverity="Error" '
                        f'statusMessage="The name &quot;{escape(name)}&quot; of the list element is already in '
                        'use." />')
            self.customers.append(name)
            return (f'<CustomerAddRs requestID="{request_id}" statusCode="0" statusSeverity="Info" '
                    f'statusMessage="Status OK"><CustomerRet><ListID>8000000{len(self.customers)}-1700000000</ListID>'
                    f"<EditSequence>1700000000</EditSequence><Name>{escape(name)}</Name>"
                    f"<FullName>{escape(name)}</FullName></CustomerRet></CustomerAddRs>")
        if kind == "CustomerQuery" and self.customers:
            rets = "".join(f"<CustomerRet><Name>{escape(n)}</Name></CustomerRet>" for n in self.customers)
            return (f'<CustomerQueryRs requestID="{request_id}" statusCode="0" statusSeverity="Info" '
                    f'statusMessage="Status OK">{rets}</CustomerQueryRs>')
        return (f'<{kind}Rs requestID="{request_id}" statusCode="1" statusSeverity="Info" '
                'statusMessage="A query request did not find a matching object in QuickBooks" />')
