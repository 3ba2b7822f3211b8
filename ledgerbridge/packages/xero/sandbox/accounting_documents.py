"""Invoice and credit-note routes, which share everything but their names (as they do in Xero)."""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from fastapi import APIRouter, Request
from fastapi.responses import Response

from .batch import ALLOCATIONS, CREDIT_NOTES, INVOICES, BatchStyle, Outcome
from .books import TenantBooks
from .documents import create_document, find_document_for_upsert, noun, update_document
from .echoes import allocation_echo, document_echo
from .endpoint import (
    JSON_TYPE,
    list_response,
    query,
    summary_only,
    tenant_books,
    unit_dp,
    write_batch,
    xero_response,
)
from .errors import NotFound
from .inputs import AllocationInput, DocumentInput, read_allocation, read_document
from .listing import split_list
from .reader import Reader
from .records import CreditKind, Document
from .settlements import allocate_credit, credit_source, unallocate_credit
from .views import allocation_view, document_view, invoice_summary_view
from .wire import encode_json

router = APIRouter()


@dataclass(frozen=True, slots=True)
class _Kind:
    kind: str
    style: BatchStyle
    number_param: str

    def read(self, reader: Reader) -> DocumentInput:
        return read_document(reader, self.kind)


INVOICE = _Kind("invoice", INVOICES, "InvoiceNumbers")
CREDIT_NOTE = _Kind("creditnote", CREDIT_NOTES, "CreditNoteNumbers")


def _list(request: Request, kind: _Kind) -> Response:
    ids = {i.lower() for i in split_list(query(request, "IDs")) or []}
    numbers = {n.casefold() for n in split_list(query(request, kind.number_param)) or []}
    contact_ids = {c.lower() for c in split_list(query(request, "ContactIDs")) or []}
    statuses = {s.upper() for s in split_list(query(request, "Statuses")) or []}
    term = (query(request, "searchTerm") or "").strip().casefold()
    dp = unit_dp(request)
    lightweight = kind is INVOICE and summary_only(request)
    with tenant_books(request) as books:
        pool: Iterable[Document]
        if contact_ids:
            pool = (books.documents[d] for c in contact_ids for d in books.documents_by_contact.get(c, []))
        else:
            pool = books.documents.values()
        docs = [
            d for d in pool
            if d.kind == kind.kind
            and (not ids or d.doc_id in ids)
            and (not numbers or d.number.casefold() in numbers)
            and (not statuses or d.status in statuses)
            and (not term or term in d.number.casefold() or term in (d.reference or "").casefold())
        ]
        if contact_ids:
            docs.sort(key=lambda d: d.created)
        # summaryOnly is an Invoices parameter only (the spec has none on CreditNotes).
        summary = functools.partial(invoice_summary_view, books) if lightweight else None
        return list_response(
            request, kind.style.collection, docs,
            lambda d, lines: document_view(books, d, lines=lines, unit_dp=dp), lambda d: d.updated,
            lines_without_page=False, summary=summary,
        )


def _find(books: TenantBooks, kind: _Kind, reference: str) -> Document:
    """By id, or by number (Xero accepts either in the path of a single-document GET)."""
    doc = books.documents.get(reference.lower())
    if doc is None:
        types = ("ACCREC", "ACCPAY") if kind.kind == "invoice" else ("ACCRECCREDIT", "ACCPAYCREDIT")
        found = [d for t in types for d in books.documents_numbered(t, reference) if d.status != "DELETED"]
        doc = found[0] if found else None
    if doc is None or doc.kind != kind.kind:
        raise NotFound()
    return doc


def _get_one(request: Request, kind: _Kind, reference: str) -> Response:
    dp = unit_dp(request)
    with tenant_books(request) as books:
        view = document_view(books, _find(books, kind, reference), lines=True, unit_dp=dp)
        return xero_response(request, **{kind.style.collection: [view]})


def _outcome(books: TenantBooks, kind: _Kind, given: DocumentInput, doc: Document | None, errors: list[str],
             existing: Document | None, dp: int) -> Outcome:
    if doc is None:
        echo = document_echo(given, kind.kind, existing.doc_id if existing else None, books.enabled_currencies)
        return Outcome(echo, errors)
    return Outcome(document_view(books, doc, lines=True, unit_dp=dp), [])


