"""Each cause of a difference, made as it happens in real life (a package user working in Xero or QuickBooks,
an import not yet run, a record in error), on every package's sandbox and both stores."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import select

from ledgerbridge.domain.reconcile_rules import Cause
from ledgerbridge.store.db import session_scope
from ledgerbridge.store.models.host import Document
from ledgerbridge.store.models.sync import Connection
from ledgerbridge.sync.reconcile import Reconciliation, unexplained
from ledgerbridge.sync.records import mark_exported_by_hand

from .conftest import Books


def causes_of(report: Reconciliation, number: str) -> dict[str, set[str]]:
    """measure -> causes, for one document."""
    out: dict[str, set[str]] = {}
    for d in report.differences:
        if d.document == number:
            out.setdefault(d.measure, set()).update(e.cause.value for e in d.explanations)
    return out


def test_after_upload_only_the_document_in_error_differs(books: Books) -> None:
    books.upload()
    report = books.reconcile()
    print(report.as_dict())
    docs = {d.document for d in report.differences if d.level == "document"}
    # CN-2001 credits INV-1002 here; allocation sync is off (R-I3), so the package holds it unallocated.
    assert docs == {"INV-1103", "INV-1002", "CN-2001"}
    assert causes_of(report, "INV-1103") == {"total": {Cause.NOT_EXPORTED.value}}
    for number in ("INV-1002", "CN-2001"):
        assert causes_of(report, number) == {"credited": {"credit_only_here"}, "amount_due": {"credit_only_here"}}
    assert unexplained(report) == []


def test_each_cause_is_named_on_its_document(books: Books) -> None:
    books.upload()
    user = books.user
    # INV-1001 paid in the package and fetched, not created here; INV-1004 paid after the last fetch.
    user.pay(books.ext("INV-1001"), Decimal("10.00"))
    books.importer().fetch()
    user.pay(books.ext("INV-1004"), Decimal("20.00"))
    # CN-2002 (crediting no invoice here) allocated to INV-1019 in the package only (R-I3); CN-2001, which
    # credits INV-1002 in full here, allocated there for only 5.00 of it.
    user.allocate_credit(books.ext("CN-2002"), books.ext("INV-1019"), Decimal("5.00"))
    user.allocate_credit(books.ext("CN-2001"), books.ext("INV-1002"), Decimal("5.00"))
    # INV-1005 edited in the package; INV-1006 voided there.
    user.add_to_total(books.ext("INV-1005"), Decimal("10.00"))
    user.void(books.ext("INV-1006"))

    report = books.reconcile()
    assert causes_of(report, "INV-1001") == {"allocated": {"payment_not_imported"},
                                             "amount_due": {"payment_not_imported"}}
    assert causes_of(report, "INV-1004") == {"allocated": {"payment_not_imported"},
                                             "amount_due": {"payment_not_imported"}}
    for number in ("INV-1019", "CN-2002"):
        assert causes_of(report, number) == {"credited": {"credit_only_in_package"},
                                             "amount_due": {"credit_only_in_package"}}
    for number in ("INV-1002", "CN-2001"):
        assert causes_of(report, number) == {"credited": {"credit_only_here"}, "amount_due": {"credit_only_here"}}
    cn_2001 = next(d for d in report.differences if d.document == "CN-2001" and d.measure == "credited")
    assert cn_2001.package == Decimal("5.00") and cn_2001.explanations[0].amount == Decimal("5.00") - cn_2001.host
    assert causes_of(report, "INV-1005") == {"total": {"edited_in_package"}, "amount_due": {"edited_in_package"}}
    assert causes_of(report, "INV-1006")["total"] == {"deleted_in_package"}
    assert causes_of(report, "INV-1103") == {"total": {"not_exported"}}
    assert unexplained(report) == []
    fetched = [e for d in report.differences if d.document == "INV-1001" for e in d.explanations]
    assert all("fetched but not created" in e.detail for e in fetched)
    not_fetched = [e for d in report.differences if d.document == "INV-1004" for e in d.explanations]
    assert all("not yet fetched" in e.detail for e in not_fetched)
    # The party of INV-1002 and CN-2001 owes the same on both sides: the credit moved both documents.
    assert report.summary() == {"differences": len(report.differences), "explained": len(report.differences)}

    # Importing closes the payment differences; the credit stays (allocations do not sync), named as such.
    imp = books.importer()
    imp.create_and_allocate(report=imp.fetch())
    after = books.reconcile()
    assert "INV-1001" not in {d.document for d in after.differences}
    assert "INV-1004" not in {d.document for d in after.differences}
    assert causes_of(after, "CN-2002")["credited"] == {"credit_only_in_package"}
    assert causes_of(after, "CN-2001")["credited"] == {"credit_only_here"}
    assert unexplained(after) == []


def test_a_payment_deleted_in_the_package_is_named_until_imported(books: Books) -> None:
    books.upload()
    payment = books.user.pay(books.ext("INV-1001"), Decimal("10.00"))
    imp = books.importer()
    imp.create_and_allocate(report=imp.fetch())
    assert "INV-1001" not in {d.document for d in books.reconcile().differences}
    books.user.delete_payment(payment)
    report = books.reconcile()
    assert causes_of(report, "INV-1001") == {"allocated": {"deleted_in_package"}, "amount_due": {"deleted_in_package"}}
    assert unexplained(report) == []
    books.importer().fetch()  # the deletion reverses the payment here
    assert "INV-1001" not in {d.document for d in books.reconcile().differences}


def test_marked_by_hand_and_edited_here_are_not_exported(books: Books) -> None:
    with session_scope(books.sessions) as session:
        conn = session.get_one(Connection, books.conn_id)
        doc_id = session.scalar(select(Document.id).where(Document.number == "INV-1007"))
        assert mark_exported_by_hand(session, conn, [doc_id]) == 1
    books.upload()
    with session_scope(books.sessions) as session:
        doc = session.scalar(select(Document).where(Document.number == "INV-1008"))
        doc.gross_total += Decimal("1.00")
        doc.version += 1
    report = books.reconcile()
    assert causes_of(report, "INV-1007") == {"total": {"not_exported"}}
    assert "by hand" in next(d for d in report.differences if d.document == "INV-1007").explanations[0].detail
    assert causes_of(report, "INV-1008") == {"total": {"not_exported"}, "amount_due": {"not_exported"}}
    assert unexplained(report) == []
