"""The MYOB connector end to end against the MYOB sandbox, through the engine: consent with the businessId, the
chart (detail accounts only), the demo's customers, suppliers, invoices, credit notes and bills out, each once,
read back and ticked seen; every exchange checked against MYOB's type catalogue."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from decimal import Decimal

import httpx
import pytest
from conformance.fixtures import SandboxPool, open_world, sandboxes  # noqa: F401 (sandboxes: a fixture)
from conformance.myob import MYOB, MyobWorld
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from ledgerbridge.connectors.connections import ConnectorOptions, connector_for
from ledgerbridge.intake.apply import void_document
from ledgerbridge.packages.myob.connector import MyobConnector
from ledgerbridge.store.db import session_scope
from ledgerbridge.store.models.host import Allocation, Document, Payment
from ledgerbridge.store.models.sync import Connection
from ledgerbridge.sync.exporter import Exporter
from ledgerbridge.sync.importer import PaymentImporter
from ledgerbridge.sync.mappings import MappingError, MappingKind, set_mapping


@pytest.fixture
def world(sessions: sessionmaker[Session], sandboxes: SandboxPool) -> Iterator[MyobWorld]:  # noqa: F811
    for made in open_world(MYOB, sessions, sandboxes):
        assert isinstance(made, MyobWorld)
        yield made


def test_a_header_account_is_refused_at_mapping(world: MyobWorld) -> None:
    with session_scope(world.sessions) as session, pytest.raises(MappingError):
        set_mapping(session, world.conn_id, MappingKind.NOMINAL, "4000", "4-0000")  # "Income", a header


def test_the_demo_goes_out_once_and_reads_back(world: MyobWorld) -> None:
    report = MYOB.upload(world)
    # INV-1103 is on the demo's unmapped nominal 4090, on purpose
    assert [p["document"] for p in report["problems"]] == ["INV-1103"], report["problems"][:5]
    numbers = world.remote_numbers()
    assert len(numbers) == report["exported"] and set(numbers.values()) == {1}, numbers
    credit = world.raw("CN-2001")
    assert credit["Status"] == "Credit" and credit["TotalAmount"] < 0
    again = MYOB.upload(world)
    assert again["exported"] == 0 and world.remote_numbers() == numbers


def test_a_void_where_the_file_forbids_changes_is_a_settled_reversal(world: MyobWorld) -> None:
    MYOB.upload(world)
    world.admin("POST", f"/businesses/{world.business_id}/preferences",
                json={"TransactionsCannotBeChangedMustBeReversed": True}).raise_for_status()
    with session_scope(world.sessions) as session:
        void_document(session, world.org_id, "INV-1005")  # the demo's host id is its number
    report = MYOB.upload(world)
    assert report["voided"] == 1 and "reversed in MYOB" in report["notes"][0]["message"], report
    original = world.raw("INV-1005")
    reversal = next(d for d in world.items("Sale/Invoice/Service") if "reversal of sales invoice INV-1005" in str(
        d.get("JournalMemo")))
    assert Decimal(str(reversal["TotalAmount"])) == -Decimal(str(original["TotalAmount"]))
    assert original["Status"] == "Closed" and reversal["Status"] == "Closed"  # settled against each other


class EditedMeanwhile(httpx.BaseTransport):
    """The sandbox, with a MYOB user saving the document between our read and our first PUT of it."""

    def __init__(self, inner: httpx.BaseTransport, world: MyobWorld) -> None:
        self.inner, self.world, self.puts = inner, world, 0

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        if request.method == "PUT":
            self.puts += 1
            if self.puts == 1:
                uid = request.url.path.rstrip("/").rsplit("/", 1)[-1]
                self.world.books("POST", f"/documents/{uid}/lines", json={"net": "25.00"})
        return self.inner.handle_request(request)


def test_an_update_changed_in_myob_meanwhile_is_re_read_and_sent_once_more(world: MyobWorld) -> None:
    MYOB.upload(world)
    with session_scope(world.sessions) as session:
        doc = session.scalars(select(Document).where(Document.number == "INV-1002")).one()
        doc.lines[0].description = "Edited here"
        doc.version += 1
    meanwhile = EditedMeanwhile(world.transport, world)
    connector = connector_for(world.sessions, world.conn_id, ConnectorOptions(transport=meanwhile,
                                                                              unlimited_budget=True))
    try:
        report = Exporter(world.sessions, world.conn_id, connector).upload()
    finally:
        connector.close()
    assert report.updated == 1 and meanwhile.puts == 2  # 409 once, then on the version saved meanwhile
    sale = world.api("GET", f"Sale/Invoice/Service/{world.raw('INV-1002')['UID']}")
    lines = [ln for ln in sale["Lines"] if ln["Type"] == "Transaction"]
    assert lines[0]["Description"] == "Edited here" and lines[0]["RowID"] == 1  # our line kept its RowID
    assert "Added in MYOB" not in [ln["Description"] for ln in lines]  # the PUT carries the host's lines


def test_a_payment_taken_here_pays_the_invoice_in_myob_once_and_is_not_imported_back(world: MyobWorld) -> None:
    with session_scope(world.sessions) as session:
        conn = session.get_one(Connection, world.conn_id)
        conn.settings = {**(conn.settings or {}), "payments_both_ways": True}
        doc = session.scalars(select(Document).where(Document.number == "INV-1003")).one()
        payment = Payment(organisation_id=world.org_id, host_id="RC-INV-1003", direction="in",
                          kind="invoice_payment", party_id=doc.party_id, payment_date=date(2026, 11, 3),
                          amount=Decimal("10.00"), currency="AUD", method_code="BACS", reference="Card INV-1003",
                          made_while_integrated=True)
        payment.allocations.append(Allocation(document_id=doc.id, amount=Decimal("10.00")))
        session.add(payment)
    report = MYOB.upload(world)
    assert report["payments"]["exported"] == 1 and report["payments"]["failed"] == 0, report["payments"]
    invoice = world.raw("INV-1003")
    assert Decimal(str(invoice["TotalAmount"])) - Decimal(str(invoice["BalanceDueAmount"])) == Decimal("10.00")
    (receipt,) = world.items("Sale/CustomerPayment")
    assert receipt["Memo"].startswith("[lb RC-INV-1003]") and receipt["Invoices"][0]["UID"] == invoice["UID"]
    importer = PaymentImporter(world.sessions, world.conn_id, world.connector())
    back = importer.create_and_allocate(report=importer.fetch())
    assert back.skipped_ours == 1 and back.created == 0
    assert MYOB.upload(world)["payments"]["exported"] == 0 and len(world.items("Sale/CustomerPayment")) == 1


def test_allocation_sync_settles_the_credit_note_against_the_invoice_it_credits(world: MyobWorld) -> None:
    with session_scope(world.sessions) as session:
        conn = session.get_one(Connection, world.conn_id)
        conn.settings = {**(conn.settings or {}), "allocation_sync": True}
    report = MYOB.upload(world)
    assert report["payments"]["allocation_sync"]["pushed"] == 1, report["payments"]
    credit, invoice = world.raw("CN-2001"), world.raw("INV-1002")
    (settlement,) = world.items("Sale/CreditSettlement")
    assert settlement["CreditFromInvoice"]["UID"] == credit["UID"]
    assert settlement["Lines"][0]["Sale"]["UID"] == invoice["UID"]
    assert Decimal(str(credit["BalanceDueAmount"])) == 0
    assert Decimal(str(invoice["BalanceDueAmount"])) == Decimal(str(invoice["TotalAmount"])) + Decimal(
        str(credit["TotalAmount"]))
    again = MYOB.upload(world)
    assert again["payments"]["allocation_sync"]["pushed"] == 0 and len(world.items("Sale/CreditSettlement")) == 1


def test_precheck_refuses_documents_in_myobs_lock_period(world: MyobWorld) -> None:
    world.admin("POST", f"/businesses/{world.business_id}/preferences",
                json={"LockPeriodPriorTo": "2026-10-10"}).raise_for_status()
    report = Exporter(world.sessions, world.conn_id, world.connector()).precheck()
    with session_scope(world.sessions) as session:
        early = set(session.scalars(select(Document.number).where(
            Document.issue_date < date(2026, 10, 10), Document.type.in_(
                ("sales_invoice", "sales_credit_note", "purchase_invoice")))))
    locked = {p["document"] for p in report.problems if "lock period" in p["message"]}
    assert early and locked == early
    assert world.remote_numbers() == {}  # pre-check sends nothing


def test_precheck_reads_the_financial_year_from_the_file_and_refuses_a_date_before_it(world: MyobWorld) -> None:
    connector = world.connector()
    assert isinstance(connector, MyobConnector)
    # The AU business's year runs from 1 July 2025 (GeneralLedger/AccountingProperties: 2026, month 6).
    assert (connector.rules().year_start, connector.rules().year_end) == (date(2025, 7, 1), date(2026, 6, 30))
    with session_scope(world.sessions) as session:
        early = session.scalars(select(Document).where(Document.number == "INV-1001")).one()
        early.issue_date = date(2025, 6, 30)
    report = Exporter(world.sessions, world.conn_id, connector).precheck()
    refused = [p["document"] for p in report.problems if "before the start of MYOB's current financial year"
               in p["message"]]
    assert refused == ["INV-1001"]
    assert world.remote_numbers() == {}  # pre-check sends nothing


def test_read_back_tells_credit_settled_in_myob_from_payments(world: MyobWorld) -> None:
    """MYOB's BalanceDueAmount counts both; reconciliation must not call a credit settled there a payment."""
    MYOB.upload(world)
    invoice, credit = world.raw("INV-1002"), world.raw("CN-2001")  # CN-2001 credits INV-1002, same customer
    applied = -Decimal(str(credit["TotalAmount"]))
    world.books("POST", "/settlements", json={"credit_id": credit["UID"], "document_id": invoice["UID"],
                                              "amount": str(applied), "date": "2026-11-02"})
    world.record_payment("INV-1002", Decimal("10.00"))
    doc = world.connector().read_back_documents([("sales_invoice", invoice["UID"])])[invoice["UID"]]
    assert (doc.amount_credited, doc.amount_paid) == (applied, Decimal("10.00"))
    assert doc.amount_due == Decimal(str(invoice["TotalAmount"])) - applied - Decimal("10.00")



