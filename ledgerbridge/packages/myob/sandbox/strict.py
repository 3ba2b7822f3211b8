"""What MYOB refuses before any business rule runs: a property its contract does not have, and a value its type
cannot hold.

MYOB reads a request body into the SDK's contract classes (the catalogue in ``specs/myob``) with Json.NET, so a
value that is not of the property's type fails the request with 400 ``SerializationError`` (50). An unknown
property is refused the same way (assumed, as the QBO sandbox refuses unknown properties: silently dropping a
misspelt field would let a connector bug pass every test). Read-only properties (``Subtotal``, ``Status``) are in
the contract, so they are accepted and ignored, as MYOB does with pymyob's habit of sending records back whole.
Nulls count as absent. Enums travel as member names; Json.NET also reads their numbers, which are refused here
so a connector cannot come to rely on numbers.
"""

from __future__ import annotations

import re
from typing import Any

from . import errors
from .shapes import Prop, members, props
from .wire import parse_time, to_decimal

_GUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")


def check(type_key: str, body: Any, path: str = "") -> None:
    """Raise the first :class:`~.errors.MyobError` for ``body`` read as ``type_key``."""
    if not isinstance(body, dict):
        raise errors.serialization(f"Expected an object for {path or type_key}", path)
    fields = props(type_key)
    for name, value in body.items():
        where = f"{path}.{name}" if path else name
        prop = fields.get(name)
        if prop is None:
            raise errors.unknown_field(where, type_key.rsplit(".", 1)[-1])
        if value is None:
            continue
        if prop.array:
            if not isinstance(value, list):
                raise errors.serialization(f"Expected an array for {where}", where)
            for index, item in enumerate(value):
                if item is not None:
                    _value(prop, item, f"{where}[{index}]")
        else:
            _value(prop, value, where)


def _value(prop: Prop, value: Any, where: str) -> None:
    kind = prop.kind
    if kind == "object":
        check(prop.ref, value, where)
    elif kind == "enum":
        if not isinstance(value, str) or value not in members(prop.ref):
            raise errors.serialization(f"Error converting value {value!r} to type '{prop.ref.rsplit('.', 1)[-1]}'",
                                       where)
    elif not _scalar_ok(kind, value):
        raise errors.serialization(f"Error converting value {value!r} for {where}", where)


def _scalar_ok(kind: str, value: Any) -> bool:
    if kind in ("str", "uri", "any"):
        return isinstance(value, str) or kind == "any"
    if kind == "guid":
        return isinstance(value, str) and bool(_GUID.match(value))
    if kind == "dec":
        return not isinstance(value, str) and to_decimal(value) is not None
    if kind == "int":
        return isinstance(value, int) and not isinstance(value, bool)
    if kind == "bool":
        return isinstance(value, bool)
    if kind == "dt":
        return isinstance(value, str) and parse_time(value) is not None
    return True
