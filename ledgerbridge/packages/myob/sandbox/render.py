"""Answers shaped by the contract: a stored record projected onto the type its route serves, with URIs.

``GET Sale/Invoice`` serves ``Invoice`` (no ``Lines``), ``GET Contact`` serves ``Contact`` (no selling details),
the typed routes their full types: projecting each record onto the route's type gives exactly the properties MYOB
sends. Every link object whose ``UID`` names a record gets that record's ``URI``, built from the request's own base
URL (so it points back at this sandbox, as ``NextPageLink`` does).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .shapes import props

#: uid -> the record's URI (None when the UID names no record of the business).
UriOf = Callable[[str], str | None]


def project(type_key: str, record: dict[str, Any], uri_of: UriOf) -> dict[str, Any]:
    fields = props(type_key)
    out: dict[str, Any] = {}
    for name, prop in fields.items():
        if name not in record:
            continue
        value = record[name]
        if prop.kind == "object" and value is not None:
            if prop.array:
                value = [project(prop.ref, item, uri_of) if isinstance(item, dict) else item for item in value]
            elif isinstance(value, dict):
                value = project(prop.ref, value, uri_of)
        elif isinstance(value, list):
            value = list(value)
        out[name] = value
    uid = record.get("UID")
    if "URI" in fields and isinstance(uid, str):
        out["URI"] = uri_of(uid)
    return out
