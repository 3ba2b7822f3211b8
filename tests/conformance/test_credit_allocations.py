"""A supplier credit note allocated to a bill here is allocated there, once (R-X1 with allocation sync on), as a
credit note is to an invoice: the package's credit is spent on the bill, the bill owes that much less, what the
package holds is recorded here, and a second run sends nothing."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from ledgerbridge.demo.data import demo_batch
from ledgerbridge.store.db import session_scope
from ledgerbridge.store.models.credits import CreditAllocation
from ledgerbridge.store.models.host import Document
from ledgerbridge.store.models.sync import RecordType, SyncRecord
from ledgerbridge.sync.exporter import Exporter

from .fixtures import SandboxPool
from .harness import PackageHarness, PackageWorld
from .records import change_settings


def _with_supplier_credit(batch: dict[str, Any]) -> dict[str, Any]:
    """The demo's month and SCN-1, a supplier credit note of SUP-881's supplier that credits SUP-881 here."""
    bill = next(d for d in batch["documents"] if d["number"] == "SUP-881")
    line = {**bill["lines"][0], "quantity": "1", "unit_price": "10.00", "net": "10.00", "tax": "2.00",
            "tax_code": "T1"}
    batch["documents"].append({
        "host_id": "SCN-1", "type": "purchase_credit_note", "number": "SCN-1", "status": "posted",
        "issue_date": bill["issue_date"], "party_host_id": bill["party_host_id"], "currency": bill["currency"],
        "lines": [line], "credits_document_host_id": bill["host_id"]})
    return batch


def _bound(world: PackageWorld, number: str) -> tuple[str, Decimal]:
    with session_scope(world.sessions) as session:
        doc = session.scalars(select(Document).where(Document.organisation_id == world.org_id,
                                                     Document.number == number)).one()
        external = session.scalar(select(SyncRecord.external_id).where(
            SyncRecord.connection_id == world.conn_id, SyncRecord.record_type == RecordType.DOCUMENT.value,
            SyncRecord.record_id == doc.id))
        assert external, f"{number} is not in the package"
        return external, doc.gross_total


def test_a_supplier_credit_note_allocated_to_a_bill_here_is_allocated_there_once(
        sessions: sessionmaker[Session], sandboxes: SandboxPool, package: PackageHarness) -> None:
    with package.opened(sessions, sandboxes.get(package), batch=_with_supplier_credit(demo_batch())) as world:
        change_settings(world, allocation_sync=True)
        report = Exporter(world.sessions, world.conn_id, world.connector()).upload()
        synced = report.payments["allocation_sync"]
        assert synced["pushed"] >= 1 and not [d for d in synced["diagnostics"] if "SCN-1" in str(d)], synced
        credit_id, credit_total = _bound(world, "SCN-1")
        bill_id, bill_total = _bound(world, "SUP-881")
        reader = world.connector()
        held = reader.read_credits("credit_note", [credit_id])[credit_id]
        assert (held.total, held.remaining) == (credit_total, Decimal(0))
        assert [(a.invoice_external_id, a.amount) for a in held.allocations] == [(bill_id, credit_total)]
        bill = reader.read_back_documents([("purchase_invoice", bill_id)])[bill_id]
        assert bill.amount_due == bill_total - credit_total
        with session_scope(world.sessions) as session:
            recorded = [(a.invoice_document_id, a.amount) for a in session.scalars(
                select(CreditAllocation).join(Document, Document.id == CreditAllocation.credit_document_id)
                .where(Document.number == "SCN-1"))]
            assert [amount for _, amount in recorded] == [credit_total]
        again = Exporter(world.sessions, world.conn_id, world.connector()).upload()
        assert again.payments["allocation_sync"]["pushed"] == 0, again.payments["allocation_sync"]
        assert reader.read_credits("credit_note", [credit_id])[credit_id].remaining == Decimal(0)
