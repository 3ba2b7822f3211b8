"""Host records to Xero payloads: pure functions, no I/O (the mapper role of OCA/connector).

Field names follow Xero's OpenAPI spec (``xero_accounting.yaml`` from XeroAPI/Xero-OpenAPI, vendored in the
repository's ``specs/xero``);
the contract tests check every payload built here against it.

No text is cut short here: pre-check refuses a document whose number, reference, line descriptions, party's name or
items' names and descriptions are longer than Xero takes (``XERO_TEXT_LIMITS``; ``sync.precheck``), and the intake
caps codes at Xero's lengths (a contact number 50, an item code 30), so what reaches a mapper fits.
"""

from __future__ import annotations

from collections import OrderedDict
from decimal import Decimal
from typing import Any

from ledgerbridge.connectors.protocol import DocumentExport, ExportContext, ItemExport, PartyExport
from ledgerbridge.domain.rounding import rounding_line_amount
from ledgerbridge.packages.xero.limits import XERO_TEXT_LIMITS
from ledgerbridge.store.models.host import DocumentType
from ledgerbridge.store.views import DocumentView, LineView, PartyView

INVOICE_TYPES = {DocumentType.SALES_INVOICE.value: "ACCREC", DocumentType.PURCHASE_INVOICE.value: "ACCPAY"}
CREDIT_TYPES = {DocumentType.SALES_CREDIT_NOTE.value: "ACCRECCREDIT",
                DocumentType.PURCHASE_CREDIT_NOTE.value: "ACCPAYCREDIT"}
ADDRESS_FIELDS = ("AddressLine1", "AddressLine2", "AddressLine3", "AddressLine4", "City", "Region", "PostalCode",
                  "Country", "AttentionTo")


def is_credit_note(doc_type: str) -> bool:
    return doc_type in CREDIT_TYPES


def xero_type(doc_type: str) -> str:
    return CREDIT_TYPES.get(doc_type) or INVOICE_TYPES[doc_type]


def contact_payload(item: PartyExport, name: str | None = None) -> dict[str, Any]:
    party = item.party
    body: dict[str, Any] = {"ContactNumber": party.code, "Name": name or party.name}
    if item.external_id:
        body["ContactID"] = item.external_id
    if party.email:
        body["EmailAddress"] = party.email
    if party.tax_number:
        body["TaxNumber"] = party.tax_number
    if party.currency:
        body["DefaultCurrency"] = party.currency
    if party.addresses:
        body["Addresses"] = [_address(a) for a in party.addresses]
    if party.payment_terms_days is not None:
        terms = {"Day": party.payment_terms_days, "Type": "DAYSAFTERBILLDATE"}
        body["PaymentTerms"] = {"Sales" if party.is_customer else "Bills": terms}
    return body


def renamed_contact(party: PartyView) -> str:
    """The name a contact takes when Xero already has another of its name (a customer and a supplier alike):
    "Name (code)". The code is what tells them apart, so it is kept whole and the name gives way where the two
    would pass Xero's 255 (a name pre-check let through, at most 255, and a code of up to 50)."""
    suffix = f" ({party.code})"
    return party.name[: XERO_TEXT_LIMITS.party_name - len(suffix)] + suffix


