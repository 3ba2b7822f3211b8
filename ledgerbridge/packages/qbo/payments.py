"""QuickBooks Online's side of money after invoices: prepayments, payments out, allocations (issue 5).

QuickBooks has no prepayment entity: a customer's deposit is a ``Payment`` whose amount
is not (yet) applied to any invoice (``UnappliedAmt``). Allocating it later is an
update of that Payment adding ``Line[].LinkedTxn`` to the invoices, so what is applied
and what remains always live on one record, which is what read-back compares.
A credit memo is applied to an invoice by a Payment of zero that links both (R-X1).
Kept out of ``qbo.connector`` (documents); every function takes the connector (typed as the part of it it
uses: ``QboReads`` for the account ids, ``QboCalls`` for the calls) so HTTP, batch, SyncToken re-reads and
account ids stay where they are.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from ledgerbridge.connectors.protocol import (
    AllocationExport,
    ExportOutcome,
    PaymentExport,
    RemoteAllocation,
    RemoteCredit,
)
from ledgerbridge.packages.qbo.calls import failed_outcome
from ledgerbridge.packages.qbo.limits import BATCH_SIZE

if TYPE_CHECKING:
    from ledgerbridge.packages.qbo.calls import QboCalls
    from ledgerbridge.packages.qbo.reads import QboReads

REF_MAX = 21  # PaymentRefNum, like DocNumber, holds 21 characters


def _dec(value: Any) -> Decimal:
    return Decimal(str(value)) if value is not None else Decimal(0)


def _q(value: str) -> str:
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"


def _ref(item: PaymentExport) -> str:
    return item.host_id[:REF_MAX]


def payment_body(conn: QboReads, item: PaymentExport) -> tuple[str, dict[str, Any]]:
    note = f"{item.label}" + (f": {item.reference}" if item.reference else "")
    bank = {"value": conn.account_id(item.bank_account_code)}
    if item.direction == "out":  # a supplier payment: a BillPayment by cheque from the bank account
        return "BillPayment", {
            "VendorRef": {"value": item.party_external_id}, "TotalAmt": item.amount, "PayType": "Check",
            "CheckPayment": {"BankAccountRef": bank}, "TxnDate": item.payment_date.isoformat(),
            "DocNumber": _ref(item), "PrivateNote": note,
            "Line": [{"Amount": item.amount, "LinkedTxn": [{"TxnId": item.document_external_id, "TxnType": "Bill"}]}]}
    # A prepayment goes out with its split (``allocates_in_create``): what its lines do not apply stays unapplied.
    lines = ([_invoice_line(a.amount, a.invoice_external_id) for a in item.allocations] if item.kind == "prepayment"
             else [_invoice_line(item.amount, item.document_external_id)])
    return "Payment", {"CustomerRef": {"value": item.party_external_id}, "TotalAmt": item.amount,
                       "TxnDate": item.payment_date.isoformat(), "PaymentRefNum": _ref(item), "PrivateNote": note,
                       "DepositToAccountRef": bank, "Line": lines}


def _invoice_line(amount: Decimal, invoice_id: str | None) -> dict[str, Any]:
    return {"Amount": amount, "LinkedTxn": [{"TxnId": invoice_id, "TxnType": "Invoice"}]}


def _batches(ops: list[tuple[str, str, str, dict[str, Any]]], key: str) -> list[tuple[list[Any], str]]:
    """Operations cut into batches of at most ``BATCH_SIZE`` (the first keeps the key: one batch as before)."""
    return [(ops[start : start + BATCH_SIZE], key if start == 0 else f"{key[:30]}-{start // BATCH_SIZE}")
            for start in range(0, len(ops), BATCH_SIZE)]


def export_payments(conn: QboReads, items: Sequence[PaymentExport], batch_key: str) -> list[ExportOutcome]:
    ops = [(str(n), "create", *payment_body(conn, it)) for n, it in enumerate(items)]
    answers: dict[str, dict[str, Any]] = {}
    for part, key in _batches(ops, batch_key):
        answers.update(conn.write(part, key, "export payments"))
    out = []
    for n, it in enumerate(items):
        answer = answers.get(str(n), {})
        entity = ops[n][2]
        row = answer.get(entity)
        if row is None:
            out.append(failed_outcome(it.sync_record_id, answer, "payment"))
        else:
            out.append(ExportOutcome(it.sync_record_id, True, external_id=str(row["Id"]),
                                     total=_dec(row.get("TotalAmt"))))
    return out


def find_existing_payments(conn: QboReads, items: Sequence[PaymentExport]) -> dict[int, str]:
    found: dict[int, str] = {}
    for it in items:
        entity, field, party = (("BillPayment", "DocNumber", "VendorRef") if it.direction == "out"
                                else ("Payment", "PaymentRefNum", "CustomerRef"))
        for page in conn.query(entity, f"{field} = {_q(_ref(it))}", purpose="look up payments"):
            for row in page:
                if (str((row.get(party) or {}).get("value")) == it.party_external_id
                        and _dec(row.get("TotalAmt")) == it.amount):
                    found[it.sync_record_id] = str(row["Id"])
    return found


def export_allocations(conn: QboReads, items: Sequence[AllocationExport],
                       batch_key: str) -> dict[str, ExportOutcome]:
    """A prepayment's allocations: its Payment updated with the new lines added to those it has (sparse)."""
    out: dict[str, ExportOutcome] = {}
    prepaid = [it for it in items if it.source_kind in ("prepayment", "overpayment")]
    current = conn.by_ids("Payment", sorted({it.source_external_id for it in prepaid}), "read payments to allocate")
    ops: list[tuple[str, str, str, dict[str, Any]]] = []
    groups: dict[str, list[AllocationExport]] = {}
    for it in prepaid:
        groups.setdefault(it.source_external_id, []).append(it)
    for n, (payment_id, group) in enumerate(groups.items()):
        row = current.get(payment_id)
        if row is None:
            for it in group:
                out[it.key] = ExportOutcome(0, False, failure_type="data",
                                            message=f"QuickBooks has no Payment with Id {payment_id} any more")
            continue
        # LineEx is QuickBooks' read-only addition to a line: what goes back is the line as it was written
        lines = [{k: v for k, v in line.items() if k != "LineEx"} for line in row.get("Line") or []]
        for it in group:
            lines.append({"Amount": it.amount, "LinkedTxn": [{"TxnId": it.invoice_external_id, "TxnType": "Invoice"}]})
        ops.append((str(n), "update", "Payment", {"Id": payment_id, "SyncToken": str(row.get("SyncToken", "0")),
                                                  "sparse": True, "Line": lines}))
    credit_notes = [it for it in items if it.source_kind == "credit_note"]
    for n, it in enumerate(credit_notes):  # a Payment of 0 that applies the credit memo to the invoice
        ops.append((f"c{n}", "create", "Payment", {
            "CustomerRef": {"value": it.party_external_id}, "TotalAmt": 0,
            "TxnDate": it.allocation_date.isoformat(),
            "Line": [{"Amount": it.amount, "LinkedTxn": [{"TxnId": it.invoice_external_id, "TxnType": "Invoice"}]},
                     {"Amount": it.amount, "LinkedTxn": [{"TxnId": it.source_external_id,
                                                          "TxnType": "CreditMemo"}]}]}))
    answers: dict[str, dict[str, Any]] = {}
    for part, key in _batches(ops, batch_key):
        answers.update(conn.write(part, key, "allocate credit"))
    for n, (_payment_id, group) in enumerate(groups.items()):
        answer = answers.get(str(n))
        for it in group:
            if it.key in out:
                continue
            ok = answer is not None and "Payment" in answer
            out[it.key] = (ExportOutcome(0, True, total=it.amount) if ok
                           else failed_outcome(0, answer or {}, "allocation"))
    for n, it in enumerate(credit_notes):
        answer = answers.get(f"c{n}", {})
        out[it.key] = (ExportOutcome(0, True, external_id=str(answer["Payment"]["Id"]), total=it.amount)
                       if "Payment" in answer else failed_outcome(0, answer, "allocation"))
    return out


