"""Export to QuickBooks Desktop through the real engine (``Exporter``, ``refresh_chart``), the mailbox and the
sandbox company, on both stores: the chart, customers and vendors in one name space (3100 adopted or the clash
name), items, invoices, credit memos and bills created, updated (a stale EditSequence read again) and voided,
pre-check, and what a run costs in round trips. ``tests/qbd/pump.py`` plays the Web Connector and checks every
message and answer against the qbXML schema."""

from __future__ import annotations

from decimal import Decimal

from lxml import etree
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from ledgerbridge.intake.apply import void_document
from ledgerbridge.packages.qbd.mapper import COUNTRY_SETTING
from ledgerbridge.packages.qbd.sandbox.user_actions import add_line
from ledgerbridge.store.db import session_scope
from ledgerbridge.store.models.host import Document, DocumentLine, Item, Party
from ledgerbridge.store.models.sync import (
    AuditEvent,
    ChartEntry,
    Connection,
    RecordType,
    SyncError,
    SyncRecord,
    SyncStatus,
)
from ledgerbridge.store.views import ItemView

from .world import QbdWorld, open_world

UNMAPPED = "INV-1103"


def records(world: QbdWorld, record_type: RecordType = RecordType.DOCUMENT) -> dict[str, SyncRecord]:
    """Sync records by document number (or party code)."""
    model, key = (Document, Document.number) if record_type is RecordType.DOCUMENT else (Party, Party.code)
    with session_scope(world.sessions) as session:
        return {k: r for k, r in session.execute(select(key, SyncRecord).join(
            SyncRecord, SyncRecord.record_id == model.id).where(
            SyncRecord.connection_id == world.conn_id, SyncRecord.record_type == record_type.value))}


def edit_first_line(world: QbdWorld, number: str, text: str) -> None:
    with session_scope(world.sessions) as session:
        doc = session.scalars(select(Document).where(Document.number == number)).one()
        line = session.scalars(select(DocumentLine).where(DocumentLine.document_id == doc.id,
                                                          DocumentLine.line_no == 1)).one()
        line.description = text
        doc.version += 1


def test_the_chart_is_read_in_one_round_trip(sessions: sessionmaker[Session]) -> None:
    with open_world(sessions, map_codes=False) as world:
        assert world.pump.counts()[0] == 1
        with session_scope(sessions) as session:
            entries = {(e.kind, e.code): e for e in session.scalars(select(ChartEntry))}
            conn = session.get_one(Connection, world.conn_id)
            assert conn.settings[COUNTRY_SETTING] == "UK"  # from HostRet: the mapper's tax rules follow it
            assert conn.settings["base_currency"] == "GBP"
        assert entries[("account", "4000")].name == "Sales"
        assert entries[("account", "1000")].usable_for == ["bank"]
        assert (entries[("tax_rate", "S")].rate, entries[("tax_rate", "R")].rate) == (20, 5)
        assert entries[("tax_rate", "O")].usable_for == []  # outside the scope: the rounding line's code
        assert ("currency", "GBP") in entries
        connector = world.connector()
        connector.fetch_chart()
        assert {t.name for t in connector.terms} >= {"Net 30"} and connector.payment_methods
        assert connector.tax_rounding == "line"


def test_a_us_company_charges_sales_tax_on_the_subtotal(sessions: sessionmaker[Session]) -> None:
    with open_world(sessions, flavour="US", map_codes=False) as world:
        with session_scope(sessions) as session:
            conn = session.get_one(Connection, world.conn_id)
            rates = {e.code: e.rate for e in session.scalars(select(ChartEntry).where(ChartEntry.kind == "tax_rate"))}
            assert (conn.settings[COUNTRY_SETTING], conn.settings["base_currency"]) == ("US", "USD")
        assert rates == {"Tax": Decimal("7.25"), "Non": 0}  # the default sales tax item's rate on "Tax"
        assert world.connector().tax_rounding == "total"


