"""Bank transactions, and the prepayments and overpayments that some of them create.

Xero has no endpoint that creates a prepayment or overpayment directly: a ``RECEIVE-PREPAYMENT`` (or
``SPEND-``, or ``-OVERPAYMENT``) bank transaction creates one, and the transaction carries its id back
(developer.xero.com/documentation/api/prepayments).  Transfers have their own endpoint in Xero and are
refused here.
"""

from __future__ import annotations

from typing import Literal

from .books import TenantBooks
from .contacts import create_referenced_contact, mark_trading, resolve_contact_ref
from .documents import currency_not_enabled
from .inputs import BankTransactionInput
from .lines import LineRules, build_lines
from .records import SALES_TYPES, BankTransaction, Credit
from .wire import new_id

# Assumptions: the sandbox's wording where Xero's is not in the stored documentation.
TYPE_REQUIRED = "The Type field is mandatory"
TRANSFER_REFUSED = "Bank transfers must be created with the BankTransfers endpoint."
BANK_ACCOUNT_REQUIRED = "A bank account must be specified"
LINES_REQUIRED = "At least one line item must be specified"


def not_a_bank_account(code: str) -> str:
    return f"Account code '{code}' is not a valid bank account."


def create_bank_transaction(books: TenantBooks, given: BankTransactionInput,
                            unit_dp: int = 2) -> tuple[BankTransaction | None, list[str]]:
    errors: list[str] = []
    if given.type is None:
        errors.append(TYPE_REQUIRED)
    elif given.type.endswith("-TRANSFER"):
        errors.append(TRANSFER_REFUSED)
    contact, pending, contact_errors = resolve_contact_ref(books, given.contact)
    errors += contact_errors
    bank = None
    if given.bank_account is None or not (given.bank_account.account_id or given.bank_account.code):
        errors.append(BANK_ACCOUNT_REQUIRED)
    else:
        bank = books.find_account(given.bank_account.account_id, given.bank_account.code)
        if bank is None or not bank.is_bank or bank.status != "ACTIVE":
            errors.append(not_a_bank_account(given.bank_account.code or given.bank_account.account_id or ""))
            bank = None
    currency = given.currency_code or (bank.currency_code if bank and bank.currency_code else books.base_currency)
    if currency not in books.enabled_currencies:
        errors.append(currency_not_enabled(currency))
    tx_type = given.type or "RECEIVE"
    if not given.lines:
        errors.append(LINES_REQUIRED)
    line_amount_types = given.line_amount_types or "Exclusive"
    rules = LineRules(tx_type, accounts_required=True, line_amount_types=line_amount_types, unit_dp=unit_dp,
                      account_optional=tx_type.endswith("-OVERPAYMENT"))
    lines, totals, line_errors = build_lines(books, given.lines or [], rules)
    errors += line_errors
    if totals.total <= 0 and given.lines:
        # Assumption: the sandbox's wording.
        errors.append("The bank transaction total must be greater than zero.")
    if errors or bank is None:
        return None, errors
    if contact is None:
        assert pending is not None
        contact = create_referenced_contact(books, pending)
    rate = books.default_rate(currency)
    if given.currency_rate and given.currency_rate > 0 and currency != books.base_currency:
        rate = given.currency_rate
    now = books.tick()
    transaction = BankTransaction(
        bank_transaction_id=new_id(),
        type=tx_type,
        contact_id=contact.contact_id,
        bank_account_id=bank.account_id,
        date=given.date or books.today(),
        status="AUTHORISED",
        line_amount_types=line_amount_types,
        lines=lines,
        totals=totals,
        currency_code=currency,
        currency_rate=rate,
        created=now,
        updated=now,
        reference=given.reference,
        url=given.url,
        is_reconciled=bool(given.is_reconciled),
    )
    if tx_type.endswith("-PREPAYMENT") or tx_type.endswith("-OVERPAYMENT"):
        kind: Literal["prepayment", "overpayment"] = (
            "prepayment" if tx_type.endswith("-PREPAYMENT") else "overpayment"
        )
        credit = Credit(
            credit_id=new_id(),
            kind=kind,
            type=tx_type,
            contact_id=contact.contact_id,
            date=transaction.date,
            status="AUTHORISED",
            line_amount_types=line_amount_types,
            lines=lines,
            totals=totals,
            currency_code=currency,
            currency_rate=rate,
            reference=given.reference,
            bank_transaction_id=transaction.bank_transaction_id,
            created=now,
            updated=now,
        )
        books.credits[credit.credit_id] = credit
        if kind == "prepayment":
            transaction.prepayment_id = credit.credit_id
        else:
            transaction.overpayment_id = credit.credit_id
        mark_trading(books, contact, tx_type in SALES_TYPES)
    books.bank_transactions[transaction.bank_transaction_id] = transaction
    return transaction, []
