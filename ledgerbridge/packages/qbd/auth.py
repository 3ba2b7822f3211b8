"""Connecting to QuickBooks Desktop: there is no consent page; the Web Connector signs in with a password.

QuickBooks Desktop has no OAuth: the user adds our ``.qwc`` file to the Web Connector on the PC with QuickBooks and
types the connection's Web Connector password there (``webconnector.credentials``: stored hashed, shown once). So
the consent steps of :class:`~ledgerbridge.connectors.spec.AuthFlow` answer with what to do instead, disconnecting
forgets the password and closes any session (the Web Connector is refused from then on), and health is the polling
health: when it last polled, whether it is late for its schedule, the last session's outcome (R-C3).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import update
from sqlalchemy.orm import Session

from ledgerbridge.audit.trail import audit
from ledgerbridge.connectors.oauth import ConsentError
from ledgerbridge.packages.qbd.webconnector.credentials import credentials_for
from ledgerbridge.packages.qbd.webconnector.health import poll_health
from ledgerbridge.store.db import utcnow
from ledgerbridge.store.models.polled import PolledSession, PolledSessionStatus
from ledgerbridge.store.models.sync import Connection

__all__ = ["begin_consent", "choose_tenant", "complete_consent", "disconnect", "health"]

_NO_CONSENT = ("QuickBooks Desktop has no consent page: set the connection's Web Connector password and add its "
               ".qwc file to the Web Connector on the PC with QuickBooks (Connection page, or `ledgerbridge qwc`).")


def begin_consent(session: Session, connection: Connection, scopes: object = None) -> str:
    raise ConsentError(_NO_CONSENT)


def complete_consent(session: Session, connection: Connection, callback: object) -> list[Any]:
    raise ConsentError(_NO_CONSENT)


def choose_tenant(session: Session, connection: Connection, tenant_id: str) -> Any:
    raise ConsentError(_NO_CONSENT)


def disconnect(session: Session, connection: Connection) -> list[str]:
    """Forget the Web Connector's password and close its sessions: it is refused ("nvu") until a new one is set."""
    credential = credentials_for(session, connection.id)
    if credential is not None:
        credential.password_hash = None
        credential.password_set_at = None
    now = utcnow()
    session.execute(update(PolledSession).where(
        PolledSession.connection_id == connection.id, PolledSession.status == PolledSessionStatus.OPEN.value).values(
        status=PolledSessionStatus.CLOSED.value, closed_at=now, close_reason="disconnected"))
    connection.status = "disconnected"
    audit(session, connection, "system", "disconnect", outcome="ok", detail="Web Connector password forgotten")
    return []


def health(session: Session, connection: Connection, *, now: datetime | None = None) -> dict[str, Any]:
    """What the connection-health panel shows: the Web Connector's polling (R-C3)."""
    polls = poll_health(session, connection.id, now)
    return {"package": "QuickBooks Desktop", "status": connection.status, "reached_by": "the Web Connector",
            **polls.as_dict()}
