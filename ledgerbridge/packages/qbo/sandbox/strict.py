"""What QuickBooks refuses before any business rule runs: a property its schema does not have, and a date that
is not a date.

QBO reads a request body into Intuit's schema classes (the XSDs in ``specs/qbo``), so a property the schema does
not have, at any depth, fails the whole request with 400 / 2010 "Request has invalid or unsupported property",
the Detail naming the field and its class (``Property Name:Unrecognized field "Foo" (class
com.intuit.schema.finance.v3.Invoice), not marked as ignorable specified is unsupported or invalid``, as
python-quickbooks' issues quote it). Accepting such a body, as the sandbox did, let a connector bug (a misspelt
field silently dropped) pass every test. The property names come from :mod:`.schema_fields`, rendered from the
XSDs; read-only properties (``Balance``, ``MetaData``) are in the schema, so they are accepted and ignored, as QBO
does with python-quickbooks' habit of sending every attribute.

An ``xs:date`` must be ``YYYY-MM-DD`` and a real calendar day: ``2026-02-30`` or ``06/10/2026`` is refused with
the same 2010 (assumed: the date cannot be read into the schema's date type), never stored and sent back in
answers and CDC. Empty strings and nulls count as absent (python-quickbooks sends ``"TxnDate": ""``).
"""

from __future__ import annotations

import re
from datetime import date
from functools import cache
from typing import Any

from . import errors
from .schema_fields import ROOTS, TYPES

_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_SCHEMA_PACKAGE = "com.intuit.schema.finance.v3"


@cache
def fields(type_name: str) -> dict[str, str]:
    """Property -> what it holds: a complex type's name, ``"date"``, or ``""`` for any other scalar."""
    out: dict[str, str] = {}
    for word in TYPES[type_name].split():
        name, _, kind = word.partition(":")
        out[name] = kind
    return out


def check_body(entity: str, body: dict[str, Any]) -> None:
    """Raise QBO's 2010 for the first unknown property or malformed date in ``body`` (an ``entity`` request)."""
    if entity in ROOTS:
        _check_object(entity, body, entity)


def _check_object(type_name: str, value: dict[str, Any], path: str) -> None:
    known = fields(type_name)
    if "*" in known:
        return
    for key, item in value.items():
        kind = known.get(key)
        if kind is None:
            raise errors.invalid_property(
                f"{path}.{key}", f'Unrecognized field "{key}" (class {_SCHEMA_PACKAGE}.{type_name}), not marked '
                                 "as ignorable")
        if item is None or item == "" or not kind:
            continue
        if kind == "date":
            _check_date(item, f"{path}.{key}")
        elif isinstance(item, dict):
            _check_object(kind, item, f"{path}.{key}")
        elif isinstance(item, list):
            for index, element in enumerate(item):
                if isinstance(element, dict):
                    _check_object(kind, element, f"{path}.{key}[{index}]")


def _check_date(value: Any, path: str) -> None:
    if isinstance(value, str) and _DATE.match(value):
        try:
            date.fromisoformat(value)
            return
        except ValueError:
            pass
    raise errors.invalid_property(
        path, f"Can not construct instance of java.util.Date from String value '{value}' at {path}: not a valid "
              "date (expected YYYY-MM-DD, a real calendar day)")
