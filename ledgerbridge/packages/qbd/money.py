"""Money after invoices on QuickBooks Desktop: payments made there (the import), payments and prepayments made
here, credit applied to invoices, and credits as they stand (issue 5's flows; ``payment_mapper`` says how each maps
to qbXML, ``readers`` how QuickBooks' answers map back).

* Import: ``ReceivePaymentQuery``, ``BillPaymentCheckQuery`` and ``BillPaymentCreditCardQuery`` modified since the
  watermark (less a look-back: QuickBooks stamps TimeModified from the PC's clock), lines included (the
  applied-to lines say which invoice or bill each payment paid), paged together; and ``TxnDeletedQuery`` for
  payments deleted there, in the first of those exchanges.
* A prepayment (R-E6) is a ``ReceivePayment`` applied to nothing: QuickBooks keeps its amount as the customer's
  ``UnusedPayment``. Allocating it later is what QuickBooks Online's connector does too: the payment itself is
  changed (``ReceivePaymentMod``), its applications now including the invoice, so what is applied and what remains
  live on one record. QuickBooks replaces a payment's applications with those a Mod sends, so the Mod sends
  every application the payment had, read just before (a stale EditSequence, 3200, is read again once).
* A credit memo applied to an invoice, or a vendor credit to a bill (R-X1), and credits as they stand:
  ``qbd.credits``.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import replace
from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING

from ledgerbridge.connectors.protocol import (
    AllocationExport,
    ExportOutcome,
    PaymentExport,
    RemoteCredit,
    RemotePayment,
)
from ledgerbridge.packages.qbd.credits import apply_credits, fetch_credit_notes, payments_by_ids, read_credit_notes
from ledgerbridge.packages.qbd.currency import code_of
from ledgerbridge.packages.qbd.mapper import MappingError
from ledgerbridge.packages.qbd.payment_mapper import payment_request
from ledgerbridge.packages.qbd.qbxml.common import SetCredit
from ledgerbridge.packages.qbd.qbxml.nodes import Element, TxnRef
from ledgerbridge.packages.qbd.qbxml.payments import AppliedToTxn, receive_payment_mod
from ledgerbridge.packages.qbd.qbxml.rets import PaymentRecord, read_deleted, read_payment
from ledgerbridge.packages.qbd.qbxml.status import Action, classify
from ledgerbridge.packages.qbd.qbxml.txn_queries import (
    TxnFilter,
    changed_since,
    txn_deleted_query,
    txn_query,
)
from ledgerbridge.packages.qbd.qbxml.values import QbxmlValueError, TxnTarget
from ledgerbridge.packages.qbd.readers import (
    deleted_payment,
    remote_credit,
    remote_payments,
    write_outcome,
)

if TYPE_CHECKING:
    from ledgerbridge.packages.qbd.connector import QbdConnector

__all__ = ["export_allocations", "export_payments", "fetch_allocations", "fetch_payments", "read_credits"]

PAYMENT_KINDS = ("ReceivePayment", "BillPaymentCheck", "BillPaymentCreditCard")
ZERO = Decimal(0)


# -- payments made in QuickBooks -------------------------------------------------------------------------------
def fetch_payments(conn: QbdConnector, since: datetime | None) -> Iterator[RemotePayment]:
    queries: dict[str, Element] = {}
    for kind in PAYMENT_KINDS:
        rid = conn.calls.request_id()
        queries[kind] = (changed_since(kind, since, request_id=rid, page_size=conn.page_size) if since is not None else
                         txn_query(kind, request_id=rid, selection=TxnFilter(), include_line_items=True,
                                   page_size=conn.page_size))
    if since is not None:  # on the first import nothing was imported that a deletion could undo
        queries["deleted"] = txn_deleted_query(PAYMENT_KINDS, request_id=conn.calls.request_id(),
                                               deleted_from=since - conn.look_back)
    home = conn.base_currency()
    for page in conn.calls.pages(queries, "read payments"):
        for key, rets in page.items():
            for ret in rets:
                if key == "deleted":
                    yield deleted_payment(read_deleted(ret))
                    continue
                payment = read_payment(ret)
                yield from remote_payments(payment, currency=code_of(payment.currency, conn.currencies, home),
                                           account_code=lambda ref: conn.lookups.account_code(ref.list_id,
                                                                                              ref.full_name))


# -- payments and prepayments made here ------------------------------------------------------------------------
def export_payments(conn: QbdConnector, items: Sequence[PaymentExport], batch_key: str) -> list[ExportOutcome]:
    out: dict[int, ExportOutcome] = {}
    sent: dict[str, PaymentExport] = {}
    requests: list[Element] = []
    for n, it in enumerate(items):
        keyed = replace(it, idempotency_key=it.idempotency_key or f"{batch_key}:{n}")
        rid = conn.calls.request_id("m", it.sync_record_id)
        try:
            requests.append(payment_request(keyed, conn.lookups.account, request_id=rid))
        except MappingError as exc:
            out[it.sync_record_id] = ExportOutcome(it.sync_record_id, False, message=str(exc),
                                                   failure_type=exc.failure_type)
            continue
        sent[rid] = it
    if requests:
        results = conn.calls.exchange(requests, writes=True, purpose="export payments", key=batch_key)
        for rid, it in sent.items():
            result = results.get(rid)
            out[it.sync_record_id] = write_outcome(it.sync_record_id, result) if result is not None else \
                ExportOutcome(it.sync_record_id, False, failure_type="system",
                              message="QuickBooks did not run this request")
    return [out[it.sync_record_id] for it in items]


# -- credit applied to invoices --------------------------------------------------------------------------------
def _payments(conn: QbdConnector, txn_ids: Sequence[str], purpose: str) -> dict[str, PaymentRecord]:
    return payments_by_ids(conn, {"ReceivePayment": txn_ids}, purpose)


def _kept_and_added(payment: PaymentRecord, group: Sequence[AllocationExport]) -> tuple[AppliedToTxn, ...]:
    """What the payment applies after the Mod: every application it has, with the new amounts added."""
    amounts: dict[str, Decimal] = {}
    credits: dict[str, tuple[SetCredit, ...]] = {}
    for applied in payment.applied:
        amounts[applied.txn_id] = amounts.get(applied.txn_id, ZERO) + applied.amount
        credits[applied.txn_id] = credits.get(applied.txn_id, ()) + tuple(
            SetCredit(TxnRef(link.txn_id), abs(link.amount)) for link in applied.linked if link.amount)
    for it in group:
        amounts[it.invoice_external_id] = amounts.get(it.invoice_external_id, ZERO) + it.amount
    return tuple(AppliedToTxn(TxnRef(txn_id), amount, credits.get(txn_id, ())) for txn_id, amount in amounts.items())


def _allocate_payments(conn: QbdConnector, groups: dict[str, list[AllocationExport]], key: str,
                       out: dict[str, ExportOutcome], second: bool = False) -> None:
    current = _payments(conn, list(groups), "read the payments to allocate")
    requests: list[Element] = []
    sent: dict[str, str] = {}
    for payment_id, group in groups.items():
        payment = current.get(payment_id)
        if payment is None or payment.edit_sequence is None:
            for it in group:
                out[it.key] = ExportOutcome(0, False, failure_type="data", message=(
                    f"QuickBooks has no ReceivePayment with TxnID {payment_id} any more"))
            continue
        rid = conn.calls.request_id("a")
        try:
            requests.append(receive_payment_mod(TxnTarget(payment.txn_id, payment.edit_sequence),
                                                _kept_and_added(payment, group), request_id=rid))
        except QbxmlValueError as exc:
            for it in group:
                out[it.key] = ExportOutcome(0, False, failure_type="data", message=str(exc))
            continue
        sent[rid] = payment_id
    if not requests:
        return
    results = conn.calls.exchange(requests, writes=True, purpose="allocate prepayments", key=key)
    stale: dict[str, list[AllocationExport]] = {}
    for rid, payment_id in sent.items():
        result = results.get(rid)
        verdict = classify(result.status_code, result.severity, result.message) if result else None
        if verdict is not None and verdict.action is Action.REREAD_RETRY and not second:
            stale[payment_id] = groups[payment_id]
            continue
        for it in groups[payment_id]:
            outcome = write_outcome(0, result) if result is not None else ExportOutcome(
                0, False, failure_type="system", message="QuickBooks did not run this request")
            out[it.key] = replace(outcome, total=it.amount) if outcome.ok else outcome
    if stale:
        _allocate_payments(conn, stale, f"{key[:32]}-s", out, second=True)


def export_allocations(conn: QbdConnector, items: Sequence[AllocationExport],
                       batch_key: str) -> dict[str, ExportOutcome]:
    out: dict[str, ExportOutcome] = {}
    groups: dict[str, list[AllocationExport]] = {}
    for it in items:
        if it.source_kind in ("prepayment", "overpayment"):
            groups.setdefault(it.source_external_id, []).append(it)
    if groups:
        _allocate_payments(conn, groups, batch_key, out)
    notes = [it for it in items if it.source_kind == "credit_note"]
    if notes:
        apply_credits(conn, notes, batch_key, out)
    return out


# -- credits as they stand -------------------------------------------------------------------------------------
def read_credits(conn: QbdConnector, source_kind: str, external_ids: Sequence[str]) -> dict[str, RemoteCredit]:
    """Credits as they stand, by TxnID: credit memos and vendor credits (``credits.read_credit_notes``), or
    payments' unused amounts, a query of up to ``max_ids_per_read`` TxnIDs an exchange (``TxnID`` repeated: the
    XSD sets no bound, the message size does). One not found in QuickBooks is left out."""
    ids = sorted({external_id for external_id in external_ids if external_id})
    if source_kind == "credit_note":
        return read_credit_notes(conn, ids)
    found: dict[str, RemoteCredit] = {}
    for start in range(0, len(ids), conn.max_ids_per_read):
        for txn_id, payment in _payments(conn, ids[start : start + conn.max_ids_per_read],
                                         "read back prepayments").items():
            found[txn_id] = remote_credit(payment, (), source_kind)
    return found


def fetch_allocations(conn: QbdConnector, since: datetime | None) -> Iterator[RemoteCredit]:
    """Credit memos and vendor credits changed since ``since``, each with all its applications."""
    return fetch_credit_notes(conn, since)
