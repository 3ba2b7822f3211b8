"""Credit notes on QuickBooks Online: credit memos (sales) and vendor credits (purchases) applied to invoices and
bills (allocation sync, R-X1), and read back with every application.

QuickBooks applies a credit only inside a payment: a credit memo in a customer ``Payment`` of nothing whose lines
link the invoice and the memo (Receive payment with the credit ticked), a vendor credit in a ``BillPayment`` of
nothing whose lines link the bill and the credit (Pay bills with the credit applied: a "Bill Payment (Check)" of
0.00; the credit's line carries a positive amount, ``TotalAmt`` is bills less credits). The engine names both
"credit_note" and knows only Ids, which do not say their entity: a read asks for the Ids as credit memos, then
those not found as vendor credits (no second call when every one is a credit memo), and remembers which was
which and whose it is, so that applying them afterwards (the engine reads before it writes) costs no call.

A credit's applications are in the payments its ``LinkedTxn`` names, read for every credit at once. Within one
payment the credit lines are spent on its invoice (bill) lines in line order: a payment that pays cash on a bill
and spends a credit on it gives the credit only its own amount.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from ledgerbridge.connectors.protocol import AllocationExport, RemoteAllocation, RemoteCredit
from ledgerbridge.packages.qbo.calls import _dec

if TYPE_CHECKING:
    from ledgerbridge.packages.qbo.reads import QboReads

__all__ = ["HeldCredit", "allocation_op", "credits_with_applications", "read_credit_notes"]


@dataclass(frozen=True, slots=True)
class Applied:
    """How QuickBooks applies one kind of credit."""

    payment: str  # the payment entity that spends it
    links: tuple[str, ...]  # how the credit's LinkedTxn names that payment
    target: str  # what it is applied to
    party: str  # the reference naming its customer or vendor
    remaining: str  # its field of what is left


APPLIED_BY = {"CreditMemo": Applied("Payment", ("Payment",), "Invoice", "CustomerRef", "RemainingCredit"),
              "VendorCredit": Applied("BillPayment", ("BillPaymentCheck", "BillPaymentCreditCard"), "Bill",
                                      "VendorRef", "Balance")}


@dataclass(frozen=True, slots=True)
class HeldCredit:
    """What applying a credit needs of it: its entity and its party's Id (the payment's payee)."""

    entity: str  # CreditMemo | VendorCredit
    party_id: str | None


def read_credit_notes(conn: QboReads, external_ids: Sequence[str]) -> dict[str, RemoteCredit]:
    """Credit memos and vendor credits by Id, with their applications: the Ids as credit memos, then those not
    found as vendor credits."""
    memos = conn.by_ids("CreditMemo", external_ids, "read back credit memos")
    credits = credits_with_applications(conn, "CreditMemo", memos.values())
    rest = [i for i in external_ids if i not in memos]
    if rest:
        vendor = conn.by_ids("VendorCredit", rest, "read back vendor credits")
        credits += credits_with_applications(conn, "VendorCredit", vendor.values())
    return {credit.external_id: credit for credit in credits}


def credits_with_applications(conn: QboReads, entity: str, rows: Iterable[dict[str, Any]]) -> list[RemoteCredit]:
    """Credits of one entity and the invoices (bills) each is applied to: the payments that spend them, read
    for all of them at once (never a query per credit). Each is remembered (``conn.credits_held``)."""
    how = APPLIED_BY[entity]
    rows = list(rows)
    linked = {str(t["TxnId"]) for row in rows for t in row.get("LinkedTxn") or [] if t.get("TxnType") in how.links}
    payments = conn.by_ids(how.payment, sorted(linked), "read credit applications") if linked else {}
    out = []
    for row in rows:
        credit_id = str(row["Id"])
        conn.credits_held[credit_id] = HeldCredit(entity, (row.get(how.party) or {}).get("value"))
        allocations = []
        for payment_id in dict.fromkeys(str(t["TxnId"]) for t in row.get("LinkedTxn") or []
                                        if t.get("TxnType") in how.links):
            payment = payments.get(payment_id)
            if payment is None:
                continue
            allocations += [RemoteAllocation("credit_note", credit_id, target, amount, None, f"{payment_id}:{target}")
                            for spent_from, target, amount in _spent(payment, entity, how.target)
                            if spent_from == credit_id]
        out.append(RemoteCredit(credit_id, _dec(row.get("TotalAmt")), _dec(row.get(how.remaining)), "AUTHORISED",
                                tuple(allocations), "credit_note"))
    return out


def _spent(payment: dict[str, Any], credit_entity: str, target_entity: str) -> list[tuple[str, str, Decimal]]:
    """(credit Id, invoice or bill Id, amount): the payment's credit lines spent on its target lines in line
    order (QuickBooks records no finer split)."""
    credits: list[list[Any]] = []
    targets: list[list[Any]] = []
    for line in payment.get("Line") or []:
        for link in line.get("LinkedTxn") or []:
            if link.get("TxnType") == credit_entity:
                credits.append([str(link["TxnId"]), _dec(line.get("Amount"))])
            elif link.get("TxnType") == target_entity:
                targets.append([str(link["TxnId"]), _dec(line.get("Amount"))])
    out: list[tuple[str, str, Decimal]] = []
    for credit in credits:
        for target in targets:
            amount = min(credit[1], target[1])
            if amount <= 0:
                continue
            out.append((credit[0], target[0], amount))
            credit[1] -= amount
            target[1] -= amount
    merged: dict[tuple[str, str], Decimal] = {}
    for credit_id, target_id, amount in out:
        merged[(credit_id, target_id)] = merged.get((credit_id, target_id), Decimal(0)) + amount
    return [(credit_id, target_id, amount) for (credit_id, target_id), amount in merged.items()]


def allocation_op(conn: QboReads, it: AllocationExport, held: HeldCredit) -> tuple[str, dict[str, Any]]:
    """The payment of nothing that spends the credit on the invoice or bill: a ``Payment`` for a credit memo, a
    ``BillPayment`` by cheque for a vendor credit (QuickBooks wants a bank account on every cheque though no money
    moves: the chart's first bank account), each in the credit's own party's name."""
    how = APPLIED_BY[held.entity]
    party = {"value": held.party_id or it.party_external_id}
    lines = [{"Amount": it.amount, "LinkedTxn": [{"TxnId": it.invoice_external_id, "TxnType": how.target}]},
             {"Amount": it.amount, "LinkedTxn": [{"TxnId": it.source_external_id, "TxnType": held.entity}]}]
    body: dict[str, Any] = {how.party: party, "TotalAmt": 0, "TxnDate": it.allocation_date.isoformat(),
                            "Line": lines}
    if held.entity == "VendorCredit":
        body.update({"PayType": "Check", "CheckPayment": {"BankAccountRef": {"value": conn.bank_account_id()}}})
    return how.payment, body
