"""Sale/Invoice/Service and /Item, Purchase/Bill/Service and /Item: creating and replacing a document, and
deleting one (item lines are :mod:`.items`').

On create MYOB assigns the UID, RowVersion, line RowIDs and RowVersions, numbers a blank ``Number`` (13
characters at most), computes the totals (:mod:`.totals`), sets ``BalanceDueAmount`` to the total and ``Status``
to Open, or Credit (sales) / Debit (purchases) when the total is negative: MYOB has no credit-note resource, a
credit is a document with negative lines. A PUT replaces the lines: a line sent with a ``RowID`` keeps it and must
carry that line's current ``RowVersion`` (else 409); a line without one is new; a RowID the document does not have
is refused. What was already paid stays paid: the new total may not fall below it.

A sale order (``Sale/Order/Service``) is written the same way, with MYOB's order statuses: it stays Open (until it
becomes an invoice, which the sandbox does not model) whatever deposits are applied to it (``AppliedToDate``), its
total may not be negative, and it is no amount the customer owes (assumed: AccountRight holds a deposit in the
customer deposits liability account, so an order and its deposits leave the card's balance as it is).
"""

from __future__ import annotations

from decimal import Decimal

from . import errors, items
from .common import amount, link, rows, text, transaction_date
from .contacts import adjust_balance
from .store import Business, Record, next_row_version
from .terms import document_terms
from .totals import compute

_PARTY = {"Invoice": ("Customer", "Customer"), "Bill": ("Supplier", "Supplier"), "Order": ("Customer", "Customer")}
#: Fields stored as sent (after the strict check); the rest are computed or checked one by one.
_KEEP = {"Invoice": ("CustomerPurchaseOrderNumber", "ShipToAddress", "Comment", "ShippingMethod", "ReferralSource",
                     "InvoiceDeliveryStatus", "PromisedDate", "OnlinePaymentMethod", "Salesperson", "Category"),
         "Bill": ("SupplierInvoiceNumber", "ShipToAddress", "Comment", "ShippingMethod", "PromisedDate",
                  "BillDeliveryStatus", "IsReportable", "Category"),
         "Order": ("CustomerPurchaseOrderNumber", "ShipToAddress", "Comment", "ShippingMethod", "ReferralSource",
                   "DeliveryStatus", "PromisedDate", "Salesperson", "Category")}


def write(business: Business, kind: str, layout: str, body: Record, existing: Record | None) -> Record:
    party_field, party_kind = _PARTY[kind]
    party = link(business, body, party_field, (party_kind,))
    assert party is not None
    record: Record = {name: body[name] for name in _KEEP[kind] if body.get(name) is not None}
    record[party_field] = party
    record["Date"] = transaction_date(business, body)
    record["Terms"] = document_terms(body.get("Terms"), business.get(party_kind, party["UID"]),
                                     "SellingDetails" if kind == "Invoice" else "BuyingDetails", record["Date"])
    number = text(body, "Number", 13)
    record["Number"] = number or (existing["Number"] if existing else business.next_number(kind))
    if kind == "Bill":
        text(body, "SupplierInvoiceNumber", 255)
    record["JournalMemo"] = text(body, "JournalMemo", 255) or f"{'Purchase' if kind == 'Bill' else 'Sale'}; " \
                                                              f"{party.get('Name', '')}"
    inclusive = body.get("IsTaxInclusive")
    record["IsTaxInclusive"] = True if inclusive is None else bool(inclusive)  # the SDK's default
    record["Lines"] = _lines(business, kind, layout, body, existing)
    record["Freight"] = amount(body, "Freight")
    record["FreightTaxCode"] = link(business, body, "FreightTaxCode", ("TaxCode",), required=False)
    if record["Freight"] and record["FreightTaxCode"] is None:
        raise errors.required("FreightTaxCode.UID")
    totals = compute(business, record["Lines"], record["Freight"], record["FreightTaxCode"], record["IsTaxInclusive"])
    paid = Decimal(existing["TotalAmount"]) - Decimal(existing["BalanceDueAmount"]) if existing else Decimal("0.00")
    if kind == "Order" and totals.total_amount < 0:
        raise errors.validation("InvalidAmount", "An order's TotalAmount cannot be negative", "TotalAmount")
    if existing is not None and abs(totals.total_amount) < abs(paid):
        raise errors.validation("AmountBelowAppliedPayments", f"TotalAmount {totals.total_amount} is less than the "
                                f"{paid} already applied to this {kind.lower()}", "TotalAmount")
    record.update(Subtotal=totals.subtotal, TotalTax=totals.total_tax, TotalAmount=totals.total_amount,
                  BalanceDueAmount=totals.total_amount - paid)
    record["LastPaymentDate"] = existing.get("LastPaymentDate") if existing else None
    if kind == "Invoice":
        record["InvoiceType"] = layout
    elif kind == "Order":
        record["OrderType"] = layout
        record["AppliedToDate"] = paid
    else:
        record["BillType"] = layout
        record["AppliedToDate"] = paid
    set_status(kind, record)
    if existing is not None:
        record["UID"] = existing["UID"]
    if kind != "Order":
        if existing is not None:
            adjust_balance(business, existing[party_field]["UID"], -Decimal(existing["BalanceDueAmount"]))
        adjust_balance(business, party["UID"], record["BalanceDueAmount"])
    return business.save(kind, record)


