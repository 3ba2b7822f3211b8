"""The SOAP layer on its own: what it reads, what it writes, when it faults; the WSDL we serve is Intuit's contract;
and the WSDL check (``tests/contract_checks/qbwc_wsdl.py``) fails on a bad message."""

from __future__ import annotations

import pytest
from lxml import etree

from ledgerbridge.packages.qbd.webconnector.operations import NAMESPACE, OPERATIONS
from ledgerbridge.packages.qbd.webconnector.soap import (
    SoapFault,
    parse_call,
    parse_result,
    render_call,
    render_fault,
    render_response,
)
from ledgerbridge.packages.qbd.webconnector.wsdl import service_wsdl
from tests.contract_checks.qbwc_wsdl import SoapViolation, check_soap, check_soap_action, wsdl_schema
from tests.contract_checks.spec_files import SPECS_DIR

#: What QBWC 2.2.0.71 sends first, byte for byte (../shared/apis/qbwc.md §3, from a wire log).
QBWC_SERVER_VERSION = (b'<?xml version="1.0" encoding="utf-8"?><soap:Envelope '
                       b'xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/" '
                       b'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
                       b'xmlns:xsd="http://www.w3.org/2001/XMLSchema"><soap:Body>'
                       b'<serverVersion xmlns="http://developer.intuit.com/" /></soap:Body></soap:Envelope>')


def _envelope(inner: str) -> bytes:
    return ('<?xml version="1.0" encoding="utf-8"?><soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/'
            f'envelope/"><soap:Body>{inner}</soap:Body></soap:Envelope>').encode()


def test_reads_the_web_connectors_own_bytes() -> None:
    call = parse_call(QBWC_SERVER_VERSION)
    assert call.operation.name == "serverVersion" and call.values == {}
    assert check_soap(QBWC_SERVER_VERSION, "request") == "serverVersion"


def test_reads_parameters_by_their_exact_names_and_unescapes_the_qbxml() -> None:
    qbxml = '<?xml version="1.0"?><?qbxml version="13.0"?><QBXML><QBXMLMsgsRs/></QBXML>'
    body = render_call(OPERATIONS["receiveResponseXML"], {"ticket": "t", "response": qbxml})
    assert b"&lt;QBXML&gt;" in body  # the qbXML travels as escaped text
    assert parse_call(body).text("response") == qbxml
    misspelt = _envelope(f'<sendRequestXML xmlns="{NAMESPACE}"><ticket>t</ticket><strCompanyFilename>C:\\x.QBW'
                         "</strCompanyFilename><qbXMLMajorVers>13</qbXMLMajorVers><qbXMLMinorVers>0</qbXMLMinorVers>"
                         "</sendRequestXML>")
    call = parse_call(misspelt)
    assert call.text("strCompanyFileName") == ""  # strCompanyFilename is not the Web Connector's name for it
    assert (call.integer("qbXMLMajorVers"), call.integer("qbXMLMinorVers")) == (13, 0)


def test_writes_empty_members_as_start_and_end_tags() -> None:
    body = render_response(OPERATIONS["authenticate"], ["", "nvu"])
    assert b"<authenticateResult><string></string><string>nvu</string></authenticateResult>" in body
    assert b'<authenticateResponse xmlns="http://developer.intuit.com/">' in body  # the default namespace
    assert parse_result(body, OPERATIONS["authenticate"]) == ["", "nvu"]
    assert b"<getLastErrorResult></getLastErrorResult>" in render_response(OPERATIONS["getLastError"], "")
    assert check_soap(body, "response") == "authenticate"


def test_text_xml_cannot_carry_is_dropped_not_failed() -> None:
    body = render_response(OPERATIONS["getLastError"], "bad\x00char\x1b here")
    assert parse_result(body, OPERATIONS["getLastError"]) == "badchar here"


