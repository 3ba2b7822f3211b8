"""Money against invoices and bills: ``ReceivePaymentAdd`` (with ``AppliedToTxnAdd`` and ``SetCredit``) and
``BillPaymentCheckAdd``.

How ledgerbridge's money maps onto QuickBooks Desktop (Intuit's ReceivePaymentAdd reference):
* a payment of invoices: ``TotalAmount`` and one ``AppliedToTxnAdd`` (``PaymentAmount``) per invoice;
* a prepayment (a deposit before the invoice): a payment applied to nothing (``IsAutoApply false``); what it does
  not pay stays on the customer as ``UnusedPayment``, which QuickBooks treats as a credit;
* applying that credit, or a credit memo, to an invoice later: a payment of ``TotalAmount 0`` whose
  ``AppliedToTxnAdd`` names the invoice and carries ``SetCredit`` (the credit's TxnID and the amount);
* a payment sent in the same message as its invoice names it by ``useMacro`` (``TxnRef(macro=...)``);
* a vendor credit spent on a bill: a ``BillPaymentCheckAdd`` whose ``AppliedToTxnAdd`` names the bill and carries
  ``SetCredit`` (no ``PaymentAmount``, not to be printed): QuickBooks' Pay Bills with "Set Credits" and nothing
  paid (13.0 and 16.0 alike).
RefNumber holds 20 characters on a received payment and 11 on a bill payment cheque.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from ledgerbridge.packages.qbd.qbxml.common import SetCredit, write_set_credit
from ledgerbridge.packages.qbd.qbxml.nodes import Element, Macro, Node, TxnRef, def_macro, request_node
from ledgerbridge.packages.qbd.qbxml.values import QbxmlValueError, Ref, TxnTarget

__all__ = ["AppliedToTxn", "BillPayment", "ReceivePayment", "bill_payment_check_add", "receive_payment_add",
           "receive_payment_mod"]

RECEIVE_PAYMENT_REF_MAX = 20
BILL_PAYMENT_REF_MAX = 11


@dataclass(frozen=True, slots=True)
class AppliedToTxn:
    """What a payment does to one invoice (or bill): pays ``payment_amount`` and spends ``set_credits`` on it."""

    txn: TxnRef
    payment_amount: Decimal | None = None
    set_credits: tuple[SetCredit, ...] = ()
    discount_amount: Decimal | None = None
    discount_account: Ref | None = None

    def __post_init__(self) -> None:
        if self.payment_amount is None and not self.set_credits and self.discount_amount is None:
            raise QbxmlValueError("AppliedToTxnAdd", "applies nothing: give a payment amount, a credit or a discount")
        if self.payment_amount is not None and self.payment_amount < 0:
            raise QbxmlValueError("AppliedToTxnAdd/PaymentAmount", f"{self.payment_amount} is negative")
        if self.discount_amount is not None and self.discount_account is None:
            raise QbxmlValueError("AppliedToTxnAdd/DiscountAccountRef", "a discount needs its account")


@dataclass(frozen=True, slots=True)
class ReceivePayment:
    customer: Ref
    total_amount: Decimal
    txn_date: date | None = None
    ref_number: str | None = None
    ar_account: Ref | None = None
    exchange_rate: Decimal | None = None
    payment_method: Ref | None = None
    memo: str | None = None
    deposit_to_account: Ref | None = None  # None: QuickBooks' Undeposited Funds
    applied: tuple[AppliedToTxn, ...] = field(default=())  # empty: applied to nothing (a prepayment)


@dataclass(frozen=True, slots=True)
class BillPayment:
    """A bill paid by cheque (or bank transfer, which QuickBooks records as a cheque)."""

    payee: Ref
    bank_account: Ref
    applied: tuple[AppliedToTxn, ...]
    txn_date: date | None = None
    ref_number: str | None = None  # None: "to be printed", or with ``to_be_printed`` False no cheque number at all
    ap_account: Ref | None = None
    memo: str | None = None
    exchange_rate: Decimal | None = None
    # Without a RefNumber the XSD's choice needs IsToBePrinted: true queues a cheque to print; false is what Pay
    # Bills writes when only a vendor credit is spent (no cheque, no number).
    to_be_printed: bool = True


def _applied(node: Node, applied: Sequence[AppliedToTxn], tag: str = "AppliedToTxnAdd") -> None:
    for n, apply in enumerate(applied, 1):
        block = node.child(tag, n)
        block.txn("TxnID", apply.txn)
        block.amount("PaymentAmount", apply.payment_amount)
        for m, credit in enumerate(apply.set_credits, 1):
            write_set_credit(block, credit, m)
        block.amount("DiscountAmount", apply.discount_amount)
        block.ref("DiscountAccountRef", apply.discount_account)


def _check_total(where: str, total: Decimal, applied: Sequence[AppliedToTxn]) -> None:
    if total < 0:
        raise QbxmlValueError(f"{where}/TotalAmount", f"{total} is negative")
    paid = sum((a.payment_amount or Decimal(0) for a in applied), Decimal(0))
    if paid > total:
        raise QbxmlValueError(f"{where}/AppliedToTxnAdd", f"applies {paid}, more than the payment's {total}")


def receive_payment_add(payment: ReceivePayment, *, external_guid: str, request_id: str,
                        macro: Macro | None = None) -> Element:
    _check_total("ReceivePaymentAdd", payment.total_amount, payment.applied)
    rq = request_node("ReceivePaymentAddRq", request_id)
    add = rq.child("ReceivePaymentAdd")
    def_macro(add, macro)
    add.ref("CustomerRef", payment.customer)
    add.ref("ARAccountRef", payment.ar_account)
    add.day("TxnDate", payment.txn_date)
    add.text("RefNumber", payment.ref_number, RECEIVE_PAYMENT_REF_MAX)
    add.amount("TotalAmount", payment.total_amount)
    add.rate("ExchangeRate", payment.exchange_rate)
    add.ref("PaymentMethodRef", payment.payment_method)
    add.text("Memo", payment.memo, 4095)
    add.ref("DepositToAccountRef", payment.deposit_to_account)
    add.guid("ExternalGUID", external_guid)
    if payment.applied:
        _applied(add, payment.applied)
    else:  # the XSD's choice needs one of the two: "applied to nothing" is IsAutoApply false
        add.flag("IsAutoApply", False)
    return rq.element


def bill_payment_check_add(payment: BillPayment, *, external_guid: str, request_id: str,
                           macro: Macro | None = None) -> Element:
    if not payment.applied:
        raise QbxmlValueError("BillPaymentCheckAdd", "a bill payment applies to at least one bill")
    rq = request_node("BillPaymentCheckAddRq", request_id)
    add = rq.child("BillPaymentCheckAdd")
    def_macro(add, macro)
    add.ref("PayeeEntityRef", payment.payee)
    add.ref("APAccountRef", payment.ap_account)
    add.day("TxnDate", payment.txn_date)
    add.ref("BankAccountRef", payment.bank_account)
    if payment.ref_number is None:
        add.flag("IsToBePrinted", payment.to_be_printed)
    else:
        add.text("RefNumber", payment.ref_number, BILL_PAYMENT_REF_MAX)
    add.text("Memo", payment.memo, 4095)
    add.rate("ExchangeRate", payment.exchange_rate)
    add.guid("ExternalGUID", external_guid)
    _applied(add, payment.applied)
    return rq.element


def receive_payment_mod(target: TxnTarget, applied: Sequence[AppliedToTxn], *, request_id: str) -> Element:
    """``ReceivePaymentModRq`` that changes only what the payment is applied to: QuickBooks replaces the payment's
    applications with the ``AppliedToTxnMod`` sent, so ``applied`` must hold those it keeps as well as the new
    ones (a prepayment's unused amount applied to an invoice later: the payment's own applications grow, as
    QuickBooks' Receive Payments window does it). Its total stays."""
    if not applied:
        raise QbxmlValueError("ReceivePaymentMod/AppliedToTxnMod", "send every application the payment keeps")
    rq = request_node("ReceivePaymentModRq", request_id)
    mod = rq.child("ReceivePaymentMod")
    mod.ident("TxnID", target.txn_id)
    mod.text("EditSequence", target.edit_sequence)
    _applied(mod, applied, "AppliedToTxnMod")
    return rq.element
