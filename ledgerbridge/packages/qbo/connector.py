"""The QuickBooks Online connector behind ledgerbridge's ``Connector`` protocol.

Writes go through QBO's batch endpoint (at most 30 operations a call, answers matched by ``bId``), with the
exporter's key as the ``requestid`` so that a repeated call is answered from QBO's cache instead of acting twice.
Updates are sparse and carry a SyncToken read just before; a stale one (5010) is re-read and sent once more.
Customers and suppliers are separate entities (Customer, Vendor) but share one DisplayName space: a clash (6240)
is sent again as ``Name (CODE)``, which the core remembers as the record's external name; so a party in both
roles (``separate_party_roles``) is a Customer and a Vendor, each with its own binding. Voids: QuickBooks Online
voids invoices but has no void for credit memos, bills and vendor credits, so a host void deletes those, and the
outcome carries the note the record's history shows ("deleted in QuickBooks: ..."). Reads use the query
language (``Id IN``, ``DocNumber IN``, ``MetaData.LastUpdatedTime``) and, for payments within 30 days, CDC.

The connector is in three modules: ``qbo.calls`` (requests, query pages, batch writes), ``qbo.reads`` (chart,
look-ups, read-back, payments made in QuickBooks) and this one (the writes, and the connector itself).
HTTP, tokens, budget and retries are the client's job (``qbo.client``).
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from typing import Any

from ledgerbridge.connectors.package_http import PackageHttp
from ledgerbridge.connectors.protocol import (
    AllocationExport,
    DocumentExport,
    ExportContext,
    ExportOutcome,
    ItemExport,
    PartyExport,
    PaymentExport,
    Problem,
)
from ledgerbridge.domain.rounding import rounding_line_amount
from ledgerbridge.packages.qbo import payments as qbo_payments
from ledgerbridge.packages.qbo.calls import _dec, failed_outcome
from ledgerbridge.packages.qbo.credits import HeldCredit
from ledgerbridge.packages.qbo.errors import DUPLICATE_NAME
from ledgerbridge.packages.qbo.items import LineItems
from ledgerbridge.packages.qbo.limits import BATCH_SIZE, IN_CHUNK, QBO_TEXT_LIMITS
from ledgerbridge.packages.qbo.mapper import (
    NO_VOID,
    deleted_note,
    document_payload,
    entity_of,
    item_payload,
    no_tax_code,
    party_entity,
    party_payload,
)
from ledgerbridge.packages.qbo.reads import QboReads
from ledgerbridge.store.views import DocumentView


class QboConnector(QboReads):
    kind = "qbo"
    display_name = "QuickBooks Online"
    max_batch = BATCH_SIZE
    max_concurrent_calls = 10
    max_number_length = QBO_TEXT_LIMITS.number
    tax_rounding = "line"  # UK VAT per line (the US rounds sales tax on the subtotal: not handled yet)
    rounding_lines = True  # on the rounding account, through the "Rounding" item on sales (``qbo.mapper``)
    # QuickBooks takes a sales line's account from its item: no single message to quote
    missing_account_answer: str | None = None
    separate_party_roles = True  # Customer and Vendor: a party in both roles is two records (the core binds each)
    max_ids_per_read = IN_CHUNK
    allocates_in_create = True  # a prepayment is a Payment: its LinkedTxn lines allocate it as it is created

    def __init__(self, client: PackageHttp) -> None:
        self.client = client
        self._lock = threading.Lock()
        self._account_ids: dict[str, str] | None = None  # chart code -> Id
        self._account_codes: dict[str, str] = {}  # Id -> chart code
        self._bank_ids: list[str] = []
        self.credits_held: dict[str, HeldCredit] = {}
        self._home_currency: str | None = None
        self.items = LineItems(self)  # the items sales lines (and rounding lines) name

    def close(self) -> None:
        self.client.close()

    def __enter__(self) -> QboConnector:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def precheck_document(self, document: DocumentView, ctx: ExportContext) -> list[Problem]:
        # DocNumber's 21-character limit is checked by the core through ``max_number_length``.
        problems = []
        if document.exchange_rate is not None and document.exchange_rate <= 0:
            problems.append(Problem(f"{document.label()}: the exchange rate must be positive", failure_type="data"))
        rounding = rounding_line_amount(document, ctx.mappings, ctx.settings)
        if rounding is not None and no_tax_code(ctx.mappings) is None:
            problems.append(Problem(
                f"{document.label()}: a rounding line of {rounding} is needed, but QuickBooks has no tax code for "
                "amounts outside tax (such as \"No VAT\") to put on it",
                hint="Make the tax code active in QuickBooks (or add one with no rate), then refresh the chart.",
                failure_type="config"))
        return problems

    # -- export: parties and items ----------------------------------------------------------------------------
    def export_parties(self, items: Sequence[PartyExport], ctx: ExportContext, batch_key: str) -> list[ExportOutcome]:
        outcomes = self._send_parties(items, {}, f"{batch_key[:33]}-p")
        clashes = [it for it in items if not outcomes[it.sync_record_id].ok
                   and DUPLICATE_NAME in (outcomes[it.sync_record_id].message or "")]
        if clashes:
            renamed = {it.sync_record_id: f"{it.party.name} ({it.party.code})" for it in clashes}
            outcomes.update(self._send_parties(clashes, renamed, f"{batch_key[:33]}-r"))
        return [outcomes[it.sync_record_id] for it in items]

    def _send_parties(self, items: Sequence[PartyExport], names: dict[int, str], key: str) -> dict[int, ExportOutcome]:
        tokens = self._sync_tokens([(party_entity(it.party.is_customer), it.external_id) for it in items
                                    if it.external_id])
        ops = []
        for n, it in enumerate(items):
            entity = party_entity(it.party.is_customer)
            body = party_payload(it, names.get(it.sync_record_id))
            if it.external_id:
                body = {**body, "Id": it.external_id, "SyncToken": tokens.get(it.external_id, "0"), "sparse": True}
            ops.append((str(n), "update" if it.external_id else "create", entity, body))
        answers = self.write(ops, key, "export customers and suppliers")
        out = {}
        for n, it in enumerate(items):
            answer = answers.get(str(n), {})
            made = answer.get(party_entity(it.party.is_customer))
            out[it.sync_record_id] = (ExportOutcome(it.sync_record_id, True, external_id=str(made["Id"]),
                                                    external_name=made.get("DisplayName"))
                                      if made else failed_outcome(it.sync_record_id, answer, "customer or supplier"))
        return out

    def _sync_tokens(self, refs: list[tuple[str, str | None]]) -> dict[str, str]:
        out: dict[str, str] = {}
        for entity in {e for e, _ in refs}:
            rows = self.by_ids(entity, [i for e, i in refs if e == entity and i], "read sync tokens")
            out.update({i: str(r.get("SyncToken", "0")) for i, r in rows.items()})
        return out

    def export_items(self, items: Sequence[ItemExport], ctx: ExportContext, batch_key: str) -> list[ExportOutcome]:
        tokens = self._sync_tokens([("Item", it.external_id) for it in items if it.external_id])
        ops = []
        for n, it in enumerate(items):
            body = item_payload(it, ctx, lambda code: self.account_id(code))
            if it.external_id:
                body = {**body, "Id": it.external_id, "SyncToken": tokens.get(it.external_id, "0"), "sparse": True}
            ops.append((str(n), "update" if it.external_id else "create", "Item", body))
        answers = self.write(ops, f"{batch_key[:33]}-i", "export items")
        out = []
        for n, it in enumerate(items):
            made = answers.get(str(n), {}).get("Item")
            out.append(ExportOutcome(it.sync_record_id, True, external_id=str(made["Id"]),
                                     external_name=made.get("Name")) if made
                       else failed_outcome(it.sync_record_id, answers.get(str(n), {}), "item"))
        return out

    # -- export: documents ------------------------------------------------------------------------------------
    def write_group(self, doc_type: str) -> str:
        return "batch"  # a batch's operations may be of any entity

    def export_documents(self, items: Sequence[DocumentExport], ctx: ExportContext,
                         batch_key: str) -> list[ExportOutcome]:
        """One batch, whatever the documents' entities (invoices, credit memos and bills alike)."""
        entities = [entity_of(it.document.type) for it in items]
        current: dict[tuple[str, str], dict[str, Any]] = {}
        for entity in dict.fromkeys(entities):
            rows = self.by_ids(entity, [it.external_id for it, e in zip(items, entities, strict=True)
                                        if e == entity and it.external_id], "read sync tokens")
            current.update({(entity, i): row for i, row in rows.items()})
        ops, skipped = [], {}
        for n, (it, entity) in enumerate(zip(items, entities, strict=True)):
            bid = str(n)
            if it.action == "create":
                ops.append((bid, "create", entity, self._payload(it, ctx)))
                continue
            remote = current.get((entity, str(it.external_id)))
            if remote is None:
                skipped[it.sync_record_id] = ExportOutcome(
                    it.sync_record_id, False, failure_type="data", hint="It may have been deleted in QuickBooks.",
                    message=f"QuickBooks has no {entity} with Id {it.external_id} any more")
                continue
            token = {"Id": str(it.external_id), "SyncToken": str(remote.get("SyncToken", "0"))}
            if it.action == "void":
                # QBO voids only invoices (and payments); credit memos, bills and vendor credits can only be deleted
                ops.append((bid, "delete" if entity in NO_VOID else "void", entity, token))
            else:
                body = self._payload(it, ctx)
                ops.append((bid, "update", entity, {**body, **token, "sparse": True}))
        purpose = "export " + ", ".join(f"{e.lower()}s" for e in dict.fromkeys(entities))
        answers = self.write(ops, batch_key, purpose) if ops else {}
        out = []
        for n, (it, entity) in enumerate(zip(items, entities, strict=True)):
            if it.sync_record_id in skipped:
                out.append(skipped[it.sync_record_id])
                continue
            answer = answers.get(str(n), {})
            doc = answer.get(entity)
            if doc is None:
                out.append(failed_outcome(it.sync_record_id, answer, "document"))
            else:
                deleted = it.action == "void" and entity in NO_VOID  # said so in the record's history
                out.append(ExportOutcome(it.sync_record_id, True, external_id=str(doc.get("Id", it.external_id)),
                                         external_number=doc.get("DocNumber"),
                                         total=_dec(doc["TotalAmt"]) if "TotalAmt" in doc else None,
                                         message=deleted_note(entity) if deleted else None))
        return out

    def _payload(self, item: DocumentExport, ctx: ExportContext) -> dict[str, Any]:
        return document_payload(item, ctx, self.account_id, self.items.sales_item, self.items.rounding_item)

    # -- money out and allocations (issue 5): QuickBooks' shapes live in qbo.payments ---------------------------
    def export_payments(self, items: Sequence[PaymentExport], ctx: ExportContext,
                        batch_key: str) -> list[ExportOutcome]:
        return qbo_payments.export_payments(self, items, batch_key)

    def find_existing_payments(self, items: Sequence[PaymentExport]) -> dict[int, str]:
        return qbo_payments.find_existing_payments(self, items)

    def export_allocations(self, items: Sequence[AllocationExport], batch_key: str) -> dict[str, ExportOutcome]:
        return qbo_payments.export_allocations(self, items, batch_key)
