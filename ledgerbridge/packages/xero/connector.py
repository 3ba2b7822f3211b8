"""The Xero connector: the adapter role (Xero's API) behind ledgerbridge's ``Connector`` protocol.

It turns export items into Xero batches (``summarizeErrors=false``, at most 50
elements, an ``Idempotency-Key`` per request), reads per-element outcomes, finds
documents that a lost answer may have created, reads back for the seen tick and
pages payments incrementally. HTTP, tokens, the call budget and retries are the
client's job (``xero.client``).
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping, Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any

from ledgerbridge.connectors.package_http import PackageHttp
from ledgerbridge.connectors.protocol import (
    AllocationExport,
    CallBudgetSpent,
    ChartAccount,
    ChartSnapshot,
    ChartTaxRate,
    ConnectorCallFailed,
    DocumentExport,
    ExportContext,
    ExportOutcome,
    ItemExport,
    PartyExport,
    PaymentExport,
    Problem,
    RemoteCredit,
    RemoteDocument,
    RemoteParty,
    RemotePayment,
)
from ledgerbridge.packages.xero import party_reads
from ledgerbridge.packages.xero import payments as xero_payments
from ledgerbridge.packages.xero.errors import explain
from ledgerbridge.packages.xero.limits import BATCH_SIZE, MAX_IDS, XERO_TEXT_LIMITS
from ledgerbridge.packages.xero.mapper import (
    contact_payload,
    document_payload,
    is_credit_note,
    item_payload,
    renamed_contact,
    xero_type,
)
from ledgerbridge.packages.xero.msdate import parse_xero_datetime
from ledgerbridge.packages.xero.query_chunks import fitting_chunks, ids_where, quote
from ledgerbridge.store.views import DocumentView, ItemView, PartyView

EMPTY_ID = "00000000-0000-0000-0000-000000000000"
SALES_ACCOUNT_TYPES = {"REVENUE", "SALES", "OTHERINCOME"}
PURCHASE_ACCOUNT_TYPES = {"DIRECTCOSTS", "EXPENSE", "OVERHEADS", "FIXED", "CURRENT", "INVENTORY", "PREPAYMENT",
                          "NONCURRENT", "DEPRECIATN"}
LOOKUP_CHUNK = 20  # numbers or codes OR-ed in one where clause (the query string's length cuts sooner)
PAGE_SIZE = 1000


class XeroConnector:
    kind = "xero"
    display_name = "Xero"
    max_batch = BATCH_SIZE
    max_concurrent_calls = 5
    missing_account_answer: str | None = "Account code or ID must be specified"
    separate_party_roles = False  # one Contact is customer and supplier alike
    max_number_length = XERO_TEXT_LIMITS.number
    tax_rounding = "line"  # Xero rounds each line's tax, then sums
    rounding_lines = True
    max_ids_per_read = MAX_IDS
    allocates_in_create = False  # a prepayment is born of a bank transaction; allocations are a PUT of their own

    def __init__(self, client: PackageHttp) -> None:
        self.client = client

    # -- payments' identity (a Xero payment is one record; our reference is "text [host id]" or the host id) --
    def payment_parts_prefix(self, external_id: str) -> str | None:
        return None

    def whole_payment_id(self, external_id: str) -> str:
        return external_id

    def host_id_in_reference(self, reference: str | None) -> str | None:
        return xero_payments.host_id_in_reference(reference)

    def close(self) -> None:
        self.client.close()

    def __enter__(self) -> XeroConnector:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- plumbing --------------------------------------------------------------------------------------------
    def _call(self, method: str, path: str, *, params: dict[str, Any] | None = None, body: Any = None,
              key: str | None = None, since: datetime | None = None, purpose: str = "") -> dict[str, Any]:
        from ledgerbridge.connectors.budget import BudgetExhausted
        from ledgerbridge.packages.xero.client import PackageCallError

        try:
            response = self.client.request(method, path, params=params, json_body=body, idempotency_key=key,
                                           if_modified_since=since, purpose=purpose)
        except BudgetExhausted as spent:
            raise CallBudgetSpent(f"Xero's daily call limit for this organisation is used up; the rest goes out "
                                  f"after {spent.until:%Y-%m-%d %H:%M} UTC", spent.until) from spent
        except PackageCallError as failure:
            # a PackageCallError's decision is a failure: its failure_type is never None
            raise ConnectorCallFailed(str(failure), failure_type=failure.decision.failure_type or "system",
                                      source="network" if failure.status is None else "package",
                                      raw_response=failure.body, outcome_unknown=failure.outcome_unknown) from failure
        data: dict[str, Any] = json.loads(response.content or b"{}", parse_float=Decimal)
        return data

    # -- chart -----------------------------------------------------------------------------------------------
    def fetch_chart(self) -> ChartSnapshot:
        accounts = []
        for acc in self._call("GET", "/Accounts", purpose="refresh chart").get("Accounts", []):
            kind = acc.get("Type", "")
            usable = []
            if kind in SALES_ACCOUNT_TYPES:
                usable.append("sales")
            if kind in PURCHASE_ACCOUNT_TYPES:
                usable.append("purchases")
            if kind == "BANK" or acc.get("EnablePaymentsToAccount"):
                usable.append("bank")
            if acc.get("Code"):
                accounts.append(ChartAccount(acc["Code"], acc.get("AccountID", ""), acc.get("Name", ""), kind,
                                             tuple(usable), acc.get("Status", "ACTIVE") == "ACTIVE"))
        rates = []
        for rate in self._call("GET", "/TaxRates", purpose="refresh chart").get("TaxRates", []):
            usable = [side for side, flag in (("sales", "CanApplyToRevenue"), ("purchases", "CanApplyToExpenses"))
                      if rate.get(flag)]
            rates.append(ChartTaxRate(rate["TaxType"], rate.get("Name", ""),
                                      Decimal(str(rate.get("EffectiveRate", rate.get("DisplayTaxRate", 0)))),
                                      tuple(usable), rate.get("Status", "ACTIVE") == "ACTIVE"))
        currencies = tuple(c["Code"] for c in self._call("GET", "/Currencies", purpose="refresh chart")
                           .get("Currencies", []))
        orgs = self._call("GET", "/Organisation", purpose="refresh chart").get("Organisations", [])
        base = orgs[0].get("BaseCurrency", "GBP") if orgs else "GBP"
        return ChartSnapshot(tuple(accounts), tuple(rates), currencies, base)

    def precheck_document(self, document: DocumentView, ctx: ExportContext) -> list[Problem]:
        problems = []
        if document.exchange_rate is not None and document.exchange_rate <= 0:
            problems.append(Problem(f"{document.label()}: the exchange rate must be positive", failure_type="data"))
        return problems

    # -- export ----------------------------------------------------------------------------------------------
    def export_parties(self, items: Sequence[PartyExport], ctx: ExportContext, batch_key: str) -> list[ExportOutcome]:
        outcomes: dict[int, ExportOutcome] = {}
        creates = [it for it in items if not it.external_id]
        updates = [it for it in items if it.external_id]
        for verb, group, suffix in (("PUT", creates, "c"), ("POST", updates, "u")):
            if group:
                outcomes.update(self._send_contacts(verb, group, {}, f"{batch_key}-{suffix}"))
        # A customer and a supplier may share a name; Xero wants names unique among active contacts.
        clashes = [it for it in items if (o := outcomes[it.sync_record_id]) and not o.ok
                   and "already assigned to another contact" in (o.message or "") and "contact name" in
                   (o.message or "").lower()]
        if clashes:
            renamed = {it.sync_record_id: renamed_contact(it.party) for it in clashes}
            outcomes.update(self._send_contacts("PUT", [it for it in clashes if not it.external_id], renamed,
                                                f"{batch_key}-r"))
        return [outcomes[it.sync_record_id] for it in items]

    def _send_contacts(self, verb: str, items: list[PartyExport], names: dict[int, str],
                       key: str) -> dict[int, ExportOutcome]:
        payloads = [contact_payload(it, names.get(it.sync_record_id)) for it in items]
        return self._send_collection(verb, "Contacts", ("ContactID", "ContactNumber", "Name"), items, payloads, key)

    def _send_collection(self, verb: str, collection: str, fields: tuple[str, str, str], items: Sequence[Any],
                         payloads: list[dict[str, Any]], key: str) -> dict[int, ExportOutcome]:
        """One write of a collection with per-element outcomes (``summarizeErrors=false``)."""
        if not items:
            return {}
        id_field, number_field, name_field = fields
        data = self._call(verb, f"/{collection}", params={"summarizeErrors": "false"}, body={collection: payloads},
                          key=key, purpose=f"export {collection.lower()}")
        out = {}
        for it, element in zip(items, data.get(collection, []), strict=False):
            errors = [e.get("Message", "") for e in element.get("ValidationErrors") or []]
            if element.get("HasValidationErrors") or element.get("HasErrors") or errors:
                message = "; ".join(errors) or f"Xero refused the {collection[:-1].lower()}"
                failure_type, hint = explain(message)
                out[it.sync_record_id] = ExportOutcome(it.sync_record_id, False, message=message, hint=hint,
                                                       failure_type=failure_type,
                                                       raw_response=json.dumps(element, default=str))
            else:
                out[it.sync_record_id] = ExportOutcome(it.sync_record_id, True, external_id=element.get(id_field),
                                                       external_number=element.get(number_field),
                                                       external_name=element.get(name_field))
        for it in items:  # an element Xero did not echo is not a success
            out.setdefault(it.sync_record_id, ExportOutcome(it.sync_record_id, False, failure_type="system",
                                                            message=f"Xero did not return this {collection[:-1]}"))
        return out

    def export_items(self, items: Sequence[ItemExport], ctx: ExportContext, batch_key: str) -> list[ExportOutcome]:
        outcomes: dict[int, ExportOutcome] = {}
        for verb, group, suffix in (("PUT", [it for it in items if not it.external_id], "c"),
                                    ("POST", [it for it in items if it.external_id], "u")):
            outcomes.update(self._send_collection(verb, "Items", ("ItemID", "Code", "Name"), group,
                                                  [item_payload(it, ctx) for it in group], f"{batch_key}-{suffix}"))
        return [outcomes[it.sync_record_id] for it in items]

    def find_existing_items(self, items: Sequence[ItemView]) -> dict[int, tuple[str, str]]:
        found: dict[int, tuple[str, str]] = {}
        by_code = {i.code.lower(): i for i in items}
        codes = [i.code for i in items]
        for chunk in fitting_chunks(codes, lambda part: {"where": _any_of("Code", part)}, LOOKUP_CHUNK):
            for item in self._call("GET", "/Items", params={"where": _any_of("Code", chunk)},
                                   purpose="look up items").get("Items", []):
                view = by_code.get(str(item.get("Code", "")).lower())
                if view is not None:
                    found[view.id] = (item["ItemID"], item.get("Name", view.name))
        return found

    def write_group(self, doc_type: str) -> str:
        return "CreditNotes" if is_credit_note(doc_type) else "Invoices"  # ACCREC and ACCPAY alike

    def export_documents(self, items: Sequence[DocumentExport], ctx: ExportContext,
                         batch_key: str) -> list[ExportOutcome]:
        credit = is_credit_note(items[0].document.type)
        collection = "CreditNotes" if credit else "Invoices"
        verb = "PUT" if items[0].action == "create" else "POST"
        body = {collection: [document_payload(it, ctx) for it in items]}
        data = self._call(verb, f"/{collection}", params={"summarizeErrors": "false"}, body=body, key=batch_key,
                          purpose=f"export {collection.lower()}")
        elements = data.get(collection, [])
        outcomes = []
        for n, it in enumerate(items):
            element = elements[n] if n < len(elements) else {}
            outcomes.append(self._document_outcome(it, element, credit))
        return outcomes

    def _document_outcome(self, item: DocumentExport, element: dict[str, Any], credit: bool) -> ExportOutcome:
        id_field, number_field = ("CreditNoteID", "CreditNoteNumber") if credit else ("InvoiceID", "InvoiceNumber")
        errors = [e.get("Message", "") for e in element.get("ValidationErrors") or []]
        ext_id = element.get(id_field)
        if element.get("HasErrors") or errors or not ext_id or ext_id == EMPTY_ID:
            message = "; ".join(errors) or "Xero did not return this document"
            failure_type, hint = explain(message)
            return ExportOutcome(item.sync_record_id, False, message=message, hint=hint, failure_type=failure_type,
                                 raw_response=json.dumps(element, default=str))
        return ExportOutcome(item.sync_record_id, True, external_id=ext_id, external_number=element.get(number_field),
                             total=_dec(element.get("Total")))

    # -- lookups after a lost answer -------------------------------------------------------------------------
    def find_existing_parties(self, parties: Sequence[PartyView]) -> dict[int, tuple[str, str]]:
        found: dict[int, tuple[str, str]] = {}
        by_code = {p.code: p for p in parties}
        codes = list(by_code)
        for chunk in fitting_chunks(codes, _contacts_query, LOOKUP_CHUNK):
            for contact in self._call("GET", "/Contacts", params=_contacts_query(chunk),
                                      purpose="look up contacts").get("Contacts", []):
                party = by_code.get(contact.get("ContactNumber", ""))
                if party is not None and contact.get("ContactStatus", "ACTIVE") == "ACTIVE":
                    found[party.id] = (contact["ContactID"], contact.get("Name", party.name))
        return found

    def find_existing_documents(self, items: Sequence[DocumentExport]) -> dict[int, RemoteDocument]:
        found: dict[int, RemoteDocument] = {}
        invoices = [it for it in items if not is_credit_note(it.document.type)]
        credits = [it for it in items if is_credit_note(it.document.type)]
        # ContactIDs is an id list like IDs (at most MAX_IDS); the numbers are free text, so the length decides
        for chunk in fitting_chunks(invoices, _invoice_lookup, MAX_IDS):
            remote = self._call("GET", "/Invoices", params=_invoice_lookup(chunk),
                                purpose="look up invoices").get("Invoices", [])
            self._match(chunk, remote, "InvoiceID", "InvoiceNumber", found)
        for part in fitting_chunks(credits, _credit_lookup, LOOKUP_CHUNK):
            remote = self._call("GET", "/CreditNotes", params=_credit_lookup(part),
                                purpose="look up credit notes").get("CreditNotes", [])
            self._match(part, remote, "CreditNoteID", "CreditNoteNumber", found)
        return found

    @staticmethod
    def _match(items: Sequence[DocumentExport], remote: list[dict[str, Any]], id_field: str, number_field: str,
               found: dict[int, RemoteDocument]) -> None:
        """Match on type, number and contact; bills' numbers are not unique in Xero, so the total must agree too."""
        for it in items:
            for doc in remote:
                if (doc.get(number_field) == it.document.number and doc.get("Type") == xero_type(it.document.type)
                        and (doc.get("Contact") or {}).get("ContactID") == it.party_external_id
                        and doc.get("Status") not in ("DELETED", "VOIDED")
                        and (doc.get("Type") == "ACCREC" or _dec(doc.get("Total")) == it.document.gross_total)):
                    found[it.sync_record_id] = _remote(doc, id_field, number_field)
                    break

    # -- read-back (seen tick) -------------------------------------------------------------------------------
    def read_back_documents(self, wanted: Sequence[tuple[str, str]]) -> dict[str, RemoteDocument]:
        """Invoices by ``IDs`` (at most :data:`MAX_IDS` a call); credit notes, which have no ``IDs`` filter
        (``GET /CreditNotes`` in the spec), in pages of a ``where`` on their ids, as many as the query holds."""
        out: dict[str, RemoteDocument] = {}
        invoice_ids = [ext for doc_type, ext in wanted if not is_credit_note(doc_type)]
        for chunk in fitting_chunks(invoice_ids, _read_back_query, MAX_IDS):
            for doc in self._call("GET", "/Invoices", params=_read_back_query(chunk),
                                  purpose="read back").get("Invoices", []):
                out[doc["InvoiceID"]] = _remote(doc, "InvoiceID", "InvoiceNumber")
        credit_ids = [ext for doc_type, ext in wanted if is_credit_note(doc_type)]
        for chunk in fitting_chunks(credit_ids, _credit_read_back_query, MAX_IDS):
            for page in self._pages("/CreditNotes", "CreditNotes", {"where": ids_where("CreditNoteID", chunk)},
                                    None):
                for doc in page:
                    out[doc["CreditNoteID"]] = _remote(doc, "CreditNoteID", "CreditNoteNumber")
        return out

    def remote_documents_since(self, since: datetime, doc_types: set[str],
                               wanted: Mapping[str, str] | None = None) -> Iterator[list[RemoteDocument]]:
        """``/Invoices`` (sales invoices and bills alike) and ``/CreditNotes``, each a page at a time; with
        ``wanted``, a list stops as soon as every wanted document it holds has been seen."""
        for credit, path, params, fields in ((False, "/Invoices", {"summaryOnly": "true"},
                                              ("InvoiceID", "InvoiceNumber")),
                                             (True, "/CreditNotes", {}, ("CreditNoteID", "CreditNoteNumber"))):
            if not any(is_credit_note(t) == credit for t in doc_types):
                continue
            awaited = None if wanted is None else {ext for ext, t in wanted.items() if is_credit_note(t) == credit}
            if awaited is not None and not awaited:
                continue
            for page in self._pages(path, path[1:], params, since):
                docs = [_remote(doc, *fields) for doc in page]
                yield docs
                if awaited is not None:
                    awaited.difference_update(doc.external_id for doc in docs)
                    if not awaited:
                        break

    def _pages(self, path: str, collection: str, params: dict[str, Any],
               since: datetime | None) -> Iterator[list[dict[str, Any]]]:
        """Page through a collection; stops on a short page or at the page count, never loops."""
        page = 1
        while True:
            data = self._call("GET", path, params={**params, "page": page, "pageSize": PAGE_SIZE}, since=since,
                              purpose=f"read {collection.lower()}")
            rows = data.get(collection, [])
            yield rows
            pagination = data.get("pagination") or {}
            if len(rows) < PAGE_SIZE or page >= int(pagination.get("pageCount", page)):
                return
            page += 1

    # -- the import of customers and suppliers (R-I4): xero.party_reads --------------------------------------
    def fetch_parties(self, role: str | None, since: datetime | None) -> Iterator[list[RemoteParty]]:
        return party_reads.fetch_parties(self._pages, role, since)

    # -- payments --------------------------------------------------------------------------------------------
    def fetch_payments(self, since: datetime | None) -> Iterator[RemotePayment]:
        for raw in (p for page in self._pages("/Payments", "Payments", {"order": "UpdatedDateUTC ASC"}, since)
                    for p in page):
            yield xero_payments.payment_from_xero(raw)
        yield from xero_payments.credits_as_payments(self._pages, since)

    # -- money out and allocations (issue 5): Xero's shapes live in xero.payments ------------------------------
    def export_payments(self, items: Sequence[PaymentExport], ctx: ExportContext,
                        batch_key: str) -> list[ExportOutcome]:
        return xero_payments.export_payments(self._call, items, ctx, batch_key)

    def find_existing_payments(self, items: Sequence[PaymentExport]) -> dict[int, str]:
        return xero_payments.find_existing_payments(self._call, items)

    def export_allocations(self, items: Sequence[AllocationExport], batch_key: str) -> dict[str, ExportOutcome]:
        return xero_payments.export_allocations(self._call, items, batch_key)

    def read_credits(self, source_kind: str, external_ids: Sequence[str]) -> dict[str, RemoteCredit]:
        return xero_payments.read_credits(self._call, source_kind, external_ids)

    def fetch_allocations(self, since: datetime | None) -> Iterator[RemoteCredit]:
        return xero_payments.fetch_allocations(self._pages, since)