def _address(raw: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {"AddressType": "STREET" if raw.get("type", "street").lower() == "street" else "POBOX"}
    aliases = {"line1": "AddressLine1", "line2": "AddressLine2", "line3": "AddressLine3", "line4": "AddressLine4",
               "city": "City", "region": "Region", "postal_code": "PostalCode", "country": "Country"}
    for key, value in raw.items():
        target = aliases.get(key, key if key in ADDRESS_FIELDS else None)
        if target and value:
            out[target] = str(value)
    return out


def item_payload(item: ItemExport, ctx: ExportContext) -> dict[str, Any]:
    """A price-list item (R-E1, item sync on): sales and purchase details only where the codes are mapped."""
    view = item.item
    body: dict[str, Any] = {"Code": view.code, "Name": view.name}
    if item.external_id:
        body["ItemID"] = item.external_id
    if view.description:
        body["Description"] = view.description
    for side, nominal, field in (("sales", view.sales_nominal, "SalesDetails"),
                                 ("purchases", view.purchase_nominal, "PurchaseDetails")):
        details: dict[str, Any] = {}
        if view.unit_price is not None and side == "sales":
            details["UnitPrice"] = view.unit_price
        if nominal and nominal in ctx.mappings.nominal:
            details["AccountCode"] = ctx.mappings.nominal[nominal]
        tax = ctx.mappings.tax_for(side).get(view.tax_code or "")
        if tax and "AccountCode" in details:
            details["TaxType"] = tax
        if details:
            body[field] = details
    return body


def document_payload(item: DocumentExport, ctx: ExportContext) -> dict[str, Any]:
    doc = item.document
    credit = is_credit_note(doc.type)
    id_field = "CreditNoteID" if credit else "InvoiceID"
    if item.action == "void":
        return {id_field: item.external_id, "Status": "VOIDED"}
    body: dict[str, Any] = {
        "Type": xero_type(doc.type),
        "Contact": {"ContactID": item.party_external_id},
        "Date": doc.issue_date.isoformat(),
        "LineAmountTypes": "Inclusive" if doc.amounts_tax_inclusive else "Exclusive",
        "CurrencyCode": doc.currency,
        "Status": "AUTHORISED",
        "LineItems": line_items(doc, ctx),
    }
    rounding = rounding_line_amount(doc, ctx.mappings, ctx.settings)
    if rounding is not None:  # the cent Xero's per-line rounding differs by, so both sides total the same
        body["LineItems"].append({"Description": "Rounding", "Quantity": 1, "UnitAmount": rounding,
                                  "AccountCode": str(ctx.settings["rounding_account"]), "TaxType": "NONE"})
    body["CreditNoteNumber" if credit else "InvoiceNumber"] = doc.number
    if doc.due_date and not credit:
        body["DueDate"] = doc.due_date.isoformat()
    reference = getattr(doc, str(ctx.settings.get("reference_field") or "order_number"), None)
    if reference and body["Type"] in ("ACCREC", "ACCRECCREDIT"):  # Xero: Reference is ACCREC only
        body["Reference"] = str(reference)
    if doc.exchange_rate:
        body["CurrencyRate"] = doc.exchange_rate
    if item.external_id:
        body[id_field] = item.external_id
    return body


def line_items(doc: DocumentView, ctx: ExportContext) -> list[dict[str, Any]]:
    settings = ctx.settings
    accrec = doc.type in (DocumentType.SALES_INVOICE.value, DocumentType.SALES_CREDIT_NOTE.value)
    nominal = ctx.mappings.nominal
    tax = ctx.mappings.tax_for("sales" if accrec else "purchases")
    if not settings.get("push_individual_lines", True):
        return _summary_lines(doc, ctx)
    out = []
    for line in doc.lines:
        entry: dict[str, Any] = {
            "Description": _description(line, bool(settings.get("push_work_undertaken"))),
            "Quantity": line.quantity,
            "UnitAmount": line.unit_price,
            "AccountCode": nominal[line.nominal_code],
            "TaxType": tax[line.tax_code],
        }
        if line.discount_percent:
            if accrec:
                entry["DiscountRate"] = line.discount_percent
            else:  # Xero takes discounts on sales lines only: send the net line amount instead
                entry["LineAmount"] = line.net + (line.tax if doc.amounts_tax_inclusive else Decimal(0))
        if settings.get("push_lines_as_items") and line.item_code:
            entry["ItemCode"] = line.item_code
        out.append(entry)
    return out


def _description(line: LineView, with_long: bool) -> str:
    text = line.description or "-"
    if with_long and line.long_description:
        text = f"{text}\n{line.long_description}"
    return text


def _summary_lines(doc: DocumentView, ctx: ExportContext) -> list[dict[str, Any]]:
    """R-E12: one line per nominal and tax code."""
    accrec = doc.type in (DocumentType.SALES_INVOICE.value, DocumentType.SALES_CREDIT_NOTE.value)
    tax_map = ctx.mappings.tax_for("sales" if accrec else "purchases")
    groups: OrderedDict[tuple[str, str], Decimal] = OrderedDict()
    for line in doc.lines:
        key = (line.nominal_code, line.tax_code)
        amount = line.net + (line.tax if doc.amounts_tax_inclusive else Decimal(0))
        groups[key] = groups.get(key, Decimal(0)) + amount
    return [{"Description": f"Nominal {nominal}, tax code {tax}", "Quantity": Decimal(1), "UnitAmount": amount,
             "AccountCode": ctx.mappings.nominal[nominal], "TaxType": tax_map[tax]}
            for (nominal, tax), amount in groups.items()]
