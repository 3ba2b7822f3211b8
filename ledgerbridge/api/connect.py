"""Connecting a user's books from the host system, without the screens (R-C1, R-C2, R-S1; issue 15 item 4).

The host starts a connection and is answered the consent address to send its user to (Xero, QuickBooks Online,
MYOB); the package sends the user back to the host's ``redirect_uri``, and the host hands that whole address to
``/consent``, which answers the companies the user allowed; ``/company`` binds the one chosen. QuickBooks Desktop
has no consent: starting answers the Web Connector's password (shown once) and where its setup file is. Disconnect
and reconnect keep every binding (nothing is exported twice).

Each operation names the user it acts for (``user``); the API key must have been granted that user for
administration (``security.key_grants``), and the user's role must allow configuring the connection.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from typing import Annotated

import httpx
from fastapi import APIRouter, Depends, HTTPException, status
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.orm import Session

from ledgerbridge.api.deps import Caller, RowId, acting_user, get_caller, get_session, organisation_connection_or_404
from ledgerbridge.api.responses import AUTH, errors
from ledgerbridge.connectors.auth_flows import flow_for
from ledgerbridge.connectors.host_connect import (
    PACKAGE_NAMES,
    ClientChoice,
    ConnectRefused,
    Started,
    restart_connection,
    start_connection,
)
from ledgerbridge.connectors.oauth import OAuthFlowError
from ledgerbridge.packages.registry import spec_for
from ledgerbridge.security.key_grants import KeyPurpose
from ledgerbridge.store.models.sync import Connection
from ledgerbridge.store.models.users import User

router = APIRouter(prefix="/v1", tags=["connecting"], responses=AUTH)
CallerDep = Annotated[Caller, Depends(get_caller)]
Db = Annotated[Session, Depends(get_session)]
Refused = errors(400, 403, 404, 409, 422, 502, s422="problem-or-validation")
#: The roles that may connect, disconnect and reconnect (the screens' "configure").
CONFIGURING_ROLES = ("admin", "accounts")
UserField = Annotated[str, Field(min_length=1, max_length=255,
                                 description="Who connects: a user's sign-in email or name, whom the API key was "
                                             "granted for administration")]
Address = Annotated[str, Field(min_length=1, max_length=500)]


class ConnectIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    package: str = Field(min_length=1, max_length=20, description=f"One of {', '.join(PACKAGE_NAMES)}")
    user: UserField
    redirect_uri: Address | None = Field(default=None, description=(
        "OAuth packages: where the package sends the user back after the consent (registered with the app); the "
        "host hands that address, as it arrives, to /consent"))
    client_id: str = Field(default="", max_length=200, description="The app's OAuth client id (not for sandboxes)")
    client_secret: str = Field(default="", max_length=500, description="The app's OAuth client secret")
    sandbox_url: Address | None = Field(default=None, description="A ledgerbridge sandbox instead of the service")
    start_date: date | None = Field(default=None, description="Documents dated before it are not exported (R-E2)")


class ReconnectIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    user: UserField
    redirect_uri: Address | None = Field(default=None, description="A new return address (default: the last one)")


class ConsentIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    user: UserField
    callback_url: Address = Field(description="The address the package sent the user back to, whole (code, state)")


class CompanyIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    user: UserField
    company_id: str = Field(min_length=1, max_length=200, description="One of the companies /consent answered")


class UserIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    user: UserField


class ConnectionStep(BaseModel):
    """Where a connection stands and what the user does next."""

    connection_id: int
    package: str
    status: str
    consent_url: str | None = Field(default=None, description="Send the user here to allow access")
    program: str | None = Field(default=None, description="The program that polls us, for such a package")
    password: str | None = Field(default=None, description="That program's password: shown in this answer only")
    setup_file: str | None = Field(default=None, description="Where the program's setup file is downloaded")


class Company(BaseModel):
    id: str
    name: str


class Companies(BaseModel):
    connection_id: int
    status: str
    companies: list[Company]


class Connected(BaseModel):
    connection_id: int
    status: str
    company_id: str | None
    company_name: str | None


class Disconnected(BaseModel):
    connection_id: int
    status: str
    problems: list[str] = Field(description="What the package refused while revoking (disconnected regardless)")


def _administrator(session: Session, caller: Caller, name: str) -> User:
    user = acting_user(session, caller, name, KeyPurpose.ADMINISTRATION)
    if user.role not in CONFIGURING_ROLES:
        raise HTTPException(403, f"user: connecting the books needs an administrator or an Accounts user; "
                                 f"{user.email} is {user.role}")
    return user


def _step(started: Started) -> ConnectionStep:
    conn = started.connection
    return ConnectionStep(connection_id=conn.id, package=conn.kind, status=conn.status,
                          consent_url=started.consent_url, program=started.program, password=started.password,
                          setup_file=f"/v1/connections/{conn.id}/polled/setup-file" if started.program else None)


def _refused(exc: ConnectRefused) -> HTTPException:
    return HTTPException(exc.status_code, exc.message)


@contextmanager
def _package_step(session: Session, conn: Connection, field: str) -> Iterator[None]:
    """A step of the consent: refused (422 naming ``field``) when the package or the flow refuses it, 502 when the
    package cannot be reached. What the refusal settled is kept (a spent consent state stays spent)."""
    try:
        yield
    except (OAuthFlowError, ValueError) as exc:
        session.commit()
        raise HTTPException(422, f"{field}: {exc}") from None
    except httpx.HTTPError as exc:
        raise HTTPException(502, f"{PACKAGE_NAMES.get(conn.kind, conn.kind)} could not be reached "
                                 f"({type(exc).__name__}): nothing was stored; try again") from None


@router.post("/connections", status_code=status.HTTP_201_CREATED, responses=Refused)
def start(body: ConnectIn, caller: CallerDep, session: Db) -> ConnectionStep:
    """Start connecting the organisation's books: answers the consent address to send the user to (OAuth), or the
    Web Connector's password, shown once, and its setup file (QuickBooks Desktop)."""
    user = _administrator(session, caller, body.user)
    try:
        started = start_connection(
            session, caller.organisation_id, body.package, redirect_uri=body.redirect_uri or "",
            client=ClientChoice(body.client_id, body.client_secret, body.sandbox_url), actor=user.email,
            new_password=True)
    except ConnectRefused as exc:
        raise _refused(exc) from None
    started.connection.start_date = body.start_date
    session.commit()
    return _step(started)


