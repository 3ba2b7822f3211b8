"""Reading qbXML values and writing qbXML elements in schema order: the small vocabulary every object family uses.

qbXML's types (``qbxmltypes130.xsd``): AMTTYPE is ``[+-]?\\d{1,13}(\\.\\d{2})?`` (QuickBooks writes two decimals),
PRICETYPE/QUANTYPE/PERCENTTYPE allow five, DATETYPE is ``xsd:date``, DATETIMETYPE may stop after any part and
carries the workstation's UTC offset, BOOLTYPE is ``true``/``false``. Answers are assembled from a mapping of
child name to value and ordered by the schema's content model (:meth:`.schema.QbxmlSchema.child_order`), so a
family states what an object holds, never where each element goes.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping, Sequence
from datetime import date, datetime, timedelta, timezone
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from lxml import etree
from lxml.etree import _Element as Element  # lxml's element type: public in use, underscored in name

from .schema import QbxmlSchema

__all__ = [
    "CENT",
    "Element",
    "Value",
    "amount",
    "clone",
    "first",
    "as_bool",
    "as_date",
    "as_datetime",
    "as_decimal",
    "bool_text",
    "build",
    "child",
    "children",
    "date_text",
    "datetime_text",
    "decimal_text",
    "element",
    "round_cents",
    "text",
]

CENT = Decimal("0.01")
#: A child's value: text, one element, or several elements of the same name (lines, LinkedTxn, ...).
Value = str | Element | Sequence[Element]


def element(tag: str, value: str | None = None) -> Element:
    node = etree.Element(tag)
    if value is not None:
        node.text = value
    return node


def child(parent: Element, tag: str) -> Element | None:
    return parent.find(tag)


def children(parent: Element, tag: str) -> list[Element]:
    return parent.findall(tag)


def clone(node: Element) -> Element:
    """A deep copy of ``node``: lxml's own, called directly (``copy.copy`` dispatches through the copy module
    first, a third more per element, and an Add copies a dozen)."""
    copied: Element = node.__copy__()  # type: ignore[attr-defined]  # lxml's stubs leave it out
    return copied


def first(parent: Element, tag: str) -> Element | None:
    """``parent.find(tag)`` for a plain tag, at half its cost (lxml's ``find`` goes through its path machinery each
    time; ``iterchildren`` walks the children in C): the company asks some twenty an invoice."""
    for found in parent.iterchildren(tag):
        return found
    return None


def text(parent: Element, tag: str) -> str | None:
    """The text of ``parent``'s first ``tag`` child (``""`` for an empty one), None without one: ``findtext``."""
    for found in parent.iterchildren(tag):
        return found.text or ""
    return None


def as_decimal(value: str) -> Decimal:
    try:
        return Decimal(value.strip() or "0")
    except InvalidOperation:
        raise ValueError(f"{value!r} is not a number") from None


def round_cents(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def amount(value: Decimal) -> str:
    """AMTTYPE as QuickBooks writes it: always two decimals (``12.30``, ``-5.00``, ``0.00``)."""
    rounded = round_cents(value)
    return f"{rounded + 0:.2f}"  # + 0 turns -0.00 into 0.00


def decimal_text(value: Decimal) -> str:
    """PRICETYPE/QUANTYPE/PERCENTTYPE: at most five decimals, no trailing zeros (``2``, ``12.5``)."""
    quantized = value.quantize(Decimal("0.00001"), rounding=ROUND_HALF_UP).normalize()
    return f"{quantized:f}"


def as_bool(value: str | None) -> bool:
    return (value or "").strip().lower() in ("true", "1")


def bool_text(value: bool) -> str:
    return "true" if value else "false"


def as_date(value: str) -> date:
    return date.fromisoformat(value.strip())


def date_text(value: date) -> str:
    return value.isoformat()


_DATETIME = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:T(\d{1,2})(?::(\d{1,2})(?::(\d{1,2})"
                       r"(?:([+-])(\d{1,2}):(\d{1,2}))?)?)?)?$")


def as_datetime(value: str, local: timezone) -> datetime:
    """DATETIMETYPE, which may stop after the date, hour or minute; without an offset it is the company's local
    time (QuickBooks reads filters in the workstation's time zone)."""
    found = _DATETIME.match(value.strip())
    if found is None:
        raise ValueError(f"{value!r} is not a qbXML date-time")
    year, month, day, hour, minute, second, sign, off_h, off_m = found.groups()
    zone = local
    if sign:
        offset = timedelta(hours=int(off_h), minutes=int(off_m))
        zone = timezone(offset if sign == "+" else -offset)
    return datetime(int(year), int(month), int(day), int(hour or 0), int(minute or 0), int(second or 0),
                    tzinfo=zone)


def datetime_text(value: datetime) -> str:
    """``2024-01-02T10:11:12-08:00``: seconds, and the offset with a colon, as QuickBooks writes it."""
    return value.replace(microsecond=0).isoformat()


def build(schema: QbxmlSchema, path: str, fields: Mapping[str, Value | None],
          include: Collection[str] | None = None, tag: str | None = None, owned: Collection[str] = ()) -> Element:
    """The element ``tag`` (default: the last step of ``path``) holding ``fields`` in the schema's order.

    Names the element's content model does not have are left out, as QuickBooks leaves out what a version does
    not know (a 16.0 field of a record read in 13.0); ``include`` keeps only the named top-level children
    (``IncludeRetElement``). Stored elements are copied, so a record can be written any number of times; those
    named in ``owned`` were made for this answer and are moved in as they are.
    """
    order = schema.child_order(path)
    node = etree.Element(tag or path.rsplit("/", 1)[-1])
    present = [name for name, value in fields.items() if value is not None and name in order
               and (not include or name in include)]
    for name in sorted(present, key=order.__getitem__):
        value = fields[name]
        if isinstance(value, str):
            etree.SubElement(node, name).text = value
        elif isinstance(value, Element):
            node.append(value if name in owned else clone(value))
        elif value is not None:
            for item in value:
                node.append(item if name in owned else clone(item))
    return node
