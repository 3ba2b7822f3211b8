"""Re-sending is harmless; a change bumps the version the sync layer watches."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from ledgerbridge.intake.apply import issue_document, load_file, post_document, void_document
from ledgerbridge.store.models.host import Document, DocumentLine, Party, Payment

from .factories import apply, count, document, line, payment, reference_batch


def _full_batch() -> dict:
    data = reference_batch()
    data["documents"] = [document("INV-1", lines=[line(), line(quantity=1, unit_price="5.50", tax_code="T0")])]
    data["payments"] = [payment("P-1", amount="10.00", party_host_id="C2", kind="on_account")]
    return data


def test_resending_the_same_batch_changes_nothing(session: Session, org_id: int) -> None:
    first = apply(session, org_id, _full_batch())
    assert first.documents.created == 1 and first.parties.created == 3 and first.payments.created == 1
    before = session.execute(select(Document.version, Document.updated_at)).one()

    again = apply(session, org_id, _full_batch())

    for kind in ("nominal_codes", "tax_codes", "payment_methods", "parties", "items", "documents", "payments"):
        counts = getattr(again, kind)
        assert counts.created == 0 and counts.updated == 0 and counts.unchanged >= 1, kind
    assert session.execute(select(Document.version, Document.updated_at)).one() == before
    assert session.scalars(select(Party.version)).all() == [1, 1, 1]
    assert count(session, DocumentLine) == 2


def test_a_change_bumps_the_version_and_replaces_the_lines(session: Session, org_id: int) -> None:
    apply(session, org_id, _full_batch())
    changed = _full_batch()
    changed["documents"][0]["lines"] = [line(quantity=3)]
    changed["parties"][0]["name"] = "Renamed Ltd"
    changed["payments"][0]["reference"] = "cheque 12"

    result = apply(session, org_id, changed)

    assert result.documents.updated == 1 and result.parties.updated == 1 and result.payments.updated == 1
    assert result.parties.unchanged == 2
    doc = session.scalars(select(Document)).one()
    session.refresh(doc)
    assert doc.version == 2
    assert (doc.net_total, doc.tax_total, doc.gross_total) == (Decimal("30.00"), Decimal("6.00"), Decimal("36.00"))
    assert [(ln.line_no, ln.quantity) for ln in doc.lines] == [(1, Decimal("3"))]
    assert session.scalar(select(Party.version).where(Party.host_id == "C1")) == 2
    assert session.scalar(select(Payment.version)) == 2


def test_numbers_written_differently_are_the_same_value(session: Session, org_id: int) -> None:
    apply(session, org_id, _full_batch())
    same = _full_batch()
    same["documents"][0]["lines"][0].update(quantity="2.000", unit_price="10")
    assert apply(session, org_id, same).documents.unchanged == 1


def test_totals_are_computed_per_line(session: Session, org_id: int) -> None:
    data = reference_batch()
    data["documents"] = [
        document("INV-EX", lines=[line(quantity=3, unit_price="3.335", discount_percent="10"), line(tax_code="T0")]),
        document("INV-IN", amounts_tax_inclusive=True, lines=[line(quantity=1, unit_price="10.00")]),
    ]
    apply(session, org_id, data)
    totals = {host_id: gross for host_id, gross in session.execute(select(Document.host_id, Document.gross_total))}
    # 3 x 3.335 less 10% = 9.0045 -> 9.00, tax 1.80; second line 20.00 zero-rated.
    assert totals["INV-EX"] == Decimal("30.80")
    inclusive = session.scalars(select(Document).where(Document.host_id == "INV-IN")).one()
    assert (inclusive.net_total, inclusive.tax_total, inclusive.gross_total) == (
        Decimal("8.33"), Decimal("1.67"), Decimal("10.00"))


def test_status_actions_bump_the_version_once_and_are_idempotent(session: Session, org_id: int) -> None:
    data = reference_batch()
    data["documents"] = [document("INV-1", status="draft"),
                         document("PI-1", type="purchase_invoice", party_host_id="S1", status="draft",
                                  lines=[line(nominal_code="5000")])]
    apply(session, org_id, data)

    assert issue_document(session, org_id, "INV-1").version == 2
    assert issue_document(session, org_id, "INV-1").version == 2
    assert post_document(session, org_id, "PI-1").status == "posted"
    voided = void_document(session, org_id, "INV-1")
    assert (voided.status, voided.version) == ("void", 3)
    session.commit()
    assert void_document(session, org_id, "INV-1").version == 3


def test_load_file_applies_the_same_batch_json(session: Session, org_id: int, tmp_path: Path) -> None:
    path = tmp_path / "batch.json"
    path.write_text(json.dumps(_full_batch()))
    assert load_file(session, org_id, path).documents.created == 1
    session.commit()
    assert load_file(session, org_id, path).documents.unchanged == 1
