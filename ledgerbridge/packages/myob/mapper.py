"""Host records to MYOB Business payloads: pure functions, no I/O.

Field names follow MYOB's type catalogue (``specs/myob/myob-sdk-contracts.json``, from MYOB's .NET SDK); references
to other records are link objects of which MYOB needs only ``{"UID"}``. Dates go out as ``YYYY-MM-DDTHH:MM:SS``.

* Customers and suppliers are ``Contact/Customer`` and ``Contact/Supplier``, two kinds of record; the host's code is
  the card's ``DisplayID`` (at most 15), and MYOB requires a tax code and a freight tax code on each
  (``SellingDetails`` / ``BuyingDetails``): the connector passes the codes of the connection's mappings.
* Sales invoices go out on the Service layout (``Sale/Invoice/Service``: each line names its account), or on the
  Item layout (``Sale/Invoice/Item``) when "push lines as items" is on and every line's item is in MYOB.
* MYOB has no credit note: a sales credit note is a sale whose lines are negative (it reads back with status
  ``Credit``), a supplier credit a bill whose lines are negative (status ``Debit``).
* Bills (``Purchase/Bill/Service``) keep the supplier's number in ``SupplierInvoiceNumber``; MYOB numbers them.
* Every document's ``JournalMemo`` starts with :func:`memo_stamp` (the host id): after a lost answer, the connector
  finds what it created by that stamp when the number alone cannot say (``myob.reads``).

No text is cut here except the memo: pre-check refuses a number over 13 characters, a party name over 50 and the
rest (``MYOB_TEXT_LIMITS``); the intake caps party codes at 15 characters for MYOB's DisplayID.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from ledgerbridge.connectors.protocol import DocumentExport, ExportContext, ItemExport, PartyExport
from ledgerbridge.packages.myob.calls import myob_date
from ledgerbridge.packages.myob.limits import CREDIT_TYPES, JOURNAL_MEMO_MAX, SALES_TYPES, WRITE_ROUTES
from ledgerbridge.store.views import DocumentView

CENT = Decimal("0.01")
ITEM_ROUTE = "Sale/Invoice/Item"
#: (chart code) -> UID; raises or returns the code itself for MYOB to refuse with its own message.
Resolve = Callable[[str], str]


def link(uid: str) -> dict[str, str]:
    return {"UID": uid}


def party_route(is_customer: bool) -> str:
    return "Contact/Customer" if is_customer else "Contact/Supplier"


def memo_stamp(host_id: str) -> str:
    """What every document's JournalMemo starts with: how a lost answer's record is found again."""
    return f"[lb {host_id}]"


def party_payload(item: PartyExport, tax_uid: str, freight_tax_uid: str) -> dict[str, Any]:
    party = item.party
    body: dict[str, Any] = {"CompanyName": party.name.strip(), "IsIndividual": False, "DisplayID": party.code,
                            "IsActive": True}
    address: dict[str, Any] = {"Location": 1}
    if party.email:
        address["Email"] = party.email
    first = party.addresses[0] if party.addresses else {}
    for ours, theirs in (("line1", "Street"), ("city", "City"), ("region", "State"), ("postcode", "PostCode"),
                         ("country", "Country")):
        if first.get(ours):
            address[theirs] = str(first[ours])
    if len(address) > 1:
        body["Addresses"] = [address]
    details: dict[str, Any] = {"TaxCode": link(tax_uid), "FreightTaxCode": link(freight_tax_uid)}
    if party.payment_terms_days is not None:
        details["Terms"] = {"PaymentIsDue": "InAGivenNumberOfDays", "BalanceDueDate": party.payment_terms_days}
    body["SellingDetails" if party.is_customer else "BuyingDetails"] = details
    return body


def item_payload(item: ItemExport, ctx: ExportContext, account_uid: Resolve,
                 tax_uid: Callable[[str], str | None]) -> dict[str, Any]:
    """A price-list item (item sync on): sold and bought, not inventoried, posting to the mapped accounts."""
    view = item.item
    body: dict[str, Any] = {"Number": view.code, "Name": view.name, "IsActive": True, "IsInventoried": False,
                            "IsSold": False, "IsBought": False}
    if view.description:
        body["Description"] = view.description
    sales = ctx.mappings.nominal.get(view.sales_nominal or "")
    if sales:
        body["IsSold"] = True
        body["IncomeAccount"] = link(account_uid(sales))
        selling: dict[str, Any] = {"IsTaxInclusive": False}
        if view.unit_price is not None:
            selling["BaseSellingPrice"] = view.unit_price
        tax_code = ctx.mappings.tax.get(view.tax_code or "")
        uid = tax_uid(tax_code) if tax_code else None
        if uid:
            selling["TaxCode"] = link(uid)
        body["SellingDetails"] = selling
    purchases = ctx.mappings.nominal.get(view.purchase_nominal or "")
    if purchases:
        body["IsBought"] = True
        body["ExpenseAccount"] = link(account_uid(purchases))
    return body


def is_sales(doc: DocumentView) -> bool:
    return doc.type in SALES_TYPES


def document_route(doc: DocumentView, ctx: ExportContext, item_uid: Callable[[str], str | None]) -> str:
    """Where the document is written: the Item layout only when "push lines as items" is on, lines go out one
    by one, and every line's item is in MYOB."""
    if (is_sales(doc) and ctx.settings.get("push_lines_as_items") and ctx.settings.get("push_individual_lines", True)
            and doc.lines and all(ln.item_code and item_uid(ln.item_code) for ln in doc.lines)):
        return ITEM_ROUTE
    return WRITE_ROUTES[doc.type]


