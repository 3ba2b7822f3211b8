"""Reading QuickBooks' answer (``QBXMLMsgsRs``) into one result per request, keyed by ``requestID``.

Each ``...Rs`` carries ``statusCode``, ``statusSeverity`` (Info, Warn, Error) and ``statusMessage`` (kept verbatim:
it is what the user sees in Error Feedback), the Ret elements (none on an Error), and, for a query, ``retCount``
and an iterator's ``iteratorID``/``iteratorRemainingCount``; an Add, Mod, void or delete answered from error
recovery carries ``ErrorRecovery`` (the id, EditSequence and ExternalGUID of what was done). The message itself
may carry ``messageSetStatusCode`` (error recovery: what became of an old message set).

The parser is hardened (answers come from a PC we do not control through the Web Connector): no entity
expansion, no DTD, no network, and ``huge_tree`` because a query answer without ``MaxReturned`` can be large.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from lxml import etree

from ledgerbridge.packages.qbd.qbxml.nodes import Element
from ledgerbridge.packages.qbd.qbxml.values import QbxmlValueError

__all__ = ["ErrorRecovery", "MessageSetResult", "QbxmlParseError", "RequestResult", "parse_qbxml", "parse_response",
           "parse_result", "parse_results", "split_response"]

#: Elements inside an ...Rs that are not Rets: a void's or delete's answer carries its fields directly.
_NOT_RETS = {"ErrorRecovery"}


class QbxmlParseError(QbxmlValueError):
    def __init__(self, problem: str) -> None:
        super().__init__("QBXMLMsgsRs", problem)


def _parser() -> etree.XMLParser:
    return etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=True, load_dtd=False,
                           dtd_validation=False, remove_blank_text=True)


def parse_qbxml(text: str | bytes) -> Element:
    """A qbXML document (request or answer) as a tree, parsed safely; raises :class:`QbxmlParseError`."""
    raw = text.encode("utf-8") if isinstance(text, str) else text
    try:
        root = etree.fromstring(raw, _parser())
    except etree.XMLSyntaxError as exc:
        raise QbxmlParseError(f"not well-formed qbXML: {exc}") from exc
    if root is None or root.tag != "QBXML":
        raise QbxmlParseError("the document is not a QBXML document")
    return root


@dataclass(frozen=True, slots=True)
class ErrorRecovery:
    """What QuickBooks recorded for a write it did (error recovery): the object's id and state after it."""

    list_id: str | None
    txn_id: str | None
    owner_id: str | None
    txn_number: int | None
    edit_sequence: str | None
    external_guid: str | None


@dataclass(frozen=True, slots=True)
class RequestResult:
    """One request's answer."""

    request_id: str | None
    name: str  # the request without "Rs": "InvoiceAdd", "CustomerQuery", "TxnVoid"
    status_code: int
    severity: str  # Info | Warn | Error
    message: str  # QuickBooks' statusMessage, verbatim
    rets: tuple[Element, ...]
    element: Element  # the ...Rs itself (a void's or delete's answer fields are its children)
    ret_count: int | None = None
    iterator_id: str | None = None
    iterator_remaining: int | None = None
    error_recovery: ErrorRecovery | None = None

    @property
    def is_error(self) -> bool:
        return self.severity == "Error"

    @property
    def more_pages(self) -> bool:
        """An iterator with objects left: continue it (``iterators.continue_query``) with ``iterator_id``."""
        return bool(self.iterator_id) and (self.iterator_remaining or 0) > 0


@dataclass(frozen=True, slots=True)
class MessageSetResult:
    results: tuple[RequestResult, ...]
    by_request_id: Mapping[str, RequestResult]
    message_set_status_code: int | None
    new_message_set_id: str | None

    def result(self, request_id: str) -> RequestResult:
        """The answer to this request; KeyError naming it when QuickBooks gave none (stopOnError stops the rest)."""
        try:
            return self.by_request_id[request_id]
        except KeyError:
            raise KeyError(f"QuickBooks gave no answer to request {request_id!r}") from None


def _int(value: str | None, what: str) -> int | None:
    if value is None or not value.strip():
        return None
    try:
        return int(value.strip())
    except ValueError:
        raise QbxmlParseError(f"{what} {value!r} is not a number") from None


def _child_text(element: Element, tag: str) -> str | None:
    found = element.find(tag)
    return found.text if found is not None else None


def _error_recovery(element: Element) -> ErrorRecovery | None:
    found = next(element.iterchildren("ErrorRecovery"), None)  # ``find``'s path machinery, at every answer, cost more
    if found is None:
        return None
    return ErrorRecovery(_child_text(found, "ListID"), _child_text(found, "TxnID"), _child_text(found, "OwnerID"),
                         _int(_child_text(found, "TxnNumber"), "TxnNumber"), _child_text(found, "EditSequence"),
                         _child_text(found, "ExternalGUID"))


