"""Web-app fixtures: a migrated SQLite store with the demo company's month, users of each role,
the app served by uvicorn on a loopback port (real HTTP, its worker running), and a Xero sandbox."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import uvicorn
from dbfixtures import make_sqlite_engine
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from ledgerbridge.api import create_app
from ledgerbridge.db import make_session_factory, session_scope
from ledgerbridge.demo_data import demo_batch
from ledgerbridge.intake import apply_batch
from ledgerbridge.organisations import create_organisation
from ledgerbridge.sandboxes.xero import RunningSandbox, SandboxConfig, start_xero_sandbox
from ledgerbridge.schemas_intake import Batch
from ledgerbridge.web.auth import create_admin, create_user

PASSWORD = "correct horse battery"


@dataclass
class Store:
    engine: Engine
    sessions: sessionmaker[Session]
    org_id: int
    other_org_id: int


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    """The demo company (with an admin, an accounts user and a viewer) and a second organisation of its own."""
    engine = make_sqlite_engine(tmp_path)
    sessions = make_session_factory(engine)
    with session_scope(sessions) as session:
        org = create_organisation(session, "Dunmore Trading Ltd", "GBP")
        apply_batch(session, org.id, Batch.model_validate(demo_batch()))
        create_admin(session, org.id, "admin@dunmore.test", PASSWORD)
        create_user(session, org.id, "accounts@dunmore.test", PASSWORD, "accounts")
        create_user(session, org.id, "viewer@dunmore.test", PASSWORD, "viewer")
        other = create_organisation(session, "Elsewhere Ltd", "GBP")
        create_admin(session, other.id, "admin@elsewhere.test", PASSWORD)
        org_id, other_id = org.id, other.id
    yield Store(engine, sessions, org_id, other_id)
    engine.dispose()


@dataclass
class LiveApp:
    base_url: str
    server: uvicorn.Server
    thread: threading.Thread

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=30)


def serve_app(engine: Engine) -> LiveApp:
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("127.0.0.1", 0))
    port = listener.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(create_app(engine), host="127.0.0.1", port=port, log_level="warning",
                                           lifespan="on"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [listener]}, daemon=True, name="web-app")
    thread.start()
    deadline = time.monotonic() + 15
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("the web app did not start")
        time.sleep(0.02)
    return LiveApp(f"http://127.0.0.1:{port}", server, thread)


@pytest.fixture
def live_app(store: Store) -> Iterator[LiveApp]:
    app = serve_app(store.engine)
    yield app
    app.stop()


@pytest.fixture
def sandbox() -> Iterator[RunningSandbox]:
    with start_xero_sandbox(SandboxConfig(rate_limits_enabled=False)) as running:
        yield running
