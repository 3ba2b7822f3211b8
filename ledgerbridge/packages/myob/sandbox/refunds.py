"""Sale/CreditRefund and Purchase/DebitRefund: a credit paid out to the customer, a debit paid back by the supplier.

Documented as "return, create and delete" (PUT is 405). The refund names the credit (a negative sale, ``Invoice``)
or the debit (a negative bill, ``Bill``), which must be the card's and still Credit/Debit, and an ``Amount`` above
zero and at most what is left of it; the bank account is required (a debit refund may go to undeposited funds
instead). Recording it moves the credit's negative balance towards zero (Closed at zero); deleting it puts it back.
"""

from __future__ import annotations

from decimal import Decimal

from .common import amount, link, text, transaction_date
from .payments import apply, check_bank, open_document
from .store import Business, Record

#: kind -> (document field, document kind, card field, card kind)
_SHAPE = {"CreditRefund": ("Invoice", "Invoice", "Customer", "Customer"),
          "DebitRefund": ("Bill", "Bill", "Supplier", "Supplier")}


def create(business: Business, kind: str, body: Record) -> Record:
    doc_field, doc_kind, card_field, card_kind = _SHAPE[kind]
    card = link(business, body, card_field, (card_kind,))
    doc_link = link(business, body, doc_field, (doc_kind,))
    assert card is not None and doc_link is not None
    deposit_to = text(body, "DepositTo") or "Account"
    account = link(business, body, "Account", ("Account",), required=kind == "CreditRefund" or deposit_to == "Account")
    check_bank(business, account)
    date = transaction_date(business, body)
    refund = amount(body, "Amount", required=True)
    credit = open_document(business, doc_kind, doc_link["UID"], card["UID"], refund, doc_field, credit=True)
    record: Record = {doc_field: {"UID": credit["UID"], "Number": credit["Number"]}, card_field: card,
                      "Account": account, "Number": text(body, "Number", 13) or business.next_number(kind),
                      "Date": date, "Amount": refund, "Memo": text(body, "Memo", 255)}
    if kind == "CreditRefund":
        record.update(Payee=text(body, "Payee", 255), ChequePrinted=bool(body.get("ChequePrinted")),
                      DeliveryStatus=body.get("DeliveryStatus") or "Nothing")
    else:
        record.update(DepositTo=deposit_to, PaymentMethod=text(body, "PaymentMethod", 30))
    saved = business.save(kind, record)
    apply(business, doc_kind, credit["UID"], -refund, date)
    return saved


def delete(business: Business, kind: str, record: Record) -> None:
    doc_field, doc_kind, _, _ = _SHAPE[kind]
    business.delete(kind, record["UID"])
    uid = record[doc_field]["UID"]
    if business.get(doc_kind, uid) is not None:
        apply(business, doc_kind, uid, Decimal(record["Amount"]), None)
