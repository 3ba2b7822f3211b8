"""The MYOB Business API routes: ``/accountright/{businessId}/<Route>[/{uid}]``, trailing ``/`` optional.

One catch-all route resolves the path against :data:`.routes.RESOURCES` and then: checks the token's scope (403)
and the verb (405); reads (one record, or a page of ``{"Items","NextPageLink","Count"}``), with ``ETag`` and
``If-None-Match`` -> 304; creates (strict body check, 201 + ``Location``, the body only with ``returnBody=true``);
replaces (RowVersion, 200); deletes (200, empty). Answers are projected onto the route's contract type
(:mod:`.render`), with URIs built from the request's own base URL.
"""

from __future__ import annotations

import hashlib
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from . import errors, query, routes, strict, writes
from .config import API_PREFIX
from .oauth import Grant
from .render import project
from .routes import Resource
from .runtime import SandboxRuntime
from .seed import accounting_properties
from .shapes import route_type
from .store import Business, Record
from .wire import dumps, loads

router = APIRouter()
_METHODS = ["GET", "POST", "PUT", "DELETE", "PATCH"]
JSON = "application/json; charset=utf-8"


def _runtime(request: Request) -> SandboxRuntime:
    return request.app.state.runtime  # type: ignore[no-any-return]


def error_response(error: errors.MyobError, headers: dict[str, str] | None = None) -> Response:
    return Response(dumps(error.body()), status_code=error.status, media_type=JSON, headers=headers)


