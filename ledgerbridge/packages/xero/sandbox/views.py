"""Stored records as Xero writes them: PascalCase keys, MS-JSON dates, fixed-decimal amounts.

Only property names that exist in the spec's schemas (``xero_accounting.yaml`` components.schemas) are
written, because the contract tests validate every response strictly.  Note what that rules out: the spec
has no ``DateString``/``DueDateString`` on ``Invoice`` (they appear only in its examples), so the sandbox
does not send them.  Optional fields are left out rather than sent empty.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from .books import TenantBooks
from .records import (
    ZERO,
    Account,
    Allocation,
    BankTransaction,
    Contact,
    Credit,
    Document,
    Item,
    Line,
    Payment,
    TaxRate,
)
from .wire import ms_date, ms_timestamp, rate, unit_amount

_CLOSED = ("VOIDED", "DELETED")


def put_if_set(target: dict[str, Any], key: str, value: Any) -> None:
    """Optional fields are left out rather than sent empty."""
    if value is not None and value != "":
        target[key] = value


# ------------------------------------------------------------------------------------------- contacts


def contact_summary(contact: Contact) -> dict[str, Any]:
    """The contact as nested in documents and payments."""
    view: dict[str, Any] = {"ContactID": contact.contact_id, "Name": contact.name}
    put_if_set(view, "ContactNumber", contact.number)
    return view


def contact_view(contact: Contact) -> dict[str, Any]:
    view: dict[str, Any] = {"ContactID": contact.contact_id, "ContactStatus": contact.status,
                            "Name": contact.name}
    put_if_set(view, "ContactNumber", contact.number)
    view.update(contact.details)
    view.setdefault("Addresses", [])
    view.setdefault("Phones", [])
    view.setdefault("ContactPersons", [])
    view["ContactGroups"] = []
    view["UpdatedDateUTC"] = ms_timestamp(contact.updated)
    view["IsSupplier"] = contact.is_supplier
    view["IsCustomer"] = contact.is_customer
    view["HasAttachments"] = False
    view["HasValidationErrors"] = False
    return view


#: ``summaryOnly=true``: the contact's own scalar fields; addresses, phones, people, groups, payment terms and
#: the account defaults are left out.  Assumption: Xero documents the parameter but not the exact field list.
_CONTACT_SUMMARY_DETAILS = ("AccountNumber", "FirstName", "LastName", "CompanyNumber", "EmailAddress", "TaxNumber",
                            "DefaultCurrency")


def contact_summary_view(contact: Contact) -> dict[str, Any]:
    """A contact as ``GET /Contacts?summaryOnly=true`` lists it."""
    view: dict[str, Any] = {"ContactID": contact.contact_id, "ContactStatus": contact.status,
                            "Name": contact.name}
    put_if_set(view, "ContactNumber", contact.number)
    details = contact.details
    for key in _CONTACT_SUMMARY_DETAILS:
        value = details.get(key)
        if value is not None:
            view[key] = value
    view["UpdatedDateUTC"] = ms_timestamp(contact.updated)
    view["IsSupplier"] = contact.is_supplier
    view["IsCustomer"] = contact.is_customer
    return view


def item_view(item: Item, unit_dp: int = 2) -> dict[str, Any]:
    view: dict[str, Any] = {"ItemID": item.item_id, "Code": item.code}
    for key, value in item.details.items():
        if key in ("SalesDetails", "PurchaseDetails"):
            trade = dict(value)
            if "UnitPrice" in trade:
                trade["UnitPrice"] = unit_amount(trade["UnitPrice"], unit_dp)
            view[key] = trade
        else:
            view[key] = value
    view["IsTrackedAsInventory"] = False
    view["UpdatedDateUTC"] = ms_timestamp(item.updated)
    return view


# ------------------------------------------------------------------------------------------ documents


def line_view(line: Line, unit_dp: int = 2) -> dict[str, Any]:
    # Written out long-hand (no helper per field): lines are most of what a batch response carries.
    view: dict[str, Any] = {"LineItemID": line.line_item_id}
    if line.description:
        view["Description"] = line.description
    if line.quantity is not None:
        view["Quantity"] = line.quantity
    if line.unit_amount is not None:
        view["UnitAmount"] = unit_amount(line.unit_amount, unit_dp)
    if line.item_code:
        view["ItemCode"] = line.item_code
    if line.account_code:
        view["AccountCode"] = line.account_code
    if line.account_id:
        view["AccountID"] = line.account_id
    if line.tax_type:
        view["TaxType"] = line.tax_type
    view["TaxAmount"] = line.tax_amount
    view["LineAmount"] = line.line_amount
    if line.discount_rate is not None:
        view["DiscountRate"] = line.discount_rate
    if line.discount_amount is not None:
        view["DiscountAmount"] = line.discount_amount
    view["Tracking"] = line.tracking
    return view


def _applied_credits(books: TenantBooks, doc: Document) -> dict[str, list[dict[str, Any]]]:
    """Invoice.CreditNotes / Prepayments / Overpayments: each allocation made to this invoice."""
    applied: dict[str, list[dict[str, Any]]] = {"CreditNotes": [], "Prepayments": [], "Overpayments": []}
    for allocation_id in doc.allocation_ids:
        allocation = books.allocations[allocation_id]
        if allocation.is_deleted:
            continue
        if allocation.source_kind == "creditnote":
            note = books.documents[allocation.source_id]
            entry = {"CreditNoteID": note.doc_id, "CreditNoteNumber": note.number, "Total": note.totals.total}
            applied["CreditNotes"].append(entry)
        else:
            credit = books.credits[allocation.source_id]
            key = "PrepaymentID" if credit.kind == "prepayment" else "OverpaymentID"
            entry = {key: credit.credit_id, "Total": credit.totals.total}
            applied["Prepayments" if credit.kind == "prepayment" else "Overpayments"].append(entry)
        entry["AppliedAmount"] = allocation.amount
        entry["Date"] = ms_date(allocation.date)
    return applied


def payment_summary(payment: Payment) -> dict[str, Any]:
    """A payment as nested in the document it settles."""
    view: dict[str, Any] = {"PaymentID": payment.payment_id, "Date": ms_date(payment.date),
                            "Amount": payment.amount, "CurrencyRate": rate(payment.currency_rate)}
    put_if_set(view, "Reference", payment.reference)
    view["HasAccount"] = True
    view["HasValidationErrors"] = False
    return view


def _live_payments(books: TenantBooks, payment_ids: Sequence[str]) -> list[dict[str, Any]]:
    payments = (books.payments[p] for p in payment_ids)
    return [payment_summary(p) for p in payments if p.status != "DELETED"]


def document_view(books: TenantBooks, doc: Document, *, lines: bool, unit_dp: int = 2) -> dict[str, Any]:
    """An invoice/bill or a credit note, with its settlements; ``lines`` adds the line items."""
    invoice = doc.kind == "invoice"
    view: dict[str, Any] = {"Type": doc.type}
    view["InvoiceID" if invoice else "CreditNoteID"] = doc.doc_id
    put_if_set(view, "InvoiceNumber" if invoice else "CreditNoteNumber", doc.number)
    put_if_set(view, "Reference", doc.reference)
    view["Payments"] = _live_payments(books, doc.payment_ids)
    outstanding = ZERO if doc.status in _CLOSED else doc.outstanding
    if invoice:
        view.update(_applied_credits(books, doc))
        view["AmountDue"] = outstanding
        view["AmountPaid"] = doc.amount_paid
        view["AmountCredited"] = doc.amount_credited
        view["IsDiscounted"] = any(line.discount_rate or line.discount_amount for line in doc.lines)
        view["HasErrors"] = False
    else:
        view["RemainingCredit"] = outstanding
        view["Allocations"] = [
            allocation_view(books, books.allocations[a], include_source=False)
            for a in doc.allocation_ids if not books.allocations[a].is_deleted
        ]
    view["SentToContact"] = doc.sent_to_contact
    view["CurrencyRate"] = rate(doc.currency_rate)
    view["HasAttachments"] = False
    view["Contact"] = contact_summary(books.contacts[doc.contact_id])
    view["Date"] = ms_date(doc.date)
    if doc.due_date is not None:
        view["DueDate"] = ms_date(doc.due_date)
    view["Status"] = doc.status
    view["LineAmountTypes"] = doc.line_amount_types
    if lines:
        view["LineItems"] = [line_view(line, unit_dp) for line in doc.lines]
    view["SubTotal"] = doc.totals.sub_total
    view["TotalTax"] = doc.totals.total_tax
    view["Total"] = doc.totals.total
    view["UpdatedDateUTC"] = ms_timestamp(doc.updated)
    view["CurrencyCode"] = doc.currency_code
    if doc.fully_paid_on is not None:
        view["FullyPaidOnDate"] = ms_date(doc.fully_paid_on)
    put_if_set(view, "Url", doc.url if invoice else None)
    put_if_set(view, "BrandingThemeID", doc.branding_theme_id)
    if invoice:
        if doc.expected_payment_date is not None:
            view["ExpectedPaymentDate"] = ms_date(doc.expected_payment_date)
        if doc.planned_payment_date is not None:
            view["PlannedPaymentDate"] = ms_date(doc.planned_payment_date)
    return view


def invoice_summary_view(books: TenantBooks, doc: Document) -> dict[str, Any]:
    """An invoice as ``GET /Invoices?summaryOnly=true`` lists it: the header and its amounts, without line items,
    payments or applied credits (and so without reading any of them)."""
    contact = books.contacts[doc.contact_id]
    totals = doc.totals
    view: dict[str, Any] = {"Type": doc.type, "InvoiceID": doc.doc_id}
    if doc.number:
        view["InvoiceNumber"] = doc.number
    if doc.reference:
        view["Reference"] = doc.reference
    view["AmountDue"] = ZERO if doc.status in _CLOSED else doc.outstanding
    view["AmountPaid"] = doc.amount_paid
    view["AmountCredited"] = doc.amount_credited
    view["Contact"] = {"ContactID": contact.contact_id, "Name": contact.name}
    view["Date"] = ms_date(doc.date)
    if doc.due_date is not None:
        view["DueDate"] = ms_date(doc.due_date)
    view["Status"] = doc.status
    view["SubTotal"] = totals.sub_total
    view["TotalTax"] = totals.total_tax
    view["Total"] = totals.total
    view["UpdatedDateUTC"] = ms_timestamp(doc.updated)
    view["CurrencyCode"] = doc.currency_code
    return view


def credit_view(books: TenantBooks, credit: Credit, *, lines: bool = True, unit_dp: int = 2) -> dict[str, Any]:
    """A prepayment or overpayment."""
    view: dict[str, Any] = {"PrepaymentID" if credit.kind == "prepayment" else "OverpaymentID": credit.credit_id,
                            "Type": credit.type, "Contact": contact_summary(books.contacts[credit.contact_id]),
                            "Date": ms_date(credit.date), "Status": credit.status,
                            "LineAmountTypes": credit.line_amount_types}
    if lines:
        view["LineItems"] = [line_view(line, unit_dp) for line in credit.lines]
    view["SubTotal"] = credit.totals.sub_total
    view["TotalTax"] = credit.totals.total_tax
    view["Total"] = credit.totals.total
    view["UpdatedDateUTC"] = ms_timestamp(credit.updated)
    view["CurrencyCode"] = credit.currency_code
    view["CurrencyRate"] = rate(credit.currency_rate)
    view["RemainingCredit"] = ZERO if credit.status == "VOIDED" else credit.outstanding
    view["Allocations"] = [
        allocation_view(books, books.allocations[a], include_source=False)
        for a in credit.allocation_ids if not books.allocations[a].is_deleted
    ]
    view["Payments"] = _live_payments(books, credit.payment_ids)
    view["HasAttachments"] = False
    put_if_set(view, "Reference", credit.reference)
    return view


# ---------------------------------------------------------------------------------------- settlements


def _document_reference(books: TenantBooks, doc: Document) -> dict[str, Any]:
    invoice = doc.kind == "invoice"
    view: dict[str, Any] = {"Type": doc.type, "InvoiceID" if invoice else "CreditNoteID": doc.doc_id}
    put_if_set(view, "InvoiceNumber" if invoice else "CreditNoteNumber", doc.number)
    view["Contact"] = contact_summary(books.contacts[doc.contact_id])
    view["CurrencyCode"] = doc.currency_code
    return view


def _credit_reference(books: TenantBooks, credit: Credit) -> dict[str, Any]:
    key = "PrepaymentID" if credit.kind == "prepayment" else "OverpaymentID"
    return {key: credit.credit_id, "Type": credit.type,
            "Contact": contact_summary(books.contacts[credit.contact_id]), "CurrencyCode": credit.currency_code}


def account_reference(account: Account) -> dict[str, Any]:
    return {"AccountID": account.account_id, "Code": account.code, "Name": account.name}


def payment_view(books: TenantBooks, payment: Payment) -> dict[str, Any]:
    view: dict[str, Any] = {"PaymentID": payment.payment_id, "Date": ms_date(payment.date)}
    if payment.bank_amount is not None:
        view["BankAmount"] = payment.bank_amount
    view["Amount"] = payment.amount
    put_if_set(view, "Reference", payment.reference)
    view["CurrencyRate"] = rate(payment.currency_rate)
    view["PaymentType"] = payment.payment_type
    view["Status"] = payment.status
    view["UpdatedDateUTC"] = ms_timestamp(payment.updated)
    view["HasAccount"] = True
    view["IsReconciled"] = payment.is_reconciled
    view["Account"] = account_reference(books.accounts[payment.account_id])
    if payment.target_kind == "invoice":
        view["Invoice"] = _document_reference(books, books.documents[payment.target_id])
    elif payment.target_kind == "creditnote":
        view["CreditNote"] = _document_reference(books, books.documents[payment.target_id])
    else:
        key = "Prepayment" if payment.target_kind == "prepayment" else "Overpayment"
        view[key] = _credit_reference(books, books.credits[payment.target_id])
    view["HasValidationErrors"] = False
    return view


def allocation_view(books: TenantBooks, allocation: Allocation, *, include_source: bool = True) -> dict[str, Any]:
    invoice = books.documents[allocation.invoice_id]
    view: dict[str, Any] = {"AllocationID": allocation.allocation_id, "Amount": allocation.amount,
                            "Date": ms_date(allocation.date), "Invoice": _document_reference(books, invoice)}
    if include_source:
        if allocation.source_kind == "creditnote":
            view["CreditNote"] = _document_reference(books, books.documents[allocation.source_id])
        else:
            key = "Prepayment" if allocation.source_kind == "prepayment" else "Overpayment"
            view[key] = _credit_reference(books, books.credits[allocation.source_id])
    return view


def bank_transaction_view(books: TenantBooks, tx: BankTransaction, unit_dp: int = 2) -> dict[str, Any]:
    view: dict[str, Any] = {
        "BankTransactionID": tx.bank_transaction_id,
        "Type": tx.type,
        "Contact": contact_summary(books.contacts[tx.contact_id]),
        "LineItems": [line_view(line, unit_dp) for line in tx.lines],
        "BankAccount": account_reference(books.accounts[tx.bank_account_id]),
        "IsReconciled": tx.is_reconciled,
        "Date": ms_date(tx.date),
        "Status": tx.status,
        "LineAmountTypes": tx.line_amount_types,
        "SubTotal": tx.totals.sub_total,
        "TotalTax": tx.totals.total_tax,
        "Total": tx.totals.total,
        "CurrencyCode": tx.currency_code,
        "CurrencyRate": rate(tx.currency_rate),
        "UpdatedDateUTC": ms_timestamp(tx.updated),
        "HasAttachments": False,
    }
    for key, value in (("Reference", tx.reference), ("Url", tx.url), ("PrepaymentID", tx.prepayment_id),
                       ("OverpaymentID", tx.overpayment_id)):
        if value:
            view[key] = value
    return view


# ------------------------------------------------------------------------------------ reference data


def account_view(account: Account) -> dict[str, Any]:
    view: dict[str, Any] = {"AccountID": account.account_id, "Code": account.code, "Name": account.name,
                            "Status": account.status, "Type": account.type, "TaxType": account.tax_type,
                            "Class": account.account_class,
                            "EnablePaymentsToAccount": account.enable_payments,
                            "ShowInExpenseClaims": False}
    put_if_set(view, "Description", account.description)
    put_if_set(view, "SystemAccount", account.system_account)
    if account.is_bank:
        view["BankAccountType"] = "BANK"
        put_if_set(view, "BankAccountNumber", account.bank_account_number)
        put_if_set(view, "CurrencyCode", account.currency_code)
    view["HasAttachments"] = False
    view["UpdatedDateUTC"] = ms_timestamp(account.updated)
    return view


def tax_rate_view(tax_rate: TaxRate) -> dict[str, Any]:
    display = tax_rate.rate.quantize(Decimal("0.0001"))
    view: dict[str, Any] = {
        "Name": tax_rate.name,
        "TaxType": tax_rate.tax_type,
        "ReportTaxType": tax_rate.report_tax_type,
        "TaxComponents": [{"Name": "VAT", "Rate": display, "IsCompound": False, "IsNonRecoverable": False}],
        "Status": tax_rate.status,
        "DisplayTaxRate": display,
        "EffectiveRate": display,
    }
    for target, allowed in tax_rate.can_apply.items():
        view[f"CanApplyTo{target}"] = allowed
    return view


def organisation_view(books: TenantBooks) -> dict[str, Any]:
    return {
        "OrganisationID": books.tenant_id,
        "Name": books.name,
        "LegalName": books.name,
        "PaysTax": True,
        "Version": "UK",
        "OrganisationType": "COMPANY",
        "BaseCurrency": books.base_currency,
        "CountryCode": "GB",
        "IsDemoCompany": True,
        "OrganisationStatus": "ACTIVE",
        "FinancialYearEndDay": 31,
        "FinancialYearEndMonth": 3,
        "SalesTaxBasis": "ACCRUALS",
        "SalesTaxPeriod": "QUARTERLY1",
        "DefaultSalesTax": "Tax Exclusive",
        "DefaultPurchasesTax": "Tax Exclusive",
        "CreatedDateUTC": ms_timestamp(books.created),
        "Timezone": "GMTSTANDARDTIME",
        "OrganisationEntityType": "COMPANY",
        "ShortCode": books.seed.short_code,
        "Class": "DEMO",
        "Edition": "BUSINESS",
        "Addresses": [],
        "Phones": [],
        "ExternalLinks": [],
        "PaymentTerms": {},
    }
