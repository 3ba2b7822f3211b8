"""The qbXML message around requests, its exact size before it is built, and packing requests into messages.

A message is ``<?xml ...?><?qbxml version="X"?><QBXML><QBXMLMsgsRq onError=... [newMessageSetID|oldMessageSetID]>``,
the requests, then the closing tags. It is built as bytes by concatenation: the head (which depends only on the
options), each request serialised on its own, the tail. So a message's size is the head's and tail's plus the sum
of :func:`size_of` its requests, known before the message is built, and the mailbox can pack requests up to a
byte bound (:func:`pack`): in their order, never splitting an Add that defines a macro from the requests that use
it (QuickBooks resolves ``useMacro`` only within one message set).

``onError``: ``stopOnError`` (QuickBooks stops at the first failing request; those before it stay done: qbXML
has no rollback, ``rollbackOnError`` is refused) or ``continueOnError``. Message set ids (at most 23 characters)
are for error recovery: ``newMessageSetID`` on a message that writes, ``oldMessageSetID`` to ask QuickBooks what
became of an earlier one (``ClearAllMessageSets`` forgets them all).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Literal

from lxml import etree

from ledgerbridge.packages.qbd.qbxml.nodes import Element, tag_name
from ledgerbridge.packages.qbd.qbxml.values import QbxmlValueError, check_text

__all__ = ["MESSAGE_SET_ID_MAX", "MessageOptions", "MessageTooLarge", "build_message", "message_set_id",
           "message_size", "pack", "request_text", "size_of", "wrap_texts"]

MESSAGE_SET_ID_MAX = 23
CLEAR_ALL_MESSAGE_SETS = "ClearAllMessageSets"
_VERSION = re.compile(r"^\d{1,2}\.\d$")
_TAIL = b"</QBXMLMsgsRq></QBXML>"
OnError = Literal["stopOnError", "continueOnError"]


class MessageTooLarge(QbxmlValueError):
    """A request (or a macro's requests, which cannot be split) is larger than the bound on its own."""


@dataclass(frozen=True, slots=True)
class MessageOptions:
    version: str
    on_error: OnError = "stopOnError"
    new_message_set_id: str | None = None
    old_message_set_id: str | None = None

    def __post_init__(self) -> None:
        if not _VERSION.match(self.version):
            raise QbxmlValueError("qbxml version", f"{self.version!r} is not a qbXML version such as 13.0")
        if self.on_error not in ("stopOnError", "continueOnError"):
            raise QbxmlValueError("QBXMLMsgsRq@onError", f"{self.on_error!r}: rollbackOnError is not supported")
        for name, value in (("newMessageSetID", self.new_message_set_id),
                            ("oldMessageSetID", self.old_message_set_id)):
            if value is not None and value != CLEAR_ALL_MESSAGE_SETS and not 0 < len(value) <= MESSAGE_SET_ID_MAX:
                raise QbxmlValueError(f"QBXMLMsgsRq@{name}", f"{value!r} is not 1 to {MESSAGE_SET_ID_MAX} characters")
            if value is not None:
                check_text(f"QBXMLMsgsRq@{name}", value)

    def head(self) -> bytes:
        attributes = [f'onError="{self.on_error}"']
        if self.new_message_set_id is not None:
            attributes.append(f'newMessageSetID="{_attr(self.new_message_set_id)}"')
        if self.old_message_set_id is not None:
            attributes.append(f'oldMessageSetID="{_attr(self.old_message_set_id)}"')
        return (f'<?xml version="1.0" encoding="utf-8"?><?qbxml version="{self.version}"?>'
                f'<QBXML><QBXMLMsgsRq {" ".join(attributes)}>').encode()

    def overhead(self) -> int:
        """Bytes of a message besides its requests."""
        return len(self.head()) + len(_TAIL)


def _attr(value: str) -> str:
    return value.replace("&", "&amp;").replace("<", "&lt;").replace('"', "&quot;")


def message_set_id(key: str) -> str:
    """A message set id derived from our key (23 characters: the most QuickBooks keeps)."""
    return hashlib.sha256(key.encode()).hexdigest()[:MESSAGE_SET_ID_MAX]


def _serialise(request: Element) -> bytes:
    if request.tail:
        request.tail = None  # whitespace after an element taken out of a tree is no part of the request
    return etree.tostring(request, encoding="utf-8", xml_declaration=False)


def request_text(request: Element) -> str:
    """The request as the text a message carries (what a mailbox stores until the Web Connector asks)."""
    return _serialise(request).decode("utf-8")


def wrap_texts(requests: Sequence[str], options: MessageOptions) -> str:
    """A message of requests already serialised (:func:`request_text`), as :func:`build_message` would make it
    of their elements (macros and requestIDs are the caller's to keep right)."""
    return options.head().decode("utf-8") + "".join(requests) + _TAIL.decode("utf-8")


def size_of(request: Element) -> int:
    """The bytes this request takes in a message (UTF-8, as the Web Connector hands it to QuickBooks)."""
    return len(_serialise(request))


def message_size(requests: Sequence[Element], options: MessageOptions) -> int:
    return options.overhead() + sum(size_of(r) for r in requests)


def build_message(requests: Sequence[Element], options: MessageOptions) -> bytes:
    """The message, UTF-8 bytes (``.decode()`` for the SOAP string), exactly ``message_size`` long."""
    seen: set[str] = set()
    for request in requests:
        request_id = request.get("requestID")
        if request_id is not None:
            if request_id in seen:
                raise QbxmlValueError(f"{tag_name(request)}@requestID", f"{request_id!r} is used twice in one message")
            seen.add(request_id)
    _check_macros(requests)
    return options.head() + b"".join(_serialise(r) for r in requests) + _TAIL


def _check_macros(requests: Sequence[Element]) -> list[tuple[int, int]]:
    """(defining index, using index) for every ``useMacro``; a use with no earlier definition is refused."""
    defined: dict[str, int] = {}
    spans = []
    for index, request in enumerate(requests):
        for element in request.iter():
            used = element.get("useMacro")
            if used is not None:
                if used not in defined:
                    raise QbxmlValueError(f"{tag_name(request)}@useMacro",
                                          f"{used!r} is not defined by an earlier request")
                spans.append((defined[used], index))
        for element in request.iter():
            name = element.get("defMacro")
            if name is not None:
                if name in defined:
                    raise QbxmlValueError(f"{tag_name(request)}@defMacro", f"{name!r} is defined twice")
                defined[name] = index
    return spans


def _groups(requests: Sequence[Element]) -> list[range]:
    """Runs of requests that must travel together: from a macro's definition to its last use."""
    reach = list(range(len(requests)))  # reach[i]: the last index request i must share a message with
    for start, end in _check_macros(requests):
        reach[start] = max(reach[start], end)
    groups = []
    start = 0
    while start < len(requests):
        end = reach[start]
        i = start
        while i <= end:  # a run grows while a request inside it reaches further
            end = max(end, reach[i])
            i += 1
        groups.append(range(start, end + 1))
        start = end + 1
    return groups


def pack(requests: Sequence[Element], max_bytes: int, options: MessageOptions) -> list[list[Element]]:
    """The requests in messages of at most ``max_bytes`` each, in order, filled greedily (the fewest messages
    for that order). The head is measured as a message set id of 23 characters would make it, so any id the
    caller stamps later keeps the bound."""
    worst = replace(options, new_message_set_id="x" * MESSAGE_SET_ID_MAX) if (
        options.new_message_set_id is None or len(options.new_message_set_id) < MESSAGE_SET_ID_MAX) else options
    room = max_bytes - worst.overhead()
    sizes = [size_of(r) for r in requests]
    messages: list[list[Element]] = []
    current: list[Element] = []
    used = 0
    for group in _groups(requests):
        group_size = sum(sizes[i] for i in group)
        if group_size > room:
            what = ", ".join(str(requests[i].get("requestID")) for i in group)
            raise MessageTooLarge("message", f"request(s) {what} take {group_size + worst.overhead()} bytes in a "
                                             f"message, more than the bound of {max_bytes}")
        if current and used + group_size > room:
            messages.append(current)
            current, used = [], 0
        current.extend(requests[i] for i in group)
        used += group_size
    if current:
        messages.append(current)
    return messages
