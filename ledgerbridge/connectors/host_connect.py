"""Starting and restarting a connection, whoever asks: the Connection page or a host system through the API (R-C1,
R-C2, issue 15 item 4).

Starting makes the connection and answers where the user goes next: the package's consent page (Xero, QuickBooks
Online, MYOB: OAuth), or, for a package that polls us (QuickBooks Desktop), the program's password (shown once, when
asked for) and its setup file. Finishing the consent and choosing the company stay with the package's
``AuthFlow`` (``auth_flows.flow_for``); this module only holds what the screens and the API would otherwise each
decide for themselves: which package, which client, which address the consent comes back to.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from ledgerbridge.audit.trail import audit
from ledgerbridge.connectors.auth_flows import flow_for
from ledgerbridge.connectors.connections import create_connection, production_endpoints, sandbox_endpoints
from ledgerbridge.domain.refused import Refused
from ledgerbridge.packages.registry import PACKAGES, spec_for
from ledgerbridge.store.models.sync import Connection

#: The sandboxes' own OAuth client (every sandbox accepts it), used when a sandbox is named without a client.
SANDBOX_CLIENT = ("ledgerbridge-demo", "demo-secret")
PACKAGE_NAMES = {spec.kind: spec.name for spec in PACKAGES}


class ConnectRefused(Refused):
    """Why a connection cannot be started: the field at fault and a sentence that says what to do."""


@dataclass(frozen=True, slots=True)
class Started:
    """A connection started or restarted, and what the user does next."""

    connection: Connection
    consent_url: str | None = None  # OAuth: send the user here ("Allow access"), then finish with the callback
    program: str | None = None  # a package that polls us: the program beside it (the Web Connector)
    password: str | None = None  # that program's new password, when one was asked for: shown this once


@dataclass(frozen=True, slots=True)
class ClientChoice:
    """Which OAuth client to use and where the package's sandbox is (None: the real service)."""

    client_id: str = ""
    client_secret: str = ""
    sandbox_url: str | None = None


def _address(field: str, value: str) -> str:
    value = value.strip()
    if not value.startswith(("http://", "https://")):
        raise ConnectRefused(field, f"{field} must be an address starting with http:// or https://")
    return value


def start_connection(session: Session, organisation_id: int, kind: str, *, redirect_uri: str, client: ClientChoice,
                     actor: str, new_password: bool = False) -> Started:
    """Make the organisation's connection to ``kind`` and answer the next step (the caller commits). One connection
    per organisation, as the screens keep it: a second is refused (409) naming the one to reconnect."""
    if kind not in PACKAGE_NAMES:
        raise ConnectRefused("package", f"package must be one of {', '.join(PACKAGE_NAMES)}")
    existing = session.scalar(select(Connection).where(Connection.organisation_id == organisation_id)
                              .order_by(Connection.id))
    if existing is not None:
        raise ConnectRefused("package", f"this organisation already has connection {existing.id} "
                                        f"({PACKAGE_NAMES.get(existing.kind, existing.kind)}, {existing.status}): "
                                        "reconnect it, or disconnect it first", status_code=409)
    label = PACKAGE_NAMES[kind]
    polled = spec_for(kind).polled
    if polled is not None:  # nothing to consent to: the program beside the package will come to us
        conn = create_connection(session, organisation_id, kind, production_endpoints(kind), client_id="",
                                 client_secret="", redirect_uri="", name=label)
        return _polled_ready(session, conn, actor, new_password)
    sandbox = _address("sandbox_url", client.sandbox_url) if client.sandbox_url else None
    client_id = client.client_id.strip() or (SANDBOX_CLIENT[0] if sandbox else "")
    secret = client.client_secret.strip() or (SANDBOX_CLIENT[1] if sandbox else "")
    if not client_id:
        raise ConnectRefused("client_id", f"client_id: enter the app's client id from {label}'s developer portal")
    if not secret:
        raise ConnectRefused("client_secret", f"client_secret: enter the app's client secret from {label}'s "
                                              "developer portal")
    endpoints = sandbox_endpoints(kind, sandbox) if sandbox else production_endpoints(kind)
    conn = create_connection(session, organisation_id, kind, endpoints, client_id=client_id, client_secret=secret,
                             redirect_uri=_address("redirect_uri", redirect_uri),
                             name=f"{label} (sandbox)" if sandbox else label)
    url = flow_for(kind).begin_consent(session, conn)
    audit(session, conn, actor, "connect_started", outcome="ok", detail=label)
    return Started(conn, consent_url=url)


def restart_connection(session: Session, conn: Connection, *, actor: str, redirect_uri: str | None = None,
                       new_password: bool = False) -> Started:
    """Reconnect (R-C2): a new consent for the same connection, every binding kept (the caller commits). The consent
    comes back to ``redirect_uri`` when one is given (the address the app is served on now)."""
    if spec_for(conn.kind).polled is not None:
        return _polled_ready(session, conn, actor, new_password)
    if redirect_uri:
        conn.redirect_uri = _address("redirect_uri", redirect_uri)
    url = flow_for(conn.kind).begin_consent(session, conn)
    audit(session, conn, actor, "reconnect_started", outcome="ok", detail=conn.kind)
    return Started(conn, consent_url=url)


def _polled_ready(session: Session, conn: Connection, actor: str, new_password: bool) -> Started:
    polled = spec_for(conn.kind).polled
    assert polled is not None
    conn.status = "connected"
    session.flush()
    password = polled.new_password(session, conn) if new_password else None
    audit(session, conn, actor, "connect_started", outcome="ok",
          detail=polled.program + (": new password" if password else ""))
    return Started(conn, program=polled.program, password=password)
