"""``bench-scale limits --package myob``, small (``ledgerbridge bench --package myob`` counts the same calls).

MYOB has no batch, so the minimum is one call a document (and a card), plus a read-back page of 1,000; with MYOB's
8 calls a second per API key enforced by its sandbox on the bench's accelerated clock, not one call is refused.
Only counts are asserted, never a time (the simulated seconds are the benchmark's to print)."""

from __future__ import annotations

from typing import Any

import pytest

from ledgerbridge.bench.run import minimum_calls
from ledgerbridge.bench.scale import run_limits
from ledgerbridge.packages.registry import spec_for

INVOICES = 100


def test_the_minimum_is_one_call_a_record_and_a_page_of_read_back() -> None:
    assert minimum_calls(spec_for("myob"), 200, 10_000) == 200 + 10_000 + 10


@pytest.fixture(scope="module")
def limited() -> dict[str, Any]:
    return run_limits(INVOICES, scale=4.0, spec=spec_for("myob"))


def test_with_myobs_limits_on_not_one_call_is_refused(limited: dict[str, Any]) -> None:
    assert limited["exported"] == limited["seen"] == INVOICES and limited["failed"] == 0
    assert limited["refused_for_limits"] == 0
    assert limited["api_calls_minimum"] == minimum_calls(spec_for("myob"), INVOICES, INVOICES)


def test_the_calls_are_at_most_five_percent_over_the_minimum(limited: dict[str, Any]) -> None:
    """The new cards' names are looked up many a query: MYOB's connector takes 100 parties a call
    (``max_dependency_batch``), exported ahead of the first invoice where a document that passes pre-check names them
    (``sync.parties_ahead``). One call a card and one a document, plus 4 look-ups and the read-back's page: 205 / 201
    (a look-up a card: 301)."""
    assert limited["api_calls"] <= 1.05 * limited["api_calls_minimum"]
