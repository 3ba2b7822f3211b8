"""Invoices, bills and credit notes: creation, updates and Xero's status workflow.

Creation and update share one validation path: an update is the stored document with the request's fields
laid over it, validated as if it were new (so approving a draft checks its line accounts), plus the workflow
rules that only an update can break:

* DRAFT and SUBMITTED may become SUBMITTED, AUTHORISED or DELETED;
* AUTHORISED may become VOIDED, but only while no payment or credit is applied to it;
* a document with payments or credits applied (or PAID) refuses changes to its amounts;
* VOIDED and DELETED documents refuse every change.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from .books import TenantBooks
from .contacts import create_referenced_contact, mark_trading, resolve_contact_ref
from .inputs import ContactRef, DocumentInput
from .lines import LineRules, build_lines, line_inputs_of
from .records import ZERO, Contact, Document, Line, Totals
from .wire import new_id

SALES_DOCUMENT_TYPES = frozenset({"ACCREC", "ACCRECCREDIT"})
#: Fields that change what a document is worth; refused once money has been applied to it.
_AMOUNT_FIELDS = frozenset({"Type", "Contact", "LineItems", "Date", "LineAmountTypes", "CurrencyCode",
                            "CurrencyRate"})
_PRICING_FIELDS = frozenset({"Type", "LineItems", "LineAmountTypes"})
#: (request key, DocumentInput attribute) for laying an update over the stored document.
_UPDATABLE = (
    ("Type", "type"), ("Contact", "contact"), ("LineItems", "lines"), ("Date", "date"), ("DueDate", "due_date"),
    ("LineAmountTypes", "line_amount_types"), ("Reference", "reference"), ("Url", "url"),
    ("CurrencyCode", "currency_code"), ("CurrencyRate", "currency_rate"), ("Status", "status"),
    ("SentToContact", "sent_to_contact"), ("BrandingThemeID", "branding_theme_id"),
    ("ExpectedPaymentDate", "expected_payment_date"), ("PlannedPaymentDate", "planned_payment_date"),
)
_TRANSITIONS = {
    "DRAFT": frozenset({"SUBMITTED", "AUTHORISED", "DELETED"}),
    "SUBMITTED": frozenset({"DRAFT", "AUTHORISED", "DELETED"}),
    "AUTHORISED": frozenset({"VOIDED"}),
}
HAS_SETTLEMENTS = "This document cannot be edited as it has a payment or credit note allocated to it."
# Assumptions: the sandbox's wording where Xero's is not documented.
TYPE_REQUIRED = "The Type field is mandatory"
NEGATIVE_TOTAL = "The document total cannot be negative."


def noun(kind: str) -> str:
    return "Invoice" if kind == "invoice" else "Credit Note"


def not_valid_for_modification(kind: str) -> str:
    return f"{noun(kind)} not of valid status for modification"


def currency_not_enabled(code: str) -> str:
    # Assumption: the sandbox's wording; Xero's is not in the stored documentation.
    return f"The currency {code} is not enabled for this organisation."


@dataclass(slots=True)
class _Prepared:
    """A validated document, ready to be written."""

    contact: Contact | None
    pending_contact: ContactRef | None
    lines: list[Line]
    totals: Totals
    currency_code: str
    currency_rate: Decimal
    status: str
    number: str | None

    def contact_to_use(self, books: TenantBooks) -> Contact:
        """The referenced contact, created now if the document named one that did not exist."""
        if self.contact is not None:
            return self.contact
        assert self.pending_contact is not None
        return create_referenced_contact(books, self.pending_contact)


def _validate(books: TenantBooks, kind: str, given: DocumentInput, existing: Document | None,
              unit_dp: int, reprice: bool = True) -> tuple[_Prepared | None, list[str]]:
    """Check a whole document; ``reprice=False`` keeps an existing document's lines and totals as stored."""
    errors: list[str] = []
    if given.type is None:
        errors.append(TYPE_REQUIRED)
    contact, pending, contact_errors = resolve_contact_ref(books, given.contact)
    errors += contact_errors
    status = given.status or "DRAFT"
    currency = given.currency_code or books.base_currency
    if currency not in books.enabled_currencies:
        errors.append(currency_not_enabled(currency))
    currency_rate = books.default_rate(currency)
    if currency != books.base_currency and given.currency_rate is not None and given.currency_rate > 0:
        currency_rate = given.currency_rate
    doc_type = given.type or ("ACCREC" if kind == "invoice" else "ACCRECCREDIT")
    number = given.number.strip() if given.number is not None else None
    if number and doc_type in SALES_DOCUMENT_TYPES:
        if books.number_taken(doc_type, number, existing.doc_id if existing else None):
            errors.append(f"{noun(kind)} # must be unique.")
    line_amount_types = given.line_amount_types or "Exclusive"
    rules = LineRules(doc_type, accounts_required=status != "DRAFT", line_amount_types=line_amount_types,
                      unit_dp=unit_dp)
    if existing is not None and not reprice:
        lines, totals = existing.lines, existing.totals
    else:
        previous_ids = frozenset(line.line_item_id for line in existing.lines) if existing else frozenset()
        lines, totals, line_errors = build_lines(books, given.lines or [], rules, previous_ids)
        errors += line_errors
    if totals.total < 0:
        errors.append(NEGATIVE_TOTAL)
    if errors:
        return None, errors
    return _Prepared(contact, pending, lines, totals, currency, currency_rate, status, number), []


