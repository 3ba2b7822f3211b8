"""Signing in and out, and the administrator's list of users (R-S1)."""

from __future__ import annotations

import secrets
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from ledgerbridge.api.deps import AppState, get_state
from ledgerbridge.audit.trail import audit
from ledgerbridge.store.models.users import Role
from ledgerbridge.store.models.users import User as UserRow
from ledgerbridge.web.auth import (
    LOGIN_CSRF_COOKIE,
    SESSION_COOKIE,
    SESSION_LIFETIME,
    AuthError,
    authenticate,
    create_user,
    csrf_matches,
    end_session,
    signed_in,
    start_session,
)
from ledgerbridge.web.common import Db, User, back, checked_form, render
from ledgerbridge.web.throttle import Lockout, SignInThrottle

router = APIRouter()


def _safe_next(target: str | None) -> str:
    """Only a path on this site: an open redirect after sign-in would be a phishing aid."""
    if target and target.startswith("/") and not target.startswith("//"):
        return target
    return "/export"


@router.get("/login", response_class=HTMLResponse)
def login_page(request: Request, session: Db, next: str | None = None) -> Response:  # noqa: A002
    if signed_in(session, request.cookies.get(SESSION_COOKIE)):
        return RedirectResponse(_safe_next(next), status_code=303)
    token = request.cookies.get(LOGIN_CSRF_COOKIE) or secrets.token_urlsafe(24)
    response = render(request, "login.html", None, "login", login_csrf=token, next=_safe_next(next))
    response.set_cookie(LOGIN_CSRF_COOKIE, token, httponly=True, samesite="strict",
                        secure=request.url.scheme == "https")
    return response


def _refused(request: Request, target: str, lock: Lockout, *, err: str = "") -> Response:
    """The sign-in page again with why and for how long (429, ``Retry-After``): a person reads the message, a
    script the status and the header."""
    token = request.cookies.get(LOGIN_CSRF_COOKIE) or ""
    response = render(request, "login.html", None, "login", login_csrf=token, next=target,
                      err=" ".join(part for part in (err, lock.message()) if part))
    response.status_code = 429
    response.headers["Retry-After"] = str(lock.retry_after)
    return response


def _audit_lockout(session: Session, email: str, address: str, lock: Lockout) -> None:
    """An audit row in the organisation of the account tried, when the email is one (an unknown email has no
    organisation to tell; the address is kept, the password never)."""
    account = session.scalar(select(UserRow).where(UserRow.email == email.strip().lower()))
    if account is None:
        return
    audit(session, None, f"web:{account.email}", "sign-in locked", outcome="refused",
          organisation_id=account.organisation_id,
          detail=f"{lock.failures} failed sign-ins for this {lock.scope} (last from {address}); further attempts "
                 f"refused for {lock.retry_after} s")


@router.post("/login")
async def login(request: Request, session: Db, state: Annotated[AppState, Depends(get_state)]) -> Response:
    form = await request.form()
    if not csrf_matches(request.cookies.get(LOGIN_CSRF_COOKIE), str(form.get("csrf_token") or "")):
        raise HTTPException(403, "The sign-in form has expired: reload the page and retry.")
    target = _safe_next(str(form.get("next") or ""))
    email = str(form.get("email") or "")
    address = request.client.host if request.client else "unknown"
    throttle = SignInThrottle(state.clock)
    lock = throttle.locked(session, email, address)
    if lock is not None:  # refused before the password is looked at, the right one too
        return _refused(request, target, lock)
    try:
        user = authenticate(session, email, str(form.get("password") or ""))
    except AuthError as exc:
        lock = throttle.failed(session, email, address)
        if lock is not None:
            _audit_lockout(session, email, address, lock)
        session.commit()
        return _refused(request, target, lock, err=str(exc)) if lock else back("/login", err=str(exc), next=target)
    throttle.succeeded(session, email)
    token = start_session(session, user)
    session.commit()
    response = RedirectResponse(target, status_code=303)
    response.set_cookie(SESSION_COOKIE, token, httponly=True, samesite="lax", secure=request.url.scheme == "https",
                        max_age=int(SESSION_LIFETIME.total_seconds()))
    response.delete_cookie(LOGIN_CSRF_COOKIE)
    return response


@router.post("/logout")
async def logout(request: Request, session: Db, user: User) -> Response:
    await checked_form(request, user, "view")
    end_session(session, request.cookies.get(SESSION_COOKIE))
    session.commit()
    response = back("/login", msg="Signed out.")
    response.delete_cookie(SESSION_COOKIE)
    return response


@router.get("/", include_in_schema=False)
def home(user: User) -> Response:
    return RedirectResponse("/export", status_code=303)


@router.get("/users", response_class=HTMLResponse)
def users_page(request: Request, session: Db, user: User) -> Response:
    if not user.can("users"):
        raise HTTPException(403, "Only an administrator can see and add users.")
    rows = session.scalars(select(UserRow).where(UserRow.organisation_id == user.organisation_id)
                           .order_by(UserRow.email)).all()
    return render(request, "users.html", user, "users", users=rows, roles=[r.value for r in Role])


@router.post("/users")
async def add_user(request: Request, session: Db, user: User) -> Response:
    form = await checked_form(request, user, "users")
    try:
        created = create_user(session, user.organisation_id, str(form.get("email", "")),
                              str(form.get("password", "")), str(form.get("role", "viewer")),
                              name=str(form.get("name", "")))
    except (AuthError, ValueError) as exc:
        return back("/users", err=str(exc))
    session.commit()
    return back("/users", msg=f"Added {created.email} as {created.role}.")
