"""QuickBooks Online's side of money after invoices: prepayments, payments out, allocations (issue 5).

QuickBooks has no prepayment entity: a customer's deposit is a ``Payment`` whose amount
is not (yet) applied to any invoice (``UnappliedAmt``). Allocating it later is an
update of that Payment adding ``Line[].LinkedTxn`` to the invoices, so what is applied
and what remains always live on one record, which is what read-back compares.
A credit memo is applied to an invoice by a Payment of zero that links both, a vendor credit to a bill by a
BillPayment of zero (R-X1; ``qbo.credits``). Kept out of ``qbo.connector`` (documents); every function takes the
connector (as ``QboReads``: the calls and the account ids) so HTTP, batch, SyncToken re-reads and account ids stay
where they are.
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
from ledgerbridge.packages.qbo.credits import allocation_op, read_credit_notes
from ledgerbridge.packages.qbo.limits import BATCH_SIZE

if TYPE_CHECKING:
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
    unknown = [it.source_external_id for it in credit_notes if it.source_external_id not in conn.credits_held]
    if unknown:  # the engine reads before it writes: only a credit not read by this connector costs this read
        read_credit_notes(conn, unknown)
    for n, it in enumerate(credit_notes):  # a payment of nothing that spends the credit on the invoice or bill
        held = conn.credits_held.get(it.source_external_id)
        if held is None:
            out[it.key] = ExportOutcome(0, False, failure_type="data", message=(
                f"QuickBooks has no credit memo or vendor credit with Id {it.source_external_id} any more"))
        elif held.entity == "VendorCredit" and conn.bank_account_id() is None:
            out[it.key] = ExportOutcome(0, False, failure_type="config", message=(
                "QuickBooks applies a vendor credit through a bill payment, which needs a bank account: the "
                "company's chart has none (add one in QuickBooks and refresh the chart)"))
        else:
            ops.append((f"c{n}", "create", *allocation_op(conn, it, held)))
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
        if it.key in out:
            continue
        answer = answers.get(f"c{n}", {})
        made = answer.get("Payment") or answer.get("BillPayment")
        out[it.key] = (ExportOutcome(0, True, external_id=str(made["Id"]), total=it.amount)
                       if made else failed_outcome(0, answer, "allocation"))
    return out


def read_credits(conn: QboReads, source_kind: str, external_ids: Sequence[str]) -> dict[str, RemoteCredit]:
    """Credit memos and vendor credits with the payments that apply them (``qbo.credits``), or prepayments
    (Payments), ``Id IN`` a chunk at a time."""
    if source_kind == "credit_note":
        return read_credit_notes(conn, external_ids)
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
