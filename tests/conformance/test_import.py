"""Payments made in the package come back: fetched from a cursor that resumes where the last import stopped,
created here and allocated, never twice; a payment deleted there is reversed here."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from decimal import Decimal

from sqlalchemy import func, select

from ledgerbridge.connectors.protocol import RemotePayment
from ledgerbridge.store.db import session_scope
from ledgerbridge.store.models.host import Allocation, Document, Payment
from ledgerbridge.store.models.sync import ImportStatus, PackagePayment, SyncCursor
from ledgerbridge.sync.exporter import Exporter
from ledgerbridge.sync.importer import PaymentImporter
from ledgerbridge.sync.incremental import DEFAULT_LOOKBACK

from .harness import PackageWorld


def _allocated(world: PackageWorld) -> dict[str, Decimal]:
    """Allocations made by payments that came from the package (the demo's own prepayment PP-1 goes out from here
    and is allocated by the upload: not what these tests import)."""
    with session_scope(world.sessions) as session:
        return dict(session.execute(select(Document.number, Allocation.amount).join(Allocation)
                                    .join(Payment, Payment.id == Allocation.payment_id)
                                    .where(Payment.origin == "package")).all())


def _imported(world: PackageWorld) -> int:
    with session_scope(world.sessions) as session:
        return session.scalar(select(func.count(Payment.id)).where(Payment.origin == "package")) or 0


def test_payments_are_imported_allocated_and_never_duplicated(world: PackageWorld) -> None:
    Exporter(world.sessions, world.conn_id, world.connector()).upload()
    full, part, bill = (world.remote_document(n) for n in ("INV-1001", "INV-1002", "SUP-881"))
    assert full is not None and part is not None and bill is not None
    half = (part.total / 2).quantize(Decimal("0.01"))
    world.record_payment("INV-1001", full.total)
    world.record_payment("INV-1002", half)
    world.record_payment("SUP-881", bill.total)  # a supplier payment: money out
    paid = world.remote_document("INV-1001")
    assert paid is not None and paid.state == "paid"

    importer = PaymentImporter(world.sessions, world.conn_id, world.connector())
    report = importer.fetch()
    assert report.new == 3
    importer.create_and_allocate(report=report)
    assert (report.created, report.allocated, report.failed) == (3, 3, 0)
    assert _allocated(world) == {"INV-1001": full.total, "INV-1002": half, "SUP-881": bill.total}
    with session_scope(world.sessions) as session:
        assert set(session.scalars(select(PackagePayment.status))) == {ImportStatus.CREATED_AND_ALLOCATED.value}
        assert sorted(session.scalars(select(PackagePayment.direction))) == ["in", "in", "out"]
        assert session.scalar(select(SyncCursor.bookmark)) is not None

    # Importing again (the look-back re-reads the same payments) never duplicates.
    again = importer.fetch()
    importer.create_and_allocate(report=again)
    assert (again.new, again.created) == (0, 0)
    assert _imported(world) == 3


def _asking_since(world: PackageWorld, asked: list[datetime | None]) -> PaymentImporter:
    """An importer whose connector notes the ``since`` each fetch asks the package with (then asks it)."""
    connector = world.connector()
    fetch = connector.fetch_payments

    def noting(since: datetime | None) -> Iterator[RemotePayment]:
        asked.append(since)
        return fetch(since)

    connector.fetch_payments = noting  # type: ignore[method-assign]
    return PaymentImporter(world.sessions, world.conn_id, connector)


def test_a_later_import_resumes_from_its_cursor_and_fetches_only_the_new_payment(world: PackageWorld) -> None:
    Exporter(world.sessions, world.conn_id, world.connector()).upload()
    world.record_payment("INV-1003", Decimal("10.00"))
    asked: list[datetime | None] = []
    importer = _asking_since(world, asked)
    first = importer.create_and_allocate(report=importer.fetch())
    # What the package returns includes the demo's prepayment that went out from here (read back, skipped).
    assert (first.fetched - first.skipped_ours, first.new, first.created) == (1, 1, 1)
    with session_scope(world.sessions) as session:
        bookmark = session.scalar(select(SyncCursor.bookmark))
    assert bookmark is not None and asked == [None]  # the first run reads everything

    world.record_payment("INV-1004", Decimal("20.00"))
    later = _asking_since(world, asked)  # a new run, as tomorrow's would be
    second = later.create_and_allocate(report=later.fetch())
    # It asks the package from its bookmark (less the look-back that re-reads the last minutes)...
    assert asked[1] is not None and asked[1].replace(tzinfo=None) == bookmark.replace(tzinfo=None) - DEFAULT_LOOKBACK
    # ...and creates only the new payment: the one re-read inside the look-back is known already.
    assert (second.new, second.created, second.failed) == (1, 1, 0) and second.fetched - second.skipped_ours <= 2
    assert _allocated(world) == {"INV-1003": Decimal("10.00"), "INV-1004": Decimal("20.00")}
    assert _imported(world) == 2
    with session_scope(world.sessions) as session:
        moved = session.scalar(select(SyncCursor.bookmark))
    assert moved is not None and moved >= bookmark


def test_payment_deleted_in_the_package_is_reversed_here(world: PackageWorld) -> None:
    connector = world.connector()
    Exporter(world.sessions, world.conn_id, connector).upload()
    payment_id = world.record_payment("INV-1005", Decimal("5.00"))
    importer = PaymentImporter(world.sessions, world.conn_id, world.connector())
    importer.create_and_allocate(report=importer.fetch())
    world.delete_payment(payment_id)
    report = importer.fetch()
    assert (report.deleted_in_package, report.reversed) == (1, 1)
    with session_scope(world.sessions) as session:
        reversed_payment = session.scalar(select(Payment).where(Payment.origin == "package"))
        assert reversed_payment is not None and reversed_payment.reversed_at is not None
        assert f"deleted in {connector.display_name}" in (reversed_payment.reversed_reason or "")