def create_document(books: TenantBooks, kind: str, given: DocumentInput,
                    unit_dp: int = 2) -> tuple[Document | None, list[str]]:
    if given.status in ("PAID", "VOIDED", "DELETED"):
        return None, [f"{noun(kind)} not of valid status for creation"]
    prepared, errors = _validate(books, kind, given, None, unit_dp)
    if prepared is None:
        return None, errors
    contact = prepared.contact_to_use(books)
    doc_type = given.type or ""
    number = prepared.number
    if not number:
        number = books.allocate_number(doc_type) if doc_type in SALES_DOCUMENT_TYPES else ""
    now = books.tick()
    doc = Document(
        doc_id=new_id(),
        kind="invoice" if kind == "invoice" else "creditnote",
        type=doc_type,
        contact_id=contact.contact_id,
        number=number,
        reference=given.reference,
        date=given.date or books.today(),
        due_date=given.due_date,
        status=prepared.status,
        line_amount_types=given.line_amount_types or "Exclusive",
        lines=prepared.lines,
        totals=prepared.totals,
        currency_code=prepared.currency_code,
        currency_rate=prepared.currency_rate,
        created=now,
        updated=now,
        url=given.url,
        sent_to_contact=bool(given.sent_to_contact),
        branding_theme_id=given.branding_theme_id,
        expected_payment_date=given.expected_payment_date,
        planned_payment_date=given.planned_payment_date,
    )
    books.documents[doc.doc_id] = doc
    books.index_document(doc, None)
    books.documents_by_contact.setdefault(contact.contact_id, []).append(doc.doc_id)
    mark_trading(books, contact, doc_type in SALES_DOCUMENT_TYPES)
    refresh_settlement_status(doc, None)
    return doc, []


def find_document_for_upsert(books: TenantBooks, kind: str,
                             given: DocumentInput) -> tuple[Document | None, str | None]:
    """POST matches by id, else by number for sales documents (bill numbers are not unique)."""
    if given.doc_id:
        found = books.documents.get(given.doc_id)
        if found is None or found.kind != kind:
            # Assumption: the sandbox's wording for an id that matches nothing.
            return None, f"{noun(kind)} with the supplied ID could not be found."
        return found, None
    doc_type = given.type or ("ACCREC" if kind == "invoice" else "ACCRECCREDIT")
    if given.number and doc_type in SALES_DOCUMENT_TYPES:
        for doc in books.documents_numbered(doc_type, given.number):
            if doc.status != "DELETED":
                return doc, None
    return None, None


def _as_input(books: TenantBooks, doc: Document) -> DocumentInput:
    return DocumentInput(
        present=frozenset(), doc_id=doc.doc_id, type=doc.type, contact=ContactRef(doc.contact_id, None, None),
        lines=line_inputs_of(doc.lines), date=doc.date, due_date=doc.due_date,
        line_amount_types=doc.line_amount_types, number=doc.number, reference=doc.reference, url=doc.url,
        currency_code=doc.currency_code, currency_rate=doc.currency_rate, status=doc.status,
        sent_to_contact=doc.sent_to_contact, branding_theme_id=doc.branding_theme_id,
        expected_payment_date=doc.expected_payment_date, planned_payment_date=doc.planned_payment_date,
    )


