"""Host records to QuickBooks Online payloads: pure functions, no I/O.

Field names follow Intuit's XSDs (from intuit/QuickBooks-V3-Java-SDK, vendored in the repository's ``specs/qbo``);
the tests check every body against them through :class:`~contract_checks.qbo_transport.QboSchemaTransport`.

QBO posts a sales line to the income account of the line's *item* (a sales line has no account of its own), so
the connector resolves each mapped account to an item that posts there (``sales_item``: the line's own synced item
when "push lines as items" is on and that item posts to the same account, else one item per income account);
purchase lines carry the account directly (``AccountBasedExpenseLineDetail``).

No text is cut short here: pre-check refuses a document whose number, reference, line descriptions, party's name or
items' names and descriptions are longer than QuickBooks takes (``QBO_TEXT_LIMITS``; ``sync.precheck``), and the
intake caps codes (a party's 50, an item's 30) below QuickBooks' 100 for AcctNum and Sku, so what reaches a mapper
fits. (A party renamed after a name clash, name and code, stays far below DisplayName's 500.)

Rounding (R-E4): QuickBooks Online taxes each line (UK VAT), so a host that taxes the total can be a cent a line
away. As for Xero, that cent goes out as its own line on the settings' rounding account, untaxed, so the totals
here and in QuickBooks agree to the cent: on a bill an account line on that account; on an invoice or credit memo
a line of the service item "Rounding" (``ROUNDING_ITEM``), whose income account is the rounding account (QBO
posts a sales line to its item's account), made by the connector like the other sales items. "Untaxed" is the
company's code for amounts outside the tax (``no_tax_code``): the US pseudo-code NON, or a code with no rate at
all (UK "No VAT": outside the scope of VAT). A zero-rated or exempt code would carry the cent into the VAT
return's boxes, so those are never used; a company without such a code is told so at pre-check.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from ledgerbridge.connectors.protocol import DocumentExport, ExportContext, ItemExport, PartyExport
from ledgerbridge.domain.rounding import rounding_line_amount
from ledgerbridge.packages.qbo.limits import ENTITIES
from ledgerbridge.store.views import DocumentView
from ledgerbridge.sync.mappings import MappingSet

SALES_ENTITIES = {"Invoice", "CreditMemo"}
#: QuickBooks Online voids only invoices (and payments): its API has no void for these, so a host void deletes
#: them there, and the user is told so in those words.
NO_VOID = {"CreditMemo": "credit memos", "Bill": "bills", "VendorCredit": "vendor credits"}


def deleted_note(entity: str) -> str:
    """What the record's history says when a host void became a delete in QuickBooks."""
    return f"deleted in QuickBooks: QuickBooks Online has no void for {NO_VOID[entity]}"
CENT = Decimal("0.01")
ROUNDING_ITEM = "Rounding"
US_NO_TAX = "NON"


def entity_of(doc_type: str) -> str:
    return ENTITIES[doc_type]


def party_entity(is_customer: bool) -> str:
    return "Customer" if is_customer else "Vendor"


def ref(value: str) -> dict[str, str]:
    return {"value": value}


def party_payload(item: PartyExport, name: str | None = None) -> dict[str, Any]:
    party = item.party
    body: dict[str, Any] = {"DisplayName": (name or party.name).strip(), "CompanyName": party.name}
    if party.email:
        body["PrimaryEmailAddr"] = {"Address": party.email}
    if not party.is_customer:
        body["AcctNum"] = party.code
    if party.tax_number and not party.is_customer:
        body["TaxIdentifier"] = party.tax_number
    return body


def item_payload(item: ItemExport, ctx: ExportContext, account_id: Callable[[str], str | None]) -> dict[str, Any]:
    """A price-list item (item sync on): a Service item posting to the mapped accounts."""
    view = item.item
    body: dict[str, Any] = {"Name": view.name.replace(":", "-"), "Sku": view.code, "Type": "Service"}
    if view.description:
        body["Description"] = view.description
    if view.unit_price is not None:
        body["UnitPrice"] = view.unit_price
    for nominal, field in ((view.sales_nominal, "IncomeAccountRef"), (view.purchase_nominal, "ExpenseAccountRef")):
        mapped = ctx.mappings.nominal.get(nominal or "")
        acc = account_id(mapped) if mapped else None
        if acc:
            body[field] = ref(acc)
    return body


def no_tax_code(ms: MappingSet) -> str | None:
    """The company's code for a line outside tax (see the module doc), or None when it has none."""
    active = [r for r in ms.tax_rates.values() if r.active]
    if any(r.code == US_NO_TAX for r in active):
        return US_NO_TAX
    outside = sorted((r for r in active if not r.usable_for and r.rate == 0 and r.code != "TAX"),
                     key=lambda r: (r.name, r.code))
    return outside[0].code if outside else None


def rounding_line(doc: DocumentView, ctx: ExportContext, account_id: Callable[[str], str],
                  rounding_item: Callable[[str], str]) -> dict[str, Any] | None:
    """The rounding line this document needs (None: none, or nowhere to put it: the pre-check says why)."""
    amount = rounding_line_amount(doc, ctx.mappings, ctx.settings)
    code = no_tax_code(ctx.mappings)
    if amount is None or code is None:
        return None
    account = account_id(str(ctx.settings["rounding_account"]))
    if entity_of(doc.type) in SALES_ENTITIES:
        return {"DetailType": "SalesItemLineDetail", "Amount": amount, "Description": "Rounding",
                "SalesItemLineDetail": {"ItemRef": ref(rounding_item(account)), "TaxCodeRef": ref(code)}}
    return {"DetailType": "AccountBasedExpenseLineDetail", "Amount": amount, "Description": "Rounding",
            "AccountBasedExpenseLineDetail": {"AccountRef": ref(account), "TaxCodeRef": ref(code)}}


def document_payload(item: DocumentExport, ctx: ExportContext, account_id: Callable[[str], str],
                     sales_item: Callable[[str, str | None], str],
                     rounding_item: Callable[[str], str]) -> dict[str, Any]:
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
    rounding = rounding_line(doc, ctx, account_id, rounding_item)
    if rounding is not None:  # the cent QuickBooks' per-line tax differs by, so both sides total the same
        body["Line"].append(rounding)
    if doc.due_date and entity in ("Invoice", "Bill"):
        body["DueDate"] = doc.due_date.isoformat()
    reference = getattr(doc, str(ctx.settings.get("reference_field") or "order_number"), None)
    if reference:
        body["PrivateNote"] = str(reference)
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
            rows.append((text, line.quantity, line.unit_price, amount, line.nominal_code, line.tax_code,
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