def _creator(kind: _Kind, dp: int) -> Callable[[TenantBooks, DocumentInput], Outcome]:
    def apply(books: TenantBooks, given: DocumentInput) -> Outcome:
        if given.doc_id and given.doc_id in books.documents:
            # Assumption: PUT only creates; naming an existing document is refused rather than applied.
            message = f"{noun(kind.kind)} already exists; use POST to update it."
            return _outcome(books, kind, given, None, [message], books.documents[given.doc_id], dp)
        doc, errors = create_document(books, kind.kind, given, dp)
        return _outcome(books, kind, given, doc, errors, None, dp)

    return apply


def _upserter(kind: _Kind, dp: int) -> Callable[[TenantBooks, DocumentInput], Outcome]:
    def apply(books: TenantBooks, given: DocumentInput) -> Outcome:
        existing, problem = find_document_for_upsert(books, kind.kind, given)
        if problem:
            return _outcome(books, kind, given, None, [problem], None, dp)
        if existing is None:
            doc, errors = create_document(books, kind.kind, given, dp)
        else:
            doc, errors = update_document(books, existing, given, dp)
        return _outcome(books, kind, given, doc, errors, existing, dp)

    return apply


def _updater(kind: _Kind, reference: str, dp: int) -> Callable[[TenantBooks, DocumentInput], Outcome]:
    def apply(books: TenantBooks, given: DocumentInput) -> Outcome:
        existing = _find(books, kind, reference)
        doc, errors = update_document(books, existing, given, dp)
        return _outcome(books, kind, given, doc, errors, existing, dp)

    return apply


def _register(kind: _Kind, path: str, id_name: str) -> None:
    collection = kind.style.collection

    @router.get(path, name=f"get{collection}")
    async def get_many(request: Request) -> Response:
        return _list(request, kind)

    @router.get(f"{path}/{{{id_name}}}", name=f"get{collection}One")
    async def get_one(request: Request) -> Response:
        return _get_one(request, kind, request.path_params[id_name])

    @router.put(path, name=f"create{collection}")
    async def create(request: Request) -> Response:
        return await write_batch(request, kind.style, kind.read, _creator(kind, unit_dp(request)))

    @router.post(path, name=f"updateOrCreate{collection}")
    async def upsert(request: Request) -> Response:
        return await write_batch(request, kind.style, kind.read, _upserter(kind, unit_dp(request)))

    @router.post(f"{path}/{{{id_name}}}", name=f"update{collection}One")
    async def update(request: Request) -> Response:
        apply = _updater(kind, request.path_params[id_name], unit_dp(request))
        return await write_batch(request, kind.style, kind.read, apply, single_allowed=True, summarize=True)


_register(INVOICE, "/Invoices", "InvoiceID")
_register(CREDIT_NOTE, "/CreditNotes", "CreditNoteID")


@router.put("/CreditNotes/{CreditNoteID}/Allocations")
async def allocate_credit_note(request: Request, CreditNoteID: str) -> Response:  # noqa: N803 - spec name
    return await allocation_batch(request, "creditnote", CreditNoteID)


@router.delete("/CreditNotes/{CreditNoteID}/Allocations/{AllocationID}")
async def unallocate_credit_note(request: Request, CreditNoteID: str, AllocationID: str) -> Response:  # noqa: N803
    return unallocation(request, "creditnote", CreditNoteID, AllocationID)


def unallocation(request: Request, kind: CreditKind, source_id: str, allocation_id: str) -> Response:
    """``DELETE /{CreditNotes|Prepayments|Overpayments}/{id}/Allocations/{AllocationID}``: the spec answers with
    the bare Allocation (no envelope) flagged ``IsDeleted``."""
    with tenant_books(request) as books:
        source = credit_source(books, kind, source_id.lower())
        allocation = unallocate_credit(books, kind, source, allocation_id) if source is not None else None
        if allocation is None:
            raise NotFound()
        view = {**allocation_view(books, allocation), "IsDeleted": True}
    return Response(content=encode_json(view), media_type=JSON_TYPE)


async def allocation_batch(request: Request, kind: CreditKind, source_id: str) -> Response:
    """``PUT /{CreditNotes|Prepayments|Overpayments}/{id}/Allocations`` (shared with the payment routes)."""

    def apply(books: TenantBooks, given: AllocationInput) -> Outcome:
        source = credit_source(books, kind, source_id.lower())
        if source is None:
            raise NotFound()
        allocation, errors = allocate_credit(books, kind, source, given)
        if allocation is None:
            return Outcome(allocation_echo(given), errors)
        return Outcome(allocation_view(books, allocation), [])

    return await write_batch(request, ALLOCATIONS, read_allocation, apply)

