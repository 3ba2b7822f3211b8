"""The mailbox of a package that polls us: messages waiting for it, handed to it, and its answers.

A package reached through a program on the user's machine (the QuickBooks Web Connector) cannot be called: it comes
and asks for work. Each :class:`MailboxMessage` is one call a connector wants to make: its requests (the package's
own text, without the envelope, which depends on the version the package announces when it asks), recorded
*before* it is handed out so that nothing the package may have acted on is ever forgotten.

A message's life: ``queued`` (waiting for the package's next ask) -> ``handed_out`` (in a session, with the message
set id the package's error recovery knows it by) -> ``answered`` (the package's answer is in ``answer``) or
``failed`` (the package could not run it at all, and says so in ``error``) or ``in_doubt`` (handed out and the
answer never came: the session broke; a write may have been applied and is resolved before anything is sent again);
a queued message whose run gave up before the package asked is ``withdrawn``. An in-doubt message becomes
``resolved`` once the package has said what became of it (its error recovery: ``answer`` then holds the answers it
recorded, by request id; or nothing when it no longer knows, and the connector looks the records up instead).
Messages are kept for the connection's history and removed with it.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from ledgerbridge.store.db import Base, UTCDateTime, utcnow

__all__ = ["MailboxMessage", "MailboxState"]


class MailboxState:
    QUEUED = "queued"
    HANDED_OUT = "handed_out"
    ANSWERED = "answered"
    FAILED = "failed"
    IN_DOUBT = "in_doubt"
    WITHDRAWN = "withdrawn"
    RESOLVED = "resolved"  # was in doubt; the package has said what became of it (or that it no longer knows)
    #: Final states: the connector that queued the message stops waiting at any of them.
    SETTLED = (ANSWERED, FAILED, IN_DOUBT, WITHDRAWN, RESOLVED)


class MailboxMessage(Base):
    __tablename__ = "mailbox_messages"
    __table_args__ = (Index("ix_mailbox_messages_connection_state", "connection_id", "state", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    connection_id: Mapped[int] = mapped_column(ForeignKey("connections.id", ondelete="CASCADE"))
    state: Mapped[str] = mapped_column(String(12), default=MailboxState.QUEUED)
    #: True when the package may change its books on it (a write is never handed out twice blindly).
    writes: Mapped[bool] = mapped_column(Boolean, default=False)
    #: How the package treats a request that fails: messages with different rules never travel together.
    on_error: Mapped[str] = mapped_column(String(20), default="continueOnError")
    #: What the message is for, in words, for the connection's history ("3 invoices", "payments since 14:02").
    purpose: Mapped[str] = mapped_column(String(200), default="")
    requests: Mapped[str] = mapped_column(Text)
    request_ids: Mapped[str] = mapped_column(Text)  # the requests' ids, space-separated, in order
    request_bytes: Mapped[int] = mapped_column(Integer)
    #: The session (of the package's polls) that took it, and the message set id it went under.
    session_id: Mapped[int | None] = mapped_column(Integer, default=None)
    message_set_id: Mapped[str | None] = mapped_column(String(23), default=None, index=True)
    answer: Mapped[str | None] = mapped_column(Text, default=None)
    error: Mapped[str | None] = mapped_column(String(2000), default=None)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(timezone=True), default=utcnow)
    handed_out_at: Mapped[datetime | None] = mapped_column(UTCDateTime(timezone=True), default=None)
    settled_at: Mapped[datetime | None] = mapped_column(UTCDateTime(timezone=True), default=None)
