"""Reading one JSON object of a request, failing the way Xero's deserializer fails.

Xero deserialises the whole body before it validates anything, so a value of the wrong type (a string where
a number belongs, an unknown enum value, a date it cannot read) rejects the request as a whole with a
``PostDataInvalidException`` and nothing is saved.  Unknown keys are ignored, as Xero does for JSON (the SDK
sends read-only flags such as ``HasErrors``), and ``null`` is the same as absent.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from .errors import PostDataInvalid
from .wire import parse_request_date, to_decimal


class Reader:
    """One JSON object of a request, with typed getters that name the JSON path in their errors."""

    __slots__ = ("raw", "_parent", "_step", "_index")

    def __init__(self, raw: Any, step: str, parent: Reader | None = None, index: int | None = None) -> None:
        self.raw: dict[str, Any] = raw
        self._parent = parent
        self._step = step
        self._index = index
        if not isinstance(raw, dict):
            raise PostDataInvalid(f"JSON for post data was invalid,Expected an object. Path '{self.path}'.")

    @property
    def path(self) -> str:
        """The JSON path of this object (``Invoices[3].LineItems[0]``), built only when an error needs it."""
        step = self._step if self._index is None else f"{self._step}[{self._index}]"
        if self._parent is None:
            return step
        separator = "" if step.startswith("[") else "."
        return f"{self._parent.path}{separator}{step}"

    def _fail(self, key: str, value: Any, type_name: str) -> PostDataInvalid:
        return PostDataInvalid(
            f"JSON for post data was invalid,Error converting value {value!r} to type '{type_name}'. "
            f"Path '{self.path}.{key}'."
        )

    def present(self) -> frozenset[str]:
        return frozenset(k for k, v in self.raw.items() if v is not None)

    def text(self, key: str) -> str | None:
        value = self.raw.get(key)
        if value is None:
            return None
        if isinstance(value, str):
            return value.replace("\x00", "") if "\x00" in value else value
        if isinstance(value, (int, Decimal)) and not isinstance(value, bool):
            return str(value)
        raise self._fail(key, value, "String")

    def decimal(self, key: str) -> Decimal | None:
        value = self.raw.get(key)
        if value is None or value == "":
            return None
        try:
            return to_decimal(value)
        except ValueError:
            raise self._fail(key, value, "Decimal") from None

    def date(self, key: str) -> dt.date | None:
        value = self.raw.get(key)
        if value is None or value == "":
            return None
        try:
            return parse_request_date(value)
        except ValueError:
            raise self._fail(key, value, "DateTime") from None

    def boolean(self, key: str) -> bool | None:
        value = self.raw.get(key)
        if value is None:
            return None
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and value.lower() in ("true", "false"):
            return value.lower() == "true"
        raise self._fail(key, value, "Boolean")

    def enum(self, key: str, allowed: frozenset[str], type_name: str, *, upper: bool = True) -> str | None:
        value = self.text(key)
        if value is None or value == "":
            return None
        wanted = value.strip().upper() if upper else value.strip()
        if upper:
            if wanted in allowed:
                return wanted
        else:
            for candidate in allowed:
                if candidate.lower() == wanted.lower():
                    return candidate
        raise self._fail(key, value, type_name)

    def ident(self, key: str) -> str | None:
        """A uuid field; Xero's deserializer refuses anything that is not a GUID."""
        value = self.text(key)
        if value is None or value == "":
            return None
        candidate = value.strip().lower()
        if len(candidate) != 36 or candidate.count("-") != 4:
            raise self._fail(key, value, "Guid")
        try:
            int(candidate.replace("-", ""), 16)
        except ValueError:
            raise self._fail(key, value, "Guid") from None
        return candidate

    def child(self, key: str) -> Reader | None:
        value = self.raw.get(key)
        if value is None:
            return None
        return Reader(value, key, self)

    def children(self, key: str) -> list[Reader] | None:
        value = self.raw.get(key)
        if value is None:
            return None
        if not isinstance(value, list):
            raise self._fail(key, "object", "List")
        return [Reader(item, key, self, i) for i, item in enumerate(value)]


def collection(payload: Any, key: str, *, single_allowed: bool = False) -> list[Reader]:
    """The elements of ``{"Invoices": [...]}``; ``single_allowed`` also takes one bare object (POST /Payments)."""
    if isinstance(payload, dict) and isinstance(payload.get(key), list):
        return [Reader(item, key, None, i) for i, item in enumerate(payload[key])]
    if single_allowed and isinstance(payload, dict) and key not in payload:
        return [Reader(payload, key[:-1])]
    raise PostDataInvalid(f"JSON for post data was invalid,Expected a '{key}' collection in the request body.")
