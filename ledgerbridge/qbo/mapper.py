"""Host records to QuickBooks Online payloads: pure functions, no I/O.

Field names follow Intuit's XSDs (``shared/specs/qbo``); the tests check every body against them through
:class:`~ledgerbridge.contracts.qbo_transport.QboSchemaTransport`.

QBO posts a sales line to the income account of the line's *item* (a sales line has no account of its own), so
the connector resolves each mapped account to an item that posts there (``sales_item``: the line's own synced item
when "push lines as items" is on and that item posts to the same account, else one item per income account);
purchase lines carry the account directly (``AccountBasedExpenseLineDetail``).
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from ledgerbridge.connector import DocumentExport, ExportContext, ItemExport, PartyExport
from ledgerbridge.models_host import DocumentType
from ledgerbridge.records import DocumentView

ENTITIES = {DocumentType.SALES_INVOICE.value: "Invoice", DocumentType.SALES_CREDIT_NOTE.value: "CreditMemo",
            DocumentType.PURCHASE_INVOICE.value: "Bill", DocumentType.PURCHASE_CREDIT_NOTE.value: "VendorCredit"}
SALES_ENTITIES = {"Invoice", "CreditMemo"}
#: QuickBooks Online voids only invoices (and payments): its API has no void for these, so a host void deletes
#: them there, and the user is told so in those words.
NO_VOID = {"CreditMemo": "credit memos", "Bill": "bills", "VendorCredit": "vendor credits"}


def deleted_note(entity: str) -> str:
    """What the record's history says when a host void became a delete in QuickBooks."""
    return f"deleted in QuickBooks: QuickBooks Online has no void for {NO_VOID[entity]}"
CENT = Decimal("0.01")


def entity_of(doc_type: str) -> str:
    return ENTITIES[doc_type]


def party_entity(is_customer: bool) -> str:
    return "Customer" if is_customer else "Vendor"


def ref(value: str) -> dict[str, str]:
    return {"value": value}


def party_payload(item: PartyExport, name: str | None = None) -> dict[str, Any]:
    party = item.party
    body: dict[str, Any] = {"DisplayName": (name or party.name).strip()[:500], "CompanyName": party.name[:100]}
    if party.email:
        body["PrimaryEmailAddr"] = {"Address": party.email}
    if not party.is_customer:
        body["AcctNum"] = party.code[:100]
    if party.tax_number and not party.is_customer:
        body["TaxIdentifier"] = party.tax_number
    return body


def item_payload(item: ItemExport, ctx: ExportContext, account_id: Callable[[str], str | None]) -> dict[str, Any]:
    """A price-list item (item sync on): a Service item posting to the mapped accounts."""
    view = item.item
    body: dict[str, Any] = {"Name": view.name.replace(":", "-")[:100], "Sku": view.code[:100], "Type": "Service"}
    if view.description:
        body["Description"] = view.description[:4000]
    if view.unit_price is not None:
        body["UnitPrice"] = view.unit_price
    for nominal, field in ((view.sales_nominal, "IncomeAccountRef"), (view.purchase_nominal, "ExpenseAccountRef")):
        mapped = ctx.mappings.nominal.get(nominal or "")
        acc = account_id(mapped) if mapped else None
        if acc:
            body[field] = ref(acc)
    return body


def document_payload(item: DocumentExport, ctx: ExportContext, account_id: Callable[[str], str],
                     sales_item: Callable[[str, str | None], str]) -> dict[str, Any]:
    doc = item.document
    entity = entity_of(doc.type)
    sales = entity in SALES_ENTITIES
    body: dict[str, Any] = {
        "CustomerRef" if sales else "VendorRef": ref(item.party_external_id),
        "DocNumber": doc.number,
        "TxnDate": doc.issue_date.isoformat(),
        "CurrencyRef": ref(doc.currency),
        "GlobalTaxCalculation": "TaxInclusive" if doc.amounts_tax_inclusive else "TaxExcluded",
        "Line": lines(doc, ctx, account_id, sales_item),
    }
    if doc.due_date and entity in ("Invoice", "Bill"):
        body["DueDate"] = doc.due_date.isoformat()
    reference = getattr(doc, str(ctx.settings.get("reference_field") or "order_number"), None)
    if reference:
        body["PrivateNote"] = str(reference)[:4000]
    if doc.exchange_rate:
        body["ExchangeRate"] = doc.exchange_rate
    return body


def lines(doc: DocumentView, ctx: ExportContext, account_id: Callable[[str], str],
          sales_item: Callable[[str, str | None], str]) -> list[dict[str, Any]]:
    sales = entity_of(doc.type) in SALES_ENTITIES
    tax = ctx.mappings.tax_for("sales" if sales else "purchases")
    nominal = ctx.mappings.nominal
    as_items = bool(ctx.settings.get("push_lines_as_items"))
    rows: list[tuple[str, Decimal | None, Decimal | None, Decimal, str, str, str | None]] = []
    if ctx.settings.get("push_individual_lines", True):
        for line in doc.lines:
            amount = line.net + (line.tax if doc.amounts_tax_inclusive else Decimal(0))
            text = line.description or "-"
            if ctx.settings.get("push_work_undertaken") and line.long_description:
                text = f"{text}\n{line.long_description}"
            rows.append((text[:4000], line.quantity, line.unit_price, amount, line.nominal_code, line.tax_code,
                         line.item_code if as_items else None))
    else:  # one line per nominal and tax code (R-E12)
        groups: OrderedDict[tuple[str, str], Decimal] = OrderedDict()
        for line in doc.lines:
            amount = line.net + (line.tax if doc.amounts_tax_inclusive else Decimal(0))
            groups[(line.nominal_code, line.tax_code)] = groups.get((line.nominal_code, line.tax_code),
                                                                    Decimal(0)) + amount
        rows = [(f"Nominal {n}, tax code {t}", None, None, amount, n, t, None) for (n, t), amount in groups.items()]
    out = []
    for text, qty, price, amount, nominal_code, tax_code, item_code in rows:
        account = account_id(nominal[nominal_code])
        if sales:
            detail: dict[str, Any] = {"ItemRef": ref(sales_item(account, item_code))}
            if qty is not None and price is not None and (qty * price).quantize(CENT) == amount and qty * price == \
                    (qty * price).quantize(CENT):
                detail["Qty"] = qty
                detail["UnitPrice"] = price
            detail["TaxCodeRef"] = ref(tax[tax_code])
            out.append({"DetailType": "SalesItemLineDetail", "Amount": amount, "Description": text,
                        "SalesItemLineDetail": detail})
        else:
            out.append({"DetailType": "AccountBasedExpenseLineDetail", "Amount": amount, "Description": text,
                        "AccountBasedExpenseLineDetail": {"AccountRef": ref(account),
                                                          "TaxCodeRef": ref(tax[tax_code])}})
    return out
