"""The import of customers and suppliers (R-I4, issue 15) against every package's sandbox, through the connector
protocol (``ReadsParties``): each package's lists read to their end, the host's parties found again by code or by
name in each role, a party the host does not have created here with its binding, a second import changing nothing,
and the next upload creating no party in the package.

The package's books are made as ledgerbridge would find them on a new installation: the month is uploaded (every
party a document names goes out, in each role), one more customer is made there, and then the bindings here are
forgotten. SQLite only: what the stores add (the lock on the party records) is ``tests/sync/test_party_jobs.py``'s.
"""

from __future__ import annotations

import pytest
from sqlalchemy import delete, select

from ledgerbridge.connectors.protocol import PartyExport
from ledgerbridge.store.db import session_scope
from ledgerbridge.store.models.host import Party
from ledgerbridge.store.models.sync import Connection, RecordType, SyncRecord
from ledgerbridge.store.views import PartyView
from ledgerbridge.sync.export_plan import export_context
from ledgerbridge.sync.exporter import Exporter
from ledgerbridge.sync.party_import import import_parties

from .harness import PackageWorld

NEWCOMER = PartyView(id=0, host_id="-", code="Z900", name="Zephyr Holdings", is_customer=True, is_supplier=False,
                     email=None, tax_number=None, currency=None, payment_terms_days=None, addresses=[], version=1)
_ROLES = (RecordType.PARTY.value, RecordType.SUPPLIER.value)


def _bindings(world: PackageWorld) -> dict[tuple[str, str], str | None]:
    """(host code, record type) -> the package id bound."""
    with session_scope(world.sessions) as session:
        rows = session.execute(select(Party.code, SyncRecord.record_type, SyncRecord.external_id).join(
            SyncRecord, SyncRecord.record_id == Party.id).where(SyncRecord.connection_id == world.conn_id,
                                                                SyncRecord.record_type.in_(_ROLES))).all()
    return {(code, record_type): external_id for code, record_type, external_id in rows}


@pytest.mark.parametrize("engine", ["sqlite"], indirect=True)
def test_the_packages_parties_are_found_again_and_the_rest_imported(world: PackageWorld) -> None:
    connector = world.connector()
    Exporter(world.sessions, world.conn_id, connector).upload()
    sent = _bindings(world)
    with session_scope(world.sessions) as session:
        ctx = export_context(session, session.get_one(Connection, world.conn_id))
    (made,) = connector.export_parties([PartyExport(0, NEWCOMER, None, "newcomer-1")], ctx, "newcomer")
    assert made.ok, made.message
    in_package = world.remote_parties()
    with session_scope(world.sessions) as session:  # a new installation: nothing bound here
        session.execute(delete(SyncRecord).where(SyncRecord.connection_id == world.conn_id,
                                                 SyncRecord.record_type.in_(_ROLES)))

    done = import_parties(world.sessions, world.conn_id, world.connector(), actor="test")

    assert done["left"] == [] and done["skipped"] == 0
    assert done["matched_by_code"] + done["matched_by_name"] == len(sent)
    # every list read to its end, each record once (the company's own: QuickBooks Desktop's tax agency, a vendor)
    assert done["read"] == len(in_package) + len(getattr(world, "seed_parties", ()))
    found = _bindings(world)
    assert {key: ext for key, ext in found.items() if key in sent} == sent
    with session_scope(world.sessions) as session:
        newcomer = session.scalars(select(Party).where(Party.name == NEWCOMER.name)).one()
        # its code where the package keeps one for a customer (QuickBooks Online's customers have none)
        assert newcomer.code in (NEWCOMER.code, "") and newcomer.is_customer
        assert newcomer.host_id.startswith(f"imported:{world.harness.kind}:")
        assert found[(newcomer.code, RecordType.PARTY.value)] == made.external_id
    assert done["created"] == len(found) - len(sent)  # the newcomer, and what else the package's company holds

    again = import_parties(world.sessions, world.conn_id, world.connector(), actor="test")
    assert (again["already_bound"], again["created"], again["matched_by_code"], again["matched_by_name"]) == (
        done["read"], 0, 0, 0)
    assert _bindings(world) == found
    Exporter(world.sessions, world.conn_id, world.connector()).upload()
    assert world.remote_parties() == in_package  # nothing sent twice
