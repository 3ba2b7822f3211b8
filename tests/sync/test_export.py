"""Export to Xero, what is Xero's own: contact numbers, items' sales accounts, posting detail and reference.

Create, update, void, pre-check, the seen tick and Mark as Exported are the conformance suite's
(``tests/conformance``), run against Xero and every other connector.
"""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import select

from ledgerbridge.domain.accounting_settings import ConnectionSettings
from ledgerbridge.store.db import session_scope
from ledgerbridge.store.models.host import Document
from ledgerbridge.store.models.sync import Connection
from ledgerbridge.sync.exporter import Exporter

from .conftest import World


def _ids(world: World, numbers: list[str]) -> list[int]:
    with session_scope(world.sessions) as session:
        return list(session.scalars(select(Document.id).where(Document.number.in_(numbers))))


def _invoice(world: World, number: str) -> dict:
    """By InvoiceID, as Xero's contract has it (Xero also takes a number there, but the spec says a UUID)."""
    found = world.remote_document(number)
    assert found is not None, number
    return world.xero_get(f"/Invoices/{found.external_id}")["Invoices"][0]  # type: ignore[no-any-return]


def _settings(world: World, **changes: object) -> None:
    with session_scope(world.sessions) as session:
        conn = session.get_one(Connection, world.conn_id)
        conn.settings = ConnectionSettings.from_json(conn.settings | changes).merged_into(conn.settings)


def test_contacts_carry_the_host_code_and_items_the_mapped_sales_account(world: World) -> None:
    _settings(world, item_sync=True, push_lines_as_items=True)
    Exporter(world.sessions, world.conn_id, world.connector()).upload(_ids(world, ["INV-1003", "SUP-882"]))
    # Xero's ContactNumber is the host's code: a customer and a supplier of the same name stay told apart.
    names = {c["ContactNumber"]: c["Name"] for c in world.xero_get("/Contacts", page=1)["Contacts"]}
    assert names == {"C002": "Bramley Florists", "S003": "Bramley Florists (S003)"}
    items = {i["Code"]: i for i in world.xero_get("/Items")["Items"]}
    assert items["OAK-SHELF"]["SalesDetails"]["AccountCode"] == "200"  # host nominal 4000 -> Xero 200
    line = _invoice(world, "INV-1003")["LineItems"][0]
    assert line["ItemCode"] == "OAK-SHELF"


def test_posting_detail_one_line_per_nominal_and_tax_code(world: World) -> None:
    _settings(world, push_individual_lines=False, reference_field="customer_po")
    with session_scope(world.sessions) as session:
        docs = session.scalars(select(Document).where(Document.type == "sales_invoice")).all()
        doc = next(d for d in docs if len({(ln.nominal_code, ln.tax_code) for ln in d.lines}) < len(d.lines))
        doc.customer_po = "PO-778"
        doc.version += 1
        number, groups = doc.number, {(ln.nominal_code, ln.tax_code) for ln in doc.lines}
        total, line_count = doc.gross_total, len(doc.lines)
    Exporter(world.sessions, world.conn_id, world.connector()).upload(_ids(world, [number]))
    invoice = _invoice(world, number)
    assert invoice["Reference"] == "PO-778"  # R-E13
    assert len(invoice["LineItems"]) == len(groups) < line_count
    assert Decimal(str(invoice["Total"])) == total
