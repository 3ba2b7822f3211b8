"""What every screen shares: templates, the signed-in user, CSRF and role checks, the organisation's connection.

Pages are plain server-rendered HTML; an action is a POST that checks the CSRF token
and the role, does its work, and redirects back with a message (post/redirect/get), so
a reload never repeats an upload.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import Depends, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from fastapi.templating import Jinja2Templates
from sqlalchemy.orm import Session

from ledgerbridge.api.deps import get_session
from ledgerbridge.connectors.connections import organisation_connection
from ledgerbridge.packages.registry import PACKAGES as REGISTERED
from ledgerbridge.packages.registry import package_name
from ledgerbridge.store.bounds import MAX_ID, MAX_SELECTED_IDS, parse_bounded
from ledgerbridge.store.models.sync import Connection
from ledgerbridge.sync.grids import record_label
from ledgerbridge.web.auth import SESSION_COOKIE, SignedIn, csrf_matches, signed_in

HERE = Path(__file__).parent
STATIC_DIR = HERE / "static"
templates = Jinja2Templates(directory=str(HERE / "templates"))

Db = Annotated[Session, Depends(get_session)]


def _money(value: Any) -> str:
    if value is None:
        return ""
    return f"{Decimal(value):,.2f}"


def _when(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.strftime("%d %b %Y %H:%M")
    if isinstance(value, date):
        return value.strftime("%d %b %Y")
    return str(value)


def _label(value: Any) -> str:
    return str(value or "").replace("_", " ")


def _package(kind: Any) -> str:
    """A connection's package in words ("QuickBooks Online", never its key "qbo")."""
    return package_name(str(kind))


templates.env.filters.update(money=_money, when=_when, label=_label, package=_package, record_label=record_label)
#: The registered packages in words and their kinds, for pages that list them (never written out in a template).
templates.env.globals.update(package_names=[spec.name for spec in REGISTERED],
                             package_kinds=[spec.kind for spec in REGISTERED])


def current_user(request: Request, session: Db) -> SignedIn:
    """The signed-in user; anyone else is sent to the sign-in page (303, so a POST becomes a GET)."""
    user = signed_in(session, request.cookies.get(SESSION_COOKIE))
    if user is None:
        here = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        target = "/login?" + urlencode({"next": here}) if request.method == "GET" else "/login"
        raise HTTPException(303, "sign in first", headers={"Location": target})
    session.commit()  # keeps the sliding expiry
    return user


User = Annotated[SignedIn, Depends(current_user)]


async def checked_form(request: Request, user: SignedIn, permission: str) -> dict[str, Any]:
    """The POSTed form, after the CSRF token and the user's role are checked (403 otherwise)."""
    form = await request.form()
    if not csrf_matches(user.csrf_token, str(form.get("csrf_token") or "")):
        raise HTTPException(403, "The form has expired or did not come from this site: reload the page and retry.")
    if not user.can(permission):
        raise HTTPException(403, f"Your role ({user.role}) cannot do this; ask an administrator.")
    out: dict[str, Any] = {}
    for key in form:
        values = form.getlist(key)
        out[key] = values if len(values) > 1 or key.endswith("[]") else values[0]
    return out


def selected_ids(form: dict[str, Any], key: str = "selected") -> list[int]:
    raw = form.get(key) or []
    values = raw if isinstance(raw, list) else [raw]
    ids = (parse_bounded(str(v), low=1, high=MAX_ID) for v in values[:MAX_SELECTED_IDS])
    return [n for n in ids if n is not None]


def connection_of(session: Session, user: SignedIn) -> Connection | None:
    """The organisation's connection (the first one), never another organisation's."""
    try:
        return organisation_connection(session, user.organisation_id)
    except LookupError:
        return None


def next_poll_note(session: Session, conn: Connection) -> str | None:
    """For a package that polls us and is not in a session now: when work asked for now will run (None: now)."""
    from ledgerbridge.queue.polled import unreachable_connections

    polled = next((spec.polled for spec in REGISTERED if spec.kind == conn.kind), None)
    if polled is None or conn.id not in unreachable_connections(session):
        return None
    return (f"{package_name(conn.kind)} takes it when {polled.program} next polls (it runs on the PC with the books, "
            "on its schedule)")


def back(path: str, *, msg: str | None = None, err: str | None = None, **params: Any) -> RedirectResponse:
    query = {k: v for k, v in {"msg": msg, "err": err, **params}.items() if v not in (None, "")}
    return RedirectResponse(path + ("?" + urlencode(query) if query else ""), status_code=303)


def render(request: Request, template: str, user: SignedIn | None, tab: str, **context: Any) -> HTMLResponse:
    return templates.TemplateResponse(request, template, {
        "user": user, "tab": tab, "msg": request.query_params.get("msg"), "err": request.query_params.get("err"),
        "csrf": user.csrf_token if user else context.pop("login_csrf", ""), **context})