def read_credits(conn: QboCalls, source_kind: str, external_ids: Sequence[str]) -> dict[str, RemoteCredit]:
    """Credit memos with the payments that apply them, or prepayments (Payments), ``Id IN`` a chunk at a time."""
    if source_kind == "credit_note":
        memos = conn.by_ids("CreditMemo", external_ids, "read back credit memos")
        return {credit.external_id: credit for credit in credit_memos(conn, list(memos.values()))}
    rows = conn.by_ids("Payment", external_ids, "read back prepayments")
    return {payment_id: _payment_credit(source_kind, row) for payment_id, row in rows.items()}


def _payment_credit(source_kind: str, row: dict[str, Any]) -> RemoteCredit:
    payment_id = str(row["Id"])
    allocations = tuple(RemoteAllocation(source_kind, payment_id, str(t["TxnId"]), _dec(line.get("Amount")))
                        for line in row.get("Line") or [] for t in line.get("LinkedTxn") or []
                        if t.get("TxnType") == "Invoice")
    total = _dec(row.get("TotalAmt"))
    remaining = _dec(row.get("UnappliedAmt")) if "UnappliedAmt" in row else total - sum(
        (a.amount for a in allocations), Decimal(0))
    return RemoteCredit(payment_id, total, remaining, "AUTHORISED", allocations)


def credit_memos(conn: QboCalls, memos: list[dict[str, Any]]) -> list[RemoteCredit]:
    """Credit memos and the invoices each is applied to: the zero Payments that link it to them, read for all the
    memos at once (never a query per memo)."""
    linked = {str(t["TxnId"]) for memo in memos for t in memo.get("LinkedTxn") or [] if t.get("TxnType") == "Payment"}
    payments = conn.by_ids("Payment", sorted(linked), "read credit memo applications") if linked else {}
    out = []
    for memo in memos:
        memo_id = str(memo["Id"])
        allocations = []
        for payment_id in dict.fromkeys(str(t["TxnId"]) for t in memo.get("LinkedTxn") or []
                                        if t.get("TxnType") == "Payment"):
            payment = payments.get(payment_id)
            if payment is None:
                continue
            lines = [(str(link["TxnId"]), link.get("TxnType"), _dec(line.get("Amount")))
                     for line in payment.get("Line") or [] for link in line.get("LinkedTxn") or []]
            if any(kind == "CreditMemo" and txn == memo_id for txn, kind, _ in lines):
                allocations += [RemoteAllocation("credit_note", memo_id, txn, amount, None, f"{payment['Id']}:{txn}")
                                for txn, kind, amount in lines if kind == "Invoice"]
        out.append(RemoteCredit(memo_id, _dec(memo.get("TotalAmt")), _dec(memo.get("RemainingCredit")), "AUTHORISED",
                                tuple(allocations), "credit_note"))
    return out
