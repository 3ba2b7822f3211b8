"""The Web Connector's side of the connection, as the app and the queue see it (``PackageSpec.polled``).

``web_service`` is the SOAP endpoint the app mounts under ``/packages/qbd``: the sessions backend over the work of
the connections (the app's ``queue.polled_session.SessionWork``: the engine's jobs, their calls through the
mailbox). ``open_connections`` is
what the queue asks before it lets a job of a QuickBooks Desktop connection run: its Web Connector is in a session
that has called within the session timeout.
"""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from ledgerbridge.packages.qbd.webconnector.backend import MessageSource
from ledgerbridge.packages.qbd.webconnector.routes import router
from ledgerbridge.packages.qbd.webconnector.sessions import SessionSettings
from ledgerbridge.store.db import utcnow
from ledgerbridge.store.models.polled import PolledSession, PolledSessionStatus

__all__ = ["open_connections", "reachable", "web_service"]


def web_service(sessions: sessionmaker[Session], source: MessageSource) -> APIRouter:
    """The Web Connector's SOAP endpoint, its WSDL and its support page, over the sessions' source of work."""
    return router(sessions, source)


def open_connections(session: Session, now: datetime | None = None) -> set[int]:
    """Connections whose Web Connector is in a session now (open, and called within the session timeout)."""
    since = (now or utcnow()) - SessionSettings().timeout
    return set(session.scalars(select(PolledSession.connection_id).where(
        PolledSession.status == PolledSessionStatus.OPEN.value, PolledSession.last_call_at >= since)))


def reachable(session: Session, connection_id: int) -> bool:
    """The connection's Web Connector is in a session: a message queued now can be handed out."""
    return connection_id in open_connections(session)
