"""The lines a Mod leaves on a transaction: built so that no line is lost by forgetting it.

QuickBooks' Mod rule (Intuit, "Modify, delete and void requests"): a Mod that sends no line leaves the lines as
they are; a Mod that sends *any* line keeps only the lines it sends: each existing line by its ``TxnLineID``
(alone, to keep it as it is, or with new values), each new line as ``TxnLineID -1``, and every line it leaves out
is deleted. A builder API that took "the lines to send" would make a partial edit silently delete the rest, so a
:class:`LinePlan` is made from the TxnLineIDs QuickBooks holds now (from the last Ret) and must account for each
of them: kept, changed, or deleted by name. Anything else raises :class:`LinePlanError`.

:func:`write_lines` and :func:`write_slots` write an Add's lines and a plan's slots the one way every transaction
builder does (sales and purchases alike), each line's own fields by the builder's writer.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

from ledgerbridge.packages.qbd.qbxml.nodes import Node
from ledgerbridge.packages.qbd.qbxml.values import QbxmlValueError

__all__ = ["NEW_LINE", "LinePlan", "LinePlanError", "LineSlot", "write_lines", "write_slots"]

L = TypeVar("L")
NEW_LINE = "-1"  # the TxnLineID of a line a Mod adds


class LinePlanError(QbxmlValueError):
    def __init__(self, problem: str) -> None:
        super().__init__("lines", problem)


@dataclass(frozen=True, slots=True)
class LineSlot(Generic[L]):
    """One line the Mod sends: an existing TxnLineID (``line`` None: kept as it is) or ``-1`` with a new line."""

    txn_line_id: str
    line: L | None


class LinePlan(Generic[L]):
    """Every line of the transaction after the Mod, in order, and the lines it deletes (named, never implied)."""

    __slots__ = ("current", "deleted", "slots")

    def __init__(self, current: Sequence[str], slots: Sequence[LineSlot[L]], deleted: Iterable[str] = ()) -> None:
        self.current = tuple(current)
        self.slots = tuple(slots)
        self.deleted = tuple(deleted)
        kept = [s.txn_line_id for s in self.slots if s.txn_line_id != NEW_LINE]
        if len(set(self.current)) != len(self.current):
            raise LinePlanError("the current TxnLineIDs repeat one")
        if NEW_LINE in self.current:
            raise LinePlanError("a current line cannot have TxnLineID -1")
        if len(set(kept)) != len(kept):
            raise LinePlanError("a TxnLineID is sent twice")
        unknown = [i for i in [*kept, *self.deleted] if i not in self.current]
        if unknown:
            raise LinePlanError(f"TxnLineID {', '.join(unknown)} is not a line of the transaction now")
        both = set(kept) & set(self.deleted)
        if both:
            raise LinePlanError(f"TxnLineID {', '.join(sorted(both))} is both kept and deleted")
        forgotten = [i for i in self.current if i not in kept and i not in self.deleted]
        if forgotten:
            raise LinePlanError(f"TxnLineID {', '.join(forgotten)} is neither kept nor deleted: QuickBooks would "
                                "delete it (say so with delete=)")
        for slot in self.slots:
            if slot.txn_line_id == NEW_LINE and slot.line is None:
                raise LinePlanError("a new line (-1) needs its content")

    @classmethod
    def replace(cls, current: Sequence[str], lines: Sequence[L]) -> LinePlan[L]:
        """All lines now held are deleted and ``lines`` added (-1 each): what a host edit of a whole document means.

        Existing TxnLineIDs are not reused for different content: a Mod cannot clear a line's Quantity, Rate or
        ItemRef (InvoiceMod reference), so a reused line could keep a value the new one does not have."""
        return cls(current, [LineSlot(NEW_LINE, line) for line in lines], deleted=current)

    @classmethod
    def edit(cls, current: Sequence[str], *, change: Mapping[str, L] | None = None, delete: Iterable[str] = (),
             add: Sequence[L] = ()) -> LinePlan[L]:
        """Lines kept in their order (changed where ``change`` says), ``delete`` removed, ``add`` appended."""
        change = dict(change or {})
        gone = tuple(delete)
        unknown = [i for i in change if i not in current]
        if unknown:
            raise LinePlanError(f"TxnLineID {', '.join(unknown)} is not a line of the transaction now")
        slots = [LineSlot(i, change.get(i)) for i in current if i not in gone]
        return cls(current, [*slots, *(LineSlot(NEW_LINE, line) for line in add)], deleted=gone)

    @property
    def sends_lines(self) -> bool:
        """False when every line is deleted and none added: the Mod must then say so (``ClearExpenseLines``)."""
        return bool(self.slots)


def write_lines(node: Node, tag: str, lines: Sequence[L], write: Callable[[Node, L], None]) -> None:
    """An Add's lines: each a ``tag`` child with its fields written by ``write``."""
    for n, line in enumerate(lines, 1):
        write(node.child(tag, n), line)


def write_slots(node: Node, tag: str, plan: LinePlan[L], write: Callable[[Node, L], None]) -> None:
    """A Mod's lines: each slot of ``plan`` a ``tag`` child with its ``TxnLineID``, then, for a changed or new
    line, its fields written by ``write`` (a line kept as it is sends its TxnLineID alone)."""
    for n, slot in enumerate(plan.slots, 1):
        line_node = node.child(tag, n)
        line_node.ident("TxnLineID", slot.txn_line_id)
        if slot.line is not None:
            write(line_node, slot.line)
