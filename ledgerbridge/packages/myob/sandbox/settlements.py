"""Sale/CreditSettlement and Purchase/DebitSettlement: a credit (a negative sale) or a debit (a negative bill)
applied to the same card's open invoices or bills.

``CreditAmount`` (``DebitAmount``) must equal the sum applied and may not exceed what is left of the credit; each
line follows the payment rules (:func:`.payments.open_document`). Applying moves the credit's negative balance
towards zero (Closed at zero) and lowers each document's balance; deleting the settlement puts both back. Number
is 13 characters at most and numbered when blank, as on the other transactions.
"""

from __future__ import annotations

from decimal import Decimal

from . import errors
from .common import amount, link, rows, text, transaction_date
from .payments import apply, open_document
from .store import Business, Record

ZERO = Decimal("0.00")
#: kind -> (source field, document kind, card field, card kind, amount field, line type, line link field)
_SHAPE = {"CreditSettlement": ("CreditFromInvoice", "Invoice", "Customer", "Customer", "CreditAmount", "Invoice",
                               "Sale"),
          "DebitSettlement": ("DebitFromBill", "Bill", "Supplier", "Supplier", "DebitAmount", "Bill", "Purchase")}


def create(business: Business, kind: str, body: Record) -> Record:
    source_field, doc_kind, card_field, card_kind, amount_field, line_type, link_field = _SHAPE[kind]
    card = link(business, body, card_field, (card_kind,))
    source_link = link(business, body, source_field, (doc_kind,))
    assert card is not None and source_link is not None
    date = transaction_date(business, body)
    credit_amount = amount(body, amount_field, required=True)
    source = open_document(business, doc_kind, source_link["UID"], card["UID"], credit_amount, source_field,
                           credit=True)
    lines: list[Record] = []
    total = ZERO
    for index, line in enumerate(rows(body, "Lines")):
        where = f"Lines[{index}]"
        if (line.get("Type") or line_type) != line_type:
            raise errors.validation("UnsupportedLineType", f"Only {line_type} lines are supported", f"{where}.Type")
        applied = amount(line, "AmountApplied", required=True, where=f"{where}.")
        target_link = link(business, line, link_field, (doc_kind,), where=f"{where}.")
        assert target_link is not None
        target = open_document(business, doc_kind, target_link["UID"], card["UID"], applied, f"{where}.{link_field}")
        total += applied
        lines.append({"Type": line_type, link_field: {"UID": target["UID"], "Number": target["Number"]},
                      "AmountApplied": applied})
    if total != credit_amount:
        raise errors.validation("OutOfBalance", f"{amount_field} {credit_amount} does not equal the {total} applied",
                                amount_field)
    record: Record = {source_field: {"UID": source["UID"], "Number": source["Number"]}, card_field: card,
                      "Number": text(body, "Number", 13) or business.next_number(kind), "Date": date,
                      amount_field: credit_amount, "Memo": text(body, "Memo", 255), "Lines": lines}
    saved = business.save(kind, record)
    apply(business, doc_kind, source["UID"], -credit_amount, date)
    for line in lines:
        apply(business, doc_kind, line[link_field]["UID"], line["AmountApplied"], date)
    return saved


def delete(business: Business, kind: str, record: Record) -> None:
    source_field, doc_kind, _, _, amount_field, _, link_field = _SHAPE[kind]
    business.delete(kind, record["UID"])
    source_uid = record[source_field]["UID"]
    if business.get(doc_kind, source_uid) is not None:
        apply(business, doc_kind, source_uid, Decimal(record[amount_field]), None)
    for line in record["Lines"]:
        if business.get(doc_kind, line[link_field]["UID"]) is not None:
            apply(business, doc_kind, line[link_field]["UID"], -Decimal(line["AmountApplied"]), None)
