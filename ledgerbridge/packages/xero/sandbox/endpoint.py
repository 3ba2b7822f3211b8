"""Small helpers every accounting route uses: the tenant's books, the body, the flags, the JSON answer."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any, TypeVar

from fastapi import Request
from fastapi.responses import Response

from .batch import BatchStyle, Outcome, batch_result
from .books import TenantBooks
from .errors import PostDataInvalid, XeroApiError
from .listing import apply_where_and_order, modified_since, parse_order, parse_page, parse_where, take_page
from .reader import Reader, collection
from .runtime import SandboxRuntime
from .wire import decode_json, encode_json, envelope, now_ms, parse_bool, parse_modified_since

T = TypeVar("T")
InputT = TypeVar("InputT")

JSON_TYPE = "application/json; charset=utf-8"


def runtime_of(request: Request) -> SandboxRuntime:
    return request.app.state.runtime  # type: ignore[no-any-return]


@contextmanager
def tenant_books(request: Request) -> Iterator[TenantBooks]:
    """The calling tenant's books (the gateway has checked the token and the tenant), under the store lock."""
    with runtime_of(request).store.open(request.state.xero_tenant_id) as books:
        yield books


async def read_payload(request: Request) -> Any:
    body = await request.body()
    if not body.strip():
        raise PostDataInvalid("JSON for post data was invalid,The request body is empty.")
    return decode_json(body)


def summarize_errors(request: Request) -> bool:
    """Xero summarises errors (HTTP 400) unless told ``summarizeErrors=false``, in any letter case."""
    return parse_bool(query(request, "summarizeErrors"), True)


def summary_only(request: Request) -> bool:
    """``summaryOnly=true`` (GET /Invoices and /Contacts) asks for the lightweight view of each record."""
    return parse_bool(query(request, "summaryOnly"), False)


def unit_dp(request: Request) -> int:
    """``unitdp=4`` asks for unit amounts to four decimals; two otherwise."""
    return 4 if query(request, "unitdp") == "4" else 2


def query(request: Request, name: str) -> str | None:
    """Query parameters are matched without regard to case, as Xero's are."""
    value = request.query_params.get(name)
    if value is not None:
        return value
    lowered = name.lower()
    for key, candidate in request.query_params.items():
        if key.lower() == lowered:
            return candidate
    return None


def xero_response(request: Request, **collections: Any) -> Response:
    """A 200 with the Xero envelope around ``collections`` (``Invoices=[...]``, ``pagination={...}``);
    failures are raised as :class:`~.errors.XeroApiError` instead."""
    body = envelope(runtime_of(request).config.provider_name, now_ms(), **collections)
    return Response(content=encode_json(body), media_type=JSON_TYPE)


def error_response(error: XeroApiError) -> Response:
    body = error.body()
    if isinstance(body, str):
        return Response(content=body, status_code=error.status, media_type="text/plain; charset=utf-8")
    return Response(content=encode_json(body), status_code=error.status, media_type=JSON_TYPE)


def list_response(
    request: Request,
    collection_name: str,
    records: Sequence[T],
    view: Callable[[T, bool], dict[str, Any]],
    updated: Callable[[T], int],
    *,
    lines_without_page: bool = True,
    summary: Callable[[T], dict[str, Any]] | None = None,
) -> Response:
    """A GET of a collection: If-Modified-Since, then where/order on the wire view, then the page.

    Without ``page`` everything comes back in one response; documents then leave out their line items
    (``lines_without_page=False``), as Xero's invoices do.  Views are built only for the page returned
    unless a ``where`` or ``order`` needs them all.  ``summary`` (for ``summaryOnly=true``) replaces ``view``
    for the records returned; ``where`` and ``order`` still see the full view, so they can use any field.
    """
    page = parse_page(query(request, "page"), query(request, "pageSize"))
    where = parse_where(query(request, "where"))
    order = parse_order(query(request, "order"))
    since = parse_modified_since(request.headers.get("if-modified-since"))
    chosen = modified_since(records, since, updated)
    with_lines = (page is not None or lines_without_page) and summary is None
    items: Sequence[dict[str, Any]]
    if where or order:
        views = [view(r, with_lines) for r in chosen]
        selected = apply_where_and_order(views, where, order)
        if summary is None:
            items, paging = take_page(selected, page)
        else:
            record_of = {id(v): r for v, r in zip(views, chosen, strict=True)}
            page_records, paging = take_page([record_of[id(v)] for v in selected], page)
            items = [summary(r) for r in page_records]
    else:
        page_records, paging = take_page(chosen, page)
        if summary is None:
            items = [view(r, with_lines) for r in page_records]
        else:
            items = [summary(r) for r in page_records]
    body: dict[str, Any] = {"pagination": paging} if paging else {}
    body[collection_name] = list(items)
    return xero_response(request, **body)


async def write_batch(
    request: Request,
    style: BatchStyle,
    read: Callable[[Reader], InputT],
    apply: Callable[[TenantBooks, InputT], Outcome],
    *,
    single_allowed: bool = False,
    summarize: bool | None = None,
) -> Response:
    """Read every element first (a type error rejects the whole request), then apply them in order."""
    payload = await read_payload(request)
    inputs = [read(element) for element in collection(payload, style.collection, single_allowed=single_allowed)]
    with tenant_books(request) as books:
        outcomes = [apply(books, given) for given in inputs]
        result = batch_result(style, outcomes, summarize_errors(request) if summarize is None else summarize)
    return xero_response(request, **result)
