"""The REST API (FastAPI): intake from the host system and the sync actions.

Routers live in their own modules (``api_intake``, ``api_sync``); this module wires
them to one app with the database and the per-organisation API-key auth.
"""

from __future__ import annotations

import threading
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from typing import Annotated

from fastapi import Depends, FastAPI, Header, HTTPException, Request
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from ledgerbridge.db import make_engine, make_session_factory


class AppState:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.sessions: sessionmaker[Session] = make_session_factory(engine)


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


def get_organisation_id(
    session: Annotated[Session, Depends(get_session)],
    authorization: Annotated[str | None, Header()] = None,
    x_api_key: Annotated[str | None, Header()] = None,
) -> int:
    """The organisation whose API key was presented; 401 otherwise. Every query is scoped by it."""
    from ledgerbridge.apikeys import organisation_for_key

    key = x_api_key
    if key is None and authorization and authorization.lower().startswith("bearer "):
        key = authorization[7:].strip()
    if not key:
        raise HTTPException(401, "An API key is required: send it as 'Authorization: Bearer <key>' or 'X-API-Key'.")
    org_id = organisation_for_key(session, key)
    if org_id is None:
        raise HTTPException(401, "The API key is not valid or has been revoked.")
    return org_id


def create_app(engine: Engine | None = None, *, run_worker: bool = True) -> FastAPI:
    """The app; with ``run_worker`` a background worker in this process runs the queued jobs (uploads, imports)."""
    from ledgerbridge import api_intake, api_reconcile, api_sync, api_workflow

    state = AppState(engine or make_engine())

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        from ledgerbridge.jobs import work_loop

        stop = threading.Event()
        worker = threading.Thread(target=work_loop, args=(state.sessions, stop), kwargs={"poll_seconds": 0.2},
                                  daemon=True, name="ledgerbridge-worker") if run_worker else None
        if worker:
            worker.start()
        try:
            yield
        finally:
            stop.set()
            if worker:
                worker.join(timeout=30)

    app = FastAPI(
        title="ledgerbridge",
        version="0.1.0",
        description="Accounts integration: feed documents in, export them to the accounting package, "
                    "bring payments back.",
        lifespan=lifespan,
    )
    app.state.ledgerbridge = state
    app.include_router(api_intake.router)
    app.include_router(api_sync.router)
    app.include_router(api_reconcile.router)
    app.include_router(api_workflow.router)
    from ledgerbridge import web  # the Accounts Integration screens, on the same engine

    app.include_router(web.router)
    web.install(app)
    return app
