"""What the API's operations answer when they refuse, declared for ``/openapi.json`` as they are really sent.

FastAPI only documents the answers it produces itself (its validation 422). Everything an operation raises is
declared here once, in the shapes the code really sends, so a client generated from the schema (or a fuzzer
checking answers against it) meets no status and no body the schema does not name:

- ``Problem``: ``HTTPException`` with a sentence, e.g. ``{"detail": "connection 7 not found"}``; the settings
  check answers every problem at once, so its detail may be a list of sentences.
- ``Refusal``: intake's ``{"detail": {"message", "errors": [{"record", "field", "message"}]}}``.
- ``ValidationProblem``: FastAPI's own validation answer (query, path and body models).

Routers build their ``responses=`` with ``errors(...)``; the intake routes, which read their body raw to keep
Decimal exact, declare that body with ``raw_json_body``, and ``install_schemas`` adds its models to the schema.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi
from pydantic import BaseModel, ConfigDict
from pydantic.json_schema import models_json_schema

REF = "#/components/schemas/{model}"


class Problem(BaseModel):
    """A refusal in one sentence (or, for a settings check, one sentence per problem)."""

    detail: str | list[str]


class FieldErrorView(BaseModel):
    record: str
    field: str
    message: str


class RefusalDetail(BaseModel):
    message: str
    errors: list[FieldErrorView]


class Refusal(BaseModel):
    """Intake's refusal: the sentence, then every record and field that was wrong (nothing was written)."""

    detail: RefusalDetail


class ValidationItem(BaseModel):
    model_config = ConfigDict(extra="allow")  # FastAPI adds ``input`` and, for some errors, ``ctx``
    loc: list[str | int]
    msg: str
    type: str


class ValidationProblem(BaseModel):
    """FastAPI's answer to a query, path or body that does not validate."""

    detail: list[ValidationItem]


_WHY: dict[int, str] = {
    400: "The body could not be read (e.g. not UTF-8)",
    401: "No API key, or one that is not valid or has been revoked",
    403: "The user named in the body has not the role this needs",
    404: "Not found (another organisation's records are never found either)",
    405: "The path (a key with a '/' in it) names another operation, which does not take this method",
    409: "Refused in the record's present state, or by a concurrent write; nothing was written",
    413: "The body is larger than the API accepts",
    422: "The request was refused; the detail says which field and why",
    429: "The package's call limit allows no call now (a background run is spending it): nothing was read; ask "
         "again after Retry-After seconds",
    502: "The package could not be reached; nothing was stored",
    503: "The package's daily call limit is used up: nothing was read; calls resume after Retry-After seconds",
}
#: The refusals that say when to ask again (``api.busy``).
_RETRY_AFTER = {"Retry-After": {"description": "Whole seconds to wait before asking again",
                                "schema": {"type": "integer", "minimum": 1}}}

_SHAPES: dict[str, Any] = {"problem": Problem, "refusal": Refusal, "validation": ValidationProblem,
                           "refusal-or-validation": Refusal | ValidationProblem,
                           "problem-or-validation": Problem | ValidationProblem,
                           "problem-or-refusal": Problem | Refusal,
                           "any": Problem | Refusal | ValidationProblem}


def errors(*codes: int, shape: str = "problem", **shapes: str) -> dict[int | str, dict[str, Any]]:
    """``responses=`` for these status codes, each in ``shape`` unless ``shapes`` names another
    (``errors(401, 404, 422, s422="refusal")``)."""
    declared: dict[int | str, dict[str, Any]] = {}
    for code in codes:
        declared[code] = {"description": _WHY[code], "model": _SHAPES[shapes.get(f"s{code}", shape)]}
        if code in (429, 503):
            declared[code]["headers"] = _RETRY_AFTER
    return declared


AUTH = errors(401)
#: Every operation with a string key in its path: a key with a ``/`` reaches another path, or none.
PATH_KEY = errors(404, 405)


def csv_or_json(description: str) -> dict[int | str, dict[str, Any]]:
    """A 200 that is JSON by default and a CSV download with ``?format=csv``."""
    return {200: {"description": description, "content": {
        "application/json": {"schema": {"type": "object"}},
        "text/csv": {"schema": {"type": "string"}},
    }}}


_raw_body_models: list[type[BaseModel]] = []


def raw_json_body(model: type[BaseModel], description: str) -> dict[str, Any]:
    """``openapi_extra`` declaring a JSON body that the route reads raw (its own parsing, e.g. Decimal-exact)."""
    if model not in _raw_body_models:
        _raw_body_models.append(model)
    return {"requestBody": {"required": True, "description": description, "content": {
        "application/json": {"schema": {"$ref": REF.format(model=model.__name__)}}}}}


def install_schemas(app: FastAPI) -> None:
    """Build the schema with the raw-body models among its components (FastAPI knows of no field that uses them)."""

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            schema = get_openapi(title=app.title, version=app.version, openapi_version=app.openapi_version,
                                 description=app.description, routes=app.routes)
            _, defs = models_json_schema([(m, "validation") for m in _raw_body_models], ref_template=REF)
            schema.setdefault("components", {}).setdefault("schemas", {}).update(defs.get("$defs", {}))
            app.openapi_schema = schema
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]  # FastAPI's documented way to extend its schema
