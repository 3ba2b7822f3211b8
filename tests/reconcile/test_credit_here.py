"""Credit allocated here feeds reconciliation's host side (R-R1): a credit note that credits an invoice
(``credits_document_id``) or a ``credit_allocations`` row of origin host. With allocation sync off (R-I3) the
package does not hold it, and reconciliation names the cause; with it on (R-X1) it goes out and both agree."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import select

from ledgerbridge.store.db import session_scope
from ledgerbridge.store.models.credits import CreditAllocation
from ledgerbridge.store.models.host import Document
from ledgerbridge.store.models.sync import Connection
from ledgerbridge.sync.reconcile import unexplained

from .conftest import Books
from .test_causes import causes_of


def _allocation_sync(books: Books, on: bool) -> None:
    with session_scope(books.sessions) as session:
        conn = session.get_one(Connection, books.conn_id)
        conn.settings = {**(conn.settings or {}), "allocation_sync": on}


def test_a_credit_allocation_row_made_here_is_named_credit_only_here(books: Books) -> None:
    books.upload()
    with session_scope(books.sessions) as session:
        ids = dict(session.execute(select(Document.number, Document.id).where(
            Document.number.in_(("CN-2002", "INV-1019")))).all())
        org = session.get_one(Connection, books.conn_id).organisation_id
        session.add(CreditAllocation(organisation_id=org, credit_document_id=ids["CN-2002"],
                                     invoice_document_id=ids["INV-1019"], amount=Decimal("4.50"), origin="host"))
    report = books.reconcile()
    for number in ("INV-1019", "CN-2002"):
        assert causes_of(report, number) == {"credited": {"credit_only_here"}, "amount_due": {"credit_only_here"}}
        credited = next(d for d in report.differences if d.document == number and d.measure == "credited")
        assert (credited.host, credited.package) == (Decimal("4.50"), Decimal(0))
    # The customer's balance agrees: the credit moved its invoice and its credit note by the same amount.
    assert not [d for d in report.differences if d.level == "party" and "Fernside" not in d.party]
    assert unexplained(report) == []


def test_allocated_on_both_sides_by_hand_the_books_agree(books: Books) -> None:
    books.upload()
    report = books.reconcile()
    credited = next(d for d in report.differences if d.document == "CN-2001" and d.measure == "credited")
    books.user.allocate_credit(books.ext("CN-2001"), books.ext("INV-1002"), credited.host)
    after = books.reconcile()
    assert {d.document for d in after.differences if d.level == "document"} == {"INV-1103"}
    assert unexplained(after) == []


def test_with_allocation_sync_on_the_credit_goes_out_and_both_sides_agree(books: Books) -> None:
    _allocation_sync(books, True)
    report = books.upload()
    assert report.payments["allocation_sync"]["pushed"] == 1
    after = books.reconcile()
    assert {d.document for d in after.differences if d.level == "document"} == {"INV-1103"}
    with session_scope(books.sessions) as session:
        rows = session.scalars(select(CreditAllocation)).all()
        assert [r.origin for r in rows] == ["package"]  # read back: the package's figure is the one kept here