def test_an_upload_creates_each_document_once_and_ticks_it_after_read_back(sessions: sessionmaker[Session]) -> None:
    with open_world(sessions) as world:
        before = world.pump.counts()[0]
        report = world.exporter().upload()
        assert (report.exported, report.failed, report.seen) == (29, 1, 29)
        assert report.problems[0]["document"] == UNMAPPED and "4090" in report.problems[0]["message"]
        numbers = [t.ref_number for t in world.txns("Invoice", "CreditMemo", "Bill")]
        assert len(numbers) == len(set(numbers)) == 29
        docs = records(world)
        assert {n for n, r in docs.items() if r.status == SyncStatus.SEEN.value} == set(docs) - {UNMAPPED}
        with session_scope(sessions) as session:
            totals = dict(session.execute(select(Document.number, Document.gross_total)).all())
        for txn in world.txns("Invoice", "CreditMemo", "Bill"):
            assert txn.total == totals[str(txn.ref_number)], txn.ref_number  # UK VAT per line, to the penny
            assert docs[str(txn.ref_number)].external_id == txn.txn_id
            assert txn.external_guid  # every Add carries the GUID of its attempt key
        # a customer that also sent a bill is a Customer and a Vendor; a supplier named like a customer takes
        # the clash name; both told apart by their code
        assert "Dunmore Joinery" in world.names("Customer")
        assert {"Dunmore Joinery (C004)", "Bramley Florists (S003)"} <= set(world.names("Vendor"))
        assert records(world, RecordType.PARTY)["S003"].external_name == "Bramley Florists (S003)"
        # sales lines name the item of their income account, made once per account
        assert {"Sales to 4000", "Sales to 4100"} <= set(world.names("ItemService"))
        # the seen tick after one read-back exchange (every kind by TxnID)
        read_back = [m for m in world.pump.messages if "<InvoiceQueryRq" in m]
        assert len(read_back) == 1 and "<BillQueryRq" in read_back[0] and "<CreditMemoQueryRq" in read_back[0]
        trips = world.pump.counts()[0] - before
        assert trips <= 9, trips  # parties (3), items (2), one per document type (3), the read-back
        again = world.exporter().upload()
        assert (again.exported, again.updated, again.parties_exported) == (0, 0, 0)


def test_every_exchange_leaves_an_audit_row(sessions: sessionmaker[Session]) -> None:
    with open_world(sessions) as world:
        connector = world.connector()
        world.exporter(connector).upload()
        world.close()  # the connectors write what is left of their buffers
        with session_scope(sessions) as session:
            rows = session.scalars(select(AuditEvent).where(AuditEvent.action.startswith("QuickBooks Desktop"))).all()
            writes = [r for r in rows if r.action.endswith("write")]
            assert len(rows) == sum(c.calls.exchanges for c in world.opened)  # one per exchange
            assert world.pump.counts()[0] <= len(rows)  # (exchanges queued together travel in one message)
            invoice = next(r for r in writes if "InvoiceAddRq" in (r.request or ""))
            assert invoice.batch_key and "request ids: d" in (invoice.request or "")
            assert "0 Info Status OK" in (invoice.response or "") and invoice.outcome == "ok"
            assert session.get_one(Connection, world.conn_id).last_success_at is not None


def test_a_name_in_use_is_adopted_when_ours_and_otherwise_renamed(sessions: sessionmaker[Session]) -> None:
    with open_world(sessions) as world:
        # our customer from a run whose answer was lost (our code in AccountNumber), and a vendor named like
        # another customer, keyed in QuickBooks by its user
        world.company.run_as_user(etree.fromstring(
            "<CustomerAddRq><CustomerAdd><Name>Aldgate Bakery Ltd</Name><AccountNumber>C001</AccountNumber>"
            "</CustomerAdd></CustomerAddRq>"))
        world.company.run_as_user(etree.fromstring(
            "<VendorAddRq><VendorAdd><Name>Castle Hill Dental</Name></VendorAdd></VendorAddRq>"))
        adopted = world.names("Customer")["Aldgate Bakery Ltd"]
        report = world.exporter().upload()
        assert report.exported == 29
        parties = records(world, RecordType.PARTY)
        assert parties["C001"].external_id == adopted  # not a second Aldgate Bakery
        assert parties["C003"].external_name == "Castle Hill Dental (C003)"
        assert sorted(world.names("Customer")).count("Aldgate Bakery Ltd") == 1
        castle = world.one("INV-1004", "Invoice")
        assert castle.entity_id == world.names("Customer")["Castle Hill Dental (C003)"]


def test_an_edit_goes_out_as_a_mod_that_replaces_the_lines(sessions: sessionmaker[Session]) -> None:
    with open_world(sessions) as world:
        exporter = world.exporter()
        exporter.upload()
        before = world.one("INV-1002", "Invoice")
        line_ids = [line.line_id for line in before.lines]
        edit_first_line(world, "INV-1002", "Edited after export")
        report = exporter.upload()
        assert (report.updated, report.exported) == (1, 0)
        after = world.one("INV-1002", "Invoice")
        assert after.txn_id == before.txn_id and len(after.lines) == len(line_ids)
        assert after.lines[0].fields["Desc"] == "Edited after export"
        assert not set(line_ids) & {line.line_id for line in after.lines}  # every old line replaced, none kept
        assert records(world)["INV-1002"].status == SyncStatus.SEEN.value


