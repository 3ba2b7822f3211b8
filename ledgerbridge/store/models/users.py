"""People who sign in to the web app, and their server-side sessions (R-S1).

Users belong to one organisation and see only it. A session row is looked up by the
SHA-256 of the cookie's random id, so a copy of the database cannot be replayed as a
cookie; the CSRF token each form must echo lives on the same row.
"""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ledgerbridge.store.db import Base, utcnow


class Role(enum.StrEnum):
    ADMIN = "admin"  # everything, including users
    ACCOUNTS = "accounts"  # connection, mappings, settings, export and import
    PROCUREMENT = "procurement"  # reads everything, runs the pre-check
    VIEWER = "viewer"  # reads only


class User(Base):
    __tablename__ = "users"
    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    email: Mapped[str] = mapped_column(String(255), unique=True)  # sign-in name, lower-cased
    name: Mapped[str] = mapped_column(String(200), default="")
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(20), default=Role.VIEWER.value)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_sign_in_at: Mapped[datetime | None] = mapped_column(default=None)


class WebSession(Base):
    __tablename__ = "web_sessions"
    id_hash: Mapped[str] = mapped_column(String(64), primary_key=True)  # sha256 of the cookie value
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    csrf_token: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime] = mapped_column()
    last_seen_at: Mapped[datetime] = mapped_column(default=utcnow)


class KeyPurpose(enum.StrEnum):
    """What an API key may do in a user's name (R-S1): nothing unless granted."""

    APPROVALS = "approvals"  # approve purchase invoices and send them (R-P1), as that user
    ADMINISTRATION = "administration"  # connect, disconnect, settings and rules, as that user (an administrator)


class ApiKeyGrant(Base):
    """An API key may act as this user for this purpose. A key acts as no one until granted: a host system that
    names a user it was not granted is refused, so one leaked key cannot approve as everyone."""

    __tablename__ = "api_key_grants"
    __table_args__ = (UniqueConstraint("api_key_id", "user_id", "purpose"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    api_key_id: Mapped[int] = mapped_column(ForeignKey("api_keys.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    purpose: Mapped[str] = mapped_column(String(20))
    granted_at: Mapped[datetime] = mapped_column(default=utcnow)


class SignInFailure(Base):
    """One refused sign-in, kept for the throttle (``web/throttle.py``) under the account and under the address.

    In the database rather than in memory because several workers and processes serve the screens: a count in one
    of them would let an attacker spread guesses over the others. ``key_hash`` is the SHA-256 of the scope and the
    typed email or the client address, so a password typed into the email field is never stored."""

    __tablename__ = "sign_in_failures"
    __table_args__ = (Index("ix_sign_in_failures_key_at", "key_hash", "at"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    scope: Mapped[str] = mapped_column(String(10))  # "account" | "address"
    key_hash: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column()


__all__ = ["Role", "User", "WebSession", "KeyPurpose", "ApiKeyGrant", "SignInFailure"]