class Answer:
    """What one request is about: its business, the URI base, and the records' URIs."""

    def __init__(self, request: Request, business: Business) -> None:
        self.request = request
        self.business = business
        self.base = f"{str(request.base_url).rstrip('/')}{API_PREFIX}/{business.business_id}/"

    def uri_of(self, uid: str) -> str | None:
        found = self.business.find(uid)
        if found is None:
            return None
        kind, record = found
        layout = record.get("InvoiceType") or record.get("BillType") or record.get("OrderType")
        return f"{self.base}{routes.home(kind, layout)}/{record['UID']}"

    def render(self, resource: Resource, record: Record) -> dict[str, Any]:
        return project(route_type(resource.route), record, self.uri_of)

    def json(self, payload: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
        body = dumps(payload)
        etag = '"' + hashlib.sha1(body, usedforsecurity=False).hexdigest()[:24] + '"'
        if status == 200 and self.request.method == "GET":
            if etag in [t.strip() for t in self.request.headers.get("if-none-match", "").split(",")]:
                return Response(status_code=304, headers={"ETag": etag})
        return Response(body, status_code=status, media_type=JSON, headers={"ETag": etag, **(headers or {})})


@router.api_route(API_PREFIX, methods=_METHODS, include_in_schema=False)
@router.api_route(API_PREFIX + "/", methods=_METHODS, include_in_schema=False)
async def company_files(request: Request) -> Response:
    """The company files the token may open: with 2025 consent, the one business it was given for."""
    if request.method != "GET":
        return error_response(errors.method_not_allowed(request.method, "/"))
    grant: Grant = request.state.grant
    business = _runtime(request).store.business(grant.company_id)
    files = [] if business is None else [_company_file(request, business)]
    return Response(dumps(files), media_type=JSON)


def _company_file(request: Request, business: Business) -> dict[str, Any]:
    seed = business.seed
    return {"Id": seed.business_id, "Name": seed.name, "LibraryPath": seed.name, "ProductVersion": "2026.1",
            "ProductLevel": {"Code": 30},
            "Uri": f"{str(request.base_url).rstrip('/')}{API_PREFIX}/{seed.business_id}",
            "SerialNumber": "000000000000", "Country": seed.country, "UIAccessFlags": 3}


@router.api_route(API_PREFIX + "/{business_id}", methods=_METHODS, include_in_schema=False)
@router.api_route(API_PREFIX + "/{business_id}/{rest:path}", methods=_METHODS, include_in_schema=False)
async def resource(request: Request, business_id: str, rest: str = "") -> Response:
    business = _runtime(request).store.business(business_id)
    if business is None:  # ``/accountright/Info``, which the sandbox does not serve (the gateway let it through)
        return error_response(errors.route_missing(request.url.path))
    try:
        return await _handle(request, business, rest)
    except errors.MyobError as error:
        return error_response(error)


async def _handle(request: Request, business: Business, rest: str) -> Response:
    answer = Answer(request, business)
    if not rest.strip("/"):
        if request.method != "GET":
            raise errors.method_not_allowed(request.method, "/")
        return answer.json({"CompanyFile": _company_file(request, business),
                            "Resources": [answer.base + route for route in routes.RESOURCES]})
    resource, uid = routes.resolve(rest)
    grant: Grant = request.state.grant
    if resource.scope not in grant.scopes:
        raise errors.scope_missing(resource.scope)
    method = request.method
    wrong_target = (method in ("PUT", "DELETE") and uid is None) or (method == "POST" and uid is not None)
    if method not in resource.methods or wrong_target:
        allow = ", ".join(sorted(resource.methods))
        return error_response(errors.method_not_allowed(method, resource.route), {"Allow": allow})
    if resource.kind == "Preferences":
        return answer.json(project(route_type(resource.route), business.preferences, answer.uri_of))
    if resource.kind == "AccountingProperties":  # one row a file, answered as the list MYOB's ReadableService is
        if uid is not None:
            raise errors.record_missing(resource.route, uid)
        row = project(route_type(resource.route), accounting_properties(business.seed), answer.uri_of)
        return answer.json({"Items": [row], "NextPageLink": None, "Count": 1})
    if method == "GET":
        return _read(request, answer, resource, uid)
    if method == "DELETE":
        assert uid is not None
        writes.delete(business, resource, _record(business, resource, uid))
        return Response(b"", status_code=200, media_type=JSON)
    body = _body(await request.body())
    strict.check(route_type(resource.route), body)
    if method == "POST":
        record = writes.create(business, resource, body)
        location = answer.uri_of(record["UID"]) or ""
        if _return_body(request):
            return answer.json(answer.render(resource, record), 201, {"Location": location})
        return Response(b"", status_code=201, headers={"Location": location})
    assert uid is not None
    existing = business.get(resource.kind, uid)
    if existing is None or not _in_route(resource, existing):
        raise errors.put_missing(resource.route, uid)
    record = writes.update(business, resource, existing, body)
    if _return_body(request):
        return answer.json(answer.render(resource, record))
    return Response(b"", status_code=200)


def _read(request: Request, answer: Answer, resource: Resource, uid: str | None) -> Response:
    business = answer.business
    if uid is not None:
        return answer.json(answer.render(resource, _record(business, resource, uid)))
    records = _records(business, resource)
    config = _runtime(request).config
    params = dict(request.query_params)
    page = query.read(records, params, answer.base + resource.route, config.default_page_size,
                      config.max_page_size)
    return answer.json({"Items": [answer.render(resource, r) for r in page.items], "NextPageLink": page.next_link,
                        "Count": page.count})


def _records(business: Business, resource: Resource) -> list[Record]:
    if resource.kind == "Contact":
        return business.all("Customer") + business.all("Supplier")
    return [r for r in business.all(resource.kind) if _in_route(resource, r)]


def _in_route(resource: Resource, record: Record) -> bool:
    """A typed layout route holds only its layout (``Sale/Invoice/Service`` does not serve an Item invoice)."""
    if resource.layout is None:
        return True
    return (record.get("InvoiceType") or record.get("BillType") or record.get("OrderType")) == resource.layout


def _record(business: Business, resource: Resource, uid: str) -> Record:
    kinds = ("Customer", "Supplier") if resource.kind == "Contact" else (resource.kind,)
    for kind in kinds:
        record = business.get(kind, uid)
        if record is not None and _in_route(resource, record):
            return record
    raise errors.record_missing(resource.route, uid)


def _body(raw: bytes) -> dict[str, Any]:
    try:
        body = loads(raw) if raw.strip() else None
    except ValueError as exc:
        raise errors.serialization(f"The request body is not valid JSON: {exc}") from None
    if not isinstance(body, dict):
        raise errors.serialization("The request body must be a JSON object")
    return body


def _return_body(request: Request) -> bool:
    return request.query_params.get("returnBody", "").lower() == "true"
