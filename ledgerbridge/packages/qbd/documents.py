"""Invoices, credit memos, bills and vendor credits to QuickBooks Desktop: a batch of creates, updates or voids in
one exchange.

* Create: ``...Add`` with the ExternalGUID of the record's key (the exporter's attempt key, ``<batch key>:<n>``,
  which it records before the call), so a write whose answer is lost is recognised by it
  (``qbd.doubt``).
* Update: the transaction is read first (TxnID, lines included) for its EditSequence and TxnLineIDs, then the
  ``...Mod`` keeps no old line by accident: every line QuickBooks holds is deleted by name and the host's lines
  added (``mapper.document_mod``, ``LinePlan.replace``). A stale EditSequence (3200: someone changed it in
  QuickBooks between our read and our Mod) is read again and the Mod sent once more.
* Void: ``TxnVoid``. QuickBooks Desktop voids all four (the XSD's TxnVoidType has Invoice, CreditMemo, Bill and
  VendorCredit): the transaction stays, zeroed, its memo starting "VOID:". Unlike QuickBooks Online, nothing
  needs deleting, so no note is added to the record's history. A document with payments or credits applied is
  refused (3170) with QuickBooks' words and the table's hint.

With ``read_back_from_answers`` on, every answer that carries the transaction is kept as what QuickBooks holds
(``QbdReads.written``): the seen tick's read-back of what was just written then costs no round trip.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from decimal import Decimal
from typing import TYPE_CHECKING

from ledgerbridge.connectors.mailbox import OutgoingRequest
from ledgerbridge.connectors.protocol import DocumentExport, ExportContext, ExportOutcome, RemoteDocument
from ledgerbridge.packages.qbd.mapper import (
    SALES_ENTITIES,
    MappingError,
    document_add_text,
    document_mod,
    entity_of,
    map_document,
)
from ledgerbridge.packages.qbd.qbxml.nodes import Element
from ledgerbridge.packages.qbd.qbxml.responses import RequestResult
from ledgerbridge.packages.qbd.qbxml.rets import TxnRecord, read_txn
from ledgerbridge.packages.qbd.qbxml.status import Action, classify
from ledgerbridge.packages.qbd.qbxml.txn_queries import by_txn_ids
from ledgerbridge.packages.qbd.qbxml.values import QbxmlValueError
from ledgerbridge.packages.qbd.qbxml.voids import undo_request
from ledgerbridge.packages.qbd.readers import remote_document, write_outcome

if TYPE_CHECKING:
    from ledgerbridge.packages.qbd.connector import QbdConnector

__all__ = ["ANSWER_FIELDS", "export_documents", "prepare_items", "read_transactions"]

_DOCUMENT_RETS = ("InvoiceRet", "CreditMemoRet", "BillRet", "VendorCreditRet")
_HEAD = ("TxnID", "RefNumber")
#: What an Add's answer carries (``IncludeRetElement``) unless the whole Ret is kept (``read_back_from_answers``):
#: what ``readers.write_outcome`` reads, the id, number and total (``rets._totals``). Without it QuickBooks answers
#: every line back, some 2.5 KB an invoice of five lines, built and parsed on both sides and kept in the mailbox;
#: with it some 300 bytes, for some 190 bytes more in the request (13 % of an invoice of five lines).
ANSWER_FIELDS = {"Invoice": (*_HEAD, "Subtotal", "SalesTaxTotal"), "CreditMemo": (*_HEAD, "TotalAmount"),
                 "Bill": (*_HEAD, "AmountDue"), "VendorCredit": (*_HEAD, "CreditAmount")}
MODIFY_REFUSED = 3170
#: A void QuickBooks refused (3170): in practice, payments or credits are applied to the document.
VOID_REFUSED_HINT = ("QuickBooks will not void a document with payments or credits applied: delete or void them in "
                     "QuickBooks first, or issue a credit note in the host instead.")


def read_transactions(conn: QbdConnector, kind: str, txn_ids: Sequence[str], purpose: str,
                      lines: bool = True) -> dict[str, TxnRecord]:
    """Transactions of one kind by TxnID (one exchange); one QuickBooks no longer has is absent."""
    if not txn_ids:
        return {}
    rid = conn.calls.request_id()
    rets = conn.calls.read([by_txn_ids(kind, sorted(set(txn_ids)), request_id=rid, include_line_items=lines)],
                           purpose)[rid].rets
    return {txn.txn_id: txn for txn in (read_txn(r) for r in rets)}


def prepare_items(conn: QbdConnector, items: Sequence[DocumentExport], ctx: ExportContext) -> None:
    """Find (or make) the items the batch's sales lines name, before any is mapped: two exchanges at most."""
    sends = [it for it in items if it.action != "void"]
    accounts = {ctx.mappings.nominal.get(line.nominal_code) for it in sends
                if entity_of(it.document.type) in SALES_ENTITIES for line in it.document.lines}
    codes = ({line.item_code for it in sends for line in it.document.lines if line.item_code}
             if ctx.settings.get("push_lines_as_items") else set())
    conn.lookups.prepare({a for a in accounts if a}, {c for c in codes if c})