def set_status(kind: str, record: Record) -> None:
    if kind == "Order":
        record["Status"] = "Open"
        return
    balance = Decimal(record["BalanceDueAmount"])
    if balance == 0:
        record["Status"] = "Closed"
    elif Decimal(record["TotalAmount"]) < 0:
        record["Status"] = "Credit" if kind == "Invoice" else "Debit"
    else:
        record["Status"] = "Open"


def _lines(business: Business, kind: str, layout: str, body: Record, existing: Record | None) -> list[Record]:
    current = {line["RowID"]: line for line in (existing or {}).get("Lines", [])}
    next_row = max(current, default=0) + 1
    out: list[Record] = []
    for index, line in enumerate(rows(body, "Lines")):
        where = f"Lines[{index}]."
        stored: Record = {"Type": line.get("Type") or "Transaction",
                          "Description": text(line, "Description", 1000, where=where)}
        row_id = line.get("RowID")
        if row_id is not None:
            kept = current.get(row_id)
            if kept is None:
                raise errors.validation("InvalidRowID", f"RowID {row_id} is not a line of this record",
                                        f"{where}RowID")
            if line.get("RowVersion") != kept["RowVersion"]:
                raise errors.row_version(f"{where}RowVersion")
            stored["RowID"] = row_id
        else:
            stored["RowID"] = next_row
            next_row += 1
        stored["RowVersion"] = next_row_version()
        if stored["Type"] == "Transaction" and layout == "Item":
            items.line(business, kind, line, stored, where)
        elif stored["Type"] == "Transaction":
            stored["Total"] = amount(line, "Total", required=True, where=where)
            account = link(business, line, "Account", ("Account",), where=where)
            assert account is not None
            if business.get("Account", account["UID"]).get("IsHeader"):  # type: ignore[union-attr]
                raise errors.validation("AccountHeaderNotAllowed", "A header account cannot be used in a "
                                        "transaction", f"{where}Account")
            stored["Account"] = account
            stored["TaxCode"] = link(business, line, "TaxCode", ("TaxCode",), where=where)
            for name in ("UnitCount", "UnitPrice", "DiscountPercent", "UnitOfMeasure", "Job"):
                if line.get(name) is not None:
                    stored[name] = line[name]
        out.append(stored)
    return out


def delete(business: Business, kind: str, record: Record) -> None:
    """A document with payments or settlements applied cannot be deleted (assumed: MYOB asks for them to be
    deleted first, as AccountRight does)."""
    if Decimal(record["TotalAmount"]) != Decimal(record["BalanceDueAmount"]):
        raise errors.validation("TransactionHasPayments", "Payments or settlements are applied to this "
                                f"{kind.lower()}; delete them first", "UID")
    party_field = _PARTY[kind][0]
    if kind != "Order":
        adjust_balance(business, record[party_field]["UID"], -Decimal(record["BalanceDueAmount"]))
    business.delete(kind, record["UID"])