@pytest.mark.parametrize("engine", ["sqlite"], indirect=True)  # MYOB's side; CI's time
def test_a_reversal_and_its_settlement_whose_answers_were_lost_are_found_not_made_again(world: MyobWorld) -> None:
    MYOB.upload(world)
    world.admin("POST", f"/businesses/{world.business_id}/preferences",
                json={"TransactionsCannotBeChangedMustBeReversed": True}).raise_for_status()
    with session_scope(world.sessions) as session:
        void_document(session, world.org_id, "INV-1005")
    # MYOB makes the reversal but the answer is lost; the next run finds it and settles it, and that answer is lost
    # too; the run after finds both.
    world.arm_fault(drop_response_after_commit=2)
    runs = [MYOB.upload(world) for _ in range(3)]
    assert [r["voided"] for r in runs] == [0, 0, 1] and world.faults()["drop_response_after_commit"] == 0, runs
    reversals = [d for d in world.items("Sale/Invoice/Service") if "reversal of sales invoice INV-1005" in str(
        d.get("JournalMemo"))]
    assert len(reversals) == 1 and len(world.items("Sale/CreditSettlement")) == 1
    assert world.raw("INV-1005")["Status"] == "Closed" and reversals[0]["Status"] == "Closed"


@pytest.mark.parametrize("engine", ["sqlite"], indirect=True)  # MYOB's side; CI's time
def test_a_credit_settlement_whose_answer_was_lost_is_not_made_again(world: MyobWorld) -> None:
    """Allocation sync reads what MYOB holds of the credit before it settles (the look-up), so the settlement MYOB
    made while its answer was lost is seen on the next run, and only what is still open is sent."""
    MYOB.upload(world)
    with session_scope(world.sessions) as session:
        conn = session.get_one(Connection, world.conn_id)
        conn.settings = {**(conn.settings or {}), "allocation_sync": True}
    world.arm_fault(drop_response_after_commit=1)
    first = MYOB.upload(world)["payments"]["allocation_sync"]
    assert first["pushed"] == 0 and "looked up before it is created again" in first["diagnostics"][0]["message"]
    again = MYOB.upload(world)["payments"]["allocation_sync"]
    assert again["pushed"] == 0 and again["diagnostics"] == [] and world.faults()["drop_response_after_commit"] == 0
    (settlement,) = world.items("Sale/CreditSettlement")
    credit, invoice = world.raw("CN-2001"), world.raw("INV-1002")
    assert settlement["CreditFromInvoice"]["UID"] == credit["UID"] and Decimal(str(credit["BalanceDueAmount"])) == 0
    assert Decimal(str(invoice["BalanceDueAmount"])) == Decimal(str(invoice["TotalAmount"])) + Decimal(
        str(credit["TotalAmount"]))
