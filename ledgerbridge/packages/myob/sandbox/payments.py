"""Sale/CustomerPayment and Purchase/SupplierPayment: money applied to open invoices and bills.

Each applied UID must be a document of the payment's customer (supplier), Open, with ``AmountApplied`` above zero
and at most its ``BalanceDueAmount`` (research note §10.7). A customer payment's ``AmountReceived`` must equal the
sum applied (assumed: AccountRight will not record an out-of-balance receipt; an overpayment is recorded as a
payment plus a customer credit). A line of ``Type`` Order applies money to an open sale order of the customer: a
deposit (AccountRight: "if you receive a payment against a sales order, it's considered a deposit"), which lowers
the order's ``BalanceDueAmount`` and raises its ``AppliedToDate``; the order stays Open. A supplier payment's
``AmountPaid`` is read-only in the SDK: the sandbox sums the lines, as MYOB does. Applying lowers each balance,
sets ``Status`` Closed at zero and ``LastPaymentDate``; deleting the payment restores them. Both save the
documents again, so an incremental read sees the change.
"""

from __future__ import annotations

from decimal import Decimal

from . import errors
from .common import amount, link, rows, text, transaction_date
from .contacts import adjust_balance
from .documents import set_status
from .store import Business, Record

ZERO = Decimal("0.00")


def apply(business: Business, kind: str, uid: str, applied: Decimal, date: str | None) -> None:
    """Lower a document's balance by ``applied`` (a settlement of a credit passes a negative amount)."""
    document = business.get(kind, uid)
    assert document is not None
    document["BalanceDueAmount"] = Decimal(document["BalanceDueAmount"]) - applied
    if kind in ("Bill", "Order"):
        document["AppliedToDate"] = Decimal(document.get("AppliedToDate", ZERO)) + applied
    if date is not None:
        document["LastPaymentDate"] = date
    set_status(kind, document)
    if kind != "Order":  # a deposit is held apart from what the customer owes (documents.py)
        party = document["Supplier" if kind == "Bill" else "Customer"]["UID"]
        adjust_balance(business, party, -applied)
    business.save(kind, document)


def open_document(business: Business, kind: str, uid: str, party_uid: str, applied: Decimal, where: str,
                  *, credit: bool = False) -> Record:
    """The document a line applies to, checked: the party's, open (or a credit/debit), with room for ``applied``."""
    document = business.get(kind, uid)
    if document is None:
        raise errors.not_found_ref(where, uid)
    party = document["Supplier" if kind == "Bill" else "Customer"]["UID"]
    if party != party_uid.lower():
        raise errors.validation("CardMismatch", f"{where} belongs to another card", where)
    wanted = ("Debit" if kind == "Bill" else "Credit") if credit else "Open"
    if document["Status"] != wanted:
        raise errors.validation("TransactionNotOpen", f"{where} is {document['Status']}, not {wanted}", where)
    if applied <= 0:
        raise errors.validation("InvalidAmount", "AmountApplied must be more than zero", where)
    if applied > abs(Decimal(document["BalanceDueAmount"])):
        raise errors.validation("AmountAppliedExceedsBalance", f"{applied} is more than the balance due "
                                f"{abs(Decimal(document['BalanceDueAmount']))}", where)
    return document


