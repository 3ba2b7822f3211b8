"""The REST API (FastAPI): intake from the host system and the sync actions.

Routers live in their own modules (``intake``, ``sync``, ``reconcile``, ``workflow``) and take their request
dependencies from ``deps``; this module wires them and the screens to one app with its background worker.
"""

from __future__ import annotations

import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import Depends, FastAPI
from sqlalchemy import Engine

from ledgerbridge import web
from ledgerbridge.api import busy as api_busy
from ledgerbridge.api import connect as api_connect
from ledgerbridge.api import intake as api_intake
from ledgerbridge.api import numbering as api_numbering
from ledgerbridge.api import parties as api_parties
from ledgerbridge.api import polled as api_polled
from ledgerbridge.api import reconcile as api_reconcile
from ledgerbridge.api import sync as api_sync
from ledgerbridge.api import workflow as api_workflow
from ledgerbridge.api import write_off as api_write_off
from ledgerbridge.api.body_limit import BodyLimit
from ledgerbridge.api.deps import AppState
from ledgerbridge.api.docs import install_docs
from ledgerbridge.api.headers import SecurityHeaders
from ledgerbridge.api.responses import install_schemas
from ledgerbridge.api.text_guard import refuse_bad_text
from ledgerbridge.clock import Now
from ledgerbridge.config import get_settings
from ledgerbridge.packages.registry import PACKAGES
from ledgerbridge.queue.polled_session import SessionWork
from ledgerbridge.queue.worker import work_loop
from ledgerbridge.store.db import make_engine


def create_app(engine: Engine | None = None, *, run_worker: bool = True, clock: Now | None = None) -> FastAPI:
    """The app; with ``run_worker`` a background worker in this process runs the queued jobs (uploads, imports).
    ``clock`` is what the sign-in throttle reads (the configured clock by default)."""
    state = AppState(engine or make_engine(), clock)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
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
        docs_url=None,  # install_docs serves Swagger UI from the app itself
        redoc_url=None,  # ReDoc too loads from a CDN; /docs is the API's page
        dependencies=[Depends(refuse_bad_text)],  # NUL and lone surrogates: 422 on every route, screens included
    )
    app.state.ledgerbridge = state
    app.add_middleware(BodyLimit, limit=get_settings().max_body_bytes)
    app.include_router(api_intake.router)
    app.include_router(api_sync.router)
    app.include_router(api_parties.router)
    app.include_router(api_connect.router)
    app.include_router(api_write_off.router)
    app.include_router(api_polled.router)
    app.include_router(api_reconcile.router)
    app.include_router(api_workflow.router)
    app.include_router(api_numbering.router)
    app.include_router(web.router)  # the Accounts Integration screens, on the same engine
    for spec in PACKAGES:  # a package that polls us calls its own web service (a SOAP endpoint, not our API)
        if spec.polled is not None:
            work = SessionWork(state.sessions, spec.polled.message_format(), max_bytes=spec.polled.message_bytes)
            app.include_router(spec.polled.router(state.sessions, work), prefix=f"/packages/{spec.kind}",
                               include_in_schema=False)
    web.install(app)
    install_docs(app)
    install_schemas(app)
    api_busy.install(app)
    app.add_middleware(SecurityHeaders)  # outermost but for Starlette's own: on every answer, errors included
    return app