def _dec(value: Any) -> Decimal:
    return Decimal(str(value)) if value is not None else Decimal(0)


def _any_of(field: str, values: Sequence[str]) -> str:
    return " OR ".join(f'{field}=="{quote(value)}"' for value in values)


def _contacts_query(codes: Sequence[str]) -> dict[str, Any]:
    return {"where": _any_of("ContactNumber", codes), "page": 1}


def _invoice_lookup(items: Sequence[DocumentExport]) -> dict[str, Any]:
    return {"InvoiceNumbers": ",".join(it.document.number for it in items), "page": 1,
            "ContactIDs": ",".join(sorted({it.party_external_id or "" for it in items}))}


def _credit_lookup(items: Sequence[DocumentExport]) -> dict[str, Any]:
    return {"where": _any_of("CreditNoteNumber", [it.document.number for it in items]), "page": 1}


def _read_back_query(ids: Sequence[str]) -> dict[str, Any]:
    return {"IDs": ",".join(ids), "summaryOnly": "true"}


def _credit_read_back_query(ids: Sequence[str]) -> dict[str, Any]:
    """As :meth:`XeroConnector._pages` sends it (page 1: a chunk never fills a page of :data:`PAGE_SIZE`)."""
    return {"where": ids_where("CreditNoteID", ids), "page": 1, "pageSize": PAGE_SIZE}


def _remote(doc: dict[str, Any], id_field: str, number_field: str) -> RemoteDocument:
    """Invoices carry AmountDue/AmountPaid/AmountCredited; a credit note has RemainingCredit instead, its refunds
    in Payments and what it settled in Allocations (reconciliation compares each with the host's)."""
    if id_field == "CreditNoteID":
        due = _dec(doc.get("RemainingCredit"))
        paid = sum((_dec(p.get("Amount")) for p in doc.get("Payments") or []), Decimal(0))
        credited = sum((_dec(a.get("Amount")) for a in doc.get("Allocations") or []), Decimal(0))
    else:
        due, paid, credited = _dec(doc.get("AmountDue")), _dec(doc.get("AmountPaid")), _dec(doc.get("AmountCredited"))
    updated = doc.get("UpdatedDateUTC")
    return RemoteDocument(doc[id_field], doc.get(number_field), _dec(doc.get("Total")), due, doc.get("Status", ""),
                          amount_paid=paid, amount_credited=credited, currency=doc.get("CurrencyCode"),
                          updated_at=parse_xero_datetime(updated) if updated else None)