def create_customer_payment(business: Business, body: Record) -> Record:
    customer = link(business, body, "Customer", ("Customer",))
    assert customer is not None
    deposit_to = text(body, "DepositTo", required=True)
    account = link(business, body, "Account", ("Account",), required=deposit_to == "Account")
    check_bank(business, account)
    date = transaction_date(business, body)
    received = amount(body, "AmountReceived", required=True)
    lines: list[Record] = []
    total = ZERO
    for index, line in enumerate(rows(body, "Invoices")):
        where = f"Invoices[{index}]"
        line_type = line.get("Type") or "Invoice"
        if line_type not in ("Invoice", "Order"):
            raise errors.validation("UnsupportedLineType", "Only Invoice and Order lines are supported",
                                    f"{where}.Type")
        applied = amount(line, "AmountApplied", required=True, where=f"{where}.")
        uid = str(line.get("UID") or "")
        if not uid:
            raise errors.required(f"{where}.UID")
        document = open_document(business, line_type, uid, customer["UID"], applied, where)
        total += applied
        lines.append({"RowID": index + 1, "Number": document["Number"], "UID": document["UID"],
                      "AmountApplied": applied, "Type": line_type})
    if total != received:
        raise errors.validation("OutOfBalance", f"AmountReceived {received} does not equal the {total} applied",
                                "AmountReceived")
    record: Record = {"DepositTo": deposit_to, "Account": account, "Customer": customer,
                      "ReceiptNumber": text(body, "ReceiptNumber", 13) or business.next_number("CustomerPayment"),
                      "Date": date, "AmountReceived": received, "PaymentMethod": text(body, "PaymentMethod", 30),
                      "Memo": text(body, "Memo", 255), "Invoices": lines}
    saved = business.save("CustomerPayment", record)
    for line in lines:
        apply(business, line["Type"], line["UID"], line["AmountApplied"], date)
    return saved


def create_supplier_payment(business: Business, body: Record) -> Record:
    supplier = link(business, body, "Supplier", ("Supplier",))
    assert supplier is not None
    pay_from = text(body, "PayFrom", required=True)
    account = link(business, body, "Account", ("Account",))
    check_bank(business, account)
    date = transaction_date(business, body)
    lines: list[Record] = []
    total = ZERO
    for index, line in enumerate(rows(body, "Lines")):
        where = f"Lines[{index}]"
        if (line.get("Type") or "Bill") != "Bill":
            raise errors.validation("UnsupportedLineType", "Only Bill lines are supported", f"{where}.Type")
        applied = amount(line, "AmountApplied", required=True, where=f"{where}.")
        bill_link = link(business, line, "Purchase", ("Bill",), where=f"{where}.")
        assert bill_link is not None
        bill = open_document(business, "Bill", bill_link["UID"], supplier["UID"], applied, f"{where}.Purchase")
        total += applied
        lines.append({"RowID": index + 1, "Type": "Bill", "Purchase": {"UID": bill["UID"], "Number": bill["Number"]},
                      "AmountApplied": applied, "RowVersion": index + 1})
    record: Record = {"PayFrom": pay_from, "Account": account, "Supplier": supplier, "Date": date,
                      "AmountPaid": total, "Memo": text(body, "Memo", 255),
                      "PaymentNumber": text(body, "PaymentNumber", 13) or business.next_number("SupplierPayment"),
                      "PayeeAddress": text(body, "PayeeAddress", 255),
                      "StatementParticulars": text(body, "StatementParticulars", 18),
                      "DeliveryStatus": body.get("DeliveryStatus") or "Nothing", "Lines": lines}
    saved = business.save("SupplierPayment", record)
    for line in lines:
        apply(business, "Bill", line["Purchase"]["UID"], line["AmountApplied"], date)
    return saved


def check_bank(business: Business, account: Record | None) -> None:
    if account is None:
        return
    stored = business.get("Account", account["UID"])
    if stored is None or stored["Type"] not in ("Bank", "CreditCard"):
        raise errors.validation("InvalidAccountType", "Account must be a bank or credit card account", "Account")


def delete_payment(business: Business, kind: str, record: Record) -> None:
    """Put every applied amount back on its document (MYOB keeps no trace of a deleted payment in the API)."""
    if kind == "CustomerPayment":
        back = [(line["Type"], line["UID"], line["AmountApplied"]) for line in record["Invoices"]]
    else:
        back = [("Bill", line["Purchase"]["UID"], line["AmountApplied"]) for line in record["Lines"]]
    business.delete(kind, record["UID"])
    for doc_kind, uid, applied in back:
        if business.get(doc_kind, uid) is not None:
            apply(business, doc_kind, uid, -Decimal(applied), None)
