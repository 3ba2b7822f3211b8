"""The one-time view of a new password for the program that polls us (post/redirect/get).

The form that sets the password answers with a redirect, not the page, so a reload never posts it again (each
post makes a new password and the one the program has stops working). The password crosses from the post to the
page it redirects to in a cookie of its own: encrypted with the app's key (``security.crypto``), HttpOnly,
SameSite=Strict, scoped to the page's path, living :data:`LIFETIME` at most, and deleted by the page that shows it.
So it is shown once: a reload finds no cookie and says the password was already shown. Neither the password nor
anything that leads to it is kept on the server (only its hash, by the package), and it is never in a URL, where
access logs would keep it.

The cookie names the connection, the user and the password-setting audit event it belongs to: another user's,
another connection's, or one a newer password has replaced since shows nothing.
"""

from __future__ import annotations

import json
import time

from fastapi import Request, Response
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ledgerbridge.security.crypto import TokenDecryptionError, default_cipher
from ledgerbridge.store.models.sync import AuditEvent, Connection
from ledgerbridge.web.auth import SignedIn

__all__ = ["ACTION", "COOKIE", "LIFETIME", "PATH", "forget", "hand_over", "take"]

PATH = "/connection/polled/password"
COOKIE = "lb_new_password"
LIFETIME = 300  # seconds: the redirect follows at once; a view left for later is not worth keeping the secret for
ACTION = "set_polled_password"  # the audit event that marks each new password


def _event(session: Session, conn: Connection) -> int | None:
    return session.scalar(select(func.max(AuditEvent.id)).where(AuditEvent.connection_id == conn.id,
                                                                AuditEvent.action == ACTION))


def hand_over(response: Response, request: Request, session: Session, conn: Connection, user: SignedIn,
              password: str) -> None:
    """Put the new password (its audit event written and flushed) in the cookie the next page reads once."""
    payload = json.dumps({"c": conn.id, "u": user.user_id, "e": _event(session, conn), "t": time.time(),
                          "p": password})
    response.set_cookie(COOKIE, default_cipher().encrypt(payload), max_age=LIFETIME, path=PATH, httponly=True,
                        samesite="strict", secure=request.url.scheme == "https")


def forget(response: Response, request: Request) -> None:
    """Delete the cookie: the page that read it answers with this, whatever it held."""
    response.delete_cookie(COOKIE, path=PATH, httponly=True, samesite="strict", secure=request.url.scheme == "https")


def take(request: Request, session: Session, conn: Connection, user: SignedIn) -> str | None:
    """The password the cookie holds for this page (then :func:`forget` it); None when there is none to show
    (already shown, expired, or no longer the connection's password)."""
    value = request.cookies.get(COOKIE)
    if not value:
        return None
    try:
        view = json.loads(default_cipher().decrypt(value))
    except (TokenDecryptionError, ValueError):
        return None
    if not isinstance(view, dict) or (view.get("c"), view.get("u"), view.get("e")) != (
            conn.id, user.user_id, _event(session, conn)):
        return None
    if not isinstance(view.get("t"), float) or not 0 <= time.time() - view["t"] <= LIFETIME:
        return None  # a cookie kept past its life by a careless browser
    password = view.get("p")
    return password if isinstance(password, str) else None
