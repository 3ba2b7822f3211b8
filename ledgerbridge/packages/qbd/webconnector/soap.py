"""SOAP 1.1 document/literal envelopes for the Web Connector, on lxml: reading calls, writing answers and faults.

Hand-written rather than on a SOAP framework: the Web Connector needs one envelope shape and a dozen operations,
and the Python SOAP servers either are unmaintained or need WSGI (``../shared/apis/qbwc.md`` §11). What matters,
and what this module keeps:

* the operation is the local name of the Body's first child, in the namespace ``http://developer.intuit.com/``;
  its parameters are that element's children in the same namespace, by their exact (case-sensitive) names;
* answers are ``<{op}Response xmlns="http://developer.intuit.com/"><{op}Result>…`` with the namespace as the
  default one, as the Web Connector's .NET client expects; ``authenticate``'s array keeps its empty members as
  ``<string></string>`` (dropping them broke authentication in other implementations);
* the qbXML travels as text inside the envelope: lxml escapes it, nothing is built by string concatenation;
* the parser is hardened: no DTD, no entity expansion, no network, a cap on the size, ``huge_tree`` for the large
  answers QuickBooks gives to queries;
* a SOAP fault answers only an envelope we cannot read (not XML, not SOAP 1.1, no operation, an unknown one, an
  integer parameter that is not one). Anything that goes wrong in the work is answered inside the protocol
  (``service``), because a fault makes the Web Connector stop with an exception the user cannot act on.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from lxml import etree

from ledgerbridge.packages.qbd.webconnector.operations import NAMESPACE, Operation, ParamType, Returns, operation

__all__ = ["CONTENT_TYPE", "DEFAULT_MAX_BYTES", "SOAP11", "SoapCall", "SoapFault", "parse_call", "parse_result",
           "parse_xml", "render_call", "render_fault", "render_response"]

SOAP11 = "http://schemas.xmlsoap.org/soap/envelope/"
SOAP12 = "http://www.w3.org/2003/05/soap-envelope"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
XSD = "http://www.w3.org/2001/XMLSchema"
CONTENT_TYPE = "text/xml; charset=utf-8"
#: A query answer for a few hundred transactions with their lines is a few MB; 50 MB is far above any sane one.
DEFAULT_MAX_BYTES = 50 * 1024 * 1024

# Characters XML 1.0 cannot carry at all (control characters other than tab, CR and LF; lone surrogates; the two
# non-characters). A message QuickBooks gave may hold one; it is dropped rather than failing the answer.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


class SoapFault(Exception):
    """An envelope we could not read: answered as a SOAP 1.1 fault (HTTP 500) with this code and reason."""

    def __init__(self, code: str, reason: str) -> None:
        super().__init__(f"{code}: {reason}")
        self.code = code  # "Client" (the caller's envelope is wrong) or "VersionMismatch" (not SOAP 1.1)
        self.reason = reason


@dataclass(frozen=True, slots=True)
class SoapCall:
    """One call: the operation and its parameters (strings are "" when absent, integers always present)."""

    operation: Operation
    values: dict[str, str | int] = field(default_factory=dict)

    def text(self, name: str) -> str:
        value = self.values.get(name, "")
        return value if isinstance(value, str) else str(value)

    def integer(self, name: str) -> int:
        value = self.values[name]
        return value if isinstance(value, int) else int(value)


def parse_xml(body: bytes, max_bytes: int = DEFAULT_MAX_BYTES) -> etree._Element:
    """Parse an XML document with the hardened parser; raises :class:`SoapFault` (Client) on anything wrong."""
    if len(body) > max_bytes:
        raise SoapFault("Client", f"the message is larger than {max_bytes:,} bytes")
    # A parser per call: lxml parsers must not be shared between threads, and requests are served from a pool.
    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=True, load_dtd=False,
                             dtd_validation=False, remove_comments=True, remove_pis=True)
    try:
        root = etree.fromstring(body, parser)
    except etree.XMLSyntaxError as exc:
        raise SoapFault("Client", f"the message is not well-formed XML: {exc.msg}") from None
    if root.getroottree().docinfo.doctype:
        raise SoapFault("Client", "a DOCTYPE is not allowed in a SOAP message")
    return root


def _body_child(envelope: etree._Element) -> etree._Element:
    if envelope.tag == f"{{{SOAP12}}}Envelope":
        raise SoapFault("VersionMismatch", "this service speaks SOAP 1.1 (the Web Connector's), not SOAP 1.2")
    if envelope.tag != f"{{{SOAP11}}}Envelope":
        raise SoapFault("VersionMismatch" if etree.QName(envelope).localname == "Envelope" else "Client",
                        "the message is not a SOAP 1.1 envelope")
    body = envelope.find(f"{{{SOAP11}}}Body")
    if body is None:
        raise SoapFault("Client", "the envelope has no Body")
    child = next((c for c in body if isinstance(c.tag, str)), None)
    if child is None:
        raise SoapFault("Client", "the Body names no operation")
    return child


def parse_call(body: bytes, max_bytes: int = DEFAULT_MAX_BYTES) -> SoapCall:
    """The call in a request envelope; raises :class:`SoapFault` when it cannot be read."""
    element = _body_child(parse_xml(body, max_bytes))
    name = etree.QName(element)
    if name.namespace != NAMESPACE:
        raise SoapFault("Client", f"the operation {name.localname!r} must be in the namespace {NAMESPACE}")
    op = operation(name.localname)
    if op is None:
        raise SoapFault("Client", f"unknown operation {name.localname!r}")
    given = {etree.QName(c).localname: (c.text or "") for c in element
             if isinstance(c.tag, str) and etree.QName(c).namespace == NAMESPACE}
    values: dict[str, str | int] = {}
    for param in op.params:
        raw = given.get(param.name)
        if param.type is ParamType.INT:
            try:
                values[param.name] = int((raw or "").strip())
            except ValueError:
                raise SoapFault("Client", f"{op.name}: {param.name} must be an integer, got {raw!r}") from None
        else:
            values[param.name] = raw or ""
    return SoapCall(op, values)


def _envelope() -> tuple[etree._Element, etree._Element]:
    envelope = etree.Element(f"{{{SOAP11}}}Envelope", nsmap={"soap": SOAP11, "xsi": XSI, "xsd": XSD})
    return envelope, etree.SubElement(envelope, f"{{{SOAP11}}}Body")


def _serialise(envelope: etree._Element) -> bytes:
    # The declaration written as .NET writes it (double quotes), as the Web Connector's own messages carry it.
    return b'<?xml version="1.0" encoding="utf-8"?>' + bytes(etree.tostring(envelope, encoding="utf-8"))


def xml_text(value: str) -> str:
    """``value`` with the characters XML cannot carry removed."""
    return _NOT_XML.sub("", value)


def _qualified(parent: etree._Element, name: str, text: str | None) -> etree._Element:
    child = etree.SubElement(parent, f"{{{NAMESPACE}}}{name}")
    if text is not None:
        child.text = xml_text(text)  # "" (not None) makes lxml write <x></x> rather than <x/>
    return child


def render_response(op: Operation, result: str | int | Sequence[str]) -> bytes:
    """The answer envelope of ``op`` carrying ``result`` (a string, an int, or authenticate's strings)."""
    envelope, body = _envelope()
    response = etree.SubElement(body, f"{{{NAMESPACE}}}{op.response_element}", nsmap={None: NAMESPACE})
    if op.returns is Returns.STRINGS:
        if isinstance(result, (str, int)):
            raise TypeError(f"{op.name} answers a list of strings")
        array = _qualified(response, op.result_element, None)
        for member in result:
            _qualified(array, "string", member)
    elif op.returns is Returns.INT:
        if not isinstance(result, int) or isinstance(result, bool):
            raise TypeError(f"{op.name} answers an integer")
        _qualified(response, op.result_element, str(result))
    else:
        if not isinstance(result, str):
            raise TypeError(f"{op.name} answers a string")
        _qualified(response, op.result_element, result)
    return _serialise(envelope)


def render_fault(fault: SoapFault) -> bytes:
    """A SOAP 1.1 fault (served with HTTP 500, as SOAP 1.1 over HTTP requires)."""
    envelope, body = _envelope()
    element = etree.SubElement(body, f"{{{SOAP11}}}Fault")
    etree.SubElement(element, "faultcode").text = f"soap:{fault.code}"
    etree.SubElement(element, "faultstring").text = xml_text(fault.reason)
    return _serialise(envelope)


def render_call(op: Operation, values: Mapping[str, str | int]) -> bytes:
    """A request envelope as the Web Connector writes it (for the simulator and the tests): the ``soap:`` prefix,
    the operation in the default namespace, every parameter of the operation in its order."""
    envelope, body = _envelope()
    call = etree.SubElement(body, f"{{{NAMESPACE}}}{op.name}", nsmap={None: NAMESPACE})
    for param in op.params:
        value = values.get(param.name, "")
        _qualified(call, param.name, str(value))
    return _serialise(envelope)


def parse_result(body: bytes, op: Operation, max_bytes: int = DEFAULT_MAX_BYTES) -> str | int | list[str]:
    """The result in an answer envelope of ``op`` (the client's side); raises :class:`SoapFault` for a fault or
    an answer of another shape."""
    element = _body_child(parse_xml(body, max_bytes))
    if element.tag == f"{{{SOAP11}}}Fault":
        reason = element.findtext("faultstring") or ""
        raise SoapFault((element.findtext("faultcode") or "Server").split(":")[-1], reason)
    if element.tag != f"{{{NAMESPACE}}}{op.response_element}":
        raise SoapFault("Client", f"expected {op.response_element}, got {etree.QName(element).localname}")
    result = element.find(f"{{{NAMESPACE}}}{op.result_element}")
    if op.returns is Returns.STRINGS:
        return [] if result is None else [m.text or "" for m in result.findall(f"{{{NAMESPACE}}}string")]
    text = "" if result is None else (result.text or "")
    if op.returns is Returns.INT:
        try:
            return int(text.strip())
        except ValueError:
            raise SoapFault("Client", f"{op.result_element} is not an integer: {text!r}") from None
    return text
