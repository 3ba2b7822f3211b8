"""Routes of ``/v3/company/{realmId}``: entities, ``query``, ``batch`` and ``cdc``.

Authentication, throttling and requestid replay have already happened in :mod:`.gateway`; ``minorversion`` is
accepted with any value and ignored (the sandbox always answers as minor version 75). Responses are JSON
whatever ``Accept`` says (QBO would answer XML without ``application/json``; the sandbox does not speak XML).
"""

from __future__ import annotations

import copy
import re
from datetime import timedelta
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from . import errors, query, service
from .config import API_PREFIX
from .runtime import SandboxRuntime
from .store import Company, Record
from .wire import dumps, loads, parse_time, qbo_time, utcnow

router = APIRouter(prefix=API_PREFIX + "/{realm_id}")
BATCH_LIMIT = 30
_FROM = re.compile(r"\bFROM\s+(\w+)", re.IGNORECASE)
CDC_LIMIT = 1000


def runtime_of(request: Request) -> SandboxRuntime:
    return request.app.state.runtime  # type: ignore[no-any-return]


def company_of(request: Request, realm_id: str) -> Company:
    company = runtime_of(request).store.company(realm_id)
    if company is None:  # the gateway checks this first; kept for direct ASGI use
        raise errors.forbidden(realm_id)
    return company


def qbo_response(request: Request, payload: dict[str, Any], status: int = 200) -> Response:
    """``payload`` plus QBO's ``time``, with exact decimal numbers."""
    stamp = qbo_time(utcnow(), runtime_of(request).config.utc_offset_hours)
    return Response(dumps({**payload, "time": stamp}), status_code=status,
                    media_type="application/json;charset=UTF-8")


def fault_response(request: Request, fault: errors.QboFault) -> Response:
    return qbo_response(request, {"Fault": fault.fault()}, fault.status)


async def _json_body(request: Request) -> Any:
    raw = await request.body()
    try:
        return loads(raw) if raw.strip() else None
    except ValueError:
        raise errors.QboFault("2010", "Request has invalid or unsupported property",
                              "Property Name:Unrecognized token: the request body is not valid JSON") from None


def _entity(segment: str) -> str:
    entity = service.BY_PATH.get(segment.lower())
    if entity is None:
        raise errors.unsupported_entity(segment)
    return entity


def _flags(request: Request) -> frozenset[str]:
    return frozenset(value.strip().lower() for raw in request.query_params.getlist("include")
                     for value in raw.split(","))


# --------------------------------------------------------------------------------------- query / batch / cdc


@router.get("/query")
async def query_get(request: Request, realm_id: str) -> Response:
    statement = request.query_params.get("query")
    if not statement:
        raise errors.required("query")
    return qbo_response(request, {"QueryResponse": query.run(company_of(request, realm_id), statement)})


@router.post("/query")
async def query_post(request: Request, realm_id: str) -> Response:
    statement = (await request.body()).decode("utf-8", "replace") or request.query_params.get("query", "")
    if not statement.strip():
        raise errors.required("query")
    return qbo_response(request, {"QueryResponse": query.run(company_of(request, realm_id), statement)})


@router.post("/batch")
async def batch(request: Request, realm_id: str) -> Response:
    """At most 30 items, run in order; each answers under its ``bId`` with its entity, ``QueryResponse`` or
    ``Fault`` (HTTP 200 even when items fail). Items cannot see records created earlier in the same batch, and a
    query item reads the books as they were when the batch started (qbo.md §12), not what earlier items wrote."""
    company = company_of(request, realm_id)
    body = await _json_body(request)
    items = body.get("BatchItemRequest") if isinstance(body, dict) else None
    if not isinstance(items, list):
        raise errors.required("BatchItemRequest")
    if len(items) > BATCH_LIMIT:
        raise errors.batch_too_large(len(items), BATCH_LIMIT)
    # Each item's answer is encoded as soon as it is made, inside the lock: a later item of the same batch (a
    # payment applied to an invoice made earlier in it) cannot change what an earlier one answered, and the
    # records need no copy. The envelope is put together around them byte for byte as ``qbo_response`` would.
    answers: list[bytes] = []
    with company.lock:
        company.batch_horizon = company.next_id + 1
        before = _books_before(company, items)
        try:
            for item in items:
                answers.append(dumps(_batch_item(company, item, before)))
        finally:
            company.batch_horizon = None
    stamp = qbo_time(utcnow(), runtime_of(request).config.utc_offset_hours)
    body_bytes = b'{"BatchItemResponse":[' + b",".join(answers) + b'],"time":' + dumps(stamp) + b"}"
    return Response(body_bytes, status_code=200, media_type="application/json;charset=UTF-8")