@router.post("/connections/{connection_id}/consent", responses=Refused)
def finish_consent(connection_id: RowId, body: ConsentIn, caller: CallerDep, session: Db) -> Companies:
    """Finish the consent with the address the package sent the user back to; answers the companies allowed."""
    conn = _consenting(session, caller, body.user, connection_id)
    with _package_step(session, conn, "callback_url"):
        companies = flow_for(conn.kind).complete_consent(session, conn, body.callback_url)
    session.commit()
    return Companies(connection_id=conn.id, status=conn.status,
                     companies=[Company(id=c.tenant_id, name=c.tenant_name) for c in companies])


@router.post("/connections/{connection_id}/company", responses=Refused)
def choose_company(connection_id: RowId, body: CompanyIn, caller: CallerDep, session: Db) -> Connected:
    """Bind the connection to the company the user chose; it is connected."""
    conn = _consenting(session, caller, body.user, connection_id)
    with _package_step(session, conn, "company_id"):
        flow_for(conn.kind).choose_tenant(session, conn, body.company_id)
    session.commit()
    return Connected(connection_id=conn.id, status=conn.status, company_id=conn.tenant_id,
                     company_name=conn.tenant_name)


@router.post("/connections/{connection_id}/disconnect", responses=Refused)
def disconnect(connection_id: RowId, body: UserIn, caller: CallerDep, session: Db) -> Disconnected:
    """Disconnect: tokens revoked (or the Web Connector's password forgotten); every binding kept."""
    _administrator(session, caller, body.user)
    conn = organisation_connection_or_404(session, caller.organisation_id, connection_id)
    problems = flow_for(conn.kind).disconnect(session, conn)
    session.commit()
    return Disconnected(connection_id=conn.id, status=conn.status, problems=list(problems))


@router.post("/connections/{connection_id}/reconnect", responses=Refused)
def reconnect(connection_id: RowId, body: ReconnectIn, caller: CallerDep, session: Db) -> ConnectionStep:
    """Connect again (the fix for a stalled sync): a new consent for the same connection, or a new Web Connector
    password; nothing is exported twice."""
    user = _administrator(session, caller, body.user)
    conn = organisation_connection_or_404(session, caller.organisation_id, connection_id)
    try:
        started = restart_connection(session, conn, actor=user.email, redirect_uri=body.redirect_uri,
                                     new_password=True)
    except ConnectRefused as exc:
        raise _refused(exc) from None
    session.commit()
    return _step(started)


def _consenting(session: Session, caller: Caller, user: str, connection_id: int) -> Connection:
    """The connection a consent step is for, once the caller may administer it and it has a consent at all."""
    _administrator(session, caller, user)
    conn = organisation_connection_or_404(session, caller.organisation_id, connection_id)
    polled = spec_for(conn.kind).polled
    if polled is not None:
        raise HTTPException(409, f"connection {conn.id} has no consent: {polled.program} polls ledgerbridge with the "
                                 "password it was given when connecting (or reconnecting)")
    return conn