def document_payload(item: DocumentExport, ctx: ExportContext, route: str, account_uid: Resolve,
                     tax_uid: Resolve, item_uid: Callable[[str], str | None]) -> dict[str, Any]:
    doc = item.document
    sales = is_sales(doc)
    body: dict[str, Any] = {
        "Date": myob_date(doc.issue_date),
        "Customer" if sales else "Supplier": link(item.party_external_id),
        "IsTaxInclusive": doc.amounts_tax_inclusive,
        "JournalMemo": journal_memo(doc, ctx),
        "Lines": lines(doc, ctx, route, account_uid, tax_uid, item_uid),
    }
    if sales:
        body["Number"] = doc.number
        if doc.customer_po:
            body["CustomerPurchaseOrderNumber"] = doc.customer_po[:20]
    else:
        body["SupplierInvoiceNumber"] = doc.number
    if doc.due_date and doc.type not in CREDIT_TYPES:
        body["Terms"] = {"PaymentIsDue": "InAGivenNumberOfDays",
                         "BalanceDueDate": max(0, (doc.due_date - doc.issue_date).days)}
    return body


def journal_memo(doc: DocumentView, ctx: ExportContext) -> str:
    reference = getattr(doc, str(ctx.settings.get("reference_field") or "order_number"), None)
    text = f"{memo_stamp(doc.host_id)} {reference or doc.label()}"
    return text[:JOURNAL_MEMO_MAX]


def lines(doc: DocumentView, ctx: ExportContext, route: str, account_uid: Resolve, tax_uid: Resolve,
          item_uid: Callable[[str], str | None]) -> list[dict[str, Any]]:
    sales = is_sales(doc)
    sign = Decimal(-1) if doc.type in CREDIT_TYPES else Decimal(1)  # MYOB's credits are negative documents
    tax = ctx.mappings.tax_for("sales" if sales else "purchases")
    nominal = ctx.mappings.nominal
    rows: list[tuple[str, Decimal | None, Decimal | None, Decimal, str, str, str | None]] = []
    if ctx.settings.get("push_individual_lines", True):
        for line in doc.lines:
            amount = line.net + (line.tax if doc.amounts_tax_inclusive else Decimal(0))
            text = line.description or "-"
            if ctx.settings.get("push_work_undertaken") and line.long_description:
                text = f"{text}\n{line.long_description}"
            rows.append((text, line.quantity, line.unit_price, amount, line.nominal_code, line.tax_code,
                         line.item_code))
    else:  # one line per nominal and tax code (R-E12)
        groups: OrderedDict[tuple[str, str], Decimal] = OrderedDict()
        for line in doc.lines:
            amount = line.net + (line.tax if doc.amounts_tax_inclusive else Decimal(0))
            key = (line.nominal_code, line.tax_code)
            groups[key] = groups.get(key, Decimal(0)) + amount
        rows = [(f"Nominal {n}, tax code {t}", None, None, amount, n, t, None) for (n, t), amount in groups.items()]
    out: list[dict[str, Any]] = []
    for text, qty, price, amount, nominal_code, tax_code, item_code in rows:
        row: dict[str, Any] = {"Type": "Transaction", "Description": text, "Total": sign * amount,
                                "TaxCode": link(tax_uid(tax[tax_code]))}
        exact = qty is not None and price is not None and qty * price == amount
        if route == ITEM_ROUTE and item_code:
            row["Item"] = link(str(item_uid(item_code)))
            row["ShipQuantity"] = sign * qty if exact and qty is not None else sign
            row["UnitPrice"] = price if exact and price is not None else amount
        else:
            row["Account"] = link(account_uid(nominal[nominal_code]))
            if exact and qty is not None:
                row["UnitCount"] = sign * qty
                row["UnitPrice"] = price
        out.append(row)
    return out
