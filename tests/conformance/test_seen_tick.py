"""The seen tick (R-E7): only after read-back with equal totals; a record marked by hand is never sent nor ticked."""

from __future__ import annotations

import pytest
from sqlalchemy import select, update

from ledgerbridge.store.db import session_scope
from ledgerbridge.store.models.host import Document
from ledgerbridge.store.models.sync import Connection, SyncStatus
from ledgerbridge.sync.exporter import Exporter, Progress
from ledgerbridge.sync.grids import exported
from ledgerbridge.sync.records import mark_exported_by_hand

from .harness import PackageHarness, PackageWorld
from .records import document_ids, document_records


def test_ticked_only_after_read_back_with_equal_totals(world: PackageWorld, package: PackageHarness) -> None:
    if package.read_back_is_the_write_answer:
        pytest.skip(package.read_back_is_the_write_answer)
    edited: list[str] = []

    def someone_edits_it_in_the_package(progress: Progress) -> None:
        # Between our write and our read-back, a user of the package changes INV-1001's total there.
        if progress.step.startswith("reading back") and not edited:
            world.edit_total("INV-1001")
            edited.append("INV-1001")

    connector = world.connector()
    exporter = Exporter(world.sessions, world.conn_id, connector, progress=someone_edits_it_in_the_package)
    report = exporter.upload(document_ids(world, ["INV-1001", "INV-1002"]))
    assert edited and (report.exported, report.seen) == (2, 1)
    records = document_records(world)
    assert records["INV-1002"].status == SyncStatus.SEEN.value and records["INV-1002"].seen_at is not None
    stale = records["INV-1001"]
    assert stale.status == SyncStatus.EXPORTED.value and stale.seen_at is None
    remote = world.remote_document("INV-1001")
    assert remote is not None and remote.total != stale.exported_total
    assert f"{connector.display_name} shows a total of {remote.total}" in (stale.last_error or "")
    assert "not ticked" in (stale.last_error or "")
    # Reading back again does not tick it either: the totals still differ.
    assert exporter.read_back() == 0
    assert document_records(world)["INV-1001"].status == SyncStatus.EXPORTED.value


def test_mark_as_exported_is_never_sent_nor_ticked(world: PackageWorld) -> None:
    with session_scope(world.sessions) as session:
        doc_id = session.scalar(select(Document.id).where(Document.number == "INV-1001"))
        assert mark_exported_by_hand(session, session.get_one(Connection, world.conn_id), [doc_id], "X-77") == 1
    report = Exporter(world.sessions, world.conn_id, world.connector()).upload()
    assert (report.exported, report.seen) == (28, 28)
    assert "INV-1001" not in world.remote_numbers()
    record = document_records(world)["INV-1001"]
    assert record.status == SyncStatus.EXPORTED.value and record.marked_by_hand and record.external_number == "X-77"
    with session_scope(world.sessions) as session:  # an edit afterwards is not sent either
        session.execute(update(Document).where(Document.id == doc_id).values(version=Document.version + 1))
    again = Exporter(world.sessions, world.conn_id, world.connector()).upload()
    assert (again.exported, again.updated) == (0, 0)
    assert "INV-1001" not in world.remote_numbers()
    with session_scope(world.sessions) as session:
        rows = exported(session, world.conn_id, limit=1000).rows
    assert [r for r in rows if r["number"] == "INV-1001"][0]["seen"] is False