def export_documents(conn: QbdConnector, items: Sequence[DocumentExport], ctx: ExportContext,
                     batch_key: str) -> list[ExportOutcome]:
    keyed = [replace(it, idempotency_key=it.idempotency_key or f"{batch_key}:{n}") for n, it in enumerate(items)]
    if not keyed:
        return []
    prepare_items(conn, keyed, ctx)
    entity = entity_of(keyed[0].document.type)
    current = read_transactions(conn, entity, [str(it.external_id) for it in keyed
                                               if it.action == "update" and it.external_id],
                                "read the transactions to change")
    out = _send(conn, keyed, ctx, batch_key, current)
    return [out[it.sync_record_id] for it in keyed]


def _request(conn: QbdConnector, it: DocumentExport, ctx: ExportContext, rid: str,
             current: dict[str, TxnRecord]) -> Element | OutgoingRequest | ExportOutcome:
    entity = entity_of(it.document.type)
    if it.action == "void":
        return undo_request(entity, str(it.external_id), request_id=rid)
    mapped = map_document(it, ctx, conn.lookups)
    if it.action == "create":  # written as text: an upload's Adds are made only to be sent (``qbxml.text_nodes``)
        # the outcome reads the id, number and total: the answer needs no more, unless whole Rets are kept
        fields = () if conn.read_back_from_answers else ANSWER_FIELDS[entity]
        return OutgoingRequest(rid, document_add_text(mapped, request_id=rid, answer_fields=fields))
    held = current.get(str(it.external_id))
    if held is None:
        return ExportOutcome(it.sync_record_id, False, failure_type="data",
                             hint="It may have been deleted in QuickBooks.",
                             message=f"QuickBooks has no {entity} with TxnID {it.external_id} any more")
    return document_mod(mapped, held, request_id=rid)


def _send(conn: QbdConnector, items: Sequence[DocumentExport], ctx: ExportContext, key: str,
          current: dict[str, TxnRecord], second: bool = False) -> dict[int, ExportOutcome]:
    out: dict[int, ExportOutcome] = {}
    sent: dict[str, DocumentExport] = {}
    requests: list[Element | OutgoingRequest] = []
    for it in items:
        rid = conn.calls.request_id("d", it.sync_record_id)
        try:
            made = _request(conn, it, ctx, rid, current)
        except MappingError as exc:
            made = ExportOutcome(it.sync_record_id, False, message=str(exc), failure_type=exc.failure_type)
        except QbxmlValueError as exc:
            made = ExportOutcome(it.sync_record_id, False, message=f"{it.document.label()}: {exc}",
                                 failure_type="data")
        if isinstance(made, ExportOutcome):
            out[it.sync_record_id] = made
            continue
        requests.append(made)
        sent[rid] = it
    if not requests:
        return out
    entity = entity_of(items[0].document.type)
    results = conn.calls.exchange(requests, writes=True, purpose=f"export {entity} ({items[0].action})", key=key)
    stale: list[DocumentExport] = []
    for rid, it in sent.items():
        result = results.get(rid)
        if result is None:
            out[it.sync_record_id] = ExportOutcome(it.sync_record_id, False, failure_type="system",
                                                   message="QuickBooks did not run this request")
            continue
        verdict = classify(result.status_code, result.severity, result.message)
        if verdict.action is Action.REREAD_RETRY and it.action == "update" and not second:
            stale.append(it)
            continue
        out[it.sync_record_id] = _outcome(conn, it, result)
    if stale:
        current.update(read_transactions(conn, entity, [str(it.external_id) for it in stale],
                                         "read again the transactions changed in QuickBooks"))
        out.update(_send(conn, stale, ctx, f"{key[:32]}-s", current, second=True))
    return out


def _outcome(conn: QbdConnector, it: DocumentExport, result: RequestResult) -> ExportOutcome:
    outcome = write_outcome(it.sync_record_id, result)
    if not outcome.ok:
        if it.action == "void" and result.status_code == MODIFY_REFUSED:
            return replace(outcome, hint=VOID_REFUSED_HINT)
        return outcome
    if it.action == "void":  # TxnVoidRs carries no amounts: a voided transaction is zeroed
        doc = RemoteDocument(outcome.external_id or str(it.external_id), outcome.external_number, Decimal(0),
                             Decimal(0), "VOIDED")
        conn.remember_written(doc)
        return replace(outcome, external_id=doc.external_id, total=Decimal(0))
    ret = next((r for r in result.rets if r.tag in _DOCUMENT_RETS), None)
    if ret is not None and conn.read_back_from_answers:  # reading a whole Ret, lines and all, costs: only if used
        conn.remember_written(remote_document(read_txn(ret)))
    return outcome
