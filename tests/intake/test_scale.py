"""A 10,000-document batch applies correctly (the timing is measured by measure_intake.py, not asserted)."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ledgerbridge.store.models.host import Document, DocumentLine

from .factories import apply, bulk_batch, count


def test_ten_thousand_documents_of_five_lines(session: Session, org_id: int) -> None:
    data = bulk_batch()
    result = apply(session, org_id, data)
    assert (result.documents.created, result.parties.created) == (10_000, 503)
    assert (count(session, Document), count(session, DocumentLine)) == (10_000, 50_000)
    # Per document: lines of 1..5 x 12.345 less 5%: 11.73, 23.46, 35.18, 46.91, 58.64; tax 20% on the 2nd and 4th.
    totals = {row.host_id: row for row in session.execute(
        select(Document.host_id, Document.net_total, Document.tax_total, Document.gross_total))}
    assert len(totals) == 10_000
    assert all((t.net_total, t.tax_total, t.gross_total) == (Decimal("175.92"), Decimal("14.07"), Decimal("189.99"))
               for t in totals.values())
    assert session.scalar(select(func.count(func.distinct(DocumentLine.document_id)))) == 10_000

    data["documents"][9_999]["lines"][0]["quantity"] = 7
    again = apply(session, org_id, data)
    assert (again.documents.unchanged, again.documents.updated) == (9_999, 1)
    assert count(session, DocumentLine) == 50_000
    assert session.scalar(select(Document.version).where(Document.host_id == "INV-09999")) == 2
