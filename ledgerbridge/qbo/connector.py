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
HTTP, tokens, budget and retries are the client's job (``qbo.client``).
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator, Sequence
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

from ledgerbridge.connector import (
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
    RemotePayment,
)
from ledgerbridge.qbo import payments as qbo_payments
from ledgerbridge.qbo.errors import DUPLICATE_NAME, STALE_OBJECT, explain, fault_message, parse_fault
from ledgerbridge.qbo.items import LineItems
from ledgerbridge.qbo.mapper import (
    NO_VOID,
    SALES_ENTITIES,
    deleted_note,
    document_payload,
    entity_of,
    item_payload,
    no_tax_code,
    party_entity,
    party_payload,
)
from ledgerbridge.qbo.settlement import cash_allocations, remote_document, split_settlements
from ledgerbridge.records import DocumentView, ItemView, PartyView
from ledgerbridge.rounding import rounding_line_amount

SALES_ACCOUNT_TYPES = {"Income", "Other Income"}
PURCHASE_ACCOUNT_TYPES = {"Expense", "Other Expense", "Cost of Goods Sold", "Fixed Asset", "Other Current Asset",
                          "Other Asset"}
BANK_ACCOUNT_TYPES = {"Bank"}
PAGE_SIZE = 1000
IN_CHUNK = 50
CDC_DAYS = 29  # QBO's CDC looks back 30 days; keep a day's margin
CDC_MAX = 1000


def _q(value: str) -> str:
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"


def _dec(value: Any) -> Decimal:
    return Decimal(str(value)) if value is not None else Decimal(0)


def _when(value: str) -> datetime:
    parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    return (parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)).astimezone(UTC)


def _iso(moment: datetime) -> str:
    return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).astimezone(UTC).isoformat(timespec="seconds")


def _voided(doc: dict[str, Any]) -> bool:
    return str(doc.get("PrivateNote") or "").startswith("Voided") and _dec(doc.get("TotalAmt")) == 0


def _remote(doc: dict[str, Any], entity: str = "Invoice") -> RemoteDocument:
    return remote_document(doc, voided=_voided(doc), credit=entity in ("CreditMemo", "VendorCredit"))


