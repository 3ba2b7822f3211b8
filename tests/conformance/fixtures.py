"""Fixtures shared by the conformance suite, the reconciliation and property suites and the package-specific suites
(``tests/sync``, ``tests/qbo``).

One sandbox per package per test session (started on first use), fresh books for every test; import the fixtures
into a conftest (``from conformance.fixtures import sandboxes``) and open a world with :func:`open_world`.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import ExitStack
from typing import Any

import pytest
from sqlalchemy.orm import Session, sessionmaker

from .harness import PackageHarness, PackageWorld
from .myob import MYOB
from .qbd import QBD
from .qbo import QBO
from .xero import XERO

#: Every package the conformance suite runs against, and the reconciliation (tests/reconcile) and property
#: (tests/property) suites with it. A new package joins with one harness here (see README.md); what those suites
#: need of it beyond the conformance suite: its spec's ``demo.package_user``, ``opened(batch=...)`` and, where its
#: user's refusals are not an API's 400, ``user_was_refused``.
HARNESSES: dict[str, PackageHarness] = {"xero": XERO, "qbo": QBO, "qbd": QBD, "myob": MYOB}


class SandboxPool:
    """Each package's sandbox, started the first time a test asks for it and stopped when the session ends."""

    def __init__(self, stack: ExitStack) -> None:
        self._stack = stack
        self._running: dict[str, Any] = {}

    def get(self, harness: PackageHarness) -> Any:
        if harness.kind not in self._running:
            self._running[harness.kind] = self._stack.enter_context(harness.start_sandbox())
        return self._running[harness.kind]


@pytest.fixture(scope="session")
def sandboxes() -> Iterator[SandboxPool]:
    with ExitStack() as stack:
        yield SandboxPool(stack)


def open_world(harness: PackageHarness, sessions: sessionmaker[Session],
               pool: SandboxPool) -> Iterator[PackageWorld]:
    """The body of a ``world`` fixture: connected on fresh books, contract-checked to the end."""
    with harness.opened(sessions, pool.get(harness)) as made:
        yield made
