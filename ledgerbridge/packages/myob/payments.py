"""MYOB's side of money after invoices: payments made here, credit settlements (issue 14, R-E6).

* A payment of an invoice (with "payments both ways") is a ``Sale/CustomerPayment`` applied to it (``Invoices``,
  by UID); a payment of a bill a ``Purchase/SupplierPayment`` (``Lines``, by ``Purchase``). Neither can be changed
  in MYOB (GET, POST, DELETE only). The host id is stamped in the Memo, by which a lost answer's payment is found.
* A prepayment: MYOB's API records a customer's money only against a sale, so it goes out as a payment applied to
  its order's invoices, and what they do not take is held as a deposit on a sale order (``myob.deposits``).
* A credit note's allocation is a ``Sale/CreditSettlement`` (a supplier credit's a ``Purchase/DebitSettlement``),
  whose lines apply the credit to sales (bills).

Every function takes the connector (typed as ``MyobReads``, the part of it used: calls, chart UIDs).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from ledgerbridge.connectors.protocol import (
    AllocationExport,
    ConnectorCallFailed,
    ExportOutcome,
    PaymentExport,
    RemoteAllocation,
    RemoteCredit,
)
from ledgerbridge.packages.myob import deposits
from ledgerbridge.packages.myob.calls import dec, guid, myob_date, myob_datetime, q, when
from ledgerbridge.packages.myob.limits import NUMBER_MAX
from ledgerbridge.packages.myob.mapper import link, memo_stamp

if TYPE_CHECKING:
    from ledgerbridge.packages.myob.reads import MyobReads

#: Credit document route -> (settlement route, the field naming the credit, the line's document field, line type,
#: the amount field, the party field).
SETTLEMENTS = {"Sale/Invoice": ("Sale/CreditSettlement", "CreditFromInvoice", "Sale", "Invoice", "CreditAmount",
                                "Customer"),
               "Purchase/Bill": ("Purchase/DebitSettlement", "DebitFromBill", "Purchase", "Bill", "DebitAmount",
                                 "Supplier")}


def payment_body(conn: MyobReads, item: PaymentExport) -> tuple[str, dict[str, Any]]:
    memo = f"{memo_stamp(item.host_id)} {item.label}" + (f": {item.reference}" if item.reference else "")
    bank = link(conn.account_uid(item.bank_account_code))
    applied = [(str(item.document_external_id), item.amount)]
    if item.direction == "out":
        return "Purchase/SupplierPayment", {
            "PayFrom": "Account", "Account": bank, "Supplier": link(item.party_external_id),
            "Date": myob_date(item.payment_date), "AmountPaid": item.amount, "Memo": memo[:255],
            "PaymentNumber": item.host_id[:NUMBER_MAX],
            "Lines": [{"Type": "Bill", "Purchase": link(uid), "AmountApplied": amount} for uid, amount in applied]}
    return "Sale/CustomerPayment", {
        "DepositTo": "Account", "Account": bank, "Customer": link(item.party_external_id),
        "Date": myob_date(item.payment_date), "AmountReceived": item.amount, "Memo": memo[:255],
        "ReceiptNumber": item.host_id[:NUMBER_MAX],
        "Invoices": (deposits.payment_lines(conn, item) if item.kind == "prepayment" else
                     [{"UID": uid, "AmountApplied": amount, "Type": "Invoice"} for uid, amount in applied])}


def export_payments(conn: MyobReads, items: Sequence[PaymentExport]) -> list[ExportOutcome]:
    out = []
    for it in items:
        try:
            route, body = payment_body(conn, it)  # a prepayment's deposit order is made here, before its payment
            made = conn.create(route, body, "export payments")
        except ConnectorCallFailed as failure:
            out.append(ExportOutcome(it.sync_record_id, False, message=failure.message,
                                     failure_type=failure.failure_type, raw_response=failure.raw_response))
            continue
        out.append(ExportOutcome(it.sync_record_id, True, external_id=str(made["UID"]),
                                 external_number=made.get("ReceiptNumber") or made.get("PaymentNumber")))
    return out


def find_existing_payments(conn: MyobReads, items: Sequence[PaymentExport]) -> dict[int, str]:
    """After a lost answer: the payment whose Memo carries the item's stamp."""
    found: dict[int, str] = {}
    for direction, route in (("in", "Sale/CustomerPayment"), ("out", "Purchase/SupplierPayment")):
        group = [it for it in items if it.direction == direction]
        for it in group:
            stamp = memo_stamp(it.host_id)
            for page in conn.pages(route, where=f"substringof({q(stamp)}, Memo) eq true", purpose="look up payments"):
                match = next((p for p in page if stamp in str(p.get("Memo") or "")), None)
                if match is not None:
                    found[it.sync_record_id] = str(match["UID"])
                    break
    return found


def _credit_route(conn: MyobReads, uid: str) -> tuple[str, dict[str, Any]] | None:
    for route in SETTLEMENTS:
        rows = conn.by_uids(route, [uid], "read the credit")
        if uid in rows:
            return route, rows[uid]
    return None


