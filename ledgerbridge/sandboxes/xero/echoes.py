"""Failed elements as Xero echoes them with ``summarizeErrors=false``: what was sent, plus the errors.

Echoes are built from the typed inputs (never from the raw JSON), so every value already has the type the
spec's schema demands and unknown keys never leak into a response.
"""

from __future__ import annotations

from typing import Any

from .contacts import ContactInput
from .inputs import AllocationInput, BankTransactionInput, ContactRef, DocumentInput, LineInput, PaymentInput
from .items import ItemInput
from .wire import ZERO_ID, ms_date


def _put(target: dict[str, Any], key: str, value: Any) -> None:
    if value is not None and value != "":
        target[key] = value


def _contact_ref(ref: ContactRef | None) -> dict[str, Any] | None:
    if ref is None:
        return None
    view: dict[str, Any] = {}
    _put(view, "ContactID", ref.contact_id)
    _put(view, "ContactNumber", ref.number)
    _put(view, "Name", ref.name)
    return view


def _line(line: LineInput) -> dict[str, Any]:
    view: dict[str, Any] = {}
    _put(view, "LineItemID", line.line_item_id)
    _put(view, "Description", line.description)
    _put(view, "Quantity", line.quantity)
    _put(view, "UnitAmount", line.unit_amount)
    _put(view, "ItemCode", line.item_code)
    _put(view, "AccountCode", line.account_code)
    _put(view, "AccountID", line.account_id)
    _put(view, "TaxType", line.tax_type)
    _put(view, "TaxAmount", line.tax_amount)
    _put(view, "LineAmount", line.line_amount)
    _put(view, "DiscountRate", line.discount_rate)
    _put(view, "DiscountAmount", line.discount_amount)
    view["Tracking"] = line.tracking
    return view


def document_echo(given: DocumentInput, kind: str, existing_id: str | None,
                  enabled_currencies: frozenset[str]) -> dict[str, Any]:
    invoice = kind == "invoice"
    view: dict[str, Any] = {}
    _put(view, "Type", given.type)
    view["InvoiceID" if invoice else "CreditNoteID"] = existing_id or ZERO_ID
    _put(view, "InvoiceNumber" if invoice else "CreditNoteNumber", given.number)
    _put(view, "Reference", given.reference)
    _put(view, "Contact", _contact_ref(given.contact))
    if given.date is not None:
        view["Date"] = ms_date(given.date)
    if given.due_date is not None:
        view["DueDate"] = ms_date(given.due_date)
    _put(view, "Status", given.status)
    _put(view, "LineAmountTypes", given.line_amount_types)
    if given.lines is not None:
        view["LineItems"] = [_line(line) for line in given.lines]
    if given.currency_code in enabled_currencies:
        view["CurrencyCode"] = given.currency_code
    _put(view, "CurrencyRate", given.currency_rate)
    if invoice:
        _put(view, "Url", given.url)
        view["HasErrors"] = True
    return view


def contact_echo(given: ContactInput, existing_id: str | None) -> dict[str, Any]:
    view: dict[str, Any] = {"ContactID": existing_id or ZERO_ID}
    _put(view, "ContactNumber", given.number)
    _put(view, "ContactStatus", given.status)
    _put(view, "Name", given.name)
    view.update(given.details)
    view["HasValidationErrors"] = True
    return view


def item_echo(given: ItemInput, existing_id: str | None) -> dict[str, Any]:
    view: dict[str, Any] = {"ItemID": existing_id or ZERO_ID}
    _put(view, "Code", given.code)
    view.update(given.details)
    return view


def payment_echo(given: PaymentInput) -> dict[str, Any]:
    view: dict[str, Any] = {}
    if given.invoice_id or given.invoice_number:
        invoice: dict[str, Any] = {}
        _put(invoice, "InvoiceID", given.invoice_id)
        _put(invoice, "InvoiceNumber", given.invoice_number)
        view["Invoice"] = invoice
    if given.credit_note_id or given.credit_note_number:
        note: dict[str, Any] = {}
        _put(note, "CreditNoteID", given.credit_note_id)
        _put(note, "CreditNoteNumber", given.credit_note_number)
        view["CreditNote"] = note
    if given.prepayment_id:
        view["Prepayment"] = {"PrepaymentID": given.prepayment_id}
    if given.overpayment_id:
        view["Overpayment"] = {"OverpaymentID": given.overpayment_id}
    if given.account is not None:
        account: dict[str, Any] = {}
        _put(account, "AccountID", given.account.account_id)
        _put(account, "Code", given.account.code)
        view["Account"] = account
    if given.date is not None:
        view["Date"] = ms_date(given.date)
    _put(view, "Amount", given.amount)
    _put(view, "CurrencyRate", given.currency_rate)
    _put(view, "Reference", given.reference)
    view["HasValidationErrors"] = True
    return view


def allocation_echo(given: AllocationInput) -> dict[str, Any]:
    invoice: dict[str, Any] = {}
    _put(invoice, "InvoiceID", given.invoice_id)
    _put(invoice, "InvoiceNumber", given.invoice_number)
    view: dict[str, Any] = {"Invoice": invoice}
    _put(view, "Amount", given.amount)
    if given.date is not None:
        view["Date"] = ms_date(given.date)
    return view


def bank_transaction_echo(given: BankTransactionInput, enabled_currencies: frozenset[str]) -> dict[str, Any]:
    view: dict[str, Any] = {}
    _put(view, "Type", given.type)
    _put(view, "Contact", _contact_ref(given.contact))
    view["LineItems"] = [_line(line) for line in given.lines or []]
    bank: dict[str, Any] = {}
    if given.bank_account is not None:
        _put(bank, "AccountID", given.bank_account.account_id)
        _put(bank, "Code", given.bank_account.code)
    view["BankAccount"] = bank
    if given.date is not None:
        view["Date"] = ms_date(given.date)
    _put(view, "Reference", given.reference)
    if given.currency_code in enabled_currencies:
        view["CurrencyCode"] = given.currency_code
    _put(view, "LineAmountTypes", given.line_amount_types)
    view["BankTransactionID"] = ZERO_ID
    return view
