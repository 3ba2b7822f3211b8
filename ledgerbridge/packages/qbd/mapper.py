"""Host documents to the qbXML builders' inputs for QuickBooks Desktop: pure functions, no I/O.

Modelled on the QuickBooks Online mapper (``packages/qbo/mapper.py``), with QuickBooks Desktop's rules:

* A sales line names an item; QuickBooks posts it to the item's income account. The line's own item when "push
  lines as items" is on, else one service item per income account (``names.account_item_name``): the connector
  finds or makes it (``CompanyLookups.sales_item``). Purchase lines post to an account (``ExpenseLineAdd``), or,
  with "push lines as items" and the item synced, name the item with the mapped account as its override.
* Tax by the company's edition (``country``: the Web Connector's HostRet, kept in the connection's settings by the
  connector as :data:`COUNTRY_SETTING`): US companies mark lines taxable or not (the codes ``Tax``/``Non``; the
  rate is the customer's sales tax item, on the subtotal: rounding ``total``); UK and Canadian companies put a VAT
  or GST code on each line (rounding per ``line``) and say whether amounts include tax (``IsTaxIncluded``, which a
  US company does not have: a tax-inclusive document is refused there at pre-check).
* Rounding (R-E4) as the other packages: the cent the package's tax rounding differs by goes out as its own line on
  the settings' rounding account, untaxed (US ``Non``; UK/CA a code without rate or tax items): on sales a line of
  the service item "Rounding" (its income account is the rounding account), on purchases an expense line.
* Numbers: RefNumber per type (``limits.REF_NUMBER_LIMITS``); a bill's RefNumber by the connection's reference rule
  (:func:`bill_ref_number`: Komet's is the PO number then the vendor's invoice number); the reference field goes to
  an invoice's ``PONumber`` and a bill's ``Memo``.
* Every Add carries an ExternalGUID derived from the record's idempotency key, so a write whose answer was lost is
  recognised by it (``qbwc.md`` §9).
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Protocol

from ledgerbridge.connectors.protocol import DocumentExport, ExportContext, Problem
from ledgerbridge.domain.accounting_settings import (
    BILL_REFERENCE_PLACEHOLDERS,
    PLACEHOLDER,
    PLACEHOLDER_WORDS,
    bill_reference_problem,
)
from ledgerbridge.domain.rounding import PER_LINE, PER_TOTAL, rounding_line_amount
from ledgerbridge.packages.qbd.limits import REF_NUMBER_LIMITS
from ledgerbridge.packages.qbd.qbxml.line_plan import LinePlan
from ledgerbridge.packages.qbd.qbxml.nodes import Element, Macro
from ledgerbridge.packages.qbd.qbxml.purchases import (
    ExpenseLine,
    ItemLine,
    PurchaseHeader,
    bill_add,
    bill_mod,
    vendor_credit_add,
    vendor_credit_mod,
    write_bill_add,
    write_vendor_credit_add,
)
from ledgerbridge.packages.qbd.qbxml.rets import TxnRecord
from ledgerbridge.packages.qbd.qbxml.sales import (
    SalesHeader,
    SalesLine,
    credit_memo_add,
    credit_memo_mod,
    invoice_add,
    invoice_mod,
    write_credit_memo_add,
    write_invoice_add,
)
from ledgerbridge.packages.qbd.qbxml.text_nodes import request_text_node
from ledgerbridge.packages.qbd.qbxml.values import Ref, TxnTarget, external_guid, fits
from ledgerbridge.store.models.host import DocumentType
from ledgerbridge.store.views import DocumentView
from ledgerbridge.sync.mappings import MappingSet

__all__ = ["BILL_REFERENCE_SETTING", "COUNTRY_SETTING", "CompanyLookups", "MappingError", "PurchaseDocument",
           "SalesDocument", "bill_ref_number", "country_of", "document_add", "document_add_text",
           "document_mod", "entity_of",
           "map_document", "no_tax_code", "precheck_problems", "rounding_mode"]

ENTITIES = {DocumentType.SALES_INVOICE.value: "Invoice", DocumentType.SALES_CREDIT_NOTE.value: "CreditMemo",
            DocumentType.PURCHASE_INVOICE.value: "Bill", DocumentType.PURCHASE_CREDIT_NOTE.value: "VendorCredit"}
SALES_ENTITIES = {"Invoice", "CreditMemo"}
COUNTRY_SETTING = "quickbooks_country"  # US | UK | CA, from the Web Connector's HostRet
#: The connection's rule for a bill's RefNumber (``ConnectionSettings.bill_reference``): a template of ``{number}``
#: (the vendor's invoice number), ``{po}`` (the number of the purchase order the invoice names) and the reference
#: fields (``accounting_settings.BILL_REFERENCE_PLACEHOLDERS``). Komet's is ``{po}{number}`` or with a separator.
BILL_REFERENCE_SETTING = "bill_reference"
US_NO_TAX = "Non"


class MappingError(ValueError):
    """A record QuickBooks Desktop cannot take as it is; the message names the record and the field."""

    def __init__(self, message: str, failure_type: str = "data") -> None:
        super().__init__(message)
        self.failure_type = failure_type


class CompanyLookups(Protocol):
    """What the connector knows of the company: how to name its accounts, tax codes and items in a request."""

    def account(self, code: str) -> Ref:
        """The chart account with this code (the mapping's target)."""

    def tax_code(self, code: str) -> Ref:
        """The sales tax code with this code (``S``, ``Tax``, ``Non``...)."""

    def sales_item(self, account_code: str, item_code: str | None) -> Ref:
        """An item posting to this income account: the line's own item when synced and posting there, else the
        account's item (made by the connector when missing)."""

    def rounding_item(self, account_code: str) -> Ref:
        """The service item "Rounding" posting to the rounding account."""

    def purchase_item(self, item_code: str) -> Ref | None:
        """The synced item of this code, for a purchase item line (None: the line goes on its account)."""


@dataclass(frozen=True, slots=True)
class SalesDocument:
    entity: str  # Invoice | CreditMemo
    header: SalesHeader
    lines: tuple[SalesLine, ...]
    external_guid: str


@dataclass(frozen=True, slots=True)
class PurchaseDocument:
    entity: str  # Bill | VendorCredit
    header: PurchaseHeader
    expenses: tuple[ExpenseLine, ...]
    items: tuple[ItemLine, ...]
    external_guid: str


def entity_of(doc_type: str) -> str:
    return ENTITIES[doc_type]


def country_of(settings: Mapping[str, object]) -> str:
    country = str(settings.get(COUNTRY_SETTING) or "US").upper()
    return country if country in ("US", "UK", "CA") else "US"


def rounding_mode(country: str) -> str:
    """US sales tax is charged on the subtotal; UK VAT and Canadian GST per line."""
    return PER_TOTAL if country == "US" else PER_LINE


def no_tax_code(ms: MappingSet, country: str) -> str | None:
    """The company's code for a line outside tax: US ``Non``; else an active code with no rate and no tax items
    (the chart lists it usable for neither side), never a zero-rated or exempt code, which a VAT return counts."""
    active = [r for r in ms.tax_rates.values() if r.active]
    if country == "US":
        return next((r.code for r in active if r.code.lower() == US_NO_TAX.lower()), None)
    outside = sorted((r for r in active if not r.usable_for and r.rate == 0), key=lambda r: (r.name, r.code))
    return outside[0].code if outside else None


# -- numbers -------------------------------------------------------------------------------------------------
def _rule(settings: Mapping[str, object]) -> str:
    return str(settings.get(BILL_REFERENCE_SETTING) or "{number}")


def _part(doc: DocumentView, name: str) -> str | None:
    value = getattr(doc, BILL_REFERENCE_PLACEHOLDERS[name])
    return str(value) if value else None


def _rule_problem(doc: DocumentView, settings: Mapping[str, object]) -> str | None:
    rule = _rule(settings)
    problem = bill_reference_problem(rule)
    if problem is not None:
        return f"the {problem}"
    for name in PLACEHOLDER.findall(rule):
        if _part(doc, name) is None:
            if name == "po":
                return (f"the bill reference rule {rule!r} needs the purchase order number, but the invoice names no "
                        "purchase order (send its purchase_order_host_id)")
            return f"the bill reference rule {rule!r} needs {PLACEHOLDER_WORDS[name]}, which is empty"
    return None


def bill_ref_number(doc: DocumentView, settings: Mapping[str, object]) -> str:
    """A bill's RefNumber by the connection's rule (default: the vendor's invoice number as it is)."""
    problem = _rule_problem(doc, settings)
    if problem is not None:
        raise MappingError(f"{doc.label()}: {problem}", "config")
    return PLACEHOLDER.sub(lambda m: _part(doc, m.group(1)) or "", _rule(settings))


def _too_long(doc: DocumentView, settings: Mapping[str, object], number: str, limit: int) -> str:
    """The message for a RefNumber over the limit: the document, the field, what it is made of, the limit."""
    entity = entity_of(doc.type)
    rule = _rule(settings) if entity == "Bill" else "{number}"
    parts = [f"{PLACEHOLDER_WORDS[name]} {_part(doc, name)!r} ({len(_part(doc, name) or '')})"
             for name in PLACEHOLDER.findall(rule)]
    made = "" if rule == "{number}" else f" (the bill reference rule {rule!r}: {' + '.join(parts)})"
    return (f"{doc.label()}: the {entity}'s RefNumber {number!r}{made} is {len(number)} characters long; "
            f"QuickBooks Desktop takes at most {limit} in a {entity}'s RefNumber")


def ref_number(doc: DocumentView, settings: Mapping[str, object]) -> str:
    return bill_ref_number(doc, settings) if entity_of(doc.type) == "Bill" else doc.number


def precheck_problems(doc: DocumentView, ctx: ExportContext) -> list[Problem]:
    """QuickBooks Desktop's own rules for a document, before anything is sent (the core checks the rest)."""
    problems: list[Problem] = []
    country = country_of(ctx.settings)
    rule_problem = _rule_problem(doc, ctx.settings) if entity_of(doc.type) == "Bill" else None
    if rule_problem is not None:
        problems.append(Problem(f"{doc.label()}: {rule_problem}", failure_type="config",
                                hint="Correct the bill reference rule in the connection's settings, or fill the "
                                     "field in the host."))
    else:
        number, limit = ref_number(doc, ctx.settings), REF_NUMBER_LIMITS[doc.type]
        if len(number) > limit:
            problems.append(Problem(_too_long(doc, ctx.settings, number, limit), failure_type="data",
                                    hint="Use a shorter numbering prefix for this document type (or a shorter bill "
                                         "reference rule)."))
    if doc.amounts_tax_inclusive and country == "US":
        problems.append(Problem(f"{doc.label()}: amounts include tax, which a US QuickBooks company cannot record",
                                hint="Send the document with amounts excluding tax.", failure_type="data"))
    if doc.exchange_rate is not None and doc.exchange_rate <= 0:
        problems.append(Problem(f"{doc.label()}: the exchange rate must be positive", failure_type="data"))
    rounding = rounding_line_amount(doc, ctx.mappings, ctx.settings, mode=rounding_mode(country))
    if rounding is not None and no_tax_code(ctx.mappings, country) is None:
        problems.append(Problem(
            f"{doc.label()}: a rounding line of {rounding} is needed, but QuickBooks has no tax code for amounts "
            "outside tax (such as \"Non\" or an out-of-scope VAT code) to put on it",
            hint="Make such a tax code active in QuickBooks, then refresh the chart.", failure_type="config"))
    return problems


# -- lines ---------------------------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class _Row:
    text: str
    quantity: Decimal | None
    price: Decimal | None
    amount: Decimal
    nominal: str
    tax_code: str
    item_code: str | None


def _rows(doc: DocumentView, settings: Mapping[str, object]) -> list[_Row]:
    as_items = bool(settings.get("push_lines_as_items"))
    inclusive = doc.amounts_tax_inclusive
    if settings.get("push_individual_lines", True):
        rows = []
        for line in doc.lines:
            text = line.description or "-"
            if settings.get("push_work_undertaken") and line.long_description:
                text = f"{text}\n{line.long_description}"
            rows.append(_Row(text, line.quantity, line.unit_price, line.net + (line.tax if inclusive else 0),
                             line.nominal_code, line.tax_code, line.item_code if as_items else None))
        return rows
    groups: OrderedDict[tuple[str, str], Decimal] = OrderedDict()  # one line per nominal and tax code (R-E12)
    for line in doc.lines:
        key = (line.nominal_code, line.tax_code)
        groups[key] = groups.get(key, Decimal(0)) + line.net + (line.tax if inclusive else 0)
    return [_Row(f"Nominal {n}, tax code {t}", None, None, amount, n, t, None) for (n, t), amount in groups.items()]


def _quantity_and_rate(row: _Row) -> tuple[Decimal | None, Decimal | None]:
    """Quantity and rate only when they make the amount exactly and the rate fits QuickBooks' five places."""
    if row.quantity is None or row.price is None or row.quantity * row.price != row.amount:
        return None, None
    if not (fits(row.price, 5, 10) and fits(row.quantity, 5, 10)):
        return None, None
    return row.quantity, row.price


def _mapped(table: Mapping[str, str], code: str, what: str, doc: DocumentView) -> str:
    if code not in table:
        raise MappingError(f"{doc.label()}: {what} {code} has no mapping in QuickBooks Desktop", "config")
    return table[code]


def map_document(item: DocumentExport, ctx: ExportContext, lookups: CompanyLookups) -> SalesDocument | PurchaseDocument:
    """The document as the builders' inputs (:func:`document_add` / :func:`document_mod` make the request)."""
    doc = item.document
    entity = entity_of(doc.type)
    country = country_of(ctx.settings)
    sales = entity in SALES_ENTITIES
    tax = ctx.mappings.tax_for("sales" if sales else "purchases")
    inclusive = None if country == "US" else doc.amounts_tax_inclusive
    reference_field = str(ctx.settings.get("reference_field") or "order_number")
    reference = getattr(doc, reference_field, None)
    guid = external_guid(item.idempotency_key)
    rounding = rounding_line_amount(doc, ctx.mappings, ctx.settings, mode=rounding_mode(country))
    untaxed = no_tax_code(ctx.mappings, country)
    rounding_account = str(ctx.settings.get("rounding_account") or "")
    rows = _rows(doc, ctx.settings)
    if sales:
        lines = []
        for row in rows:
            account = _mapped(ctx.mappings.nominal, row.nominal, "nominal code", doc)
            quantity, rate = _quantity_and_rate(row)
            lines.append(SalesLine(item=lookups.sales_item(account, row.item_code), desc=row.text,
                                   quantity=quantity, rate=rate, amount=row.amount,
                                   sales_tax_code=lookups.tax_code(_mapped(tax, row.tax_code, "tax code", doc))))
        if rounding is not None and untaxed is not None:
            lines.append(SalesLine(item=lookups.rounding_item(rounding_account), desc="Rounding", amount=rounding,
                                   sales_tax_code=lookups.tax_code(untaxed)))
        header = SalesHeader(customer=Ref(list_id=item.party_external_id), txn_date=doc.issue_date,
                             ref_number=doc.number, po_number=str(reference) if reference else None,
                             due_date=doc.due_date if entity == "Invoice" else None, is_tax_included=inclusive,
                             exchange_rate=doc.exchange_rate)
        return SalesDocument(entity, header, tuple(lines), guid)
    expenses, item_lines = [], []
    for row in rows:
        account = _mapped(ctx.mappings.nominal, row.nominal, "nominal code", doc)
        code = lookups.tax_code(_mapped(tax, row.tax_code, "tax code", doc))
        own = lookups.purchase_item(row.item_code) if row.item_code else None
        if own is not None:
            quantity, cost = _quantity_and_rate(row)
            item_lines.append(ItemLine(item=own, desc=row.text, quantity=quantity, cost=cost, amount=row.amount,
                                       sales_tax_code=code, override_item_account=lookups.account(account)))
        else:
            expenses.append(ExpenseLine(account=lookups.account(account), amount=row.amount, memo=row.text,
                                        sales_tax_code=code))
    if rounding is not None and untaxed is not None:
        expenses.append(ExpenseLine(account=lookups.account(rounding_account), amount=rounding, memo="Rounding",
                                    sales_tax_code=lookups.tax_code(untaxed)))
    purchase = PurchaseHeader(vendor=Ref(list_id=item.party_external_id), txn_date=doc.issue_date,
                            ref_number=ref_number(doc, ctx.settings),
                            due_date=doc.due_date if entity == "Bill" else None,
                            memo=str(reference) if reference else None, is_tax_included=inclusive,
                            exchange_rate=doc.exchange_rate)
    return PurchaseDocument(entity, purchase, tuple(expenses), tuple(item_lines), guid)


def document_add(mapped: SalesDocument | PurchaseDocument, *, request_id: str, macro: Macro | None = None) -> Element:
    """The Add request (``macro``: a payment later in the same message may name it)."""
    if isinstance(mapped, SalesDocument):
        build = invoice_add if mapped.entity == "Invoice" else credit_memo_add
        return build(mapped.header, mapped.lines, external_guid=mapped.external_guid, request_id=request_id,
                     macro=macro)
    build_purchase = bill_add if mapped.entity == "Bill" else vendor_credit_add
    return build_purchase(mapped.header, mapped.expenses, mapped.items, external_guid=mapped.external_guid,
                          request_id=request_id, macro=macro)


def document_add_text(mapped: SalesDocument | PurchaseDocument, *, request_id: str,
                      answer_fields: Sequence[str] = ()) -> str:
    """:func:`document_add`'s request as text, written directly (``qbxml.text_nodes``: an upload's Adds are made
    only to be sent), with ``IncludeRetElement`` for each of ``answer_fields`` (what QuickBooks answers back)."""
    rq = request_text_node(f"{mapped.entity}AddRq", request_id)
    if isinstance(mapped, SalesDocument):
        write = write_invoice_add if mapped.entity == "Invoice" else write_credit_memo_add
        write(rq, mapped.header, mapped.lines, external_guid=mapped.external_guid)
    else:
        write_purchase = write_bill_add if mapped.entity == "Bill" else write_vendor_credit_add
        write_purchase(rq, mapped.header, mapped.expenses, mapped.items, external_guid=mapped.external_guid)
    rq.texts("IncludeRetElement", tuple(answer_fields))
    return rq.finish()


def document_mod(mapped: SalesDocument | PurchaseDocument, current: TxnRecord, *, request_id: str) -> Element:
    """The Mod that makes QuickBooks' transaction (as last read: ``current``) what the host's document is now: the
    header, and every line replaced (``LinePlan.replace`` names each line QuickBooks holds)."""
    if current.kind != mapped.entity or current.edit_sequence is None:
        raise MappingError(f"{mapped.entity} {current.txn_id}: read it again before changing it (no EditSequence)",
                           "system")
    target = TxnTarget(current.txn_id, current.edit_sequence)
    if isinstance(mapped, SalesDocument):
        plan = LinePlan.replace(current.line_ids(), mapped.lines)
        build = invoice_mod if mapped.entity == "Invoice" else credit_memo_mod
        return build(target, mapped.header, plan, request_id=request_id)
    held_expenses, held_items = current.line_ids("ExpenseLine"), current.line_ids("ItemLine")
    # a kind of line neither held nor sent is left alone (no Clear... for nothing)
    expenses = LinePlan.replace(held_expenses, mapped.expenses) if held_expenses or mapped.expenses else None
    items = LinePlan.replace(held_items, mapped.items) if held_items or mapped.items else None
    build_purchase = bill_mod if mapped.entity == "Bill" else vendor_credit_mod
    return build_purchase(target, mapped.header, expenses, items, request_id=request_id)
