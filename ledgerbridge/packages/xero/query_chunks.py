"""Cutting a list of values into GETs whose query strings Xero accepts (:data:`.limits.MAX_QUERY_STRING`).

Xero answers 404 to a GET whose query string is too long, which reads exactly like "no such record"; so every
look-up that puts a list in the URL (``IDs=``, ``InvoiceNumbers=`` with ``ContactIDs=``, ``where`` clauses of
``OR``-ed numbers or ids) is cut here, by the length the query string will have on the wire (httpx's encoding,
as :class:`~ledgerbridge.connectors.package_client.PackageClient` sends it), and by a count where Xero advises one.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any, TypeVar

import httpx

from ledgerbridge.packages.xero.limits import MAX_QUERY_STRING

T = TypeVar("T")


def quote(value: str) -> str:
    """A value inside a ``where`` clause's double quotes."""
    return value.replace("\\", "\\\\").replace('"', '\\"')


def ids_where(field: str, ids: Sequence[str]) -> str:
    """``field==GUID("...") OR ...``: how the lists without an ``IDs`` filter (credit notes, prepayments,
    overpayments) are read by id."""
    return " OR ".join(f'{field}==GUID("{quote(ext)}")' for ext in ids)


class QueryTooLong(ValueError):
    """One value alone makes a query string longer than Xero accepts: no chunk can carry it."""


def query_length(params: Mapping[str, Any]) -> int:
    """The bytes of the query string these parameters make, percent-encoded as httpx sends them."""
    return len(str(httpx.QueryParams({k: str(v) for k, v in params.items()})).encode())


def fitting_chunks(values: Sequence[T], params_for: Callable[[Sequence[T]], Mapping[str, Any]], most: int,
                   limit: int = MAX_QUERY_STRING) -> Iterator[list[T]]:
    """Consecutive chunks of ``values``, each of at most ``most`` values and with a query string
    (``params_for(chunk)``) of at most ``limit`` bytes. Greedy: a chunk grows until the next value would not fit."""
    chunk: list[T] = []
    for value in values:
        grown = [*chunk, value]
        if len(grown) <= most and query_length(params_for(grown)) <= limit:
            chunk = grown
            continue
        if not chunk:
            raise QueryTooLong(f"the look-up of {value!r} alone makes a query string longer than Xero's "
                               f"{limit} bytes")
        yield chunk
        chunk = [value]
        if query_length(params_for(chunk)) > limit:
            raise QueryTooLong(f"the look-up of {value!r} alone makes a query string longer than Xero's "
                               f"{limit} bytes")
    if chunk:
        yield chunk
