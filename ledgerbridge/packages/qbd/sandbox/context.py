"""What a request handler works with (:class:`Context`) and what it gives back (:class:`Answer`).

A handler takes the context and its request element (``InvoiceAddRq``, schema-valid, macros already substituted)
and returns an :class:`Answer`, or raises :class:`.status.QbStatus` to answer an error: nothing it had changed
may stay, so handlers check everything before they write.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, field
from datetime import datetime

from .config import CompanyConfig
from .elements import Element, Value, build
from .refs import refresh_refs
from .schema import QbxmlSchema
from .status import OK, QbStatus
from .store import Books

__all__ = ["Answer", "Context", "Handler", "IteratorState", "Session"]


@dataclass(slots=True)
class IteratorState:
    """A query iterator: which query started it and the IDs (ListID or TxnID) still to hand out, in order."""

    iterator_id: str
    request_tag: str
    remaining: list[str]


@dataclass(slots=True)
class Session:
    """One request-processor session (``BeginSession`` .. ``EndSession``): its application and its iterators."""

    app_name: str
    iterators: dict[str, IteratorState] = field(default_factory=dict)


@dataclass(slots=True)
class Answer:
    """A request's outcome: the Ret elements, the status, extra ``…Rs`` attributes (``retCount``, iterator),
    and what error recovery keeps for a write (``ListID``/``TxnID``, ``EditSequence``, ``ExternalGUID``)."""

    rets: list[Element] = field(default_factory=list)
    status: QbStatus = OK
    attributes: dict[str, str] = field(default_factory=dict)
    recovery: dict[str, str] | None = None


@dataclass(slots=True)
class Context:
    books: Books
    config: CompanyConfig
    schema: QbxmlSchema
    now: datetime
    session: Session
    new_guid: Callable[[], str]
    macros: dict[str, str] = field(default_factory=dict)

    @property
    def version(self) -> str:
        return self.schema.version

    def build(self, path: str, fields: Mapping[str, Value | None], include: Collection[str] | None = None,
              tag: str | None = None, owned: Collection[str] = ()) -> Element:
        """An answer element in schema order (``owned``: children made for it, see :func:`.elements.build`)."""
        return build(self.schema, path, fields, include, tag, owned)

    def ret(self, path: str, fields: Mapping[str, Value | None], include: Collection[str] | None = None,
            owned: Collection[str] = ()) -> Element:
        """A whole Ret: built, then its references given today's names (once, for all its lines too)."""
        node = build(self.schema, path, fields, include, None, owned)
        refresh_refs(self.books, node)
        return node

    def define_macro(self, add: Element, kind: str, value: str) -> None:
        """Record ``defMacro="TxnID:name"`` of a successful Add (or a line's ``TxnLineID:name``)."""
        macro = add.get("defMacro")
        if macro and macro.startswith(f"{kind}:"):
            self.macros[macro] = value


Handler = Callable[[Context, Element], Answer]
