"""People who sign in to the web app, and their server-side sessions (R-S1).

Users belong to one organisation and see only it. A session row is looked up by the
SHA-256 of the cookie's random id, so a copy of the database cannot be replayed as a
cookie; the CSRF token each form must echo lives on the same row.
"""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, String
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


__all__ = ["Role", "User", "WebSession", "SignInFailure"]
