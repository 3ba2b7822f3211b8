"""``ledgerbridge bench --package qbd``: a package that polls us, its program (the Web Connector simulator, in the
sandbox's process) updating continuously. A small run (100 invoices, a few seconds): every invoice seen, and the
round trips held to the fewest the message-size bound allows phase by phase. Only counts are asserted, never a time.
"""

from __future__ import annotations

from typing import Any

import pytest

from ledgerbridge.bench.polled import Phase, minimum_round_trips
from ledgerbridge.bench.run import run_bench

INVOICES = 100


@pytest.fixture(scope="module")
def bench() -> dict[str, Any]:
    return run_bench(INVOICES, package="qbd")


def test_every_invoice_is_seen(bench: dict[str, Any]) -> None:
    assert bench["seen"] == INVOICES and bench["failed"] == 0


def test_the_round_trips_are_the_fewest_the_message_bound_allows(bench: dict[str, Any]) -> None:
    assert bench["round_trips"] <= 1.05 * bench["round_trips_minimum"], bench["phases"]
    # Customers, the item look-up, the item, the invoices, the read-back of what was written (the seen tick reads
    # QuickBooks' records after the writes, so an edit made there in between is not ticked): five phases, each under
    # the bound.
    assert bench["round_trips_minimum"] == len(bench["phases"]) == 5, bench["phases"]
    assert bench["request_bytes"] == sum(bench["phases"].values())


def test_the_minimum_counts_full_messages_phase_by_phase() -> None:
    bound = 1000
    assert minimum_round_trips([Phase("names", 10), Phase("documents", 2500)], bound) == 1 + 3
    assert minimum_round_trips([Phase("documents", 3000)], bound) == 3
    assert minimum_round_trips([Phase("read back", 0)], bound) == 0
