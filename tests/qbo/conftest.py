"""QuickBooks-Online-only end-to-end tests: the conformance suite's fixtures (``tests/conformance``) on QBO alone.

A migrated store (SQLite and PostgreSQL), the QBO sandbox on loopback (one per session, fresh books per test) and
an organisation connected to it through Intuit's consent flow, every exchange checked against Intuit's XSDs (zero
violations). What every connector must do is tested in ``tests/conformance``; what is QuickBooks' own stays here.
"""

from __future__ import annotations

from collections.abc import Iterator

from conformance.fixtures import SandboxPool, open_world, sandboxes  # noqa: F401 (sandboxes: a fixture)
from conformance.qbo import QBO, QboWorld
from pytest import fixture
from sqlalchemy.orm import Session, sessionmaker


@fixture
def world(sessions: sessionmaker[Session], sandboxes: SandboxPool) -> Iterator[QboWorld]:  # noqa: F811
    for made in open_world(QBO, sessions, sandboxes):
        assert isinstance(made, QboWorld)
        yield made
