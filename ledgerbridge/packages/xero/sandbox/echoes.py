"""Failed elements as Xero echoes them with ``summarizeErrors=false``: what was sent, plus the errors.

Echoes are built from the typed inputs (never from the raw JSON), so every value already has the type the
spec's schema demands and unknown keys never leak into a response.
"""

from __future__ import annotations

from typing import Any

from .contacts import ContactInput
from .inputs import AllocationInput, BankTransactionInput, ContactRef, DocumentInput, LineInput, PaymentInput
from .items import ItemInput
from .views import put_if_set
from .wire import ZERO_ID, ms_date


def _contact_ref(ref: ContactRef | None) -> dict[str, Any] | None:
    if ref is None:
        return None
    view: dict[str, Any] = {}
    put_if_set(view, "ContactID", ref.contact_id)
    put_if_set(view, "ContactNumber", ref.number)
    put_if_set(view, "Name", ref.name)
    return view


def _line(line: LineInput) -> dict[str, Any]:
    view: dict[str, Any] = {}
    put_if_set(view, "LineItemID", line.line_item_id)
    put_if_set(view, "Description", line.description)
    put_if_set(view, "Quantity", line.quantity)
    put_if_set(view, "UnitAmount", line.unit_amount)
    put_if_set(view, "ItemCode", line.item_code)
    put_if_set(view, "AccountCode", line.account_code)
    put_if_set(view, "AccountID", line.account_id)
    put_if_set(view, "TaxType", line.tax_type)
    put_if_set(view, "TaxAmount", line.tax_amount)
    put_if_set(view, "LineAmount", line.line_amount)
    put_if_set(view, "DiscountRate", line.discount_rate)
    put_if_set(view, "DiscountAmount", line.discount_amount)
    view["Tracking"] = line.tracking
    return view


def document_echo(given: DocumentInput, kind: str, existing_id: str | None,
                  enabled_currencies: frozenset[str]) -> dict[str, Any]:
    invoice = kind == "invoice"
    view: dict[str, Any] = {}
    put_if_set(view, "Type", given.type)
    view["InvoiceID" if invoice else "CreditNoteID"] = existing_id or ZERO_ID
    put_if_set(view, "InvoiceNumber" if invoice else "CreditNoteNumber", given.number)
    put_if_set(view, "Reference", given.reference)
    put_if_set(view, "Contact", _contact_ref(given.contact))
    if given.date is not None:
        view["Date"] = ms_date(given.date)
    if given.due_date is not None:
        view["DueDate"] = ms_date(given.due_date)
    put_if_set(view, "Status", given.status)
    put_if_set(view, "LineAmountTypes", given.line_amount_types)
    if given.lines is not None:
        view["LineItems"] = [_line(line) for line in given.lines]
    if given.currency_code in enabled_currencies:
        view["CurrencyCode"] = given.currency_code
    put_if_set(view, "CurrencyRate", given.currency_rate)
    if invoice:
        put_if_set(view, "Url", given.url)
        view["HasErrors"] = True
    return view


def contact_echo(given: ContactInput, existing_id: str | None) -> dict[str, Any]:
    view: dict[str, Any] = {"ContactID": existing_id or ZERO_ID}
    put_if_set(view, "ContactNumber", given.number)
    put_if_set(view, "ContactStatus", given.status)
    put_if_set(view, "Name", given.name)
    view.update(given.details)
    view["HasValidationErrors"] = True
    return view


def item_echo(given: ItemInput, existing_id: str | None) -> dict[str, Any]:
    view: dict[str, Any] = {"ItemID": existing_id or ZERO_ID}
    put_if_set(view, "Code", given.code)
    view.update(given.details)
    return view


def payment_echo(given: PaymentInput) -> dict[str, Any]:
    view: dict[str, Any] = {}
    if given.invoice_id or given.invoice_number:
        invoice: dict[str, Any] = {}
        put_if_set(invoice, "InvoiceID", given.invoice_id)
        put_if_set(invoice, "InvoiceNumber", given.invoice_number)
        view["Invoice"] = invoice
    if given.credit_note_id or given.credit_note_number:
        note: dict[str, Any] = {}
        put_if_set(note, "CreditNoteID", given.credit_note_id)
        put_if_set(note, "CreditNoteNumber", given.credit_note_number)
        view["CreditNote"] = note
    if given.prepayment_id:
        view["Prepayment"] = {"PrepaymentID": given.prepayment_id}
    if given.overpayment_id:
        view["Overpayment"] = {"OverpaymentID": given.overpayment_id}
    if given.account is not None:
        account: dict[str, Any] = {}
        put_if_set(account, "AccountID", given.account.account_id)
        put_if_set(account, "Code", given.account.code)
        view["Account"] = account
    if given.date is not None:
        view["Date"] = ms_date(given.date)
    put_if_set(view, "Amount", given.amount)
    put_if_set(view, "CurrencyRate", given.currency_rate)
    put_if_set(view, "Reference", given.reference)
    view["HasValidationErrors"] = True
    return view


def allocation_echo(given: AllocationInput) -> dict[str, Any]:
    invoice: dict[str, Any] = {}
    put_if_set(invoice, "InvoiceID", given.invoice_id)
    put_if_set(invoice, "InvoiceNumber", given.invoice_number)
    view: dict[str, Any] = {"Invoice": invoice}
    put_if_set(view, "Amount", given.amount)
    if given.date is not None:
        view["Date"] = ms_date(given.date)
    return view


def bank_transaction_echo(given: BankTransactionInput, enabled_currencies: frozenset[str]) -> dict[str, Any]:
    view: dict[str, Any] = {}
    put_if_set(view, "Type", given.type)
    put_if_set(view, "Contact", _contact_ref(given.contact))
    view["LineItems"] = [_line(line) for line in given.lines or []]
    bank: dict[str, Any] = {}
    if given.bank_account is not None:
        put_if_set(bank, "AccountID", given.bank_account.account_id)
        put_if_set(bank, "Code", given.bank_account.code)
    view["BankAccount"] = bank
    if given.date is not None:
        view["Date"] = ms_date(given.date)
    put_if_set(view, "Reference", given.reference)
    if given.currency_code in enabled_currencies:
        view["CurrencyCode"] = given.currency_code
    put_if_set(view, "LineAmountTypes", given.line_amount_types)
    view["BankTransactionID"] = ZERO_ID
    return view
