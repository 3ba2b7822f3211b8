"""How much of a QuickBooks document was settled by cash and how much by credit, for reconciliation (R-R1).

QuickBooks does not say it on the document: an invoice shows only its ``Balance`` and, in ``LinkedTxn``, the
Payments that touch it. Applying a credit memo is itself a Payment (usually of zero) whose lines link the invoice
(+) and the credit memo (-); a bill and a vendor credit meet the same way in a BillPayment. So an invoice's
settled amount (``TotalAmt - Balance``) is split by reading those payments: within one payment the credit lines
are spent on its document lines in line order (assumed: QuickBooks records no finer split), the rest is cash.

Documents without links cost no call, so the read-back after an upload stays as cheap as before.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from ledgerbridge.connectors.protocol import RemoteDocument

ZERO = Decimal(0)
#: Document entity -> (its payment entity, the credit entity spent in those payments).
SETTLED_BY = {"Invoice": ("Payment", "CreditMemo"), "Bill": ("BillPayment", "VendorCredit")}
PAYMENT_LINKS = {"Payment", "BillPaymentCheck", "BillPaymentCreditCard"}

ReadByIds = Callable[[str, Sequence[str], str], dict[str, dict[str, Any]]]


def _dec(value: Any) -> Decimal:
    return Decimal(str(value)) if value is not None else ZERO


def _updated(doc: dict[str, Any]) -> datetime | None:
    stamp = (doc.get("MetaData") or {}).get("LastUpdatedTime")
    if not stamp:
        return None
    parsed = datetime.fromisoformat(str(stamp).replace("Z", "+00:00"))
    return (parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)).astimezone(UTC)


def remote_document(doc: dict[str, Any], *, voided: bool, credit: bool) -> RemoteDocument:
    """A QuickBooks invoice, credit memo, bill or vendor credit as :class:`RemoteDocument`.

    Until :func:`split_settlements` reads the payments, whatever is settled on an invoice or bill counts as paid;
    on a credit memo or vendor credit, what is used counts as credited (it was spent against documents)."""
    total = _dec(doc.get("TotalAmt"))
    balance = _dec(doc.get("Balance", doc.get("RemainingCredit")))
    status = "VOIDED" if voided else ("PAID" if balance == 0 and total else "OPEN")
    settled = ZERO if voided else total - balance
    return RemoteDocument(str(doc["Id"]), doc.get("DocNumber"), total, balance, status,
                          amount_paid=ZERO if credit else settled, amount_credited=settled if credit else ZERO,
                          currency=(doc.get("CurrencyRef") or {}).get("value"), updated_at=_updated(doc))


def split_settlements(entity: str, docs: dict[str, dict[str, Any]], remote: dict[str, RemoteDocument],
                      read_by_ids: ReadByIds) -> dict[str, RemoteDocument]:
    """Split each linked invoice's (or bill's) settled amount into paid and credited; one query per 30 payments."""
    if entity not in SETTLED_BY:
        return remote
    payment_entity, credit_entity = SETTLED_BY[entity]
    linked = {i: [str(t["TxnId"]) for t in doc.get("LinkedTxn") or [] if t.get("TxnType") in PAYMENT_LINKS]
              for i, doc in docs.items()}
    wanted = sorted({p for ids in linked.values() for p in ids})
    if not wanted:
        return remote
    payments = read_by_ids(payment_entity, wanted, "read settlements")
    credited = _credit_per_document(payments.values(), entity, credit_entity)
    out = dict(remote)
    for doc_id, ids in linked.items():
        if not ids or doc_id not in out:
            continue
        doc = out[doc_id]
        by_credit = min(credited.get(doc_id, ZERO), doc.amount_paid + doc.amount_credited)
        out[doc_id] = replace(doc, amount_paid=doc.amount_paid + doc.amount_credited - by_credit,
                              amount_credited=by_credit)
    return out


def _credit_per_document(payments: Any, entity: str, credit_entity: str) -> dict[str, Decimal]:
    out: dict[str, Decimal] = {}
    for payment in payments:
        lines = payment.get("Line") or []
        pool = sum((_dec(line.get("Amount")) for line in lines
                    for t in line.get("LinkedTxn") or [] if t.get("TxnType") == credit_entity), ZERO)
        for line in lines:
            for t in line.get("LinkedTxn") or []:
                if t.get("TxnType") != entity or pool <= 0:
                    continue
                spent = min(pool, _dec(line.get("Amount")))
                out[str(t["TxnId"])] = out.get(str(t["TxnId"]), ZERO) + spent
                pool -= spent
    return out


def cash_allocations(payment: dict[str, Any], entity: str) -> list[tuple[str, Decimal]]:
    """What a Payment (or BillPayment) settles on each invoice (or bill) with money, credits left out: a credit
    memo applied through a payment is a credit allocation (R-I3), not a receipt to import."""
    credit_entity = SETTLED_BY[entity][1]
    pool = sum((_dec(line.get("Amount")) for line in payment.get("Line") or []
                for t in line.get("LinkedTxn") or [] if t.get("TxnType") == credit_entity), ZERO)
    out = []
    for line in payment.get("Line") or []:
        for t in line.get("LinkedTxn") or []:
            if t.get("TxnType") != entity:
                continue
            spent = min(pool, _dec(line.get("Amount")))
            pool -= spent
            if _dec(line.get("Amount")) - spent > 0:
                out.append((str(t["TxnId"]), _dec(line.get("Amount")) - spent))
    return out
