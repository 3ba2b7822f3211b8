"""Text no store keeps, refused before any route reads it: a NUL or a lone UTF-16 surrogate in a query string, a
JSON body or a form of the screens is a 422 naming the field, never a stored value nor a 500.

Why: PostgreSQL refuses NUL in text (the driver raises, the request ends in a 500), SQLite keeps it and a later
export sends it on to the package, and a lone surrogate cannot be encoded for either store (nor in an answer that
echoes it). ``intake.json_guard`` finds such text; this module applies it to every request of the app, as one
dependency that ``api.app`` gives the whole app, so no route (settings, mappings, purchase rules, approvals,
mark-exported, the screens' forms, one added later) can forget it.

The refusal speaks as the route does: an operation of the API answers FastAPI's validation shape (``loc`` names
``body``/``query`` and the field, with list positions for a record in a list), the shape every such operation
documents; a screen answers a sentence naming the form field (the screens' error page, ``web.install``).

One exception: the intake's operations read their JSON body raw (``api.responses.raw_json_body``: Decimal-exact,
records named by host id) and refuse bad text while parsing it (``intake.schemas.validate_batch``, naming the
record: ``documents[3] (host_id "INV-7")``), in their own documented shape. Their bodies are left to them;
``tests/api/test_bad_text.py`` sends bad text to every operation with a body, so a raw-body route that does not
check fails there.
"""

from __future__ import annotations

import json
from typing import Any

from fastapi import HTTPException, Request
from fastapi.exceptions import RequestValidationError
from fastapi.routing import APIRoute

from ledgerbridge.intake.json_guard import MAX_DEPTH, bad_text, escape_bad_text, may_hold_bad_text, nesting_depth
from ledgerbridge.intake.json_guard import text_problem as problem_of

__all__ = ["refuse_bad_text"]

#: (where: "query" or "body", the field's path, what is wrong with it)
Finding = tuple[str, tuple[str | int, ...], str]
_FORMS = ("application/x-www-form-urlencoded", "multipart/form-data")


async def refuse_bad_text(request: Request) -> None:
    """The app's dependency: raise the route's 422 when the query, the JSON body or the form holds bad text."""
    route = request.scope.get("route")
    found: list[Finding] = [("query", (name,), message)
                            for name, message in _in_pairs(request.query_params.multi_items())]
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type in _FORMS:
        await request.body()  # kept on the request, so the route's own ``request.form()`` reads the same body
        form = await request.form()
        pairs = [(key, value) for key, value in form.multi_items() if isinstance(value, str)]
        found += [("body", (name,), message) for name, message in _in_pairs(pairs)]
    elif not _reads_its_own_body(route):
        found += [("body", loc, message) for loc, message in _in_json(await request.body())]
    if found:
        raise _refusal(request, found, from_a_form=content_type in _FORMS)


def _reads_its_own_body(route: Any) -> bool:
    """An API operation that declares its body in ``openapi_extra`` and parses it itself (the intake's)."""
    return isinstance(route, APIRoute) and route.body_field is None and \
        "requestBody" in (route.openapi_extra or {})


def _in_pairs(pairs: list[tuple[str, str]]) -> list[tuple[str, str]]:
    found = []
    for name, value in pairs:
        message = problem_of(name)
        if message:
            found.append((name, f"the field name {message}"))
        message = problem_of(value)
        if message:
            found.append((name, message))
    return found


def _in_json(raw: bytes) -> list[tuple[tuple[str | int, ...], str]]:
    """Bad text in a JSON body; a body that is not JSON, or nests too deep, is the route's to refuse."""
    if not raw or not may_hold_bad_text(raw) or nesting_depth(raw) > MAX_DEPTH:
        return []
    try:
        data = json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        return []
    return bad_text(data)


def _shown(loc: tuple[str | int, ...]) -> list[str | int]:
    return [escape_bad_text(part) if isinstance(part, str) else part for part in loc]


def _refusal(request: Request, found: list[Finding], *, from_a_form: bool) -> Exception:
    # The API's operations are those under /v1 (each router's prefix); the screens post forms.
    if request.url.path.startswith("/v1/") and not from_a_form:
        return RequestValidationError([{"type": "bad_text", "loc": [where, *_shown(loc)], "msg": message}
                                       for where, loc, message in found])
    where, loc, message = found[0]
    field = ".".join(str(part) for part in _shown(loc))
    what = "The address's parameter" if where == "query" else "The field"
    more = f" (and {len(found) - 1} more)" if len(found) > 1 else ""
    return HTTPException(422, f'{what} "{field}" {message}{more}; nothing was saved. Remove that character and '
                              "send it again.")
