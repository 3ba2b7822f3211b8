"""Typed inputs: request elements read into dataclasses, before any business rule looks at them.

Business validation happens later, per element, on these inputs (see :mod:`.documents`,
:mod:`.settlements`, :mod:`.banking`); reading only enforces types, so that a batch is either readable as a
whole or refused as a whole, as Xero does.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from .reader import Reader

DOCUMENT_STATUSES = frozenset({"DRAFT", "SUBMITTED", "DELETED", "AUTHORISED", "PAID", "VOIDED"})
LINE_AMOUNT_TYPES = frozenset({"Exclusive", "Inclusive", "NoTax"})
INVOICE_TYPES = frozenset({"ACCREC", "ACCPAY"})
CREDIT_NOTE_TYPES = frozenset({"ACCRECCREDIT", "ACCPAYCREDIT"})


@dataclass(slots=True)
class ContactRef:
    """How a document names its contact: by id, by number, or by name (which may create it)."""

    contact_id: str | None
    number: str | None
    name: str | None

    @property
    def identifies(self) -> bool:
        return bool(self.contact_id or (self.number or "").strip() or (self.name or "").strip())


@dataclass(slots=True)
class LineInput:
    line_item_id: str | None = None
    description: str | None = None
    quantity: Decimal | None = None
    unit_amount: Decimal | None = None
    item_code: str | None = None
    account_code: str | None = None
    account_id: str | None = None
    tax_type: str | None = None
    tax_amount: Decimal | None = None
    line_amount: Decimal | None = None
    discount_rate: Decimal | None = None
    discount_amount: Decimal | None = None
    #: A shared empty tuple unless the line sends tracking: stored lines keep it, and an empty list per line
    #: was most of what the garbage collector had to walk in large books.
    tracking: Sequence[dict[str, Any]] = ()


@dataclass(slots=True)
class DocumentInput:
    """An invoice or credit note as sent; ``present`` lists the keys given, which matters for updates."""

    present: frozenset[str]
    doc_id: str | None = None
    type: str | None = None
    contact: ContactRef | None = None
    lines: list[LineInput] | None = None
    date: dt.date | None = None
    due_date: dt.date | None = None
    line_amount_types: str | None = None
    number: str | None = None
    reference: str | None = None
    url: str | None = None
    currency_code: str | None = None
    currency_rate: Decimal | None = None
    status: str | None = None
    sent_to_contact: bool | None = None
    branding_theme_id: str | None = None
    expected_payment_date: dt.date | None = None
    planned_payment_date: dt.date | None = None


def read_contact_ref(reader: Reader | None) -> ContactRef | None:
    if reader is None:
        return None
    return ContactRef(reader.ident("ContactID"), reader.text("ContactNumber"), reader.text("Name"))


# Lines are the bulk of every batch, so each sent key is converted by a small function that takes the common
# case (a plain string, a JSON number) in line and hands anything else to the :class:`Reader` getter, which
# gives the same answer or the same error as it would have on its own.


def _line_text(reader: Reader, key: str, value: Any) -> Any:
    if value.__class__ is str and "\x00" not in value:
        return value
    return reader.text(key)


def _line_decimal(reader: Reader, key: str, value: Any) -> Any:
    kind = value.__class__
    if kind is Decimal:
        return value
    if kind is int:
        return Decimal(value)
    if kind is str:
        try:
            number = Decimal(value.strip())
        except InvalidOperation:
            number = None
        if number is not None and number.is_finite():
            return number
    return reader.decimal(key)


def _line_ident(reader: Reader, key: str, value: Any) -> Any:
    return reader.ident(key)


#: LineItem key -> (LineInput attribute, converter); only the keys actually sent are converted.
_LINE_FIELDS: dict[str, tuple[str, Callable[[Reader, str, Any], Any]]] = {
    "LineItemID": ("line_item_id", _line_ident),
    "Description": ("description", _line_text),
    "Quantity": ("quantity", _line_decimal),
    "UnitAmount": ("unit_amount", _line_decimal),
    "ItemCode": ("item_code", _line_text),
    "AccountCode": ("account_code", _line_text),
    "AccountID": ("account_id", _line_ident),
    "TaxType": ("tax_type", _line_text),
    "TaxAmount": ("tax_amount", _line_decimal),
    "LineAmount": ("line_amount", _line_decimal),
    "DiscountRate": ("discount_rate", _line_decimal),
    "DiscountAmount": ("discount_amount", _line_decimal),
}


def read_line(reader: Reader) -> LineInput:
    line = LineInput()
    raw = reader.raw
    fields = _LINE_FIELDS
    for key, value in raw.items():
        if value is not None:
            field_spec = fields.get(key)
            if field_spec is not None:
                setattr(line, field_spec[0], field_spec[1](reader, key, value))
    if "Tracking" in raw:
        tracking = []
        for entry in reader.children("Tracking") or []:
            option = {k: v for k in ("TrackingCategoryID", "TrackingOptionID") if (v := entry.ident(k))}
            option.update({k: v for k in ("Name", "Option") if (v := entry.text(k)) is not None})
            tracking.append(option)
        line.tracking = tracking
    if line.item_code is None and "Item" in raw:
        item = reader.child("Item")
        line.item_code = item.text("Code") if item is not None else None
    return line


def read_lines(reader: Reader) -> list[LineInput] | None:
    children = reader.children("LineItems")
    return None if children is None else [read_line(child) for child in children]


_Getter = Callable[[Reader, str], Any]


def _enum(allowed: frozenset[str], type_name: str, *, upper: bool = True) -> _Getter:
    return lambda reader, key: reader.enum(key, allowed, type_name, upper=upper)


def _currency(reader: Reader, key: str) -> str | None:
    return (reader.text(key) or "").strip().upper() or None


def _document_fields(kind: str) -> dict[str, tuple[str, _Getter]]:
    invoice = kind == "invoice"
    return {
        "InvoiceID" if invoice else "CreditNoteID": ("doc_id", Reader.ident),
        "Type": ("type", _enum(INVOICE_TYPES if invoice else CREDIT_NOTE_TYPES,
                               "InvoiceType" if invoice else "CreditNoteType")),
        "Contact": ("contact", lambda reader, key: read_contact_ref(reader.child(key))),
        "LineItems": ("lines", lambda reader, key: read_lines(reader)),
        "Date": ("date", Reader.date),
        "DueDate": ("due_date", Reader.date),
        "LineAmountTypes": ("line_amount_types", _enum(LINE_AMOUNT_TYPES, "LineAmountTypes", upper=False)),
        "InvoiceNumber" if invoice else "CreditNoteNumber": ("number", Reader.text),
        "Reference": ("reference", Reader.text),
        "Url": ("url", Reader.text),
        "CurrencyCode": ("currency_code", _currency),
        "CurrencyRate": ("currency_rate", Reader.decimal),
        "Status": ("status", _enum(DOCUMENT_STATUSES, "InvoiceStatus" if invoice else "CreditNoteStatus")),
        "SentToContact": ("sent_to_contact", Reader.boolean),
        "BrandingThemeID": ("branding_theme_id", Reader.ident),
        "ExpectedPaymentDate": ("expected_payment_date", Reader.date),
        "PlannedPaymentDate": ("planned_payment_date", Reader.date),
    }


_DOCUMENT_FIELDS = {kind: _document_fields(kind) for kind in ("invoice", "creditnote")}


def read_document(reader: Reader, kind: str) -> DocumentInput:
    """Read an ``Invoice`` (``kind="invoice"``) or a ``CreditNote`` (``kind="creditnote"``)."""
    fields = _DOCUMENT_FIELDS[kind]
    given = DocumentInput(present=reader.present())
    for key, value in reader.raw.items():
        field_spec = fields.get(key)
        if field_spec is not None and value is not None:
            attribute, getter = field_spec
            setattr(given, attribute, getter(reader, key))
    return given


@dataclass(slots=True)
class AccountRef:
    account_id: str | None
    code: str | None


@dataclass(slots=True)
class PaymentInput:
    """A payment against an invoice, or a refund of a credit note, prepayment or overpayment."""

    invoice_id: str | None = None
    invoice_number: str | None = None
    credit_note_id: str | None = None
    credit_note_number: str | None = None
    prepayment_id: str | None = None
    overpayment_id: str | None = None
    account: AccountRef | None = None
    date: dt.date | None = None
    amount: Decimal | None = None
    currency_rate: Decimal | None = None
    bank_amount: Decimal | None = None
    reference: str | None = None
    is_reconciled: bool | None = None
    status: str | None = None


def read_account_ref(reader: Reader | None, code_fallback: str | None = None) -> AccountRef | None:
    if reader is None:
        return AccountRef(None, code_fallback) if code_fallback else None
    return AccountRef(reader.ident("AccountID"), reader.text("Code") or code_fallback)


def read_payment(reader: Reader) -> PaymentInput:
    invoice = reader.child("Invoice")
    credit_note = reader.child("CreditNote")
    prepayment = reader.child("Prepayment")
    overpayment = reader.child("Overpayment")
    return PaymentInput(
        invoice_id=invoice.ident("InvoiceID") if invoice else None,
        invoice_number=(invoice.text("InvoiceNumber") if invoice else None) or reader.text("InvoiceNumber"),
        credit_note_id=credit_note.ident("CreditNoteID") if credit_note else None,
        credit_note_number=(credit_note.text("CreditNoteNumber") if credit_note else None)
        or reader.text("CreditNoteNumber"),
        prepayment_id=prepayment.ident("PrepaymentID") if prepayment else None,
        overpayment_id=overpayment.ident("OverpaymentID") if overpayment else None,
        account=read_account_ref(reader.child("Account"), reader.text("Code")),
        date=reader.date("Date"),
        amount=reader.decimal("Amount"),
        currency_rate=reader.decimal("CurrencyRate"),
        bank_amount=reader.decimal("BankAmount"),
        reference=reader.text("Reference"),
        is_reconciled=reader.boolean("IsReconciled"),
        status=reader.enum("Status", frozenset({"AUTHORISED", "DELETED"}), "PaymentStatus"),
    )


@dataclass(slots=True)
class AllocationInput:
    invoice_id: str | None
    invoice_number: str | None
    amount: Decimal | None
    date: dt.date | None


def read_allocation(reader: Reader) -> AllocationInput:
    invoice = reader.child("Invoice")
    return AllocationInput(
        invoice_id=invoice.ident("InvoiceID") if invoice else None,
        invoice_number=invoice.text("InvoiceNumber") if invoice else None,
        amount=reader.decimal("Amount"),
        date=reader.date("Date"),
    )


BANK_TRANSACTION_TYPES = frozenset({
    "RECEIVE", "RECEIVE-OVERPAYMENT", "RECEIVE-PREPAYMENT", "SPEND", "SPEND-OVERPAYMENT", "SPEND-PREPAYMENT",
    "RECEIVE-TRANSFER", "SPEND-TRANSFER",
})


@dataclass(slots=True)
class BankTransactionInput:
    type: str | None
    contact: ContactRef | None
    bank_account: AccountRef | None
    lines: list[LineInput] | None
    date: dt.date | None
    reference: str | None
    url: str | None
    currency_code: str | None
    currency_rate: Decimal | None
    line_amount_types: str | None
    is_reconciled: bool | None


def read_bank_transaction(reader: Reader) -> BankTransactionInput:
    return BankTransactionInput(
        type=reader.enum("Type", BANK_TRANSACTION_TYPES, "BankTransactionType"),
        contact=read_contact_ref(reader.child("Contact")),
        bank_account=read_account_ref(reader.child("BankAccount")),
        lines=read_lines(reader),
        date=reader.date("Date"),
        reference=reader.text("Reference"),
        url=reader.text("Url"),
        currency_code=(reader.text("CurrencyCode") or "").strip().upper() or None,
        currency_rate=reader.decimal("CurrencyRate"),
        line_amount_types=reader.enum("LineAmountTypes", LINE_AMOUNT_TYPES, "LineAmountTypes", upper=False),
        is_reconciled=reader.boolean("IsReconciled"),
    )