def test_a_stale_edit_sequence_is_read_again_and_the_mod_sent_once_more(sessions: sessionmaker[Session]) -> None:
    with open_world(sessions) as world:
        exporter = world.exporter()
        exporter.upload()
        invoice = world.one("INV-1004", "Invoice")
        edit_first_line(world, "INV-1004", "Edited twice")
        # a QuickBooks user edits the invoice between our read and our Mod: QuickBooks answers 3200
        world.pump.before(lambda message: "<InvoiceModRq" in message,
                          lambda: add_line(world.company, invoice.txn_id, Decimal("5.00"), "Added in QuickBooks"))
        trips, queries = world.pump.counts()[0], world.pump.request_kinds["InvoiceQueryRq"]
        report = exporter.upload()
        assert (report.updated, report.failed) == (1, 1)  # the unmapped INV-1103 still fails
        assert world.pump.request_kinds["InvoiceModRq"] == 2
        assert world.pump.request_kinds["InvoiceQueryRq"] - queries == 3  # read, read again, and the read-back
        assert world.pump.counts()[0] - trips == 5  # read, Mod (3200), read again, Mod, read-back
        after = world.one("INV-1004", "Invoice")
        assert after.lines[0].fields["Desc"] == "Edited twice"
        assert "Added in QuickBooks" not in [line.fields.get("Desc") for line in after.lines]  # the host's lines


def test_voids_are_quickbooks_voids_and_one_under_a_payment_is_explained(sessions: sessionmaker[Session]) -> None:
    with open_world(sessions) as world:
        exporter = world.exporter()
        exporter.upload()
        world.pay("INV-1005", Decimal("1.00"))
        with session_scope(sessions) as session:
            for number in ("INV-1003", "CN-2001", "SUP-881", "INV-1005"):
                void_document(session, world.org_id, session.scalars(select(Document.host_id).where(
                    Document.number == number)).one())
        report = exporter.upload()
        assert (report.voided, report.failed) == (3, 2)  # INV-1005 is paid; INV-1103 is unmapped
        assert report.notes == []  # QuickBooks Desktop voids all four: nothing was deleted instead
        for number, kind in (("INV-1003", "Invoice"), ("CN-2001", "CreditMemo"), ("SUP-881", "Bill")):
            txn = world.one(number, kind)
            assert txn.voided and txn.total == 0 and str(txn.fields.get("Memo", "")).startswith("VOID")
            assert records(world)[number].status == SyncStatus.SEEN.value
        paid = records(world)["INV-1005"]
        assert paid.status == SyncStatus.ERROR.value and "(QuickBooks status 3170)" in (paid.last_error or "")
        assert "payments or credits applied" in (paid.last_error or "")  # QuickBooks' words, verbatim
        with session_scope(sessions) as session:
            error = session.scalars(select(SyncError).where(SyncError.sync_record_id == paid.id)).all()[-1]
        assert error.source == "package" and error.raw_response and "credit note" in (error.hint or "")
        assert not world.one("INV-1005", "Invoice").voided


def test_precheck_holds_quickbooks_desktop_numbers_and_names(sessions: sessionmaker[Session]) -> None:
    with open_world(sessions) as world:
        with session_scope(sessions) as session:
            doc = session.scalars(select(Document).where(Document.number == "INV-1006")).one()
            doc.number = "INV-2026-1006"  # 13 characters: an invoice's RefNumber holds 11
            party = session.get_one(Party, session.scalars(select(Document.party_id).where(
                Document.number == "INV-1007")).one())
            party.name = "Harbour Lights Hotel and Conference Centre Ltd"  # 46: a name holds 41
        report = world.exporter().precheck()
        problems = {p["document"]: p["message"] for p in report.problems}
        assert "at most 11" in problems["INV-2026-1006"]
        assert "at most 41" in problems["INV-1007"]
        assert world.pump.counts()[0] == 1  # the chart; pre-check sends nothing


def test_items_go_out_as_non_inventory_parts_and_lines_name_them(sessions: sessionmaker[Session]) -> None:
    with open_world(sessions, settings={"item_sync": True, "push_lines_as_items": True}) as world:
        report = world.exporter().upload()
        assert report.exported == 29
        items = world.names("ItemNonInventory")
        assert {"OAK-SHELF", "PINE-DESK"} <= set(items)
        invoice = world.one("INV-1002", "Invoice")
        named = {line.fields["ItemRef"].findtext("FullName") for line in invoice.lines}  # type: ignore[union-attr]
        assert named <= set(items) | {"Sales to 4000", "Sales to 4100"}
        with session_scope(sessions) as session:
            views = [ItemView(i.id, i.host_id, i.code, i.name, i.description, i.sales_nominal, i.purchase_nominal,
                              i.tax_code, i.unit_price, i.version) for i in session.scalars(select(Item))]
        found = world.connector().find_existing_items(views)  # after a lost answer: each found by its name
        assert {v.code: found[v.id][0] for v in views if v.id in found} == {
            code: list_id for code, list_id in items.items() if code in {v.code for v in views}}
