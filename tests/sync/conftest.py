"""Xero-only end-to-end tests: the conformance suite's fixtures (``tests/conformance``) on Xero alone.

A migrated store (SQLite and PostgreSQL), the Xero sandbox on loopback (one per session, fresh books per test)
and an organisation connected to it through the real OAuth consent, every exchange checked against Xero's OpenAPI
contract. What every connector must do is tested in ``tests/conformance``; what is Xero's own stays here.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
from conformance.fixtures import SandboxPool, open_world, sandboxes  # noqa: F401 (sandboxes: a fixture)
from conformance.xero import XERO, XeroWorld
from pytest import fixture
from sqlalchemy.orm import Session, sessionmaker

World = XeroWorld


@fixture
def world(sessions: sessionmaker[Session], sandboxes: SandboxPool) -> Iterator[XeroWorld]:  # noqa: F811
    for made in open_world(XERO, sessions, sandboxes):
        assert isinstance(made, XeroWorld)
        yield made


def connect_world(sessions: sessionmaker[Session], base_url: str, transport: httpx.BaseTransport,
                  batch: dict[str, Any] | None = None) -> XeroWorld:
    """A world on a sandbox that some other process serves (the kill test's)."""
    made = XERO.connect(sessions, base_url, transport, batch)
    assert isinstance(made, XeroWorld)
    return made