def export_allocations(conn: MyobReads, items: Sequence[AllocationExport]) -> dict[str, ExportOutcome]:
    """Each allocation of a credit note (supplier credit) as a credit (debit) settlement of its own."""
    out: dict[str, ExportOutcome] = deposits.refuse_moves([it for it in items if it.source_kind == "prepayment"])
    for it in items:
        if it.key in out:
            continue
        found = _credit_route(conn, it.source_external_id)
        if found is None or it.source_kind != "credit_note":
            out[it.key] = ExportOutcome(0, False, failure_type="data", message=(
                f"MYOB has no credit {it.source_external_id} to apply (deleted in MYOB?)" if found is None else
                f"MYOB applies only credit notes to invoices, not a {it.source_kind.replace('_', ' ')}"))
            continue
        route, credit = found
        settle_route, credit_field, doc_field, line_type, amount_field, party_field = SETTLEMENTS[route]
        body = {credit_field: link(it.source_external_id),
                party_field: link(it.party_external_id or str((credit.get(party_field) or {}).get("UID"))),
                "Date": myob_date(it.allocation_date), amount_field: it.amount,
                "Lines": [{"Type": line_type, doc_field: link(it.invoice_external_id), "AmountApplied": it.amount}]}
        try:
            made = conn.create(settle_route, body, "apply credit")
        except ConnectorCallFailed as failure:
            out[it.key] = ExportOutcome(0, False, message=failure.message, failure_type=failure.failure_type,
                                        raw_response=failure.raw_response)
            continue
        out[it.key] = ExportOutcome(0, True, external_id=str(made["UID"]), external_number=made.get("Number"))
    return out


def settle(conn: MyobReads, credit: dict[str, Any], document: dict[str, Any], memo: str) -> dict[str, Any] | None:
    """Apply a credit (a negative sale or bill, as MYOB holds it) to a document of the same card, for as much as
    both still have open; None when either has nothing open."""
    amount = min(dec(document.get("BalanceDueAmount")), -dec(credit.get("BalanceDueAmount")))
    if amount <= 0:
        return None
    route = "Sale/Invoice" if "Customer" in credit else "Purchase/Bill"
    settle_route, credit_field, doc_field, line_type, amount_field, party_field = SETTLEMENTS[route]
    return conn.create(settle_route, {
        credit_field: link(str(credit["UID"])), party_field: link(str((credit.get(party_field) or {})["UID"])),
        "Date": credit.get("Date"), amount_field: amount, "Memo": memo[:255],
        "Lines": [{"Type": line_type, doc_field: link(str(document["UID"])), "AmountApplied": amount}]},
        "settle a reversal")


def _allocations(conn: MyobReads, route: str, credit_uid: str) -> tuple[RemoteAllocation, ...]:
    settle_route, credit_field, doc_field, _, _, _ = SETTLEMENTS[route]
    out = []
    for page in conn.pages(settle_route, where=f"{credit_field}/UID eq {guid(credit_uid)}",
                           purpose="read credit settlements"):
        for settlement in page:
            for line in settlement.get("Lines") or []:
                out.append(RemoteAllocation("credit_note", credit_uid, str((line.get(doc_field) or {}).get("UID")),
                                            dec(line.get("AmountApplied")),
                                            date.fromisoformat(str(settlement["Date"])[:10]),
                                            str(settlement["UID"])))
    return tuple(out)


def _credit(conn: MyobReads, route: str, doc: dict[str, Any]) -> RemoteCredit:
    total, remaining = -dec(doc.get("TotalAmount")), -dec(doc.get("BalanceDueAmount"))
    return RemoteCredit(str(doc["UID"]), total, remaining, "PAID" if remaining == 0 else "AUTHORISED",
                        _allocations(conn, route, str(doc["UID"])), "credit_note", when(doc.get("LastModified")))


def read_credits(conn: MyobReads, source_kind: str, external_ids: Sequence[str]) -> dict[str, RemoteCredit]:
    if source_kind == "prepayment":
        return deposits.read_prepayments(conn, external_ids)
    if source_kind != "credit_note":
        return {}
    out: dict[str, RemoteCredit] = {}
    for route in SETTLEMENTS:
        for uid, doc in conn.by_uids(route, [i for i in external_ids if i not in out], "read credits").items():
            out[uid] = _credit(conn, route, doc)
    return out


def fetch_allocations(conn: MyobReads, since: datetime | None) -> Iterator[RemoteCredit]:
    """Credits whose settlements changed since ``since``, each with all its settlements."""
    for route, (settle_route, credit_field, *_rest) in SETTLEMENTS.items():
        where = f"LastModified gt datetime{q(myob_datetime(since))}" if since is not None else ""
        credits = {str((s.get(credit_field) or {}).get("UID")) for page in conn.pages(
            settle_route, where=where, purpose="read credit settlements") for s in page}
        for doc in conn.by_uids(route, sorted(credits), "read credits").values():
            yield _credit(conn, route, doc)


