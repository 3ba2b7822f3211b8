"""The WSDL the service answers ``GET …?wsdl`` with, built from ``operations``.

A SOAP service describes itself at ``?wsdl``; the Web Connector does not need it, but tools do (a SOAP client
pointed at the endpoint, a support engineer checking the service). It is Intuit's contract
(``specs/qbxml/qbwc/TroubleshootWebServiceFS.wsdl``: the same types, messages and SOAP 1.1 document/literal binding
for the eight operations) with our own address in it; the tests check it against Intuit's element by element. Built
rather than shipped as a file so that it cannot drift from the table the service reads.
"""

from __future__ import annotations

from lxml import etree

from ledgerbridge.packages.qbd.webconnector.operations import NAMESPACE, OPERATIONS, Operation, ParamType, Returns

__all__ = ["service_wsdl"]

_WSDL = "http://schemas.xmlsoap.org/wsdl/"
_SOAP = "http://schemas.xmlsoap.org/wsdl/soap/"
_XS = "http://www.w3.org/2001/XMLSchema"
_HTTP = "http://schemas.xmlsoap.org/soap/http"
_PORT_TYPE = "WebConnectorServiceSoap"


def _w(parent: etree._Element, tag: str, **attrs: str) -> etree._Element:
    return etree.SubElement(parent, f"{{{_WSDL}}}{tag}", attrs)


def _s(parent: etree._Element, tag: str, **attrs: str) -> etree._Element:
    return etree.SubElement(parent, f"{{{_XS}}}{tag}", attrs)


def _sequence_element(sequence: etree._Element, name: str, type_: str, *, required: bool = False,
                      repeated: bool = False) -> None:
    attrs = {"minOccurs": "1" if required else "0", "maxOccurs": "unbounded" if repeated else "1", "name": name,
             "type": type_}
    if repeated:
        attrs["nillable"] = "true"
    _s(sequence, "element", **attrs)


def _schema(types: etree._Element, operations: list[Operation]) -> None:
    schema = _s(types, "schema", elementFormDefault="qualified", targetNamespace=NAMESPACE)
    for op in operations:
        request = _s(_s(schema, "element", name=op.name), "complexType")
        if op.params:
            sequence = _s(request, "sequence")
            for param in op.params:
                # Integers are value types in .NET: always present (minOccurs 1), as in Intuit's WSDL.
                integer = param.type is ParamType.INT
                _sequence_element(sequence, param.name, "s:int" if integer else "s:string", required=integer)
        response = _s(_s(_s(schema, "element", name=op.response_element), "complexType"), "sequence")
        if op.returns is Returns.STRINGS:
            _sequence_element(response, op.result_element, "tns:ArrayOfString")
            array = _s(_s(schema, "complexType", name="ArrayOfString"), "sequence")
            _sequence_element(array, "string", "s:string", repeated=True)
        elif op.returns is Returns.INT:
            _sequence_element(response, op.result_element, "s:int", required=True)
        else:
            _sequence_element(response, op.result_element, "s:string")


def service_wsdl(location: str) -> bytes:
    """The WSDL of the service at ``location`` (the SOAP endpoint's absolute URL)."""
    operations = [op for op in OPERATIONS.values() if op.in_wsdl]
    root = etree.Element(f"{{{_WSDL}}}definitions", {"targetNamespace": NAMESPACE},
                         nsmap={"wsdl": _WSDL, "soap": _SOAP, "s": _XS, "tns": NAMESPACE})
    _w(root, "documentation").text = "ledgerbridge: the QuickBooks Web Connector service"
    _schema(_w(root, "types"), operations)
    for op in operations:
        for direction, element in (("In", op.name), ("Out", op.response_element)):
            _w(_w(root, "message", name=f"{op.name}Soap{direction}"), "part", name="parameters",
               element=f"tns:{element}")
    port_type = _w(root, "portType", name=_PORT_TYPE)
    for op in operations:
        operation = _w(port_type, "operation", name=op.name)
        _w(operation, "input", message=f"tns:{op.name}SoapIn")
        _w(operation, "output", message=f"tns:{op.name}SoapOut")
    binding = _w(root, "binding", name=_PORT_TYPE, type=f"tns:{_PORT_TYPE}")
    etree.SubElement(binding, f"{{{_SOAP}}}binding", transport=_HTTP)
    for op in operations:
        operation = _w(binding, "operation", name=op.name)
        etree.SubElement(operation, f"{{{_SOAP}}}operation", soapAction=op.soap_action, style="document")
        for direction in ("input", "output"):
            etree.SubElement(_w(operation, direction), f"{{{_SOAP}}}body", use="literal")
    port = _w(_w(root, "service", name="WebConnectorService"), "port", name=_PORT_TYPE, binding=f"tns:{_PORT_TYPE}")
    etree.SubElement(port, f"{{{_SOAP}}}address", location=location)
    return bytes(etree.tostring(root, xml_declaration=True, encoding="utf-8", pretty_print=True))