def _result(rs: Element) -> RequestResult:
    tag = str(rs.tag)
    code = _int(rs.get("statusCode"), f"{tag}@statusCode")
    if code is None:
        raise QbxmlParseError(f"{tag} has no statusCode")
    rets = tuple(child for child in rs if isinstance(child.tag, str) and child.tag.endswith("Ret")
                 and child.tag not in _NOT_RETS)
    return RequestResult(
        request_id=rs.get("requestID"), name=tag.removesuffix("Rs"), status_code=code,
        severity=rs.get("statusSeverity") or "", message=rs.get("statusMessage") or "", rets=rets, element=rs,
        ret_count=_int(rs.get("retCount"), f"{tag}@retCount"), iterator_id=rs.get("iteratorID"),
        iterator_remaining=_int(rs.get("iteratorRemainingCount"), f"{tag}@iteratorRemainingCount"),
        error_recovery=_error_recovery(rs))


def parse_response(text: str | bytes) -> MessageSetResult:
    """The answers of one message, in order and by requestID (a repeated requestID is refused: it would make
    one request's answer stand for another's)."""
    root = parse_qbxml(text)
    messages = root.find("QBXMLMsgsRs")
    if messages is None:
        raise QbxmlParseError("the answer has no QBXMLMsgsRs")
    results = tuple(_result(rs) for rs in messages if isinstance(rs.tag, str) and rs.tag.endswith("Rs"))
    by_id: dict[str, RequestResult] = {}
    for result in results:
        if result.request_id is None:
            continue
        if result.request_id in by_id:
            raise QbxmlParseError(f"requestID {result.request_id!r} is answered twice")
        by_id[result.request_id] = result
    return MessageSetResult(results, by_id, _int(messages.get("messageSetStatusCode"), "messageSetStatusCode"),
                            messages.get("newMessageSetID"))


def parse_result(text: str | bytes) -> RequestResult:
    """One request's answer given on its own (an ``...Rs`` element as :func:`split_response` cut it out)."""
    raw = text.encode("utf-8") if isinstance(text, str) else text
    try:
        element = etree.fromstring(raw, _parser())
    except etree.XMLSyntaxError as exc:
        raise QbxmlParseError(f"not a well-formed answer: {exc}") from exc
    if element is None or not str(element.tag).endswith("Rs"):
        raise QbxmlParseError("the part is not an ...Rs element")
    return _result(element)


def parse_results(parts: Mapping[str, str]) -> dict[str, RequestResult]:
    """Each request's answer (the parts :func:`split_response` cut), by request id, parsed in one go: an upload's
    exchange has some 150 parts of some 300 bytes, and the parser's set-up was most of each part's own parse. Parts
    that are not each one well-formed ``...Rs`` answering their request are parsed one by one, as before."""
    if not parts:
        return {}
    joined = "<Parts>" + "".join(parts.values()) + "</Parts>"
    try:
        root = etree.fromstring(joined.encode("utf-8"), _parser())
    except etree.XMLSyntaxError:
        root = None
    children = [] if root is None else [child for child in root if isinstance(child.tag, str)]
    # Each part is the one ``...Rs`` answering its request (``split_response`` keys them by requestID): anything
    # else is read part by part, so that no part is read as its neighbour's answer.
    if len(children) != len(parts) or any(not str(child.tag).endswith("Rs") or child.get("requestID") != request_id
                                          for child, request_id in zip(children, parts, strict=False)):
        return {request_id: parse_result(text) for request_id, text in parts.items()}
    return {request_id: _result(child) for request_id, child in zip(parts, children, strict=True)}


def split_response(text: str | bytes) -> tuple[dict[str, str], Element]:
    """The answer cut into each request's ``...Rs`` text by requestID, and the ``QBXMLMsgsRs`` element (its
    attributes say the message set's status). Answers without a requestID are left out: nothing can claim them."""
    root = parse_qbxml(text)
    messages = root.find("QBXMLMsgsRs")
    if messages is None:
        raise QbxmlParseError("the answer has no QBXMLMsgsRs")
    parts: dict[str, str] = {}
    for rs in messages:
        if not isinstance(rs.tag, str) or not rs.tag.endswith("Rs"):
            continue
        request_id = rs.get("requestID")
        if request_id is None:
            continue
        if request_id in parts:
            raise QbxmlParseError(f"requestID {request_id!r} is answered twice")
        rs.tail = None
        parts[request_id] = etree.tostring(rs, encoding="unicode")
    return parts, messages
