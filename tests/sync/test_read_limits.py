"""Reading back from Xero within its limits: ``IDs=`` lists of at most 50, credit notes in pages.

Xero answers 404 past 2,048 bytes of query string (52 GUIDs; the sandbox answers the same, see
``tests/sandboxes/test_query_limit.py``), so a read-back or a reconciliation that sent 100 ids a call failed above
52 documents. Credit notes have no ``IDs`` filter; reading them one GET each spent a call per note against 60 a
minute. Every exchange here goes through the contract checker (the ``world`` fixture).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sqlalchemy import select

from ledgerbridge.connectors.protocol import DocumentExport
from ledgerbridge.intake.apply import apply_batch
from ledgerbridge.intake.schemas import Batch
from ledgerbridge.store.db import session_scope
from ledgerbridge.store.models.host import Document
from ledgerbridge.store.views import load_documents
from ledgerbridge.sync.exporter import Exporter
from ledgerbridge.sync.reconcile import reconcile

from .conftest import World

CUSTOMERS = 7


def _documents(world: World, invoices: int, credit_notes: int, prefix: str = "") -> list[str]:
    """Sales invoices and credit notes of one line each (the demo's mapped codes), exported; their numbers."""
    parties = [{"host_id": f"RL{n}", "code": f"RL{n}", "name": f"Read Limits {n}", "currency": "GBP"}
               for n in range(CUSTOMERS)]
    docs: list[dict[str, Any]] = []
    for n in range(invoices + credit_notes):
        credit = n >= invoices
        docs.append({"host_id": f"RL-{n}", "type": "sales_credit_note" if credit else "sales_invoice",
                     "number": f"{prefix}{'RC' if credit else 'RI'}-{n:05d}", "status": "issued",
                     "issue_date": "2026-10-05", "party_host_id": f"RL{n % CUSTOMERS}", "currency": "GBP",
                     "lines": [{"description": "Widget", "quantity": "1", "unit_price": f"{10 + n % 9}.50",
                                "nominal_code": "4000", "tax_code": "T1"}]})
    with session_scope(world.sessions) as session:
        apply_batch(session, world.org_id, Batch.model_validate({"parties": parties, "documents": docs}))
        ids = list(session.scalars(select(Document.id).where(Document.host_id.in_([d["host_id"] for d in docs]))))
    report = Exporter(world.sessions, world.conn_id, world.connector()).upload(ids)
    assert report.exported == len(docs), report
    return [d["number"] for d in docs]


def _wanted(world: World, numbers: list[str]) -> list[tuple[str, str, Decimal]]:
    remote = {d.number: d for d in world.remote_documents()}
    return [(remote[n].doc_type, remote[n].external_id, remote[n].total) for n in numbers]


def _calls(world: World) -> dict[str, int]:
    return world.admin("GET", "/stats").json()["calls"]  # type: ignore[no-any-return]


def test_read_back_of_500_documents_sends_at_most_50_ids_a_call(world: World) -> None:
    wanted = _wanted(world, _documents(world, 480, 20))
    world.admin("DELETE", "/stats")
    remote = world.connector().read_back_documents([(t, ext) for t, ext, _ in wanted])
    assert {ext: doc.total for ext, doc in remote.items()} == {ext: total for _, ext, total in wanted}
    calls = _calls(world)
    assert calls.get("GET /api.xro/2.0/Invoices") == 10  # 480 ids, 50 a call


def test_reconciliation_of_500_documents_finds_every_one(world: World) -> None:
    numbers = set(_documents(world, 490, 10))
    report = reconcile(world.sessions, world.conn_id, world.connector())
    assert report.documents >= 500
    ours = [d for d in report.differences if d.document in numbers]
    assert ours == [], [(d.document, d.measure, d.host, d.package) for d in ours[:5]]


def test_reconciliation_of_500_documents_reads_pages_not_ids(world: World) -> None:
    """500 documents sent in one upload: reconciliation pages through what changed since (1,000 a page), one page
    of invoices and one of credit notes, where reading them by id took 10 calls of 50 ids and 1 of credit notes."""
    _documents(world, 480, 20)
    world.admin("DELETE", "/stats")
    report = reconcile(world.sessions, world.conn_id, world.connector())
    assert report.documents >= 500 and not [d for d in report.differences if d.document.startswith(("RI-", "RC-"))]
    assert _calls(world) == {"GET /api.xro/2.0/Invoices": 1, "GET /api.xro/2.0/CreditNotes": 1}


def test_credits_are_read_in_bulk_not_one_get_each(world: World) -> None:
    """Credit notes (as allocation sync reads them, before and after applying them) and prepayments come back
    with their allocations in as many calls as the query string allows, never ``GET /CreditNotes/{id}`` each."""
    wanted = _wanted(world, _documents(world, 0, 60))
    world.admin("DELETE", "/stats")
    credits = world.connector().read_credits("credit_note", [ext for _, ext, _ in wanted])
    assert {ext: credit.total for ext, credit in credits.items()} == {ext: total for _, ext, total in wanted}
    assert all(credit.remaining == credit.total and credit.kind == "credit_note" for credit in credits.values())
    calls = _calls(world)
    assert list(calls) == ["GET /api.xro/2.0/CreditNotes"] and calls["GET /api.xro/2.0/CreditNotes"] <= 3


def test_credit_notes_are_read_back_in_pages_not_one_get_each(world: World) -> None:
    wanted = _wanted(world, _documents(world, 3, 60))
    world.admin("DELETE", "/stats")
    remote = world.connector().read_back_documents([(t, ext) for t, ext, _ in wanted])
    assert {ext: doc.total for ext, doc in remote.items()} == {ext: total for _, ext, total in wanted}
    credit_calls = {k: n for k, n in _calls(world).items() if k.startswith("GET /api.xro/2.0/CreditNotes")}
    assert list(credit_calls) == ["GET /api.xro/2.0/CreditNotes"]  # never GET /CreditNotes/{id}
    assert credit_calls["GET /api.xro/2.0/CreditNotes"] <= 3  # 60 ids: as many a page as the query string holds


def test_lookups_after_a_lost_answer_are_cut_by_the_query_string_s_length(world: World) -> None:
    """Invoice numbers are free text (up to 255 characters in Xero): 20 numbers of 100 characters with their
    ContactIDs already pass 2,048 bytes, so the look-up by ``InvoiceNumbers`` + ``ContactIDs`` is cut by length."""
    numbers = _documents(world, 45, 5, prefix="L" * 92)
    remote = {d.number: d for d in world.remote_documents()}
    with session_scope(world.sessions) as session:
        ids = list(session.scalars(select(Document.id).where(Document.number.in_(numbers))))
        views = load_documents(session, ids)
    items = [DocumentExport(doc_id, "create", view, remote[view.number].party_id or "", None, f"k{doc_id}")
             for doc_id, view in views.items()]
    found = world.connector().find_existing_documents(items)
    assert {doc_id: doc.external_id for doc_id, doc in found.items()} == {
        doc_id: remote[view.number].external_id for doc_id, view in views.items()}
