"""Rounding (R-E4): lines sent summarised (one per nominal and tax code, R-E12) are taxed by Xero per group, a
cent away from the host's per-line tax; the cent goes to the rounding account as a line, so both sides total the
same to the cent, or the pre-check says so."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import select

from ledgerbridge.intake.apply import apply_batch
from ledgerbridge.intake.schemas import Batch
from ledgerbridge.store.db import session_scope
from ledgerbridge.store.models.host import Document
from ledgerbridge.store.models.sync import Connection, RecordType, SyncRecord, SyncStatus
from ledgerbridge.sync.exporter import Exporter

from .conftest import World


def _line() -> dict[str, str]:
    return {"description": "Cable tie pack", "quantity": "1", "unit_price": "0.13", "nominal_code": "4000",
            "tax_code": "T1", "net": "0.13", "tax": "0.03"}


@pytest.fixture
def rounding_world(world: World) -> World:
    # The host taxes each line: 0.13 x 20% = 0.026 -> 0.03, three times: 0.48. Sent as one summarised line,
    # Xero taxes 0.39 once: 0.078 -> 0.08, total 0.47.
    extra = {"documents": [{"host_id": "INV-R1", "type": "sales_invoice", "number": "INV-R1", "status": "issued",
                            "issue_date": "2026-10-28", "party_host_id": "C001", "currency": "GBP",
                            "lines": [_line(), _line(), _line()]}]}
    with session_scope(world.sessions) as session:
        apply_batch(session, world.org_id, Batch.model_validate(extra))
        conn = session.get_one(Connection, world.conn_id)
        conn.settings = {**(conn.settings or {}), "push_individual_lines": False}
    return world


def _record(world: World) -> SyncRecord:
    with session_scope(world.sessions) as session:
        doc_id = session.scalar(select(Document.id).where(Document.number == "INV-R1"))
        record = session.scalars(select(SyncRecord).where(SyncRecord.record_type == RecordType.DOCUMENT.value,
                                                          SyncRecord.record_id == doc_id)).one()
        session.expunge(record)
        return record


def test_without_a_rounding_account_the_cent_is_refused_at_precheck(rounding_world: World) -> None:
    report = Exporter(rounding_world.sessions, rounding_world.conn_id, rounding_world.connector()).precheck()
    [problem] = [p for p in report.problems if p["document"] == "INV-R1"]
    assert "Xero would total 0.47 but the host's total is 0.48" in problem["message"]
    assert "no rounding account is set" in problem["message"]


def test_with_a_rounding_account_a_rounding_line_makes_the_totals_match(rounding_world: World) -> None:
    world = rounding_world
    with session_scope(world.sessions) as session:
        conn = session.get_one(Connection, world.conn_id)
        conn.settings = {**(conn.settings or {}), "rounding_account": "429"}
    Exporter(world.sessions, world.conn_id, world.connector()).upload()
    invoice = _xero_invoice(world, "INV-R1")
    assert Decimal(str(invoice["Total"])) == Decimal("0.48")
    rounding = [ln for ln in invoice["LineItems"] if ln["Description"] == "Rounding"]
    assert len(rounding) == 1 and Decimal(str(rounding[0]["LineAmount"])) == Decimal("0.01")
    assert rounding[0]["AccountCode"] == "429"
    record = _record(world)
    assert record.status == SyncStatus.SEEN.value  # read back with the same total to the cent


def _xero_invoice(world: World, number: str) -> dict:
    """An invoice as Xero holds it, found by its number (the path takes only Xero's id)."""
    return world.xero_get("/Invoices", InvoiceNumbers=number, page=1)["Invoices"][0]  # type: ignore[no-any-return]
