"""Setting up the Web Connector from the command line: the .qwc file and a new password (``commands`` calls these).

The password is returned once, for the terminal that asked for it, and never logged or audited (the audit trail
says it was set, and by whom).
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from ledgerbridge.audit.trail import audit
from ledgerbridge.cli.context import STATE, fail, organisation_id
from ledgerbridge.packages.qbd.qwc import qwc_for_connection
from ledgerbridge.packages.qbd.webconnector.credentials import credentials_for, set_password
from ledgerbridge.store.db import session_scope
from ledgerbridge.store.models.sync import Connection

__all__ = ["connection_id_of", "reset_password", "write_qwc"]

KIND = "qbd"  # connections.kind of QuickBooks Desktop (spec.SPEC.kind; the spec imports this module's caller)


def write_qwc(sessions: sessionmaker[Session], connection_id: int, base_url: str, output: Path | None = None) -> Path:
    """Write the connection's .qwc file (to ``output``, or its own name in the current folder); returns the path."""
    with session_scope(sessions) as session:
        name, content = qwc_for_connection(session, connection_id, base_url)
    path = output if output is not None else Path(name)
    if path.is_dir():
        path = path / name
    path.write_bytes(content)
    return path


def reset_password(sessions: sessionmaker[Session], connection_id: int, actor: str = "cli",
                   password: str | None = None) -> tuple[str, str]:
    """Set a new Web Connector password (generated unless given); returns ``(user name, password)`` to show once.
    The old password stops working at once."""
    with session_scope(sessions) as session:
        new_password = set_password(session, connection_id, password)
        credential = credentials_for(session, connection_id)
        assert credential is not None  # set_password made it
        audit(session, session.get_one(Connection, connection_id), actor, "set_web_connector_password",
              outcome="ok", detail=f"Web Connector user {credential.user_name}")
        return credential.user_name, new_password


def connection_id_of(org: int | None, connection: int | None) -> int:
    """The organisation's QuickBooks Desktop connection: the one named, else its first."""
    with session_scope(STATE.sessions) as session:
        query = select(Connection.id).where(Connection.organisation_id == organisation_id(session, org),
                                            Connection.kind == KIND)
        if connection is not None:
            query = query.where(Connection.id == connection)
        found = session.scalar(query.order_by(Connection.id))
        if found is None:
            fail("no QuickBooks Desktop connection: make one with `ledgerbridge connect --package qbd`"
                 + (f" (connection {connection} is not one)" if connection is not None else ""))
        return found
