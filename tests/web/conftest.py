"""Web-app fixtures: a migrated SQLite store with the demo company's month, users of each role,
the app served by uvicorn on a loopback port (real HTTP, its worker running), and a Xero sandbox."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from dbfixtures import make_sqlite_engine
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from ledgerbridge.api.app import create_app
from ledgerbridge.demo.data import demo_batch
from ledgerbridge.intake.apply import apply_batch
from ledgerbridge.intake.schemas import Batch
from ledgerbridge.packages.xero.sandbox import RunningSandbox, SandboxConfig, start_xero_sandbox
from ledgerbridge.store.db import make_session_factory, session_scope
from ledgerbridge.store.organisations import create_organisation
from ledgerbridge.web.auth import create_admin, create_user
from ledgerbridge.web.serving import ServedApp, serve_in_thread

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


LiveApp = ServedApp


def serve_app(engine: Engine) -> LiveApp:
    """The app on a loopback port, its worker running (uploads and imports are jobs it runs)."""
    return serve_in_thread(create_app(engine))


@pytest.fixture
def live_app(store: Store) -> Iterator[LiveApp]:
    app = serve_app(store.engine)
    yield app
    app.stop()


@pytest.fixture
def sandbox() -> Iterator[RunningSandbox]:
    with start_xero_sandbox(SandboxConfig(rate_limits_enabled=False)) as running:
        yield running
