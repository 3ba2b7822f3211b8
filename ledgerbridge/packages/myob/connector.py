"""The MYOB Business connector behind ledgerbridge's ``Connector`` protocol.

MYOB has no batch endpoint and no idempotency key: one record a call (``max_batch`` 1), and a POST sent twice
creates twice. So the exporter records each attempt before the call, and after a lost answer the connector looks
the record up (``myob.reads``: DisplayID, Number, the host id stamped in JournalMemo) before creating it again.
Updates PUT the whole record with its current ``RowVersion`` and the ``RowID``s of the lines kept (a PUT replaces
the lines); a 409 (someone changed it in MYOB meanwhile) is re-read, merged and sent once more. A void deletes the
document; where the company file forbids changing transactions (``TransactionsCannotBeChangedMustBeReversed``) it is
reversed instead: a document of the opposite sign with the same lines, noted in the record's history.

The connector is in several modules: ``myob.calls`` (requests, pages), ``myob.reads`` (chart, look-ups, read-back,
payments made in MYOB), ``myob.payments`` (money out, credit settlements), ``myob.deposits`` (prepayments),
``myob.party_reads`` (the cards an import of parties reads) and this one (the writes).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator, Sequence
from datetime import datetime
from typing import Any

from ledgerbridge.connectors.package_http import PackageHttp
from ledgerbridge.connectors.protocol import (
    AllocationExport,
    ConnectorCallFailed,
    DocumentExport,
    ExportContext,
    ExportOutcome,
    ItemExport,
    PartyExport,
    PaymentExport,
    Problem,
    RemoteCredit,
    RemoteParty,
)
from ledgerbridge.packages.myob import party_reads
from ledgerbridge.packages.myob import payments as myob_payments
from ledgerbridge.packages.myob.calls import MyobCallFailed, dec, q
from ledgerbridge.packages.myob.errors import cannot_delete, explain
from ledgerbridge.packages.myob.limits import (
    BATCH_SIZE,
    CREDIT_TYPES,
    DISPLAY_ID_MAX,
    EXPORT_WINDOWS_AHEAD,
    IDS_PER_READ,
    MYOB_TEXT_LIMITS,
)
from ledgerbridge.packages.myob.mapper import (
    document_payload,
    document_route,
    item_payload,
    memo_stamp,
    party_payload,
    party_route,
)
from ledgerbridge.packages.myob.reads import MyobReads
from ledgerbridge.packages.myob.rules import CompanyRules, read_rules
from ledgerbridge.store.views import DocumentView, PartyView

#: Tax codes a card falls back on when the connection maps none (AU: GST; NZ: S15 / GST as well; N-T: not taxed).
FALLBACK_TAX_CODES = ("GST", "N-T", "FRE")


def _failed(sync_id: int, failure: ConnectorCallFailed) -> ExportOutcome:
    hint = explain(failure.errors)[1] if isinstance(failure, MyobCallFailed) and failure.errors else None
    return ExportOutcome(sync_id, False, message=failure.message, hint=hint, failure_type=failure.failure_type,
                         raw_response=failure.raw_response)


#: The longest ``$filter`` of names in one look-up, in characters: MYOB documents no limit on an address, and web
#: servers commonly refuse one past 2,048 bytes (Xero's does): kept well under it, escaped.
NAMES_FILTER_CHARS = 1200


class MyobConnector(MyobReads):
    kind = "myob"
    display_name = "MYOB"
    max_batch = BATCH_SIZE
    max_concurrent_calls = 8
    export_windows_ahead = EXPORT_WINDOWS_AHEAD  # MYOB paces its calls by the second: keep them going out
    max_number_length = MYOB_TEXT_LIMITS.number
    tax_rounding = "line"  # MYOB computes tax per line
    rounding_lines = False
    missing_account_answer: str | None = None
    separate_party_roles = True  # Contact/Customer and Contact/Supplier: a party in both roles is two cards
    max_ids_per_read = IDS_PER_READ
    # Cards handed to ``export_parties`` at once (``sync.dependencies``), and the upload's parties exported ahead of
    # its first document (``sync.parties_ahead``: only those a document that passes pre-check names). MYOB still
    # creates one card a call; what a batch saves is the look-up of the new cards' names (``_cards_named``): a query
    # carries some 25-30 names, where the engine's batch of one (``max_batch``) cost a query a card. 100 keeps the
    # bindings committed every 100 cards (some 12 s of MYOB's 8 calls a second): a run stopped between two commits
    # leaves no more than that to look up by card ID (``find_existing_parties``, many IDs a query) next time.
    max_dependency_batch = 100
    # A prepayment is a Sale/CustomerPayment whose Invoices lines apply it as it is created (MYOB holds no money on
    # account through the API); a credit note is applied by a Sale/CreditSettlement of its own (export_allocations).
    allocates_in_create = True

    def __init__(self, client: PackageHttp) -> None:
        self.client = client
        self._lock = threading.Lock()
        self._account_uids: dict[str, str] | None = None
        self._account_codes: dict[str, str] = {}
        self._tax_uids: dict[str, str] | None = None
        self._home_currency: str | None = None
        self._rules: CompanyRules | None = None
        self._items: dict[str, str | None] = {}  # item code -> UID (None: not in MYOB)

    def close(self) -> None:
        self.client.close()

    def __enter__(self) -> MyobConnector:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def rules(self) -> CompanyRules:
        if self._rules is None:
            self._rules = read_rules(self)
        return self._rules

    def precheck_document(self, document: DocumentView, ctx: ExportContext) -> list[Problem]:
        # The 13-character Number is checked by the core through ``max_number_length``.
        problems = self.rules().problems(document)
        if document.currency and ctx.mappings.currencies and document.currency not in ctx.mappings.currencies:
            problems.append(Problem(f"{document.label()}: MYOB's company file does not use {document.currency}",
                                    failure_type="config"))
        return problems

    # -- export: parties and items ----------------------------------------------------------------------------
    def _card_tax_codes(self, ctx: ExportContext, side: str) -> tuple[str, str] | None:
        """The tax code and freight tax code MYOB requires on a new card: the connection's first mapped code,
        else a common one the file has."""
        mapped = [c for c in ctx.mappings.tax_for(side).values() if self.has_tax_code(c)]
        code = mapped[0] if mapped else next((c for c in FALLBACK_TAX_CODES if self.has_tax_code(c)), None)
        return None if code is None else (self.tax_uid(code), self.tax_uid(code))

    def export_parties(self, items: Sequence[PartyExport], ctx: ExportContext, batch_key: str) -> list[ExportOutcome]:
        out: list[ExportOutcome] = []
        in_use: dict[str, list[dict[str, Any]]] | None = None  # cards by name, read once for the new ones
        # Names whose card's create failed in this batch: MYOB may have made it (a lost answer), so a party of the
        # same name later in the batch looks again, as a look-up a card did, rather than take the name as well.
        unsure: set[str] = set()
        for it in items:
            party = it.party
            if len(party.code) > DISPLAY_ID_MAX:
                out.append(ExportOutcome(it.sync_record_id, False, failure_type="data", message=(
                    f"{party.name} ({party.code}): the code is longer than MYOB's card ID takes ({DISPLAY_ID_MAX} "
                    "characters)"), hint="Shorten the customer's or supplier's code in the host."))
                continue
            codes = self._card_tax_codes(ctx, "sales" if party.is_customer else "purchases")
            if codes is None:
                out.append(ExportOutcome(it.sync_record_id, False, failure_type="config", message=(
                    f"{party.name} ({party.code}): MYOB needs a tax code on every card, and no tax code is mapped"),
                    hint="Map the host's tax codes to MYOB's, then upload again."))
                continue
            route = party_route(party.is_customer)
            body = party_payload(it, *codes)
            try:
                if it.external_id:
                    made = self._update(route, it.external_id, body, "export customers and suppliers",
                                        keep=_keeping_name(self._suffixed(party)))
                else:
                    name = party.name.strip()
                    if in_use is None:
                        in_use = self._cards_named([i.party for i in items if not i.external_id])
                    elif name in unsure:
                        in_use[name] = self._cards_named([party]).get(name, [])
                        unsure.discard(name)
                    body["CompanyName"] = self._card_name(party, in_use)
                    made = self.create(route, body, "export customers and suppliers")
                    in_use.setdefault(name, []).append(made)
            except ConnectorCallFailed as failure:
                if not it.external_id:
                    unsure.add(party.name.strip())
                out.append(_failed(it.sync_record_id, failure))
                continue
            out.append(ExportOutcome(it.sync_record_id, True, external_id=str(made["UID"]),
                                     external_name=str(made.get("CompanyName") or party.name)))
        return out

    @staticmethod
    def _suffixed(party: PartyView) -> str:
        suffix = f" ({party.code})"
        return party.name.strip()[: MYOB_TEXT_LIMITS.party_name - len(suffix)] + suffix

    def _cards_named(self, parties: Sequence[PartyView]) -> dict[str, list[dict[str, Any]]]:
        """The cards already named like any of these parties, by name: a query names many of them at once (``or``,
        cut so that the address stays short), where a query a card cost a call for each new customer."""
        chunks: list[list[str]] = [[]]
        for name in sorted({p.name.strip() for p in parties}):
            if chunks[-1] and sum(len(q(n)) + 20 for n in [*chunks[-1], name]) > NAMES_FILTER_CHARS:
                chunks.append([])
            chunks[-1].append(name)
        found: dict[str, list[dict[str, Any]]] = {}
        for chunk in chunks:
            if not chunk:
                continue
            where = " or ".join(f"CompanyName eq {q(n)}" for n in chunk)
            for page in self.pages("Contact", where=where, purpose="look up names"):
                for row in page:
                    found.setdefault(str(row.get("CompanyName") or ""), []).append(row)
        return found

    def _card_name(self, party: PartyView, in_use: dict[str, list[dict[str, Any]]]) -> str:
        """The card's name: the party's, or ``Name (CODE)`` when another card (a customer named like this
        supplier, or this party's card in its other role) has it already, so a MYOB user can tell them apart in
        every list and on every document (as in the other packages)."""
        name = party.name.strip()
        kind = "Customer" if party.is_customer else "Supplier"
        others = [row for row in in_use.get(name, [])
                  if not (row.get("Type") == kind and row.get("DisplayID") == party.code)]
        return self._suffixed(party) if others else name

    def export_items(self, items: Sequence[ItemExport], ctx: ExportContext, batch_key: str) -> list[ExportOutcome]:
        out = []
        for it in items:
            body = item_payload(it, ctx, self.account_uid, lambda code: self.tax_uid(code) if self.has_tax_code(
                code) else None)
            try:
                made = (self._update("Inventory/Item", it.external_id, body, "export items") if it.external_id
                        else self.create("Inventory/Item", body, "export items"))
            except ConnectorCallFailed as failure:
                out.append(_failed(it.sync_record_id, failure))
                continue
            self._items[it.item.code] = str(made["UID"])
            out.append(ExportOutcome(it.sync_record_id, True, external_id=str(made["UID"]),
                                     external_name=str(made.get("Name") or it.item.name)))
        return out

    def item_uid(self, code: str) -> str | None:
        """The UID of the MYOB item with this Number (looked up once per connector)."""
        with self._lock:
            if code in self._items:
                return self._items[code]
        rows = [r for page in self.pages("Inventory/Item", where=f"Number eq '{code.replace(chr(39), chr(39) * 2)}'",
                                         purpose="look up an item") for r in page if r.get("IsActive", True)]
        with self._lock:
            self._items[code] = str(rows[0]["UID"]) if rows else None
            return self._items[code]

    # -- export: documents ------------------------------------------------------------------------------------
    def write_group(self, doc_type: str) -> str:
        return "one"  # one record a call, whatever its type

    def export_documents(self, items: Sequence[DocumentExport], ctx: ExportContext,
                         batch_key: str) -> list[ExportOutcome]:
        out = []
        for it in items:
            try:
                out.append(self._export_document(it, ctx))
            except ConnectorCallFailed as failure:
                # a lost answer too: the exporter keeps the attempt, and the record is looked up before it is sent
                # again (``find_existing_documents``)
                out.append(_failed(it.sync_record_id, failure))
        return out

    def _export_document(self, it: DocumentExport, ctx: ExportContext) -> ExportOutcome:
        doc = it.document
        route = document_route(doc, ctx, self.item_uid)
        if it.action == "void":
            return self._void(it, ctx)
        body = document_payload(it, ctx, route, self.account_uid, self.tax_uid, self.item_uid)
        if it.action == "create":
            made = self.create(route, body, f"export {doc.type.replace('_', ' ')}s")
        else:
            made = self._update(route, str(it.external_id), body, f"update {doc.type.replace('_', ' ')}s")
        return self._outcome(it, made)

    def _outcome(self, it: DocumentExport, made: dict[str, Any], note: str | None = None) -> ExportOutcome:
        total = dec(made["TotalAmount"]) if "TotalAmount" in made else None
        if total is not None and it.document.type in CREDIT_TYPES:
            total = -total  # MYOB's credit is a negative document; the host's is positive
        number = made.get("Number") if it.document.type not in ("purchase_invoice", "purchase_credit_note") else (
            made.get("SupplierInvoiceNumber") or it.document.number)
        return ExportOutcome(it.sync_record_id, True, external_id=str(made.get("UID") or it.external_id),
                             external_number=str(number) if number else None, total=total, message=note)

    def _update(self, route: str, uid: str, body: dict[str, Any], purpose: str,
                keep: Callable[[dict[str, Any]], Sequence[str]] = lambda current: ()) -> dict[str, Any]:
        """PUT with the current RowVersion and the kept lines' RowIDs; a 409 is re-read, merged and sent once
        more. ``keep``: the fields whose value in MYOB stays, given the record as MYOB holds it (a card's name told
        apart by its code)."""
        for attempt in (1, 2):
            current = self.get(f"{route}/{uid}", "read before update")
            try:
                return self.replace(route, uid, merged(body, current, keep(current)), purpose)
            except MyobCallFailed as failure:
                if failure.status != 409 or attempt == 2:
                    raise
        raise AssertionError("unreachable")

    def _void(self, it: DocumentExport, ctx: ExportContext) -> ExportOutcome:
        """Delete the document in MYOB; where the file forbids it, reverse it with a document of the opposite sign."""
        route = document_route(it.document, ctx, self.item_uid)
        uid = str(it.external_id)
        if not self.rules().must_reverse:
            try:
                self.delete(route, uid, "void documents")
                return ExportOutcome(it.sync_record_id, True, external_id=uid,
                                     message="deleted in MYOB: MYOB has no void")
            except MyobCallFailed as failure:
                if not cannot_delete(failure.errors):
                    raise
        current = self.get(f"{route}/{uid}", "read the document to reverse")
        # A reversal made by an earlier attempt whose answer was lost is found by its memo, never made twice; its
        # settlement likewise: ``settle`` sends only what both still have open (nothing, once settled).
        made = self._reversal_of(route, it.document) or self.create(
            route, reversal_body(current, it.document), "reverse documents")
        # As MYOB's own "Reverse": the two are settled against each other, so neither stays open.
        credit, document = (made, current) if dec(made.get("TotalAmount")) < 0 else (current, made)
        myob_payments.settle(self, credit, document, f"{memo_stamp(it.document.host_id)} reversal")
        number = made.get("Number") or made.get("UID")
        return ExportOutcome(it.sync_record_id, True, external_id=uid,
                             message=f"reversed in MYOB by {number}: the company file does not allow changing or "
                                     "deleting transactions")

    def _reversal_of(self, route: str, doc: DocumentView) -> dict[str, Any] | None:
        """The reversal of this document already in MYOB (its JournalMemo starts with ``reversal_memo``)."""
        memo = reversal_memo(doc)
        for page in self.pages(route, where=f"substringof({q(memo)}, JournalMemo) eq true",
                               purpose="look up a reversal"):
            found = next((row for row in page if str(row.get("JournalMemo") or "").startswith(memo)), None)
            if found is not None:
                return found
        return None

    # -- money out and allocations: MYOB's shapes live in myob.payments -------------------------------------
    def export_payments(self, items: Sequence[PaymentExport], ctx: ExportContext,
                        batch_key: str) -> list[ExportOutcome]:
        return myob_payments.export_payments(self, items)

    def find_existing_payments(self, items: Sequence[PaymentExport]) -> dict[int, str]:
        return myob_payments.find_existing_payments(self, items)

    def export_allocations(self, items: Sequence[AllocationExport], batch_key: str) -> dict[str, ExportOutcome]:
        return myob_payments.export_allocations(self, items)

    def read_credits(self, source_kind: str, external_ids: Sequence[str]) -> dict[str, RemoteCredit]:
        return myob_payments.read_credits(self, source_kind, external_ids)

    def fetch_allocations(self, since: datetime | None) -> Iterator[RemoteCredit]:
        return myob_payments.fetch_allocations(self, since)

    # -- the import of customers and suppliers (R-I4): myob.party_reads -------------------------------------
    def fetch_parties(self, role: str | None, since: datetime | None) -> Iterator[list[RemoteParty]]:
        return party_reads.fetch_parties(self, role, since)


def _keeping_name(suffixed: str) -> Callable[[dict[str, Any]], Sequence[str]]:
    """A card whose name was told apart by its code (``Name (CODE)``) keeps that name when it is updated."""
    return lambda current: ("CompanyName",) if current.get("CompanyName") == suffixed else ()


def merged(body: dict[str, Any], current: dict[str, Any], keep: Sequence[str] = ()) -> dict[str, Any]:
    """The new body on the record as MYOB holds it: its UID and RowVersion, and for each line kept (by position)
    the line's RowID and RowVersion, so MYOB keeps those lines rather than replacing them; ``keep``: fields left as
    MYOB has them."""
    out = {**body, "UID": current.get("UID"), "RowVersion": current.get("RowVersion"),
           **{field: current[field] for field in keep if field in current}}
    if "Lines" in body:
        old = [ln for ln in current.get("Lines") or [] if ln.get("RowID") is not None]
        out["Lines"] = [{**line, "RowID": old[n]["RowID"], "RowVersion": old[n].get("RowVersion")} if n < len(old)
                        else line for n, line in enumerate(body["Lines"])]
    return out


_LINE_COPY = ("Type", "Description", "Account", "TaxCode", "Item", "Job", "Total", "UnitCount", "UnitPrice",
              "ShipQuantity")


def reversal_body(current: dict[str, Any], doc: DocumentView) -> dict[str, Any]:
    """A document of the opposite sign with the same lines (what MYOB's "reverse" makes), numbered by MYOB."""
    party = "Customer" if "Customer" in current else "Supplier"
    lines = []
    for line in current.get("Lines") or []:
        copy = {k: line[k] for k in _LINE_COPY if k in line and line[k] is not None}
        for field in ("Total", "UnitCount", "ShipQuantity"):
            if field in copy:
                copy[field] = -dec(copy[field])
        for ref in ("Account", "TaxCode", "Item", "Job"):
            if isinstance(copy.get(ref), dict):
                copy[ref] = {"UID": copy[ref]["UID"]}
        lines.append(copy)
    return {"Date": current.get("Date"), party: {"UID": (current.get(party) or {}).get("UID")},
            "IsTaxInclusive": bool(current.get("IsTaxInclusive")), "Lines": lines,
            "JournalMemo": f"{reversal_memo(doc)} {doc.label()}"[:255]}


def reversal_memo(doc: DocumentView) -> str:
    """How a reversal's JournalMemo starts: the host id's stamp, then what it is, so a lost answer's reversal is
    found again (and never taken for the document itself, whose memo has the stamp alone)."""
    return f"{memo_stamp(doc.host_id)} reversal of"
