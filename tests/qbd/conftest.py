"""Fixtures of the QuickBooks Desktop tests (the Web Connector's: ``wc_fixtures.py``)."""

from __future__ import annotations

from tests.qbd.wc_fixtures import now, served, soap, source, wc  # noqa: F401 (fixtures)
