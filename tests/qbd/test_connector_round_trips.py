"""What an upload costs in Web Connector round trips (each a ``sendRequestXML`` and a ``receiveResponseXML``, the
unit a QuickBooks Desktop session is paced by), with the seen tick after a read-back (the connector's default) and
taken from QuickBooks' answers to the Adds (``read_back_from_answers``). Run with ``-s`` to see the figures."""

from __future__ import annotations

import re
from copy import deepcopy
from datetime import date, timedelta
from typing import Any

import pytest
from sqlalchemy.orm import Session, sessionmaker

from ledgerbridge.demo.data import demo_batch
from ledgerbridge.packages.qbd.connector import QbdConnector
from ledgerbridge.sync import export_plan

from .world import open_world


def with_invoices(count: int) -> dict[str, Any]:
    """The demo's month and ``count`` more invoices like INV-1001, for its customers in turn."""
    batch = demo_batch()
    template = next(d for d in batch["documents"] if d["number"] == "INV-1001")
    customers = [p["host_id"] for p in batch["parties"] if p["is_customer"]]
    for n in range(count):
        doc = deepcopy(template)
        doc.update(host_id=f"B-{n}", number=f"B-{n:05d}", party_host_id=customers[n % len(customers)],
                   issue_date=(date(2026, 10, 1) + timedelta(days=n % 28)).isoformat())
        batch["documents"].append(doc)
    return batch


@pytest.mark.parametrize("count", [10, 200])
@pytest.mark.parametrize("from_answers", [True, False])
def test_round_trips_of_an_upload(sessions: sessionmaker[Session], count: int, from_answers: bool,
                                  request: pytest.FixtureRequest) -> None:
    if "postgres" in request.node.name:
        pytest.skip("the figures are the same on both stores: measured on SQLite")
    with open_world(sessions, batch=with_invoices(count)) as world:
        start = world.pump.counts()
        report = world.exporter(world.connector(read_back_from_answers=from_answers)).upload()
        trips, requests = (a - b for a, b in zip(world.pump.counts(), start, strict=True))
        sent = 29 + count
        assert (report.exported, report.seen) == (sent, sent)
        print(f"\n{sent} documents ({count} extra invoices), seen tick from answers={from_answers}: "
              f"{trips} round trips, {requests} requests; {dict(world.pump.request_kinds)}")
        # parties 3 (one more for the name a customer's supplier role finds taken), the items sales lines name 2,
        # the documents in batches of 50 of one type (exchanges queued together packed into one message), and the
        # read-back, if any
        batches = -(-(count + 22) // 50) + 2  # invoices, then the credit notes' and the bills' own
        read_back = sum("<InvoiceQueryRq" in m for m in world.pump.messages)
        assert trips <= 5 + batches + read_back, trips
        # up to max_ids_per_read (500) records the tick comes by TxnID: from QuickBooks' answers to the Adds, or one
        # exchange; beyond, the exporter pages through what changed since the upload began
        assert read_back == (0 if from_answers and sent <= QbdConnector.max_ids_per_read else 1)


def test_every_party_the_upload_names_goes_before_its_first_document(sessions: sessionmaker[Session],
                                                                      monkeypatch: pytest.MonkeyPatch,
                                                                      request: pytest.FixtureRequest) -> None:
    """Chunks of 10 documents (the bench's are 1,000): the parties a later chunk names first are exported with
    the rest before any document (``max_dependency_batch``), not in an exchange of their own between two chunks."""
    if "postgres" in request.node.name:
        pytest.skip("the order of exchanges is the exporter's, not the store's: checked on SQLite")
    monkeypatch.setattr(export_plan, "CHUNK_SIZE", 10)
    with open_world(sessions, batch=with_invoices(40)) as world:
        connector = world.connector()
        connector.max_batch, connector.calls_in_flight = 5, 1  # chunks of 10 (``export_plan.prepared_chunks``)
        report = world.exporter(connector).upload()
        assert report.exported == 29 + 40
        kinds = [("party" if re.search(r"<(Customer|Vendor)AddRq", m) else "document")
                 for m in world.pump.messages if re.search(r"<(Customer|Vendor|Invoice|CreditMemo|Bill)AddRq", m)]
        assert kinds.index("document") > 0
        assert "party" not in kinds[kinds.index("document"):], kinds