def _books_before(company: Company, items: list[Any]) -> dict[str, list[Record]] | None:
    """What the batch's query items may read: a copy, taken before any item runs, of the records of each entity
    they query, when a write comes before a query (otherwise the live books are the books at the start). Only
    the queried entities are copied: a batch of 30 writes with no query pays nothing."""
    queried: set[str] = set()
    written = False
    for item in items:
        if not isinstance(item, dict):
            continue
        if "Query" in item:
            if written:
                match = _FROM.search(str(item["Query"]))
                if match is not None:
                    queried.add(match.group(1))
        else:
            written = True
    if not queried:
        return None
    return {entity: copy.deepcopy(company.all(entity)) for entity in queried}


def _batch_item(company: Company, item: Any, before: dict[str, list[Record]] | None = None) -> dict[str, Any]:
    """One item's answer; its record is the stored one (see :func:`batch`), to be encoded before the next item.
    A query reads ``before`` (the books at the batch's start) where it holds the queried entity."""
    b_id = str(item.get("bId", "")) if isinstance(item, dict) else ""
    try:
        if not isinstance(item, dict) or not b_id:
            raise errors.required("bId")
        if "Query" in item:
            return {"bId": b_id, "QueryResponse": query.run(company, str(item["Query"]), before)}
        entities = [key for key in item if key in service.ENTITIES]
        if len(entities) != 1:
            raise errors.required("BatchItemRequest entity")
        entity = entities[0]
        operation = str(item.get("operation") or "create")
        flags = frozenset({"void"}) if str(item.get("optionsData", "")).lower() == "void" else frozenset()
        record = service.write(company, entity, operation, item[entity], flags, stored=True)
        return {"bId": b_id, entity: record}
    except errors.QboFault as fault:
        return {"bId": b_id, "Fault": fault.fault()}


@router.get("/cdc")
async def cdc(request: Request, realm_id: str) -> Response:
    """Changes since ``changedSince`` (at most 30 days back) for the listed entities; deleted records come back
    as ``{"Id","status":"Deleted"}`` stubs; at most 1000 objects in one response."""
    company = company_of(request, realm_id)
    names = request.query_params.get("entities")
    since_text = request.query_params.get("changedSince")
    if not names:
        raise errors.required("entities")
    if not since_text:
        raise errors.required("changedSince")
    try:
        since = parse_time(since_text)
    except ValueError:
        raise errors.QboFault("2020", "Invalid changedSince", f"changedSince {since_text!r} is not a date or "
                              "dateTime", "changedSince") from None
    window = runtime_of(request).config.cdc_window_days
    if since < utcnow() - timedelta(days=window):
        raise errors.QboFault("4001", "Invalid query", f"QueryValidationError: changedSince must be within the "
                              f"last {window} days", "changedSince")
    blocks: list[dict[str, Any]] = []
    budget = CDC_LIMIT
    for raw in names.split(","):
        entity = service.BY_PATH.get(raw.strip().lower())
        if entity is None:
            raise errors.unsupported_entity(raw.strip())
        changed = _changes(company, entity, since)[:budget]
        budget -= len(changed)
        blocks.append({entity: changed, "startPosition": 1, "maxResults": len(changed)} if changed else {})
    return qbo_response(request, {"CDCResponse": [{"QueryResponse": blocks}]})


def _changes(company: Company, entity: str, since: Any) -> list[Record]:
    offset = company.offset_hours
    found = [(at, company.view(entity, entity_id)) for (kind, entity_id), at in company.changed_at.items()
             if kind == entity and at >= since]
    found += [(stone.deleted_at, {"Id": stone.entity_id, "status": "Deleted", "domain": "QBO",
                                  "MetaData": {"LastUpdatedTime": qbo_time(stone.deleted_at, offset)}})
              for stone in company.tombstones if stone.entity == entity and stone.deleted_at >= since]
    found.sort(key=lambda pair: pair[0])
    return [record for _, record in found if record is not None]


# --------------------------------------------------------------------------------------------- entities


@router.get("/preferences")
async def preferences(request: Request, realm_id: str) -> Response:
    return qbo_response(request, {"Preferences": service.read(company_of(request, realm_id), "Preferences", "1")})


@router.get("/companyinfo/{company_id}")
async def company_info(request: Request, realm_id: str, company_id: str) -> Response:
    """The path names the realm; the record's own Id is "1", as in QBO."""
    if company_id != realm_id:
        raise errors.object_not_found("CompanyInfo", company_id)
    return qbo_response(request, {"CompanyInfo": service.read(company_of(request, realm_id), "CompanyInfo", "1")})


@router.get("/{segment}/{entity_id}")
async def read(request: Request, realm_id: str, segment: str, entity_id: str) -> Response:
    entity = _entity(segment)
    return qbo_response(request, {entity: service.read(company_of(request, realm_id), entity, entity_id)})


@router.post("/{segment}")
async def write(request: Request, realm_id: str, segment: str) -> Response:
    """Create, update (Id + SyncToken, full or sparse), ``?operation=delete``, ``?operation=void`` and
    ``?operation=update&include=void``."""
    entity = _entity(segment)
    company = company_of(request, realm_id)
    body = await _json_body(request)
    operation = request.query_params.get("operation", "create").lower()
    record = service.write(company, entity, operation, body, _flags(request))
    return qbo_response(request, {entity: record})