class QboConnector:
    kind = "qbo"
    display_name = "QuickBooks Online"
    max_batch = 30
    max_concurrent_calls = 10
    max_number_length = 21
    tax_rounding = "line"  # UK VAT per line (the US rounds sales tax on the subtotal: not handled yet)
    rounding_lines = True  # on the rounding account, through the "Rounding" item on sales (``qbo.mapper``)
    missing_account_answer = None  # QuickBooks takes a sales line's account from its item: no single message to quote
    separate_party_roles = True  # Customer and Vendor: a party in both roles is two records (the core binds each)

    def __init__(self, client: Any) -> None:
        self.client = client
        self._lock = threading.Lock()
        self._account_ids: dict[str, str] | None = None  # chart code -> Id
        self._account_codes: dict[str, str] = {}  # Id -> chart code
        self._home_currency: str | None = None
        self.items = LineItems(self)  # the items sales lines (and rounding lines) name

    def close(self) -> None:
        self.client.close()

    def __enter__(self) -> QboConnector:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- plumbing --------------------------------------------------------------------------------------------
    def _call(self, method: str, path: str, *, params: dict[str, Any] | None = None, body: Any = None,
              key: str | None = None, purpose: str = "") -> dict[str, Any]:
        from ledgerbridge.budget import BudgetExhausted
        from ledgerbridge.qbo.client import PackageCallError

        try:
            response = self.client.request(method, path, params=params, json_body=body, idempotency_key=key,
                                           purpose=purpose)
        except BudgetExhausted as spent:
            raise CallBudgetSpent(f"QuickBooks' call limit for this company is used up; the rest goes out after "
                                  f"{spent.until:%Y-%m-%d %H:%M} UTC", spent.until) from spent
        except PackageCallError as failure:
            message = str(failure)
            errors = parse_fault(_loads(failure.body))
            if errors:
                message = f"{failure.request_summary}: {fault_message(errors, failure.decision.reason)}"
            raise ConnectorCallFailed(message, failure_type=failure.decision.failure_type,
                                      source="network" if failure.status is None else "package",
                                      raw_response=failure.body, outcome_unknown=failure.outcome_unknown) from failure
        data = _loads(response.content)
        errors = parse_fault(data)
        if errors:  # a 200 can still carry a Fault
            failure_type, _ = explain(errors)
            raise ConnectorCallFailed(fault_message(errors, "QuickBooks refused the request"),
                                      failure_type=failure_type, source="package", raw_response=response.text)
        return data

    def _query(self, entity: str, where: str = "", order: str = "", purpose: str = "") -> Iterator[list[dict]]:
        start = 1
        while True:
            statement = f"SELECT * FROM {entity}" + (f" WHERE {where}" if where else "") + \
                        (f" ORDERBY {order}" if order else "") + f" STARTPOSITION {start} MAXRESULTS {PAGE_SIZE}"
            rows = self._call("GET", "/query", params={"query": statement},
                              purpose=purpose or f"read {entity.lower()}").get("QueryResponse", {}).get(entity, [])
            yield rows
            if len(rows) < PAGE_SIZE:
                return
            start += PAGE_SIZE

    def _by_ids(self, entity: str, ids: Sequence[str], purpose: str) -> dict[str, dict[str, Any]]:
        out: dict[str, dict[str, Any]] = {}
        ids = list(dict.fromkeys(ids))
        for start in range(0, len(ids), IN_CHUNK):
            where = "Id IN (" + ", ".join(_q(i) for i in ids[start : start + IN_CHUNK]) + ")"
            for page in self._query(entity, where, purpose=purpose):
                out.update({str(row["Id"]): row for row in page})
        return out

    def _batch(self, ops: list[tuple[str, str, dict[str, Any]]], key: str, purpose: str,
               options: dict[str, str] | None = None) -> dict[str, dict[str, Any]]:
        """Send ``(bId, operation, {Entity: body})`` items in one batch call; answers by bId."""
        items = []
        for bid, operation, payload in ops:
            item: dict[str, Any] = {"bId": bid, "operation": operation, **payload}
            if options and bid in options:
                item["optionsData"] = options[bid]
            items.append(item)
        data = self._call("POST", "/batch", body={"BatchItemRequest": items}, key=key, purpose=purpose)
        return {str(r.get("bId")): r for r in data.get("BatchItemResponse", [])}

    def _write(self, ops: list[tuple[str, str, str, dict[str, Any]]], key: str,
               purpose: str) -> dict[str, dict[str, Any]]:
        """``(bId, operation, entity, body)`` in one batch; updates refused as stale (5010) are re-read and sent
        once more with the fresh SyncToken."""
        answers = self._batch([(b, op, {entity: body}) for b, op, entity, body in ops], key, purpose)
        stale = [(b, op, entity, body) for b, op, entity, body in ops if op != "create"
                 and any(e.code == STALE_OBJECT for e in parse_fault(answers.get(b, {})))]
        if stale:
            current: dict[str, dict[str, Any]] = {}
            for entity in {e for _, _, e, _ in stale}:
                current.update(self._by_ids(entity, [str(body["Id"]) for _, _, en, body in stale if en == entity],
                                            purpose="re-read a changed record"))
            again = [(b, op, entity, {**body, "SyncToken": current[str(body["Id"])]["SyncToken"]})
                     for b, op, entity, body in stale if str(body["Id"]) in current]
            if again:
                answers.update(self._batch([(b, op, {entity: body}) for b, op, entity, body in again],
                                           f"{key[:34]}s", purpose))
        return answers

    @staticmethod
    def _failed(sync_id: int, answer: dict[str, Any], what: str) -> ExportOutcome:
        errors = parse_fault(answer)
        failure_type, hint = explain(errors)
        if not answer:
            failure_type, hint = "system", None
        return ExportOutcome(sync_id, False, message=fault_message(errors, f"QuickBooks did not return this {what}"),
                             hint=hint, failure_type=failure_type, raw_response=json.dumps(answer, default=str))

    # -- chart -----------------------------------------------------------------------------------------------
    def fetch_chart(self) -> ChartSnapshot:
        accounts = []
        ids: dict[str, str] = {}
        for page in self._query("Account", purpose="refresh chart"):
            for acc in page:
                kind = acc.get("AccountType", "")
                usable = [side for side, kinds in (("sales", SALES_ACCOUNT_TYPES),
                                                   ("purchases", PURCHASE_ACCOUNT_TYPES),
                                                   ("bank", BANK_ACCOUNT_TYPES)) if kind in kinds]
                code = str(acc.get("AcctNum") or acc["Id"])
                ids[code] = str(acc["Id"])
                accounts.append(ChartAccount(code, str(acc["Id"]), acc.get("Name", ""), kind, tuple(usable),
                                             bool(acc.get("Active", True))))
        self._remember_accounts(ids)
        rates = {str(r["Id"]): _dec(r.get("RateValue")) for page in self._query("TaxRate", purpose="refresh chart")
                 for r in page}
        codes = []
        for page in self._query("TaxCode", purpose="refresh chart"):
            for code in page:
                sides = {}
                for side, field in (("sales", "SalesTaxRateList"), ("purchases", "PurchaseTaxRateList")):
                    details = (code.get(field) or {}).get("TaxRateDetail") or []
                    if details:
                        sides[side] = sum((rates.get(str(d["TaxRateRef"]["value"]), Decimal(0)) for d in details),
                                          Decimal(0))
                rate = sides.get("sales", sides.get("purchases", Decimal(0)))
                codes.append(ChartTaxRate(str(code["Id"]), code.get("Name", ""), rate, tuple(sides),
                                          bool(code.get("Active", True))))
        prefs = self._call("GET", "/preferences", purpose="refresh chart").get("Preferences", {})
        currency = prefs.get("CurrencyPrefs") or {}
        base = (currency.get("HomeCurrency") or {}).get("value") or "GBP"
        currencies = [base]
        if currency.get("MultiCurrencyEnabled"):
            for page in self._query("CompanyCurrency", purpose="refresh chart"):
                currencies += [c["Code"] for c in page if c.get("Active", True) and c.get("Code") != base]
        self._home_currency = base
        return ChartSnapshot(tuple(accounts), tuple(codes), tuple(currencies), base)

    def _remember_accounts(self, ids: dict[str, str]) -> None:
        self._account_ids = ids
        self._account_codes = {v: k for k, v in ids.items()}

    def _account_id(self, code: str) -> str:
        with self._lock:
            if self._account_ids is None:
                self._remember_accounts({str(a.get("AcctNum") or a["Id"]): str(a["Id"])
                                         for page in self._query("Account", purpose="read accounts") for a in page})
            assert self._account_ids is not None
            return self._account_ids.get(code, code)

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
        answers = self._write(ops, key, "export customers and suppliers")
        out = {}
        for n, it in enumerate(items):
            answer = answers.get(str(n), {})
            made = answer.get(party_entity(it.party.is_customer))
            out[it.sync_record_id] = (ExportOutcome(it.sync_record_id, True, external_id=str(made["Id"]),
                                                    external_name=made.get("DisplayName"))
                                      if made else self._failed(it.sync_record_id, answer, "customer or supplier"))
        return out

    def _sync_tokens(self, refs: list[tuple[str, str | None]]) -> dict[str, str]:
        out: dict[str, str] = {}
        for entity in {e for e, _ in refs}:
            rows = self._by_ids(entity, [i for e, i in refs if e == entity and i], "read sync tokens")
            out.update({i: str(r.get("SyncToken", "0")) for i, r in rows.items()})
        return out

    def export_items(self, items: Sequence[ItemExport], ctx: ExportContext, batch_key: str) -> list[ExportOutcome]:
        tokens = self._sync_tokens([("Item", it.external_id) for it in items if it.external_id])
        ops = []
        for n, it in enumerate(items):
            body = item_payload(it, ctx, lambda code: self._account_id(code))
            if it.external_id:
                body = {**body, "Id": it.external_id, "SyncToken": tokens.get(it.external_id, "0"), "sparse": True}
            ops.append((str(n), "update" if it.external_id else "create", "Item", body))
        answers = self._write(ops, f"{batch_key[:33]}-i", "export items")
        out = []
        for n, it in enumerate(items):
            made = answers.get(str(n), {}).get("Item")
            out.append(ExportOutcome(it.sync_record_id, True, external_id=str(made["Id"]),
                                     external_name=made.get("Name")) if made
                       else self._failed(it.sync_record_id, answers.get(str(n), {}), "item"))
        return out

    def find_existing_items(self, items: Sequence[ItemView]) -> dict[int, tuple[str, str]]:
        found: dict[int, tuple[str, str]] = {}
        by_code = {i.code.lower(): i for i in items}
        codes = [i.code for i in items]
        for start in range(0, len(codes), IN_CHUNK):
            where = "Sku IN (" + ", ".join(_q(c) for c in codes[start : start + IN_CHUNK]) + ")"
            for page in self._query("Item", where, purpose="look up items"):
                for item in page:
                    view = by_code.get(str(item.get("Sku", "")).lower())
                    if view is not None:
                        found[view.id] = (str(item["Id"]), item.get("Name", view.name))
        return found

    # -- export: documents ------------------------------------------------------------------------------------
    def export_documents(self, items: Sequence[DocumentExport], ctx: ExportContext,
                         batch_key: str) -> list[ExportOutcome]:
        entity = entity_of(items[0].document.type)
        current = self._by_ids(entity, [it.external_id for it in items if it.external_id], "read sync tokens")
        ops, skipped = [], {}
        for n, it in enumerate(items):
            bid = str(n)
            if it.action == "create":
                ops.append((bid, "create", entity, self._payload(it, ctx)))
                continue
            remote = current.get(str(it.external_id))
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
        answers = self._write(ops, batch_key, f"export {entity.lower()}s") if ops else {}
        out = []
        for n, it in enumerate(items):
            if it.sync_record_id in skipped:
                out.append(skipped[it.sync_record_id])
                continue
            answer = answers.get(str(n), {})
            doc = answer.get(entity)
            if doc is None:
                out.append(self._failed(it.sync_record_id, answer, "document"))
            else:
                deleted = it.action == "void" and entity in NO_VOID  # said so in the record's history
                out.append(ExportOutcome(it.sync_record_id, True, external_id=str(doc.get("Id", it.external_id)),
                                         external_number=doc.get("DocNumber"),
                                         total=_dec(doc["TotalAmt"]) if "TotalAmt" in doc else None,
                                         message=deleted_note(entity) if deleted else None))
        return out

    def _payload(self, item: DocumentExport, ctx: ExportContext) -> dict[str, Any]:
        return document_payload(item, ctx, self._account_id, self.items.sales_item, self.items.rounding_item)

    # -- lookups after a lost answer -------------------------------------------------------------------------
    def find_existing_parties(self, parties: Sequence[PartyView]) -> dict[int, tuple[str, str]]:
        found: dict[int, tuple[str, str]] = {}
        for entity, group in (("Customer", [p for p in parties if p.is_customer]),
                              ("Vendor", [p for p in parties if not p.is_customer])):
            names: dict[str, PartyView] = {}
            for p in group:
                names[p.name.strip().lower()] = p
                names[f"{p.name} ({p.code})".strip().lower()] = p
            keys = list(names)
            for start in range(0, len(keys), IN_CHUNK):
                where = "DisplayName IN (" + ", ".join(_q(k) for k in keys[start : start + IN_CHUNK]) + ")"
                for page in self._query(entity, where, purpose="look up customers and suppliers"):
                    for row in page:
                        name = str(row.get("DisplayName", ""))
                        party = names.get(name.strip().lower())
                        # the plain name may belong to another record: prefer the one carrying our code
                        if party is not None and row.get("Active", True) and (
                                party.id not in found or name.lower().endswith(f"({party.code.lower()})")):
                            found[party.id] = (str(row["Id"]), name)
        return found

    def find_existing_documents(self, items: Sequence[DocumentExport]) -> dict[int, RemoteDocument]:
        found: dict[int, RemoteDocument] = {}
        for entity in {entity_of(it.document.type) for it in items}:
            group = [it for it in items if entity_of(it.document.type) == entity]
            party_field = "CustomerRef" if entity in SALES_ENTITIES else "VendorRef"
            for start in range(0, len(group), IN_CHUNK):
                chunk = group[start : start + IN_CHUNK]
                where = "DocNumber IN (" + ", ".join(_q(it.document.number) for it in chunk) + ")"
                remote = [d for page in self._query(entity, where, purpose="look up documents") for d in page]
                for it in chunk:
                    for doc in remote:
                        if (doc.get("DocNumber") == it.document.number and not _voided(doc)
                                and str((doc.get(party_field) or {}).get("value")) == it.party_external_id
                                and (entity in SALES_ENTITIES or _dec(doc.get("TotalAmt")) == it.document.gross_total)):
                            found[it.sync_record_id] = _remote(doc, entity)
                            break
        return found

    # -- read-back (seen tick) -------------------------------------------------------------------------------
    def read_back_documents(self, wanted: Sequence[tuple[str, str]]) -> dict[str, RemoteDocument]:
        out: dict[str, RemoteDocument] = {}
        for entity in {entity_of(t) for t, _ in wanted}:
            rows = self._by_ids(entity, [ext for t, ext in wanted if entity_of(t) == entity], "read back")
            out.update(split_settlements(entity, rows, {i: _remote(d, entity) for i, d in rows.items()}, self._by_ids))
        return out

    def remote_documents_since(self, since: datetime, doc_types: set[str]) -> Iterator[list[RemoteDocument]]:
        for entity in sorted({entity_of(t) for t in doc_types}):
            for page in self._query(entity, f"MetaData.LastUpdatedTime >= {_q(_iso(since))}",
                                    purpose="read back changes"):
                rows = {str(doc["Id"]): doc for doc in page}
                yield list(split_settlements(entity, rows, {i: _remote(d, entity) for i, d in rows.items()},
                                             self._by_ids).values())

    # -- payments --------------------------------------------------------------------------------------------
    def fetch_payments(self, since: datetime | None) -> Iterator[RemotePayment]:
        now = datetime.now(UTC)
        if since is not None and (since if since.tzinfo else since.replace(tzinfo=UTC)) > now - timedelta(
                days=CDC_DAYS):
            changed = self._cdc(since)
            if changed is not None:
                yield from self._payments(changed)
                return
        for entity in ("Payment", "BillPayment"):
            where = f"MetaData.LastUpdatedTime > {_q(_iso(since))}" if since is not None else ""
            for page in self._query(entity, where, "MetaData.LastUpdatedTime", purpose="read payments"):
                yield from self._payments([(entity, p) for p in page])

    # -- money out and allocations (issue 5): QuickBooks' shapes live in qbo.payments ---------------------------
    def export_payments(self, items: Sequence[PaymentExport], ctx: ExportContext,
                        batch_key: str) -> list[ExportOutcome]:
        return qbo_payments.export_payments(self, items, batch_key)

    def find_existing_payments(self, items: Sequence[PaymentExport]) -> dict[int, str]:
        return qbo_payments.find_existing_payments(self, items)

    def export_allocations(self, items: Sequence[AllocationExport], batch_key: str) -> dict[str, ExportOutcome]:
        return qbo_payments.export_allocations(self, items, batch_key)

    def read_credit(self, source_kind: str, external_id: str) -> RemoteCredit | None:
        return qbo_payments.read_credit(self, source_kind, external_id)

    def fetch_allocations(self, since: datetime | None) -> Iterator[RemoteCredit]:
        """Credit memos changed since ``since`` (applying one changes its LinkedTxn), with their applications."""
        where = f"MetaData.LastUpdatedTime > {_q(_iso(since))}" if since is not None else ""
        for page in self._query("CreditMemo", where, "MetaData.LastUpdatedTime", purpose="read allocations"):
            for memo in page:
                credit = qbo_payments.credit_memo(self, memo)
                yield RemoteCredit(credit.external_id, credit.total, credit.remaining, credit.status,
                                   credit.allocations, credit.kind,
                                   _when(str((memo.get("MetaData") or {}).get("LastUpdatedTime"))))

    def _cdc(self, since: datetime) -> list[tuple[str, dict[str, Any]]] | None:
        """Changed payments since ``since`` through CDC; None when the answer may be cut short (use the query)."""
        data = self._call("GET", "/cdc", params={"entities": "Payment,BillPayment", "changedSince": _iso(since)},
                          purpose="read changed payments")
        out = []
        for block in data.get("CDCResponse", []):
            for response in block.get("QueryResponse", []):
                for entity in ("Payment", "BillPayment"):
                    out += [(entity, row) for row in response.get(entity, []) or []]
        return None if len(out) >= CDC_MAX else out

    def _payments(self, rows: list[tuple[str, dict[str, Any]]]) -> Iterator[RemotePayment]:
        linked: dict[str, set[str]] = {}
        for _, raw in rows:
            for line in raw.get("Line") or []:
                for txn in line.get("LinkedTxn") or []:
                    if txn.get("TxnType") in ("Invoice", "Bill"):
                        linked.setdefault(txn["TxnType"], set()).add(str(txn["TxnId"]))
        numbers: dict[str, str | None] = {}
        for entity, ids in linked.items():
            numbers.update({i: d.get("DocNumber") for i, d in self._by_ids(entity, sorted(ids),
                                                                           "read paid documents").items()})
        if self._account_ids is None:
            self._account_id("")
        for entity, raw in rows:
            updated = _when(str((raw.get("MetaData") or {}).get("LastUpdatedTime")))
            if raw.get("status") == "Deleted":
                yield RemotePayment(str(raw["Id"]), entity, "out" if entity == "BillPayment" else "in", updated.date(),
                                    Decimal(0), "", None, None, None, None, None, None, True, updated, raw)
                continue
            party = raw.get("CustomerRef") or raw.get("VendorRef") or {}
            bank = (raw.get("DepositToAccountRef") or (raw.get("CheckPayment") or {}).get("BankAccountRef")
                    or (raw.get("CreditCardPayment") or {}).get("CCAccountRef") or {}).get("value")
            allocations: list[tuple[str | None, Decimal]] = list(
                cash_allocations(raw, "Invoice" if entity == "Payment" else "Bill"))
            unapplied = _dec(raw.get("UnappliedAmt"))
            if not allocations:
                if not _dec(raw.get("TotalAmt")):
                    continue  # only a credit applied: no money moved (R-I3), nothing to import
                allocations = [(None, _dec(raw.get("TotalAmt")))]
            elif unapplied > 0:  # the rest of a part-applied payment is on the customer's account
                allocations.append(("unapplied", unapplied))
            for txn_id, amount in allocations:
                yield RemotePayment(
                    external_id=str(raw["Id"]) if len(allocations) == 1 else f"{raw['Id']}:{txn_id}",
                    payment_type=entity, direction="out" if entity == "BillPayment" else "in",
                    payment_date=date.fromisoformat(str(raw["TxnDate"])[:10]), amount=amount,
                    currency=(raw.get("CurrencyRef") or {}).get("value") or self._home_currency or "GBP",
                    reference=raw.get("PaymentRefNum") or raw.get("DocNumber"),
                    document_external_id=None if txn_id == "unapplied" else txn_id,
                    document_number=numbers.get(txn_id) if txn_id else None,
                    party_external_id=str(party["value"]) if party.get("value") else None,
                    party_name=party.get("name"), bank_account_code=self._account_codes.get(str(bank), bank),
                    deleted=False, updated_at=updated, raw=raw)


def _loads(content: bytes | str | None) -> Any:
    if not content:
        return {}
    try:
        return json.loads(content, parse_float=Decimal)
    except ValueError:
        return {}

