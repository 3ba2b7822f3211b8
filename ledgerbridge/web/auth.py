"""Sign-in for people (R-S1): argon2 password hashes, server-side sessions, CSRF tokens, roles.

The cookie carries only a random id; the database keeps its SHA-256, so a leaked copy
of the store cannot be turned back into a live cookie. Every form echoes the session's
CSRF token, checked on every POST; roles are checked on the server whatever the page
showed, so a hidden button is never the only guard.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from ledgerbridge.store.db import utcnow
from ledgerbridge.store.models.users import Role, User, WebSession

SESSION_COOKIE = "lb_session"
LOGIN_CSRF_COOKIE = "lb_login_csrf"
SESSION_LIFETIME = timedelta(hours=12)
MIN_PASSWORD_LENGTH = 10

_hasher = PasswordHasher()
#: A hash to verify against when the email is unknown, so timing does not tell which emails exist.
_DUMMY_HASH = _hasher.hash("not a real password")

#: What each role may do; "view" is implied for every signed-in user.
PERMISSIONS: dict[str, frozenset[str]] = {
    Role.ADMIN.value: frozenset({"precheck", "sync", "configure", "users"}),
    Role.ACCOUNTS.value: frozenset({"precheck", "sync", "configure"}),
    Role.PROCUREMENT.value: frozenset({"precheck"}),
    Role.VIEWER.value: frozenset(),
}


class AuthError(ValueError):
    """A sign-in or user change refused, with a message fit to show."""


@dataclass(frozen=True, slots=True)
class SignedIn:
    """Who is on the other end of a request: enough to scope every query and check every action."""

    user_id: int
    organisation_id: int
    email: str
    name: str
    role: str
    csrf_token: str

    def can(self, permission: str) -> bool:
        return permission == "view" or permission in PERMISSIONS.get(self.role, frozenset())


def hash_password(password: str) -> str:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AuthError(f"a password needs at least {MIN_PASSWORD_LENGTH} characters")
    return _hasher.hash(password)


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_user(session: Session, organisation_id: int, email: str, password: str, role: Role | str,
                name: str = "") -> User:
    email = email.strip().lower()
    if "@" not in email:
        raise AuthError("enter an email address")
    role_value = Role(role).value
    if session.scalar(select(User.id).where(User.email == email)) is not None:
        raise AuthError(f"{email} already has an account")
    user = User(organisation_id=organisation_id, email=email, name=name or email.split("@")[0],
                password_hash=hash_password(password), role=role_value)
    session.add(user)
    session.flush()
    return user


def create_admin(session: Session, organisation_id: int, email: str, password: str) -> User:
    """The organisation's first administrator (``ledgerbridge init``); the caller commits."""
    return create_user(session, organisation_id, email, password, Role.ADMIN)


def authenticate(session: Session, email: str, password: str) -> User:
    user = session.scalar(select(User).where(User.email == email.strip().lower()))
    try:
        _hasher.verify(user.password_hash if user else _DUMMY_HASH, password)
    except (VerificationError, InvalidHashError):
        raise AuthError("that email and password do not match an account") from None
    if user is None or not user.active:
        raise AuthError("that email and password do not match an account")
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = _hasher.hash(password)
    user.last_sign_in_at = utcnow()
    return user


def start_session(session: Session, user: User) -> str:
    """A new session for ``user``; returns the cookie value (shown once, stored only as a hash)."""
    token = secrets.token_urlsafe(32)
    now = utcnow()
    session.execute(delete(WebSession).where(WebSession.expires_at < now))
    session.add(WebSession(id_hash=_token_hash(token), user_id=user.id, csrf_token=secrets.token_urlsafe(32),
                           created_at=now, expires_at=now + SESSION_LIFETIME, last_seen_at=now))
    session.flush()
    return token


def end_session(session: Session, token: str | None) -> None:
    if token:
        session.execute(delete(WebSession).where(WebSession.id_hash == _token_hash(token)))


def signed_in(session: Session, token: str | None) -> SignedIn | None:
    """The signed-in user behind a cookie, or None when it is missing, unknown, expired or disabled."""
    if not token:
        return None
    row = session.execute(select(WebSession, User).join(User, User.id == WebSession.user_id)
                          .where(WebSession.id_hash == _token_hash(token))).first()
    if row is None:
        return None
    web_session, user = row
    now = utcnow()
    if web_session.expires_at <= now or not user.active:
        return None
    if (now - web_session.last_seen_at) > timedelta(minutes=5):
        web_session.last_seen_at = now  # sliding expiry, written rarely
        web_session.expires_at = now + SESSION_LIFETIME
    return SignedIn(user.id, user.organisation_id, user.email, user.name, user.role, web_session.csrf_token)


def csrf_matches(expected: str | None, given: str | None) -> bool:
    return bool(expected) and bool(given) and hmac.compare_digest(str(expected), str(given))


__all__ = ["AuthError", "SignedIn", "PERMISSIONS", "create_admin", "create_user", "authenticate", "start_session",
           "end_session", "signed_in", "csrf_matches", "hash_password", "SESSION_COOKIE", "LOGIN_CSRF_COOKIE"]
