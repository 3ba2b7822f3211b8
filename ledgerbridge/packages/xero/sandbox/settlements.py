"""Payments and allocations: the two ways money settles an invoice, and the rules that keep amounts sane.

A *payment* moves money through a bank account: it pays an invoice or bill, or refunds a credit note,
prepayment or overpayment.  An *allocation* moves no money: it applies credit (a credit note, prepayment or
overpayment) to an invoice.  Both lower what is outstanding on each side, both are refused beyond what is
outstanding, and deleting a payment restores the document it paid (PAID goes back to AUTHORISED).
"""

from __future__ import annotations

from datetime import date

from .books import TenantBooks
from .documents import refresh_settlement_status
from .inputs import AllocationInput, PaymentInput
from .lines import invalid_account
from .records import SALES_TYPES, ZERO, Allocation, Credit, CreditKind, Document, Payment, PaymentTarget
from .wire import money, new_id

Settleable = Document | Credit

NOT_FOUND = "The document with the supplied id was not found for this endpoint."
NOT_AUTHORISED = "Payments can only be made against Authorised documents"
EXCEEDS_OUTSTANDING = "Payment amount exceeds the amount outstanding on this document"
INVALID_PAYMENT_ACCOUNT = "Account type is invalid for making a payment to/from"
MISSING_ACCOUNT = "Account code or ID must be specified"
# Assumptions: the sandbox's wording where Xero's is not in the stored documentation.
NO_TARGET = "A payment must specify an Invoice, CreditNote, Prepayment or Overpayment."
AMOUNT_NOT_POSITIVE = "Payment amount must be greater than zero."
ALREADY_DELETED = "This payment has already been deleted."
ONLY_DELETE = "A payment can only be changed by setting its Status to DELETED."
ALLOCATION_NOT_POSITIVE = "Allocation amount must be greater than zero."
ALLOCATION_TARGET_STATUS = "Allocations can only be made against Authorised documents"
EXCEEDS_CREDIT = "The amount being allocated exceeds the remaining credit on this document."
EXCEEDS_INVOICE = "The amount being allocated exceeds the amount outstanding on the invoice."
OTHER_CONTACT = "The invoice and the credit being allocated must belong to the same contact."
OTHER_CURRENCY = "The invoice and the credit being allocated must be in the same currency."
OTHER_SIDE = "The credit being allocated cannot be applied to this type of invoice."

_PAYMENT_TYPES = {
    "ACCREC": "ACCRECPAYMENT",
    "ACCPAY": "ACCPAYPAYMENT",
    "ACCRECCREDIT": "ARCREDITPAYMENT",
    "ACCPAYCREDIT": "APCREDITPAYMENT",
    "RECEIVE-PREPAYMENT": "ARPREPAYMENTPAYMENT",
    "SPEND-PREPAYMENT": "APPREPAYMENTPAYMENT",
    "RECEIVE-OVERPAYMENT": "AROVERPAYMENTPAYMENT",
    "SPEND-OVERPAYMENT": "APOVERPAYMENTPAYMENT",
}


def refresh_status(target: Settleable, settled_on: date | None = None) -> None:
    if isinstance(target, Document):
        refresh_settlement_status(target, settled_on)
    elif target.status in ("AUTHORISED", "PAID"):
        target.status = "PAID" if target.outstanding <= ZERO else "AUTHORISED"


def _find_target(books: TenantBooks, given: PaymentInput) -> tuple[PaymentTarget | None, Settleable | None, str | None]:
    if given.invoice_id or given.invoice_number:
        if given.invoice_id:
            doc = books.documents.get(given.invoice_id)
            return ("invoice", doc, None) if doc and doc.kind == "invoice" else (None, None, NOT_FOUND)
        candidates = [d for t in ("ACCREC", "ACCPAY") for d in books.documents_numbered(t, given.invoice_number or "")
                      if d.status != "DELETED"]
        if len(candidates) == 1:
            return "invoice", candidates[0], None
        # Assumption: bill numbers repeat, so an ambiguous number is refused rather than guessed.
        reason = "is ambiguous" if candidates else "could not be found"
        return None, None, f"Invoice number {given.invoice_number} {reason}."
    if given.credit_note_id or given.credit_note_number:
        if given.credit_note_id:
            doc = books.documents.get(given.credit_note_id)
        else:
            found = [d for t in ("ACCRECCREDIT", "ACCPAYCREDIT")
                     for d in books.documents_numbered(t, given.credit_note_number or "")]
            doc = found[0] if len(found) == 1 else None
        return ("creditnote", doc, None) if doc and doc.kind == "creditnote" else (None, None, NOT_FOUND)
    if given.prepayment_id:
        credit = books.credits.get(given.prepayment_id)
        return ("prepayment", credit, None) if credit and credit.kind == "prepayment" else (None, None, NOT_FOUND)
    if given.overpayment_id:
        credit = books.credits.get(given.overpayment_id)
        return ("overpayment", credit, None) if credit and credit.kind == "overpayment" else (None, None, NOT_FOUND)
    return None, None, NO_TARGET


