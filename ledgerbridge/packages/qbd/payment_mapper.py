"""Payments and allocations made here, to the qbXML builders' inputs (issue 5's flows on QuickBooks Desktop).

* A prepayment (a deposit against an order, R-E6): a ``ReceivePayment`` applied to nothing; QuickBooks keeps it as
  the customer's ``UnusedPayment``, a credit.
* A payment of one invoice (payments both ways): a ``ReceivePayment`` applied to the invoice by TxnID, or, when the
  invoice goes in the same message, by the invoice Add's macro (``macro``).
* A payment of a bill: a ``BillPaymentCheck`` from the bank account.
* An allocation (a prepayment, overpayment or credit note applied to an invoice, R-X1): a ``ReceivePayment`` of
  zero whose ``AppliedToTxnAdd`` names the invoice and spends the credit with ``SetCredit``: QuickBooks Desktop
  applies credits only inside a payment.
* A supplier credit (vendor credit) applied to a bill: the same inside a bill payment, a ``BillPaymentCheck`` of
  nothing whose ``AppliedToTxnAdd`` names the bill and spends the vendor credit with ``SetCredit``, not to be
  printed. Its payee is the vendor credit's own vendor (a party in both roles has a customer and a vendor here),
  its bank account one of the chart's: QuickBooks needs one on every cheque, though no money moves.
The reference is our host id (cut to the field: 20 on a received payment, 11 on a cheque), as QuickBooks Online's
connector does, so an import recognises our own payments; every Add carries the ExternalGUID of its key.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

from ledgerbridge.connectors.protocol import AllocationExport, PaymentExport
from ledgerbridge.packages.qbd.limits import BILL_PAYMENT_REF_MAX, RECEIVE_PAYMENT_REF_MAX
from ledgerbridge.packages.qbd.mapper import MappingError
from ledgerbridge.packages.qbd.qbxml.common import SetCredit
from ledgerbridge.packages.qbd.qbxml.nodes import Element, Macro, TxnRef
from ledgerbridge.packages.qbd.qbxml.payments import (
    AppliedToTxn,
    BillPayment,
    ReceivePayment,
    bill_payment_check_add,
    receive_payment_add,
)
from ledgerbridge.packages.qbd.qbxml.values import QbxmlValueError, Ref, external_guid

__all__ = ["allocation_request", "payment_reference", "payment_request", "vendor_credit_request"]


def payment_reference(item: PaymentExport) -> str:
    """The RefNumber our payment carries: its host id, cut to what the field holds."""
    return item.host_id[:BILL_PAYMENT_REF_MAX if item.direction == "out" else RECEIVE_PAYMENT_REF_MAX]


def _memo(item: PaymentExport) -> str:
    return f"{item.label}" + (f": {item.reference}" if item.reference else "")


def payment_request(item: PaymentExport, account: Callable[[str], Ref], *, request_id: str,
                    macro: Macro | None = None) -> Element:
    """The Add for a payment made here. ``account``: the chart code's Ref (the bank account);
    ``macro``: the invoice (or bill) Add earlier in the same message that this payment pays."""
    target = TxnRef(macro=macro) if macro is not None else (
        TxnRef(item.document_external_id) if item.document_external_id else None)
    guid = external_guid(item.idempotency_key)
    try:
        if item.direction == "out":
            if target is None:
                raise MappingError(f"{item.label}: a payment to a supplier must name the bill it pays")
            bill_payment = BillPayment(
                payee=Ref(list_id=item.party_external_id), bank_account=account(item.bank_account_code),
                applied=(AppliedToTxn(target, item.amount),), txn_date=item.payment_date,
                ref_number=payment_reference(item), memo=_memo(item))
            return bill_payment_check_add(bill_payment, external_guid=guid, request_id=request_id)
        if item.kind == "invoice_payment" and target is None:
            raise MappingError(f"{item.label}: an invoice payment must name the invoice it pays")
        applied = (AppliedToTxn(target, item.amount),) if item.kind == "invoice_payment" and target else ()
        payment = ReceivePayment(
            customer=Ref(list_id=item.party_external_id), total_amount=item.amount, txn_date=item.payment_date,
            ref_number=payment_reference(item), memo=_memo(item), deposit_to_account=account(item.bank_account_code),
            applied=applied)
        return receive_payment_add(payment, external_guid=guid, request_id=request_id)
    except QbxmlValueError as exc:
        raise MappingError(f"{item.label}: {exc}") from exc


def allocation_request(item: AllocationExport, *, key: str, request_id: str) -> Element:
    """Credit (a prepayment's or overpayment's unused amount, or a credit memo) applied to an invoice: a payment of
    zero that names the invoice and spends the credit. ``key``: the allocation's idempotency key."""
    if not item.party_external_id:
        raise MappingError(f"allocation {item.key}: QuickBooks Desktop applies credit in a payment of the customer, "
                           "and the customer is not known", "system")
    applied = AppliedToTxn(TxnRef(item.invoice_external_id),
                           set_credits=(SetCredit(TxnRef(item.source_external_id), item.amount),))
    payment = ReceivePayment(customer=Ref(list_id=item.party_external_id), total_amount=Decimal("0.00"),
                             txn_date=item.allocation_date, memo=f"ledgerbridge {item.source_kind.replace('_', ' ')}"
                             " applied", applied=(applied,))
    try:
        return receive_payment_add(payment, external_guid=external_guid(key), request_id=request_id)
    except QbxmlValueError as exc:
        raise MappingError(f"allocation {item.key}: {exc}") from exc


def vendor_credit_request(item: AllocationExport, *, vendor_id: str, bank_account: Ref, key: str,
                          request_id: str) -> Element:
    """A vendor credit applied to a bill: a bill payment of nothing that names the bill and spends the credit.
    ``vendor_id``: the vendor credit's vendor (ListID), ``bank_account``: the cheque's account (no money moves)."""
    applied = AppliedToTxn(TxnRef(item.invoice_external_id),
                           set_credits=(SetCredit(TxnRef(item.source_external_id), item.amount),))
    payment = BillPayment(payee=Ref(list_id=vendor_id), bank_account=bank_account, applied=(applied,),
                          txn_date=item.allocation_date, memo="ledgerbridge supplier credit applied",
                          to_be_printed=False)
    try:
        return bill_payment_check_add(payment, external_guid=external_guid(key), request_id=request_id)
    except QbxmlValueError as exc:
        raise MappingError(f"allocation {item.key}: {exc}") from exc
