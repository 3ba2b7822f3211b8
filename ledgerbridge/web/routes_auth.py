"""Signing in and out, and the administrator's list of users (R-S1)."""

from __future__ import annotations

import secrets

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy import select

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


@router.post("/login")
async def login(request: Request, session: Db) -> Response:
    form = await request.form()
    if not csrf_matches(request.cookies.get(LOGIN_CSRF_COOKIE), str(form.get("csrf_token") or "")):
        raise HTTPException(403, "The sign-in form has expired: reload the page and retry.")
    target = _safe_next(str(form.get("next") or ""))
    try:
        user = authenticate(session, str(form.get("email") or ""), str(form.get("password") or ""))
    except AuthError as exc:
        session.commit()
        return back("/login", err=str(exc), next=target)
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
