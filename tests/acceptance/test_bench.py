"""``ledgerbridge bench`` counts calls honestly for each package: a small run, its calls against the minimum.

Only counts are asserted here; the speed is the benchmark's to print (docs/benchmarks.md), never a test's.
"""

from __future__ import annotations

import pytest

from ledgerbridge.bench.run import minimum_calls, run_bench
from ledgerbridge.packages.registry import spec_for


def test_minimum_follows_each_packages_batch_limit() -> None:
    # Xero: 50 elements a write; QuickBooks: 30 operations a batch, plus the one query for the sales items.
    assert minimum_calls(spec_for("xero"), 200, 10_000) == 4 + 200 + 10
    assert minimum_calls(spec_for("qbo"), 200, 10_000) == 7 + 334 + 10 + 1


@pytest.mark.parametrize("package", ["xero", "qbo"])
def test_small_bench_spends_at_most_five_percent_over_the_minimum(package: str) -> None:
    result = run_bench(150, package=package)
    assert result["package"] == package
    assert result["exported"] == 150 and result["failed"] == 0 and result["seen"] == 150
    assert result["api_calls_minimum"] == minimum_calls(spec_for(package), 150, 150)
    assert result["api_calls"] <= 1.05 * result["api_calls_minimum"], result["api_calls_by_endpoint"]


def test_the_import_of_parties_reads_each_page_once() -> None:
    """``ledgerbridge bench-parties``: 2,001 contacts are three pages of Xero's list (1,000, 1,000, 1), no more; a
    tenth of them bound, the rest created (the seconds are the figure to read, never a test)."""
    from ledgerbridge.bench.parties import run_bench as run_party_bench

    result = run_party_bench(2001, "xero")
    assert (result["api_calls"], result["api_calls_minimum"]) == (3, 3)
    assert (result["read"], result["matched_by_code"], result["matched_by_name"], result["created"]) == (
        2001, 100, 100, 1801)
