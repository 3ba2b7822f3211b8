"""Numbering (R-N1) on every package: the numbers of the documents the package holds are read through the
connector protocol (``remote_documents_since`` from the beginning), remembered, and never handed out here."""

from __future__ import annotations

from sqlalchemy import select

from ledgerbridge.numbering.allocate import reserve_block
from ledgerbridge.numbering.held import learn_package_numbers
from ledgerbridge.numbering.sequences import set_numbering
from ledgerbridge.store.db import session_scope, write_locked_scope
from ledgerbridge.store.models.numbering import NumberGap, PackageNumber
from ledgerbridge.store.models.sync import Connection
from ledgerbridge.sync.exporter import Exporter

from .harness import PackageWorld
from .records import document_ids


def test_the_packages_invoice_numbers_are_learned_and_skipped(world: PackageWorld) -> None:
    Exporter(world.sessions, world.conn_id, world.connector()).upload(
        document_ids(world, ["INV-1004", "INV-1005"]))
    in_package = set(world.remote_numbers("sales_invoice"))
    assert in_package == {"INV-1004", "INV-1005"}
    learned = learn_package_numbers(world.sessions, world.conn_id, world.connector(), ["sales_invoice"])
    assert learned == {"sales_invoice": 2}
    with session_scope(world.sessions) as session:
        org_id = session.get_one(Connection, world.conn_id).organisation_id
        assert set(session.scalars(select(PackageNumber.number).where(PackageNumber.source == "package_read"))) \
            == in_package
    assert learn_package_numbers(world.sessions, world.conn_id, world.connector(), ["sales_invoice"]) == \
        {"sales_invoice": 0}  # known already: nothing new
    with write_locked_scope(world.sessions) as session:
        set_numbering(session, org_id, "sales_invoice", prefix="INV-", next_number=1004)
        block = reserve_block(session, org_id, "sales_invoice", "tablet-1")
    # The package's two, and the host's other invoices of the month (INV-1006 to INV-1020, theirs once sent).
    assert block.skipped_held_by_package == [f"INV-{n}" for n in range(1004, 1021)] and block.numbers[0] == "INV-1021"
    with session_scope(world.sessions) as session:
        (detail,) = session.scalars(select(NumberGap.detail))
    assert detail is not None and detail.startswith(
        "already held: INV-1004 (in the package), INV-1005 (in the package), INV-1006 (on a document here)")