@pytest.mark.parametrize(("body", "code", "reason"), [
    (b"not xml", "Client", "not well-formed"),
    (b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]><soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/'
     b'soap/envelope/"><soap:Body><serverVersion xmlns="http://developer.intuit.com/">&a;</serverVersion>'
     b"</soap:Body></soap:Envelope>", "Client", "DOCTYPE"),
    (b'<e:Envelope xmlns:e="http://www.w3.org/2003/05/soap-envelope"><e:Body/></e:Envelope>', "VersionMismatch",
     "SOAP 1.1"),
    (b'<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"/>', "Client", "no Body"),
    (_envelope(""), "Client", "names no operation"),
    (_envelope(f'<deleteEverything xmlns="{NAMESPACE}"/>'), "Client", "unknown operation"),
    (_envelope('<serverVersion xmlns="http://example.com/"/>'), "Client", "namespace"),
    (_envelope(f'<ServerVersion xmlns="{NAMESPACE}"/>'), "Client", "unknown operation"),  # names are case-sensitive
    (_envelope(f'<sendRequestXML xmlns="{NAMESPACE}"><ticket>t</ticket><qbXMLMajorVers>thirteen</qbXMLMajorVers>'
               "</sendRequestXML>"), "Client", "qbXMLMajorVers must be an integer"),
])
def test_faults_only_for_envelopes_it_cannot_read(body: bytes, code: str, reason: str) -> None:
    with pytest.raises(SoapFault) as raised:
        parse_call(body)
    assert raised.value.code == code and reason in raised.value.reason
    fault = render_fault(raised.value)
    with pytest.raises(SoapFault, match=reason):
        parse_result(fault, OPERATIONS["serverVersion"])


def test_a_message_over_the_cap_is_refused_before_parsing() -> None:
    with pytest.raises(SoapFault, match="larger than 100 bytes"):
        parse_call(QBWC_SERVER_VERSION, max_bytes=100)


def _declarations(schema: etree._Element) -> dict[str, list[tuple[str, ...]]]:
    """Each global element and complex type of a schema: its children (name, type, minOccurs, maxOccurs)."""
    xs = "{http://www.w3.org/2001/XMLSchema}"
    found: dict[str, list[tuple[str, ...]]] = {}
    for decl in schema:
        if not isinstance(decl.tag, str):
            continue
        children = [tuple(e.get(a, "") for a in ("name", "type", "minOccurs", "maxOccurs", "nillable"))
                    for e in decl.iter(f"{xs}element") if e is not decl]
        found[f"{etree.QName(decl).localname}:{decl.get('name')}"] = children
    return found


def test_the_wsdl_we_serve_is_intuits_contract() -> None:
    wsdl_ns = "{http://schemas.xmlsoap.org/wsdl/}"
    xs = "{http://www.w3.org/2001/XMLSchema}"
    ours = etree.fromstring(service_wsdl("https://sync.example.com/packages/desktop/webconnector"))
    intuit = etree.parse(str(SPECS_DIR / "qbxml" / "qbwc" / "TroubleshootWebServiceFS.wsdl")).getroot()
    ours_schema = ours.find(f"{wsdl_ns}types/{xs}schema")
    intuit_schema = intuit.find(f"{wsdl_ns}types/{xs}schema")
    assert ours_schema is not None and intuit_schema is not None
    assert _declarations(ours_schema) == _declarations(intuit_schema)
    soap = "{http://schemas.xmlsoap.org/wsdl/soap/}"
    actions = {o.get("soapAction") for o in ours.iter(f"{soap}operation")}
    assert actions == {f"{NAMESPACE}{name}" for name, op in OPERATIONS.items() if op.in_wsdl}
    [address] = ours.iter(f"{soap}address")
    assert address.get("location") == "https://sync.example.com/packages/desktop/webconnector"


def test_the_wsdl_check_fails_on_bad_messages() -> None:
    good = render_call(OPERATIONS["sendRequestXML"], {"ticket": "t", "qbXMLMajorVers": 13, "qbXMLMinorVers": 0})
    assert check_soap(good, "request") == "sendRequestXML"
    wrong_order = _envelope(f'<authenticate xmlns="{NAMESPACE}"><strPassword>p</strPassword>'
                            "<strUserName>u</strUserName></authenticate>")
    unqualified = _envelope(f'<q:clientVersion xmlns:q="{NAMESPACE}"><strVersion>2.2</strVersion></q:clientVersion>')
    no_int = _envelope(f'<sendRequestXML xmlns="{NAMESPACE}"><ticket>t</ticket></sendRequestXML>')
    for bad, what in ((wrong_order, "strUserName.*not expected"), (unqualified, "strVersion"),
                      (no_int, "qbXMLMajorVers"),
                      (_envelope(f'<getServerVersion xmlns="{NAMESPACE}"/>'), "not an operation"),
                      (render_fault(SoapFault("Client", "nope")), "SOAP fault")):
        with pytest.raises(SoapViolation, match=what):
            check_soap(bad, "request")
    answer = render_response(OPERATIONS["receiveResponseXML"], 42).replace(b">42<", b">42%<")
    with pytest.raises(SoapViolation, match="xs:int"):
        check_soap(answer, "response")
    with pytest.raises(SoapViolation, match="SOAPAction"):
        check_soap_action("http://developer.intuit.com/authenticate", "authenticate")  # not quoted
    assert wsdl_schema() is wsdl_schema()
