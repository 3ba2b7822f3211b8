"""Writing a request straight to text, for the requests a large upload sends by the thousand (the document Adds).

The builders write through :class:`~.nodes.Node`, which makes lxml elements; the mailbox then needs the request's
text, so every element was made only to be serialised. For a 10,000-invoice upload that is some 600,000 elements
(and as many ``Node`` objects) made and dropped. :class:`TextNode` is a ``Node`` that writes the same bytes
(``etree.tostring`` of what ``Node`` makes: the same escaping, ``<Tag/>`` for an empty element) into a list of
strings, so the same builder code, with the same value checks and the same messages naming the field, makes the
text directly. ``tests/qbd/qbxml/test_text_nodes.py`` holds the two byte for byte equal.

Written by hand: lxml's incremental ``xmlfile`` writer is no cheaper per element than ``SubElement``, and a
template engine would have to repeat every builder's schema order and value rules, which live in the builders.

Elements are written in order and closed lazily: writing into a node closes every element opened after it (a
builder writes in the XSD's order and never goes back into a child it left), and a start tag stays open for
attributes (``defMacro``) until the node's first child or text.
"""

from __future__ import annotations

from ledgerbridge.packages.qbd.qbxml.nodes import Node, TxnRef, check_request_id
from ledgerbridge.packages.qbd.qbxml.values import ID_MAX, QbxmlValueError, Ref, check_text

__all__ = ["TextNode", "request_text_node"]

_TEXT_ESCAPES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", "\r": "&#13;"})
_ATTRIBUTE_ESCAPES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "\n": "&#10;",
                                    "\r": "&#13;", "\t": "&#9;"})
_NEEDS_ESCAPE = frozenset("&<>\r")


def _text(value: str) -> str:
    # most values (numbers, ids, dates, plain names) need no escaping: the set test is cheaper than translate
    return value.translate(_TEXT_ESCAPES) if not _NEEDS_ESCAPE.isdisjoint(value) else value


class _Document:
    """The text written so far and the elements still open, innermost last."""

    __slots__ = ("open", "parts", "pending")

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.open: list[TextNode] = []
        self.pending: TextNode | None = None  # the element whose start tag still takes attributes

    def enter(self, node: TextNode) -> None:
        """Make ``node`` the element being written: close what was opened inside it, end its start tag."""
        opened = self.open
        while opened[-1] is not node:
            self.close(opened.pop())
        if self.pending is node:
            self.parts.append(">")
            self.pending = None

    def close(self, node: TextNode) -> None:
        if self.pending is node:
            self.parts.append("/>")
            self.pending = None
        else:
            self.parts.append(f"</{node.tag}>")


class TextNode(Node):
    """A :class:`~.nodes.Node` writing text (see the module docstring); it has no ``element``: :meth:`finish`
    gives the request's text."""

    __slots__ = ("_document",)

    def __init__(self, document: _Document, tag: str, parent: TextNode | None = None,
                 index: int | None = None) -> None:  # no lxml element: Node.__init__ is not called on purpose
        self._document = document
        self._tag = tag
        self._parent = parent
        self._index = index
        document.parts.append(f"<{tag}")
        document.open.append(self)
        document.pending = self

    @property
    def tag(self) -> str:
        return self._tag

    def child(self, tag: str, index: int | None = None) -> TextNode:
        self._document.enter(self)
        return TextNode(self._document, tag, self, index)

    def _put(self, tag: str, text: str) -> None:
        document = self._document
        if document.pending is not None or document.open[-1] is not self:
            document.enter(self)
        document.parts.append(f"<{tag}>{_text(text)}</{tag}>")

    def _put_value(self, tag: str, text: str) -> None:
        document = self._document
        if document.pending is not None or document.open[-1] is not self:
            document.enter(self)
        document.parts.append(f"<{tag}>{text}</{tag}>")

    def attribute(self, name: str, value: str) -> None:
        if self._document.pending is not self:
            raise QbxmlValueError(f"{self.where}@{name}", "an attribute after the element's content")
        self._document.parts.append(f' {name}="{value.translate(_ATTRIBUTE_ESCAPES)}"')

    def ref(self, tag: str, value: Ref | None) -> None:
        """As :meth:`Node.ref`, in one piece (the commonest element of a document: a line has two or three)."""
        if value is None:
            return
        list_id, full_name = value.list_id, value.full_name
        for field, text, longest in (("ListID", list_id, ID_MAX), ("FullName", full_name, 209)):
            if text is None:
                continue
            if field == "ListID" and not 0 < len(text) <= ID_MAX:
                raise QbxmlValueError(f"{self.where}/{tag}/ListID", f"{text!r} is not an id of 1 to {ID_MAX} "
                                                                    "characters")
            try:
                check_text(field, text, None if field == "ListID" else longest)
            except QbxmlValueError as exc:
                raise QbxmlValueError(f"{self.where}/{tag}/{field}", exc.problem) from None
        self._document.enter(self)
        self._document.parts.append(
            f"<{tag}>" + (f"<ListID>{_text(list_id)}</ListID>" if list_id is not None else "")
            + (f"<FullName>{_text(full_name)}</FullName>" if full_name is not None else "") + f"</{tag}>")

    def txn(self, tag: str, value: TxnRef) -> None:
        if value.macro is not None:
            self._document.enter(self)
            self._document.parts.append(f'<{tag} useMacro="{value.macro.value.translate(_ATTRIBUTE_ESCAPES)}"/>')
        else:
            self.ident(tag, value.txn_id)

    def finish(self) -> str:
        """The request's text (every element closed). Call on the request node, once, after writing."""
        document = self._document
        while document.open:
            document.close(document.open.pop())
        return "".join(document.parts)


def request_text_node(tag: str, request_id: str) -> TextNode:
    """As :func:`~.nodes.request_node`, writing text."""
    check_request_id(tag, request_id)
    node = TextNode(_Document(), tag)
    node.attribute("requestID", request_id)
    return node