def has_settlements(doc: Document) -> bool:
    return doc.amount_paid != ZERO or doc.amount_credited != ZERO or doc.status == "PAID"


def update_document(books: TenantBooks, doc: Document, given: DocumentInput,
                    unit_dp: int = 2) -> tuple[Document | None, list[str]]:
    kind = doc.kind
    number_key = "InvoiceNumber" if kind == "invoice" else "CreditNoteNumber"
    present = given.present
    if doc.status in ("VOIDED", "DELETED"):
        return None, [not_valid_for_modification(kind)]
    target = given.status if "Status" in present and given.status else doc.status
    settled = has_settlements(doc)
    if target != doc.status:
        if target not in _TRANSITIONS.get(doc.status, frozenset()):
            if target == "VOIDED" and settled:
                return None, [not_valid_for_modification(kind), HAS_SETTLEMENTS]
            return None, [not_valid_for_modification(kind)]
        if target in ("VOIDED", "DELETED"):
            if settled:
                return None, [not_valid_for_modification(kind), HAS_SETTLEMENTS]
            doc.status = target
            doc.updated = books.tick()
            return doc, []
    if settled and present & (_AMOUNT_FIELDS | {number_key}):
        return None, [not_valid_for_modification(kind), HAS_SETTLEMENTS]

    merged = _as_input(books, doc)
    for key, attr in _UPDATABLE:
        if key in present:
            setattr(merged, attr, getattr(given, attr))
    if number_key in present:
        merged.number = given.number
    merged.status = target
    # Lines are re-priced only when something that prices them changes (or a draft is approved, which
    # must check its accounts); otherwise a stored tax override survives an edit of the reference.
    reprice = bool(present & _PRICING_FIELDS) or target != doc.status
    prepared, errors = _validate(books, kind, merged, doc, unit_dp, reprice)
    if prepared is None:
        return None, errors
    contact = prepared.contact_to_use(books)
    if contact.contact_id != doc.contact_id:
        books.documents_by_contact[doc.contact_id].remove(doc.doc_id)
        books.documents_by_contact.setdefault(contact.contact_id, []).append(doc.doc_id)
        doc.contact_id = contact.contact_id
        mark_trading(books, contact, doc.type in SALES_DOCUMENT_TYPES)
    previous_filing = (doc.type, doc.number)
    doc.type = merged.type or doc.type
    doc.number = prepared.number if prepared.number is not None else doc.number
    if not doc.number and doc.type in SALES_DOCUMENT_TYPES:
        doc.number = books.allocate_number(doc.type)
    books.index_document(doc, previous_filing)
    doc.reference, doc.url = merged.reference, merged.url
    doc.date = merged.date or doc.date
    doc.due_date = merged.due_date
    doc.status = prepared.status
    doc.line_amount_types = merged.line_amount_types or doc.line_amount_types
    doc.lines, doc.totals = prepared.lines, prepared.totals
    doc.currency_code, doc.currency_rate = prepared.currency_code, prepared.currency_rate
    doc.sent_to_contact = bool(merged.sent_to_contact)
    doc.branding_theme_id = merged.branding_theme_id
    doc.expected_payment_date = merged.expected_payment_date
    doc.planned_payment_date = merged.planned_payment_date
    doc.updated = books.tick()
    refresh_settlement_status(doc, None)
    return doc, []


def refresh_settlement_status(doc: Document, settled_on: date | None) -> None:
    """PAID once nothing is outstanding, and back to AUTHORISED when a payment or credit is removed."""
    if doc.status not in ("AUTHORISED", "PAID"):
        return
    if doc.outstanding <= ZERO:
        if doc.status != "PAID":
            doc.status = "PAID"
            doc.fully_paid_on = settled_on or doc.date
    else:
        doc.status = "AUTHORISED"
        doc.fully_paid_on = None

