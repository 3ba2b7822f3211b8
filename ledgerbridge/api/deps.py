"""The API's request dependencies: the app's state, a database session per request, the caller's organisation.

They live apart from the app factory (``app``) so that routers, the screens and the factory all depend on this
module and never on each other.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, HTTPException, Path, Query, Request, Security
from fastapi.security import APIKeyHeader, HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from ledgerbridge.clock import Now, configured_clock
from ledgerbridge.connectors.connections import organisation_connection
from ledgerbridge.security.apikeys import key_for
from ledgerbridge.security.key_grants import GrantRefused, KeyPurpose, require_grant
from ledgerbridge.store.bounds import MAX_ID, MAX_OFFSET, MAX_PAGE
from ledgerbridge.store.db import make_session_factory
from ledgerbridge.store.models.sync import Connection
from ledgerbridge.store.models.users import User
from ledgerbridge.sync.approvals import ApprovalRefused, find_user

#: A row id in a URL (a connection, a job, a document): beyond ``MAX_ID`` none exists, and the store would
#: overflow on it (``store/bounds``); FastAPI answers 422 naming the parameter.
RowId = Annotated[int, Path(ge=1, le=MAX_ID)]
#: One page of a list: 1..``MAX_PAGE`` rows (a negative limit would mean "all of them" on SQLite).
Limit = Annotated[int, Query(ge=1, le=MAX_PAGE)]
#: Rows skipped before the page: never negative, never past what a store can hold.
Offset = Annotated[int, Query(ge=0, le=MAX_OFFSET)]


class AppState:
    """What every request shares: the engine, its sessions, and the clock the sign-in throttle reads (the
    configured one, or a test's)."""

    def __init__(self, engine: Engine, clock: Now | None = None) -> None:
        self.engine = engine
        self.sessions: sessionmaker[Session] = make_session_factory(engine)
        self.clock: Now = clock if clock is not None else configured_clock()


def get_state(request: Request) -> AppState:
    return request.app.state.ledgerbridge  # type: ignore[no-any-return]


def get_session(state: Annotated[AppState, Depends(get_state)]) -> Iterator[Session]:
    """A session per request; the route commits what it means to keep, anything else is rolled back."""
    session = state.sessions()
    try:
        yield session
    finally:
        session.rollback()
        session.close()


# The API key, declared as two security schemes (either one will do) rather than as header parameters, so that
# the schema says how to authenticate and a client (or Swagger's "Authorize") sends the key once for every
# operation. Neither refuses on its own (``auto_error=False``): the 401s below say what was missing.
api_key_header = APIKeyHeader(name="X-API-Key", scheme_name="ApiKey", auto_error=False,
                              description="The organisation's API key (printed once by `ledgerbridge init`).")
bearer_token = HTTPBearer(scheme_name="Bearer", auto_error=False,
                          description="The same API key as `Authorization: Bearer <key>`.")


@dataclass(frozen=True, slots=True)
class Caller:
    """Who is calling: the organisation of the API key presented, and the key (whose grants say which users it may
    act as: ``security.key_grants``)."""

    organisation_id: int
    key_id: int


def get_caller(
    session: Annotated[Session, Depends(get_session)],
    x_api_key: Annotated[str | None, Security(api_key_header)],
    bearer: Annotated[HTTPAuthorizationCredentials | None, Security(bearer_token)],
) -> Caller:
    """The API key presented and its organisation; 401 otherwise."""
    key = x_api_key or (bearer.credentials.strip() if bearer else None)
    if not key:
        raise HTTPException(401, "An API key is required: send it as 'Authorization: Bearer <key>' or 'X-API-Key'.")
    found = key_for(session, key)
    if found is None:
        raise HTTPException(401, "The API key is not valid or has been revoked.")
    return Caller(*found)


def get_organisation_id(caller: Annotated[Caller, Depends(get_caller)]) -> int:
    """The organisation whose API key was presented; 401 otherwise. Every query is scoped by it."""
    return caller.organisation_id


def acting_user(session: Session, caller: Caller, name: str, purpose: KeyPurpose) -> User:
    """The organisation's user the caller names (sign-in email or name), when the key was granted that user for
    ``purpose``: 404 for no such user, 403 naming the key, the user, the purpose and the command that grants it."""
    try:
        user = find_user(session, caller.organisation_id, name)
    except ApprovalRefused as refused:
        raise HTTPException(refused.status_code, f"user: {refused.message}") from None
    try:
        require_grant(session, caller.key_id, user, purpose)
    except GrantRefused as refused:
        raise HTTPException(refused.status_code, refused.message) from None
    return user


def organisation_connection_or_404(session: Session, org_id: int, connection_id: int) -> Connection:
    """The caller's connection by id; 404 (never another organisation's) when it has none of that id."""
    try:
        return organisation_connection(session, org_id, connection_id)
    except LookupError:
        raise HTTPException(404, f"connection {connection_id} not found") from None
