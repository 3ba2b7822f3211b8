"""What is still open: an invoice's or bill's balance, a credit's remainder, a payment's unused amount, a name's
balance. Computed from the payments' applications whenever asked, so a deleted payment reopens what it paid.
"""

from __future__ import annotations

from decimal import Decimal

from .status import QbStatus
from .store import Books, Txn

__all__ = ["CHARGES", "CREDITS", "PAYMENTS", "check_credit", "entity_balance", "open_amount"]

#: Transactions a payment pays, credits a payment uses, and the payments themselves.
CHARGES = ("Invoice", "Bill")
CREDITS = ("CreditMemo", "VendorCredit")
PAYMENTS = ("ReceivePayment", "BillPaymentCheck", "BillPaymentCreditCard")


def open_amount(books: Books, txn: Txn) -> Decimal:
    """An invoice's BalanceRemaining or a bill's OpenAmount; a credit's CreditRemaining; a customer payment's
    UnusedPayment. Zero for a voided transaction and for a bill payment (it is all applied)."""
    if txn.voided:
        return Decimal(0)
    if txn.kind in CHARGES:
        return txn.total - books.applied_to(txn.txn_id)
    if txn.kind in CREDITS:
        return txn.total - books.credit_used(txn.txn_id)
    if txn.kind == "ReceivePayment":
        return txn.total - txn.applied_by_payments
    return Decimal(0)


def entity_balance(books: Books, entity_id: str) -> Decimal:
    """A customer's or vendor's Balance: open charges less open credits and unused payments."""
    balance = Decimal(0)
    for txn in books.of_entity(entity_id):
        if txn.kind in CHARGES:
            balance += open_amount(books, txn)
        elif txn.kind in CREDITS or txn.kind == "ReceivePayment":
            balance -= open_amount(books, txn)
    return balance


def check_credit(books: Books, credit_id: str, used: Decimal, entity_id: str, kind: str,
                 field: str = "SetCredit applied amount") -> Txn:
    """A credit memo or vendor credit of ``entity_id`` that has ``used`` left, or the status QuickBooks answers."""
    credit = books.txns.get(credit_id)
    if credit is None or credit.kind != kind or credit.entity_id != entity_id:
        raise QbStatus.not_found(credit_id)
    if used > open_amount(books, credit):
        raise QbStatus.invalid_value(field, f"{used:.2f}", "You cannot apply more than the credit remaining.")
    return credit
