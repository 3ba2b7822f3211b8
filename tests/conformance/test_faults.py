"""Faults every connector survives: an answer lost after the package committed (retried with the same key, or
found by lookup once retries are spent), rate limits (429 with Retry-After) and outages (5xx)."""

from __future__ import annotations

from sqlalchemy import select

from ledgerbridge.store.db import session_scope
from ledgerbridge.store.models.host import Party
from ledgerbridge.store.models.sync import Connection, RecordType, SyncRecord, SyncStatus
from ledgerbridge.sync.dependencies import PARTIES, SUPPLIERS, DependencyExporter
from ledgerbridge.sync.export_plan import export_context
from ledgerbridge.sync.exporter import Exporter
from ledgerbridge.sync.grids import error_feedback
from ledgerbridge.sync.records import refresh_sync_records

from .harness import PackageHarness, PackageWorld, hurried_clock
from .records import UNMAPPED, document_ids, document_records


def _one_copy_of_each(world: PackageWorld) -> None:
    numbers = world.remote_numbers()
    assert len(numbers) == 29 and max(numbers.values()) == 1, numbers


def test_answer_lost_after_commit_is_retried_without_a_second_copy(world: PackageWorld,
                                                                   package: PackageHarness) -> None:
    world.arm_fault(drop_response_after_commit=3)  # the next three writes commit but their answers are lost
    report = Exporter(world.sessions, world.conn_id, world.connector()).upload()
    assert world.faults()["drop_response_after_commit"] == 0  # the fault really happened
    exported, parties = report.exported, report.parties_exported
    if package.lost_writes_wait_for_next_run:
        # Left in doubt, not sent again (see the harness's reason): the next run looks them up and binds them.
        assert report.failed > 1
        again = Exporter(world.sessions, world.conn_id, world.connector()).upload()
        exported, parties, report = exported + again.exported + again.recovered, parties + again.parties_exported, again
    assert (exported, report.failed) == (29, 1)
    _one_copy_of_each(world)
    if package.lost_writes_wait_for_next_run:  # the lost cards were looked up and bound, not counted as exported
        with session_scope(world.sessions) as session:
            parties = len(set(session.scalars(select(SyncRecord.external_id).where(
                SyncRecord.connection_id == world.conn_id, SyncRecord.external_id.is_not(None),
                SyncRecord.record_type.in_([RecordType.PARTY, RecordType.SUPPLIER])))))
    assert len(world.remote_parties()) == parties


def _export_all_parties(world: PackageWorld) -> None:
    with session_scope(world.sessions) as session:
        conn = session.get_one(Connection, world.conn_id)
        refresh_sync_records(session, conn)
        ctx = export_context(session, conn)
        party_ids = list(session.scalars(select(Party.id)))
        both = list(session.scalars(select(Party.id).where(Party.is_customer.is_(True), Party.is_supplier.is_(True))))
    connector = world.connector()
    bound = DependencyExporter(world.sessions, world.conn_id, connector, ctx, PARTIES).ensure_exported(party_ids)
    if connector.separate_party_roles:  # a party in both roles has a supplier record of its own there (QBO's Vendor)
        bound |= {-pid: b for pid, b in DependencyExporter(world.sessions, world.conn_id, connector, ctx,
                                                           SUPPLIERS).ensure_exported(both).items()}
    assert all(b.external_id for b in bound.values())


def test_answers_lost_with_retries_spent_are_found_by_lookup_next_run(world: PackageWorld,
                                                                      package: PackageHarness) -> None:
    _export_all_parties(world)
    # every document write commits in the package but no answer arrives, and the one attempt is spent
    world.arm_fault(drop_response_after_commit=500)
    lost = Exporter(world.sessions, world.conn_id, world.connector(max_attempts=1)).upload()
    assert lost.exported == 0 and lost.failed == 30  # 29 unanswered, and the unmapped INV-1103
    world.clear_faults()
    again = Exporter(world.sessions, world.conn_id, world.connector()).upload()
    # found in the package (or handed back by its error recovery) and bound, never created twice
    came_back = again.recovered if package.lost_writes_return_as == "recovered" else again.exported
    assert came_back == 29 and again.recovered + again.exported == 29
    _one_copy_of_each(world)
    assert all(r.status == SyncStatus.SEEN.value for n, r in document_records(world).items() if n != UNMAPPED)


def test_rate_limits_and_outages_are_waited_out_not_shown(world: PackageWorld) -> None:
    clock = hurried_clock()  # one for the test's connectors: their budget's windows stay in one time
    world.arm_fault(rate_limit_storm=2)  # two 429s with Retry-After: 1 (waited on the hurried clock)
    first = Exporter(world.sessions, world.conn_id, world.connector(clock=clock)).upload(
        document_ids(world, ["INV-1001", "INV-1002"]))
    assert world.faults()["rate_limit_storm"] == 0
    assert (first.exported, first.failed, first.seen) == (2, 0, 2)
    with session_scope(world.sessions) as session:
        assert error_feedback(session, world.conn_id).total == 0  # nothing shown as an error
    world.arm_fault(fail_with_status=503, count=2)
    second = Exporter(world.sessions, world.conn_id, world.connector(clock=clock)).upload()
    assert world.faults()["fail_count"] == 0
    assert (second.exported, second.failed) == (27, 1)  # the one failure is INV-1103's unmapped nominal
    with session_scope(world.sessions) as session:
        assert [e["source"] for e in error_feedback(session, world.conn_id).rows] == ["precheck"]
    _one_copy_of_each(world)


def test_retries_spent_show_in_error_feedback_and_the_next_run_recovers(world: PackageWorld) -> None:
    world.arm_fault(fail_with_status=503, count=100)
    clock = hurried_clock()  # the back-off after each 503, waited in simulated time
    report = Exporter(world.sessions, world.conn_id, world.connector(max_attempts=2, clock=clock)).upload()
    assert report.exported == 0
    with session_scope(world.sessions) as session:
        rows = error_feedback(session, world.conn_id, limit=100).rows
    assert rows and all(r["failure_type"] in ("retriable", "config") for r in rows)
    assert any(r["failure_type"] == "retriable" for r in rows)
    world.clear_faults()
    again = Exporter(world.sessions, world.conn_id, world.connector(clock=clock)).upload()
    assert (again.exported, again.failed) == (29, 1)
    _one_copy_of_each(world)
