"""Prepayments on MYOB (R-E6): the split applied to the order's invoices, and what no invoice takes held as a
deposit on a sale order.

Why by hand, and why a sale order: MYOB's API records a customer's money only against a sale. A
``Sale/CustomerPayment`` applies it by lines of ``Type`` Invoice or Order, must apply all it receives, and there is
no "receive money on account" a later invoice could take (Xero's prepayment, QuickBooks' unapplied payment). What
MYOB's own users do with money taken before the goods go is a *deposit*: a customer payment applied to a sales
order, which AccountRight holds in the customer deposits liability account until the order becomes an invoice
(AccountRight help, answer 9110: "if you receive a payment against a sales order, it's considered a deposit").

So a prepayment goes out, once its order's invoices are confirmed in MYOB as on every package, as one customer
payment: lines applying the split to those invoices (never above what each still owes in MYOB), and one line of
``Type`` Order applying the rest to a sale order made to hold it (``Sale/Order/Service``, numbered as the host's
order, one line of the rest on the prepayment's account, not taxed: GST on deposits is not modelled, as on Xero).
A prepayment no invoice can take (every invoice of its order paid in MYOB already) is held on the order in full:
nothing is refused. The order is made just before the payment; when the payment's record has an earlier attempt
(an answer lost), the order is looked up first by its memo stamp (``[lb <payment>] deposit``), never made twice.

Read back (``read_credits``), a prepayment is its payment: the invoice lines are its allocations, the order lines
what remains. Moving a held deposit onto an invoice made after the prepayment went out is not done here: MYOB does
it by converting the order into the invoice, and the host's invoices are documents of their own that go out as
themselves; such an allocation is refused with what to do in MYOB.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from ledgerbridge.connectors.protocol import (
    AllocationExport,
    ConnectorCallFailed,
    ExportOutcome,
    PaymentExport,
    RemoteAllocation,
    RemoteCredit,
)
from ledgerbridge.packages.myob.calls import dec, myob_date, q, when
from ledgerbridge.packages.myob.limits import NUMBER_MAX
from ledgerbridge.packages.myob.mapper import link, memo_stamp

if TYPE_CHECKING:
    from ledgerbridge.packages.myob.reads import MyobReads

ORDER_ROUTE = "Sale/Order/Service"
#: The tax code of a deposit's order line: money held, not a supply (N-T: not reportable; FRE where a file lacks it).
DEPOSIT_TAX_CODES = ("N-T", "FRE")


def held_on_order(item: PaymentExport) -> Decimal:
    """What of the prepayment no invoice takes: the deposit its sale order holds."""
    return item.amount - sum((a.amount for a in item.allocations), Decimal(0))


def deposit_memo(item: PaymentExport) -> str:
    return f"{memo_stamp(item.host_id)} deposit"


def deposit_order(conn: MyobReads, item: PaymentExport, amount: Decimal) -> str:
    """The UID of the sale order holding ``amount`` of this prepayment: the one an earlier attempt made (found by
    its memo, looked for only when there was an earlier attempt), else a new one."""
    if item.idempotency_key:
        memo = deposit_memo(item)
        for page in conn.pages(ORDER_ROUTE, where=f"substringof({q(memo)}, JournalMemo) eq true",
                               purpose="look up a deposit's order"):
            found = next((row for row in page if str(row.get("JournalMemo") or "").startswith(memo)), None)
            if found is not None:
                return str(found["UID"])
    tax = next((code for code in DEPOSIT_TAX_CODES if conn.has_tax_code(code)), None)
    if tax is None or not item.account_code:
        raise ConnectorCallFailed(
            f"{item.label}: MYOB holds what no invoice takes as a deposit on a sale order, which needs "
            + ("an account (the order's first sales account, mapped)" if tax is not None
               else f"a tax code for money held ({' or '.join(DEPOSIT_TAX_CODES)}) in the company file"),
            failure_type="config", source="precheck")
    order = item.order_number or item.host_id
    made = conn.create(ORDER_ROUTE, {
        "Number": order[:NUMBER_MAX], "Date": myob_date(item.payment_date), "Customer": link(item.party_external_id),
        "IsTaxInclusive": True, "JournalMemo": f"{deposit_memo(item)} held for order {order}"[:255],
        "Lines": [{"Type": "Transaction", "Description": f"Deposit held for order {order}: {item.label}"[:1000],
                   "Total": amount, "Account": link(conn.account_uid(item.account_code)),
                   "TaxCode": link(conn.tax_uid(tax))}]}, "hold a deposit")
    return str(made["UID"])


def payment_lines(conn: MyobReads, item: PaymentExport) -> list[dict[str, Any]]:
    """A prepayment's ``Invoices`` lines: its split, then the rest on its deposit order."""
    lines: list[dict[str, Any]] = [{"UID": a.invoice_external_id, "AmountApplied": a.amount, "Type": "Invoice"}
                                   for a in item.allocations]
    rest = held_on_order(item)
    if rest > 0:
        lines.append({"UID": deposit_order(conn, item, rest), "AmountApplied": rest, "Type": "Order"})
    return lines


def read_prepayments(conn: MyobReads, external_ids: Sequence[str]) -> dict[str, RemoteCredit]:
    """Prepayments as MYOB holds them: applied to invoices (allocations), and held on orders (what remains)."""
    out: dict[str, RemoteCredit] = {}
    for uid, payment in conn.by_uids("Sale/CustomerPayment", external_ids, "read prepayments").items():
        lines = payment.get("Invoices") or []
        paid = date.fromisoformat(str(payment["Date"])[:10])
        allocations = tuple(RemoteAllocation("prepayment", uid, str(line["UID"]), dec(line.get("AmountApplied")),
                                             paid) for line in lines if line.get("Type", "Invoice") == "Invoice")
        held = sum((dec(line.get("AmountApplied")) for line in lines if line.get("Type") == "Order"), Decimal(0))
        out[uid] = RemoteCredit(uid, dec(payment.get("AmountReceived")), held,
                                "PAID" if held == 0 else "AUTHORISED", allocations, "prepayment",
                                when(payment.get("LastModified")))
    return out


def refuse_moves(items: Sequence[AllocationExport]) -> dict[str, ExportOutcome]:
    """An allocation of a deposit already held on its order to an invoice made since: refused with what to do."""
    return {it.key: ExportOutcome(0, False, failure_type="data", message=(
        f"MYOB holds this prepayment's rest as a deposit on its sale order, and its API cannot move {it.amount} of "
        "it onto an invoice made later"), hint=(
        "In MYOB, delete the deposit payment and record it again applied to the invoice, or convert the order."))
        for it in items}
