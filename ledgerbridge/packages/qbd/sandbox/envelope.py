"""Running one qbXML request message as QuickBooks' request processor does: parse, check against the schema of the
version it announces, run each request in order, write the response message.

The envelope's rules (Intuit's qbXML reference, "QBXML message information"):

* ``<?qbxml version="13.0"?>`` picks the schema; a version above the one the company announces is refused with
  an HRESULT (the processor cannot read it), as is a message that is not well-formed or not valid against the
  schema (0x80040400, nothing run). A string longer than its field is the exception QuickBooks makes: that request
  alone is answered 3070.
* ``onError="stopOnError"``: the first request answered with an Error stops the message; what ran before stays
  (there is no rollback, ``rollbackOnError`` is refused). ``continueOnError`` runs them all.
* ``requestID`` is echoed on each ``…Rs``; ``responseData="includeNone"`` leaves the Ret elements out.
* ``defMacro="TxnID:x"`` on an Add names what it wrote for ``useMacro="TxnID:x"`` later in the same message.
* error recovery: :mod:`.recovery`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from lxml import etree

from .config import SUPPORTED_VERSIONS
from .context import Answer, Context, Handler
from .elements import Element
from .processor import PARSE_ERROR, UNEXPECTED_ERROR, VERSION_NOT_SUPPORTED, RequestProcessorError
from .recovery import CLEAR_ALL, RecoveryStore, SavedSet, SavedStatus
from .schema import QbxmlSchema, SchemaFinding
from .status import QbStatus

__all__ = ["Message", "parse_message", "run_message"]

_VERSION = re.compile(r"<\?qbxml\s+version\s*=\s*[\"']([^\"']+)[\"']\s*\?>")
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=True, remove_blank_text=True)
_REFUSE_ROLLBACK = "rollbackOnError"
_MACRO_ATTRIBUTE = re.compile(r"(?:use|def)Macro\s*=")


@dataclass(slots=True)
class Message:
    version: str
    document: Element
    requests: list[Element]
    too_long: dict[int, SchemaFinding]
    #: Whether any request uses or defines a macro (most messages: none, and their requests are not searched).
    macros: bool = True


def _version_key(version: str) -> tuple[int, int]:
    major, _, minor = version.partition(".")
    return int(major), (int(minor) if minor.isdigit() else 0)


def parse_message(text: str, max_version: str, schema_of: Callable[[str], QbxmlSchema]) -> tuple[Message,
                                                                                                    QbxmlSchema]:
    """The checked message, or :class:`RequestProcessorError` as QBXMLRP2 raises it."""
    found = _VERSION.search(text[:500])
    if found is None:
        raise RequestProcessorError(PARSE_ERROR)
    version = found.group(1).strip()
    try:
        key = _version_key(version)
    except ValueError:
        raise RequestProcessorError(PARSE_ERROR) from None
    if key > _version_key(max_version):
        raise RequestProcessorError(VERSION_NOT_SUPPORTED)
    if version not in SUPPORTED_VERSIONS:
        runs = " and ".join(SUPPORTED_VERSIONS)
        raise RequestProcessorError(UNEXPECTED_ERROR, f"The QuickBooks sandbox runs qbXML {runs} only, not {version}.")
    try:
        document = etree.fromstring(text.encode("utf-8"), _PARSER)
    except etree.XMLSyntaxError:
        raise RequestProcessorError(PARSE_ERROR) from None
    schema = schema_of(version)
    findings = schema.check(document)
    if any(not finding.too_long or finding.request is None for finding in findings):
        raise RequestProcessorError(PARSE_ERROR)
    messages = document.find("QBXMLMsgsRq")
    if messages is None or messages.get("onError") == _REFUSE_ROLLBACK:
        raise RequestProcessorError(PARSE_ERROR)
    requests = [node for node in messages if isinstance(node.tag, str)]
    too_long = {id(finding.request): finding for finding in reversed(findings)}
    return Message(version, document, requests,
                   {index: too_long[id(node)] for index, node in enumerate(requests) if id(node) in too_long},
                   _MACRO_ATTRIBUTE.search(text) is not None), schema


def _response_tag(request_tag: str) -> str:
    return request_tag[:-1] + "s"


#: The elements of a request that use or define a macro, found in C (a Python walk of every element of every
#: request, asking each for both attributes, was a twentieth of an Add's time).
_MACRO_NODES = etree.XPath("descendant-or-self::*[@useMacro or @defMacro]")


def _apply_macros(ctx: Context, request: Element) -> None:
    """Substitute ``useMacro`` values; refuse a ``defMacro`` already defined in this message (9101)."""
    nodes = _MACRO_NODES(request)
    assert isinstance(nodes, list)
    for node in nodes:
        assert isinstance(node, Element)
        use = node.get("useMacro")
        if use is not None:
            if use not in ctx.macros:
                raise QbStatus.macro_not_defined(use)
            node.text = ctx.macros[use]
        define = node.get("defMacro")
        if define is not None and define in ctx.macros:
            raise QbStatus.macro_already_defined(define)


def _run_one(ctx: Context, request: Element, handlers: Mapping[str, Handler],
             too_long: SchemaFinding | None, macros: bool = True) -> Answer:
    if too_long is not None:
        return Answer(status=QbStatus.too_long(too_long.value, too_long.field))
    handler = handlers.get(str(request.tag))
    if handler is None:
        return Answer(status=QbStatus(1030, "This request is not supported by this implementation."))
    try:
        if macros:
            _apply_macros(ctx, request)
        return handler(ctx, request)
    except QbStatus as status:
        return Answer(status=status)


def _response_element(ctx: Context, tag: str, request_id: str | None, answer: Answer,
                      with_data: bool, recovery: dict[str, str] | None = None) -> Element:
    node = etree.Element(tag)
    if request_id is not None:
        node.set("requestID", request_id)
    node.set("statusCode", str(answer.status.code))
    node.set("statusSeverity", answer.status.severity)
    node.set("statusMessage", answer.status.message)
    for name, value in answer.attributes.items():
        node.set(name, value)
    if with_data and not answer.status.is_error:
        for ret in answer.rets:
            node.append(ret)
    if recovery is not None and "ErrorRecovery" in ctx.schema.child_order(f"QBXMLMsgsRs/{tag}"):
        node.append(ctx.build("ErrorRecovery", recovery))
    return node


def _saved_responses(ctx: Context, saved: SavedSet, into: Element) -> None:
    for status in saved.statuses:
        answer = Answer(status=QbStatus(status.code, status.message))
        into.append(_response_element(ctx, status.response_tag, status.request_id, answer, False, status.recovery))


def run_message(ctx: Context, message: Message, handlers: Mapping[str, Handler], recovery: RecoveryStore,
                crash_after: int | None = None) -> str:
    """Run ``message`` in ``ctx`` and return the response text. ``crash_after`` (a fault the simulator asks for)
    stops after that many requests have run and raises as a processor dying mid-message would."""
    messages = message.document.find("QBXMLMsgsRq")
    assert messages is not None
    out = etree.Element("QBXMLMsgsRs")
    app = ctx.session.app_name
    old_id, new_id = messages.get("oldMessageSetID"), messages.get("newMessageSetID")
    if old_id == CLEAR_ALL:
        recovery.clear(app)
    elif old_id is not None:
        saved = recovery.lookup(app, old_id)
        out.set("messageSetStatusCode", "0" if saved is not None else "600")
        if saved is not None:
            _saved_responses(ctx, saved, out)
        return _serialise(out)
    saving = recovery.start(app, new_id) if new_id is not None else None
    if new_id is not None:
        out.set("newMessageSetID", new_id)
        out.set("messageSetStatusCode", "0")
    stop = messages.get("onError") == "stopOnError"
    with_data = messages.get("responseData", "includeAll") != "includeNone"
    for index, request in enumerate(message.requests):
        if crash_after is not None and index >= crash_after:
            raise RequestProcessorError(UNEXPECTED_ERROR)
        answer = _run_one(ctx, request, handlers, message.too_long.get(index), message.macros)
        tag = _response_tag(str(request.tag))
        out.append(_response_element(ctx, tag, request.get("requestID"), answer, with_data))
        if saving is not None:
            saving.statuses.append(SavedStatus(tag, request.get("requestID"), answer.status.code,
                                               answer.status.message,
                                               None if answer.status.is_error else answer.recovery))
        if stop and answer.status.is_error:
            break
    return _serialise(out)


def _serialise(messages: Element) -> str:
    root = etree.Element("QBXML")
    root.append(messages)
    return '<?xml version="1.0" ?>\n' + etree.tostring(root, encoding="unicode")
