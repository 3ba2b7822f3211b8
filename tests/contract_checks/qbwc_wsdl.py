"""Checks a Web Connector SOAP message against Intuit's WSDL (``specs/qbxml/qbwc/TroubleshootWebServiceFS.wsdl``).

Every call the Web Connector simulator sends and every answer the service gives in the tests goes through
:func:`check_soap`: the envelope must be SOAP 1.1, its Body must hold exactly one element, and that element must be
valid against the ``xsd:schema`` inside the WSDL's ``types`` (the operation's element, its parameters in order,
in the ``http://developer.intuit.com/`` namespace, integers where the WSDL says ``s:int``). A request must be one
of the WSDL's operations, an answer its ``…Response`` (a SOAP fault is reported as such). :func:`check_soap_action`
checks the ``SOAPAction`` header the binding gives each operation.
"""

from __future__ import annotations

import copy
from functools import cache

from lxml import etree

from tests.contract_checks.spec_files import vendored_spec_dir

__all__ = ["SoapViolation", "check_soap", "check_soap_action", "wsdl_operations", "wsdl_schema"]

_WSDL_FILE = "TroubleshootWebServiceFS.wsdl"
_WSDL = "http://schemas.xmlsoap.org/wsdl/"
_XS = "http://www.w3.org/2001/XMLSchema"
_SOAP_BINDING = "http://schemas.xmlsoap.org/wsdl/soap/"
_SOAP11 = "http://schemas.xmlsoap.org/soap/envelope/"
_NS = "http://developer.intuit.com/"


class SoapViolation(AssertionError):
    """The message does not conform to the Web Connector's WSDL."""

    def __init__(self, direction: str, errors: list[str]) -> None:
        self.errors = errors
        super().__init__(f"Web Connector {direction} violates the WSDL:\n" + "\n".join(errors[:20]))


@cache
def _wsdl() -> etree._ElementTree:
    folder = vendored_spec_dir("qbxml/qbwc", _WSDL_FILE)
    return etree.parse(str(folder / _WSDL_FILE), etree.XMLParser(resolve_entities=False, no_network=True))


@cache
def wsdl_schema() -> etree.XMLSchema:
    """The WSDL's embedded ``xsd:schema``, as an lxml schema (the ``s:``/``tns:`` prefixes it uses are declared on
    the WSDL's root, so they are carried onto the extracted schema)."""
    schema = _wsdl().getroot().find(f"{{{_WSDL}}}types/{{{_XS}}}schema")
    assert schema is not None, "the WSDL has no types/schema"
    standalone = etree.Element(f"{{{_XS}}}schema", dict(schema.attrib), nsmap={"s": _XS, "tns": _NS})
    for child in schema:
        standalone.append(copy.deepcopy(child))
    return etree.XMLSchema(etree.fromstring(etree.tostring(standalone)))


@cache
def wsdl_operations() -> dict[str, str]:
    """Operation name -> its SOAPAction, from the SOAP 1.1 binding."""
    actions: dict[str, str] = {}
    for binding in _wsdl().getroot().iterfind(f"{{{_WSDL}}}binding"):
        if binding.find(f"{{{_SOAP_BINDING}}}binding") is None:
            continue  # the SOAP 1.2 binding: the Web Connector speaks 1.1
        for operation in binding.iterfind(f"{{{_WSDL}}}operation"):
            soap_op = operation.find(f"{{{_SOAP_BINDING}}}operation")
            assert soap_op is not None
            actions[operation.get("name", "")] = soap_op.get("soapAction", "")
    return actions


def check_soap(envelope: bytes, direction: str) -> str:
    """Validate a ``"request"`` or ``"response"`` envelope; returns the operation's name. Raises
    :class:`SoapViolation` (for a SOAP fault too: the WSDL declares none, and the service should give one only for a
    malformed call)."""
    assert direction in ("request", "response")
    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=True)
    try:
        root = etree.fromstring(envelope, parser)
    except etree.XMLSyntaxError as exc:
        raise SoapViolation(direction, [f"not well-formed: {exc}"]) from exc
    if root.tag != f"{{{_SOAP11}}}Envelope":
        raise SoapViolation(direction, [f"root is {root.tag}, not a SOAP 1.1 Envelope"])
    body = root.find(f"{{{_SOAP11}}}Body")
    if body is None:
        raise SoapViolation(direction, ["no SOAP Body"])
    children = [c for c in body if isinstance(c.tag, str)]
    if len(children) != 1:
        raise SoapViolation(direction, [f"the Body holds {len(children)} elements, not 1"])
    element = children[0]
    if element.tag == f"{{{_SOAP11}}}Fault":
        raise SoapViolation(direction, [f"a SOAP fault: {element.findtext('faultstring')}"])
    name = etree.QName(element)
    operation = name.localname.removesuffix("Response") if direction == "response" else name.localname
    if direction == "response" and not name.localname.endswith("Response"):
        raise SoapViolation(direction, [f"{name.localname} is not an answer"])
    if operation not in wsdl_operations():
        raise SoapViolation(direction, [f"{name.localname} is not an operation of the WSDL"])
    schema = wsdl_schema()
    if not schema.validate(copy.deepcopy(element)):
        raise SoapViolation(direction, [f"{e.line}: {e.message}" for e in schema.error_log])
    return operation


def check_soap_action(header: str | None, operation: str) -> None:
    """The ``SOAPAction`` header of a call to ``operation`` is the binding's, in quotes (as .NET sends it)."""
    expected = f'"{wsdl_operations()[operation]}"'
    if header != expected:
        raise SoapViolation("request", [f"SOAPAction {header!r}, expected {expected}"])