def create_payment(books: TenantBooks, given: PaymentInput) -> tuple[Payment | None, list[str]]:
    errors: list[str] = []
    kind, target, problem = _find_target(books, given)
    if problem:
        errors.append(problem)
    account = None
    if given.account is None or not (given.account.account_id or given.account.code):
        errors.append(MISSING_ACCOUNT)
    else:
        account = books.find_account(given.account.account_id, given.account.code)
        if account is None:
            errors.append(invalid_account(given.account.code or given.account.account_id or ""))
        elif account.status != "ACTIVE" or not (account.is_bank or account.enable_payments):
            errors.append(INVALID_PAYMENT_ACCOUNT)
    amount = given.amount
    if amount is None or amount <= 0:
        errors.append(AMOUNT_NOT_POSITIVE)
    if target is not None:
        if target.status != "AUTHORISED":
            errors.append(NOT_AUTHORISED)
        elif amount is not None and money(amount) > target.outstanding:
            errors.append(EXCEEDS_OUTSTANDING)
    if errors or target is None or account is None or amount is None or kind is None:
        return None, errors
    amount = money(amount)
    rate = given.currency_rate if given.currency_rate and given.currency_rate > 0 else target.currency_rate
    bank_amount = given.bank_amount
    if bank_amount is None:
        same_currency = (account.currency_code or books.base_currency) == target.currency_code
        bank_amount = amount if same_currency else money(amount / rate)
    now = books.tick()
    payment = Payment(
        payment_id=new_id(),
        target_kind=kind,
        target_id=_target_id(target),
        account_id=account.account_id,
        date=given.date or books.today(),
        amount=amount,
        currency_rate=rate,
        payment_type=_PAYMENT_TYPES[target.type],
        created=now,
        updated=now,
        reference=given.reference,
        is_reconciled=bool(given.is_reconciled),
        bank_amount=money(bank_amount),
    )
    books.payments[payment.payment_id] = payment
    target.amount_paid += amount
    target.payment_ids += (payment.payment_id,)
    target.updated = now
    refresh_status(target, payment.date)
    return payment, []


def _target_id(target: Settleable) -> str:
    return target.doc_id if isinstance(target, Document) else target.credit_id


def payment_target(books: TenantBooks, payment: Payment) -> Settleable:
    if payment.target_kind in ("invoice", "creditnote"):
        return books.documents[payment.target_id]
    return books.credits[payment.target_id]


def delete_payment(books: TenantBooks, payment: Payment, status: str | None) -> tuple[Payment | None, list[str]]:
    """Xero payments are never edited, only deleted; the paid document gets its amount back."""
    if status != "DELETED":
        return None, [ONLY_DELETE]
    if payment.status == "DELETED":
        return None, [ALREADY_DELETED]
    target = payment_target(books, payment)
    now = books.tick()
    payment.status = "DELETED"
    payment.updated = now
    target.amount_paid -= payment.amount
    target.updated = now
    refresh_status(target)
    return payment, []


def credit_source(books: TenantBooks, kind: CreditKind, source_id: str) -> Settleable | None:
    if kind == "creditnote":
        doc = books.documents.get(source_id)
        return doc if doc is not None and doc.kind == "creditnote" else None
    credit = books.credits.get(source_id)
    return credit if credit is not None and credit.kind == kind else None


def allocate_credit(books: TenantBooks, kind: CreditKind, source: Settleable,
                    given: AllocationInput) -> tuple[Allocation | None, list[str]]:
    """Apply a credit note, prepayment or overpayment to an invoice of the same contact and currency."""
    errors: list[str] = []
    label = {"creditnote": "credit note", "prepayment": "prepayment", "overpayment": "overpayment"}[kind]
    if source.status not in ("AUTHORISED", "PAID"):
        errors.append(f"The {label} must be Authorised before it can be allocated.")
    invoice: Document | None = None
    if given.invoice_id:
        invoice = books.documents.get(given.invoice_id)
    elif given.invoice_number:
        found = [d for t in ("ACCREC", "ACCPAY") for d in books.documents_numbered(t, given.invoice_number)]
        invoice = found[0] if len(found) == 1 else None
    if invoice is None or invoice.kind != "invoice":
        return None, errors + [NOT_FOUND]
    if (source.type in SALES_TYPES) != (invoice.type in SALES_TYPES):
        errors.append(OTHER_SIDE)
    if invoice.contact_id != source.contact_id:
        errors.append(OTHER_CONTACT)
    if invoice.currency_code != source.currency_code:
        errors.append(OTHER_CURRENCY)
    if invoice.status not in ("AUTHORISED", "PAID"):
        errors.append(ALLOCATION_TARGET_STATUS)
    amount = money(given.amount) if given.amount is not None else None
    if amount is None or amount <= 0:
        errors.append(ALLOCATION_NOT_POSITIVE)
    else:
        if amount > source.outstanding:
            errors.append(EXCEEDS_CREDIT)
        if amount > invoice.outstanding:
            errors.append(EXCEEDS_INVOICE)
    if errors or amount is None:
        return None, errors
    now = books.tick()
    allocation = Allocation(new_id(), kind, _target_id(source), invoice.doc_id, amount,
                            given.date or books.today(), now)
    books.allocations[allocation.allocation_id] = allocation
    for side in (invoice, source):
        side.amount_credited += amount
        side.allocation_ids += (allocation.allocation_id,)
        side.updated = now
        refresh_status(side, allocation.date)
    return allocation, []



def unallocate_credit(books: TenantBooks, kind: CreditKind, source: Settleable,
                      allocation_id: str) -> Allocation | None:
    """``DELETE …/Allocations/{AllocationID}``: the credit and the invoice get the amount back (None: not found)."""
    allocation = books.allocations.get(allocation_id.lower())
    if (allocation is None or allocation.is_deleted or allocation.source_kind != kind
            or allocation.source_id != _target_id(source)):
        return None
    invoice = books.documents[allocation.invoice_id]
    now = books.tick()
    allocation.is_deleted = True
    allocation.updated = now
    for side in (invoice, source):
        side.amount_credited -= allocation.amount
        side.updated = now
        refresh_status(side)
    return allocation
