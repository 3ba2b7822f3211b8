"""The conformance suite runs every test once per package (``package``) and per store (``engine``)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy.orm import Session, sessionmaker

from .fixtures import HARNESSES, SandboxPool, open_world, sandboxes  # noqa: F401 (sandboxes: a fixture)
from .harness import PackageHarness, PackageWorld


@pytest.fixture(params=sorted(HARNESSES))
def package(request: pytest.FixtureRequest) -> PackageHarness:
    return HARNESSES[request.param]


@pytest.fixture
def world(sessions: sessionmaker[Session], sandboxes: SandboxPool,  # noqa: F811
          package: PackageHarness) -> Iterator[PackageWorld]:
    yield from open_world(package, sessions, sandboxes)
