"""Polled connections: the package's own client calls us, on its schedule, and takes the work we queued for it.

For such a package there is no token to refresh and no API to call: a program beside the books (on the user's PC)
signs in with a user name and a password we issued, opens a *session* (a ticket), asks for messages, brings back
their answers and closes the session. Two tables keep that, neutral so any polled package can use them:

* ``polled_credentials``: per connection, the user name the client signs in with, the password's argon2 hash (the
  password itself is shown once, when it is set, and never stored), the two GUIDs the client's configuration file
  carries for the connection (they must stay the same for as long as the connection lives: the client keys what it
  writes into the books by them), the schedule, and when the client last polled (connection health).
* ``polled_sessions``: one row per session: the ticket's SHA-256 (the ticket is a bearer secret for the session's
  length, so a copy of the database cannot be used to speak for the client), when it opened, last called and
  closed, what the client told us about the books at the start (product, country, message versions, company file),
  the round trips, and the last error.
"""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import BigInteger, Boolean, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from ledgerbridge.store.db import Base, utcnow


class PolledSessionStatus(enum.StrEnum):
    OPEN = "open"  # the client is working through it
    CLOSED = "closed"  # the client closed it, or it ended cleanly (no work, could not reach the books)
    BROKEN = "broken"  # cut: a new sign-in came while it was open, it timed out, or an answer never came


class PolledCredential(Base):
    __tablename__ = "polled_credentials"
    id: Mapped[int] = mapped_column(primary_key=True)
    connection_id: Mapped[int] = mapped_column(ForeignKey("connections.id", ondelete="CASCADE"), unique=True)
    user_name: Mapped[str] = mapped_column(String(100), unique=True)
    password_hash: Mapped[str | None] = mapped_column(String(255), default=None)  # None until one is set
    password_set_at: Mapped[datetime | None] = mapped_column(default=None)
    app_name: Mapped[str] = mapped_column(String(100))  # what the books' administrator authorised: kept stable
    owner_id: Mapped[str] = mapped_column(String(38))  # "{8-4-4-4-12}", upper case
    file_id: Mapped[str] = mapped_column(String(38))
    run_every_minutes: Mapped[int] = mapped_column(Integer, default=15)
    last_poll_at: Mapped[datetime | None] = mapped_column(default=None)  # last sign-in with the right password
    last_refused_at: Mapped[datetime | None] = mapped_column(default=None)  # last sign-in with a wrong one
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class PolledSession(Base):
    __tablename__ = "polled_sessions"
    __table_args__ = (Index("ix_polled_sessions_connection_status", "connection_id", "status"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    connection_id: Mapped[int] = mapped_column(ForeignKey("connections.id", ondelete="CASCADE"))
    ticket_hash: Mapped[str] = mapped_column(String(64), unique=True)  # sha256 hex of the ticket
    status: Mapped[str] = mapped_column(String(10), default=PolledSessionStatus.OPEN.value)
    opened_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_call_at: Mapped[datetime] = mapped_column(default=utcnow)
    closed_at: Mapped[datetime | None] = mapped_column(default=None)
    close_reason: Mapped[str | None] = mapped_column(Text, default=None)
    awaiting_answer: Mapped[bool] = mapped_column(Boolean, default=False)  # a message is out, its answer not in
    finished: Mapped[bool] = mapped_column(Boolean, default=False)  # the work said it was done
    # What the client says about the books on its first request of the session.
    product: Mapped[str | None] = mapped_column(String(200), default=None)
    country: Mapped[str | None] = mapped_column(String(10), default=None)
    company_file: Mapped[str | None] = mapped_column(Text, default=None)
    processor_version: Mapped[str | None] = mapped_column(String(10), default=None)  # the client's request processor
    version_min: Mapped[str | None] = mapped_column(String(10), default=None)  # message versions the books support
    version_max: Mapped[str | None] = mapped_column(String(10), default=None)
    round_trips: Mapped[int] = mapped_column(Integer, default=0)  # messages handed out and answered
    waits: Mapped[int] = mapped_column(Integer, default=0)  # requests answered "nothing yet, ask again"
    bytes_sent: Mapped[int] = mapped_column(BigInteger, default=0)
    bytes_received: Mapped[int] = mapped_column(BigInteger, default=0)
    percent_done: Mapped[int] = mapped_column(Integer, default=0)
    notice: Mapped[str | None] = mapped_column(Text, default=None)  # what the client's "last error" call answers
    last_error: Mapped[str | None] = mapped_column(Text, default=None)  # kept for connection health
    last_error_at: Mapped[datetime | None] = mapped_column(default=None)


__all__ = ["PolledCredential", "PolledSession", "PolledSessionStatus"]
