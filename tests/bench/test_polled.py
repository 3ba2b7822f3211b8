"""``ledgerbridge bench --package qbd``: a package that polls us, its program (the Web Connector simulator, in the
sandbox's process) updating continuously. A small run (100 invoices, a few seconds): every invoice seen, and the
round trips held to the fewest the message-size bound allows phase by phase. Only counts are asserted, never a time.
"""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy.orm import Session, sessionmaker

from ledgerbridge.bench.polled import Phase, minimum_round_trips
from ledgerbridge.bench.run import run_bench
from tests.qbd.test_connector_round_trips import with_invoices
from tests.qbd.world import open_world

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


def held(root: object) -> int:
    """Entries of every dict, list, set and tuple reachable from ``root`` through ledgerbridge's own objects: what
    a run keeps in memory (a sessionmaker, a lock or a module-level registry is not walked)."""
    seen: set[int] = set()
    count = 0
    todo: list[object] = [root]
    while todo:
        obj = todo.pop()
        if id(obj) in seen:
            continue
        seen.add(id(obj))
        if isinstance(obj, dict):
            count += len(obj)
            todo.extend(obj.keys())
            todo.extend(obj.values())
        elif isinstance(obj, (list, set, frozenset, tuple)):
            count += len(obj)
            todo.extend(obj)
        elif type(obj).__module__.startswith("ledgerbridge.") and hasattr(obj, "__dict__"):
            todo.append(vars(obj))
    return count


def test_what_the_connector_keeps_does_not_grow_with_the_documents(sessions: sessionmaker[Session],
                                                                     request: pytest.FixtureRequest) -> None:
    """Peak memory "not growing with N beyond the batch at work": after an upload of 10 more invoices and after
    one of 200 more (the same customers, items and chart), the QuickBooks Desktop connector holds as much. It used
    to keep QuickBooks' answer to every document it wrote, for a read-back that no longer reads them."""
    if "postgres" in request.node.name:
        pytest.skip("what the connector holds is the same on both stores: counted on SQLite")
    kept = []
    for count in (10, 200):
        with open_world(sessions, batch=with_invoices(count)) as world:
            connector = world.connector()
            report = world.exporter(connector).upload()
            assert report.seen == 29 + count
            kept.append(held(connector))
    # 190 more documents: not one entry more a document (a tenth of that allows for what a run's timing leaves,
    # an audit row not yet written, an error kept for the health figures)
    assert kept[1] - kept[0] < 19, kept
