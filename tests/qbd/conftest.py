"""Fixtures of the QuickBooks Desktop tests (the Web Connector's: ``wc_fixtures.py``)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.qbd.cheap_hashing import cheap_argon2
from tests.qbd.wc_fixtures import now, served, soap, source, wc  # noqa: F401 (fixtures)


@pytest.fixture(autouse=True)
def _cheap_argon2() -> Iterator[None]:
    with cheap_argon2():
        yield
