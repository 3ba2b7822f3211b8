"""An independent SOAP client works against the service: zeep (the most used Python SOAP client) loads Intuit's WSDL
(``specs/qbxml/qbwc/TroubleshootWebServiceFS.wsdl``), calls the service over real HTTP and reads every answer; and it
loads the WSDL the service itself serves at ``?wsdl``.

Nothing of ours writes these requests or reads these answers: a mistake shared by the service and the simulator
(which use the same envelope code) would show here.
"""

from __future__ import annotations

import base64
import hashlib
import re

import httpx
from sqlalchemy.orm import Session, sessionmaker
from zeep import Client

from ledgerbridge.packages.qbd.webconnector.routes import SOAP_PATH
from tests.contract_checks.spec_files import SPECS_DIR
from tests.qbd.host_answers import empty_answer, host_response_text
from tests.qbd.scripted_source import ScriptedSource, customer_add, customer_query
from tests.qbd.wc_fixtures import Served, WcConnection

INTUIT_WSDL = SPECS_DIR / "qbxml" / "qbwc" / "TroubleshootWebServiceFS.wsdl"
PORT = "{http://developer.intuit.com/}TroubleshootWebServiceFSSoap"


def test_zeep_on_intuits_wsdl_runs_a_session(sessions: sessionmaker[Session], served: Served,
                                             source: ScriptedSource, wc: WcConnection) -> None:
    url = f"http://127.0.0.1:{served.port}/packages/desktop{SOAP_PATH}"
    service = Client(str(INTUIT_WSDL)).create_service(PORT, url)
    source.queue(wc.connection_id, customer_query("q-1"), customer_add("Acme Corp", "c-1"))
    assert service.serverVersion().startswith("ledgerbridge")
    assert service.clientVersion(strVersion="2.3.0.215") is None  # "" read by zeep as None: go on
    assert service.clientVersion(strVersion="1.0.0.0") == "O:2.1.0.30"
    ticket, status = service.authenticate(strUserName=wc.user, strPassword=wc.password)
    assert status is None and ticket  # <string></string>: zeep reads the empty member as None
    request = service.sendRequestXML(ticket=ticket, strHCPResponse=host_response_text(),
                                     strCompanyFileName=r"C:\Komet Sales.QBW", qbXMLCountry="US", qbXMLMajorVers=13,
                                     qbXMLMinorVers=0)
    assert request == customer_query("q-1")
    assert service.receiveResponseXML(ticket=ticket, response=empty_answer("q-1"), hresult="", message="") == 50
    assert service.sendRequestXML(ticket=ticket, strHCPResponse="", strCompanyFileName=r"C:\Komet Sales.QBW",
                                  qbXMLCountry="US", qbXMLMajorVers=13, qbXMLMinorVers=0) == customer_add("Acme Corp",
                                                                                                         "c-1")
    assert service.receiveResponseXML(ticket=ticket, response="", hresult="0x80040400",
                                      message="QuickBooks found an error when parsing the provided XML text "
                                              "stream.") < 0
    assert "0x80040400" in service.getLastError(ticket=ticket)
    assert service.closeConnection(ticket=ticket).startswith("Stopped:")
    assert service.connectionError(ticket="unknown", hresult="0x80040401", message="Could not access QuickBooks.") \
        == "done"
    assert service.closeConnection(ticket="") == "OK"
    assert service.authenticate(strUserName=wc.user, strPassword="wrong") == [None, "nvu"]


def test_zeep_loads_the_wsdl_the_service_serves(served: Served) -> None:
    url = f"http://127.0.0.1:{served.port}/packages/desktop{SOAP_PATH}"
    assert httpx.get(url + "?WSDL").headers["content-type"].startswith("text/xml")
    client = Client(url + "?wsdl")
    assert client.service.serverVersion().startswith("ledgerbridge")  # the address inside is the endpoint's
    assert client.service.closeConnection(ticket="") == "OK"
    page = httpx.get(url)
    assert page.status_code == 200 and "?wsdl" in page.text and "support" in page.text
    support = httpx.get(url + "/support")
    assert support.status_code == 200 and "Add an application" in support.text  # the Web Connector checks 200
    # Its own policy allows its one inline style sheet (by hash) and nothing else, so the page is styled.
    style = re.search(r"<style>(.*?)</style>", support.text, re.S)
    assert style is not None
    digest = base64.b64encode(hashlib.sha256(style.group(1).encode()).digest()).decode()
    assert support.headers["content-security-policy"].startswith(f"default-src 'none'; style-src 'sha256-{digest}'")
