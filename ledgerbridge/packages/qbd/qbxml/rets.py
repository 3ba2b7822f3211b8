"""Typed readers of the Ret elements ledgerbridge uses: list objects, transactions with their lines and links,
payments with what they apply to, and deleted transactions.

Each QuickBooks transaction says its total and what is left in its own words, read here into one shape
(:class:`TxnRecord`): an invoice has ``Subtotal`` + ``SalesTaxTotal`` (no TotalAmount) and ``BalanceRemaining``;
a credit memo ``TotalAmount`` and ``CreditRemaining``; a bill ``AmountDue`` (its amount, despite the name) and
``OpenAmount``; a vendor credit ``CreditAmount`` and ``OpenAmount`` (Intuit's XSD and OSR). Money is Decimal as
QuickBooks wrote it; times are aware UTC.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from ledgerbridge.packages.qbd.qbxml.nodes import Element
from ledgerbridge.packages.qbd.qbxml.values import parse_amount, parse_bool, parse_date, parse_datetime

__all__ = ["AppliedTo", "DeletedTxn", "LinkedTxn", "ListRecord", "PaymentRecord", "RefValue", "TxnLine",
           "TxnRecord", "child_text", "first_child", "read_deleted", "read_list", "read_payment", "read_ref",
           "read_txn", "read_txn_total"]

ZERO = Decimal(0)


@dataclass(frozen=True, slots=True)
class RefValue:
    """A reference as QuickBooks answered it (both parts are usually there)."""

    list_id: str | None
    full_name: str | None


@dataclass(frozen=True, slots=True)
class ListRecord:
    kind: str  # the Ret's name without "Ret": Customer, Vendor, Employee, OtherName, ItemService, Account...
    list_id: str
    edit_sequence: str | None
    name: str | None
    full_name: str | None
    is_active: bool
    time_modified: datetime | None
    external_guid: str | None
    element: Element


@dataclass(frozen=True, slots=True)
class TxnLine:
    kind: str  # InvoiceLine, CreditMemoLine, ExpenseLine, ItemLine
    txn_line_id: str
    item: RefValue | None
    account: RefValue | None
    desc: str | None
    quantity: Decimal | None
    rate: Decimal | None  # Rate on sales lines, Cost on item lines
    amount: Decimal | None
    tax_amount: Decimal | None
    sales_tax_code: RefValue | None


@dataclass(frozen=True, slots=True)
class LinkedTxn:
    """A transaction linked to this one (a payment, a credit memo, a bill payment), with the amount it moved
    (QuickBooks writes amounts applied to an invoice as negatives)."""

    txn_id: str
    txn_type: str
    txn_date: date | None
    ref_number: str | None
    amount: Decimal


@dataclass(frozen=True, slots=True)
class TxnRecord:
    kind: str  # Invoice, CreditMemo, Bill, VendorCredit
    txn_id: str
    edit_sequence: str | None
    txn_number: int | None
    ref_number: str | None
    txn_date: date | None
    party: RefValue | None  # CustomerRef or VendorRef
    currency: RefValue | None
    exchange_rate: Decimal | None
    subtotal: Decimal | None
    sales_tax_total: Decimal | None
    total: Decimal
    open_amount: Decimal  # what is left to pay (or, on a credit, to spend)
    is_paid: bool | None
    memo: str | None
    time_created: datetime | None
    time_modified: datetime | None
    external_guid: str | None
    lines: tuple[TxnLine, ...]
    linked: tuple[LinkedTxn, ...]
    element: Element

    @property
    def voided(self) -> bool:
        """QuickBooks voids by zeroing the amounts and writing "VOID:" before the memo."""
        return self.total == 0 and (self.memo or "").upper().startswith("VOID")

    def line_ids(self, kind: str | None = None) -> tuple[str, ...]:
        """The TxnLineIDs a Mod's :class:`~.line_plan.LinePlan` starts from (of one kind of line on a bill)."""
        return tuple(line.txn_line_id for line in self.lines if kind is None or line.kind == kind)


@dataclass(frozen=True, slots=True)
class AppliedTo:
    """What a payment did to one transaction: ``amount`` of money, and credits spent on it (``linked``)."""

    txn_id: str
    txn_type: str
    txn_date: date | None
    ref_number: str | None
    balance_remaining: Decimal | None
    amount: Decimal
    discount_amount: Decimal | None
    linked: tuple[LinkedTxn, ...]


@dataclass(frozen=True, slots=True)
class PaymentRecord:
    kind: str  # ReceivePayment, BillPaymentCheck, BillPaymentCreditCard
    txn_id: str
    edit_sequence: str | None
    txn_date: date | None
    ref_number: str | None
    party: RefValue | None  # CustomerRef or PayeeEntityRef
    amount: Decimal  # TotalAmount, or a bill payment's Amount
    unused_payment: Decimal  # a received payment's amount applied to nothing (a credit on the customer)
    unused_credits: Decimal
    account: RefValue | None  # DepositToAccountRef, BankAccountRef or CreditCardAccountRef
    payment_method: RefValue | None
    currency: RefValue | None
    memo: str | None
    time_modified: datetime | None
    external_guid: str | None
    applied: tuple[AppliedTo, ...]
    element: Element


@dataclass(frozen=True, slots=True)
class DeletedTxn:
    kind: str
    txn_id: str
    ref_number: str | None
    time_deleted: datetime | None


def first_child(element: Element, tag: str) -> Element | None:
    """``element.find(tag)`` for a plain tag, at half its cost: lxml's ``find`` goes through its path machinery
    each time, where ``iterchildren`` walks the children in C (a read-back reads some twenty fields of each of
    10,000 Rets)."""
    for found in element.iterchildren(tag):
        return found
    return None


def child_text(element: Element, tag: str) -> str | None:
    """The text of ``element``'s first ``tag`` child; None without one, or when it is empty."""
    found = first_child(element, tag)
    return found.text if found is not None and found.text is not None else None


_text = child_text


def _amount(element: Element, tag: str) -> Decimal | None:
    return parse_amount(_text(element, tag))


def read_ref(element: Element, tag: str) -> RefValue | None:
    found = first_child(element, tag)
    if found is None:
        return None
    return RefValue(_text(found, "ListID"), _text(found, "FullName"))


def read_list(ret: Element) -> ListRecord:
    """A list object's identity: ListID, EditSequence (for a Mod), name, state, ExternalGUID."""
    return ListRecord(
        kind=str(ret.tag).removesuffix("Ret"), list_id=_text(ret, "ListID") or "",
        edit_sequence=_text(ret, "EditSequence"), name=_text(ret, "Name"), full_name=_text(ret, "FullName"),
        is_active=parse_bool(_text(ret, "IsActive")) is not False,
        time_modified=parse_datetime(_text(ret, "TimeModified")), external_guid=_text(ret, "ExternalGUID"),
        element=ret)


def _linked(element: Element) -> tuple[LinkedTxn, ...]:
    return tuple(LinkedTxn(_text(link, "TxnID") or "", _text(link, "TxnType") or "",
                           parse_date(_text(link, "TxnDate")), _text(link, "RefNumber"),
                           _amount(link, "Amount") or ZERO)
                 for link in element.findall("LinkedTxn"))


_LINE_TAGS = ("InvoiceLineRet", "CreditMemoLineRet", "ExpenseLineRet", "ItemLineRet")


def _lines(ret: Element) -> tuple[TxnLine, ...]:
    out = []
    for line in ret:
        if line.tag not in _LINE_TAGS:
            continue  # group lines, discount/tax/shipping lines: not ledgerbridge's
        rate = _amount(line, "Rate")
        out.append(TxnLine(
            kind=str(line.tag).removesuffix("Ret"), txn_line_id=_text(line, "TxnLineID") or "",
            item=read_ref(line, "ItemRef"), account=read_ref(line, "AccountRef"),
            desc=_text(line, "Desc") or _text(line, "Memo"), quantity=_amount(line, "Quantity"),
            rate=rate if rate is not None else _amount(line, "Cost"), amount=_amount(line, "Amount"),
            tax_amount=_amount(line, "TaxAmount"), sales_tax_code=read_ref(line, "SalesTaxCodeRef")))
    return tuple(out)


class _Children:
    """A Ret's children by tag, the first of each (as ``find`` gives it), walked once: a header read asks some
    twenty tags, most of them absent from a read-back's short Ret, and each ``find`` walked the children again."""

    __slots__ = ("_by_tag",)

    def __init__(self, element: Element) -> None:
        by_tag: dict[object, Element] = {}
        for child in element:
            by_tag.setdefault(child.tag, child)
        self._by_tag = by_tag

    def text(self, tag: str) -> str | None:
        found = self._by_tag.get(tag)
        return found.text if found is not None and found.text is not None else None

    def amount(self, tag: str) -> Decimal | None:
        return parse_amount(self.text(tag))

    def ref(self, tag: str) -> RefValue | None:
        found = self._by_tag.get(tag)
        return None if found is None else RefValue(_text(found, "ListID"), _text(found, "FullName"))


def _totals(kind: str, ret: _Children) -> tuple[Decimal, Decimal]:
    """(total, open amount) in the transaction's own words (module docstring)."""
    if kind == "Invoice":
        total = (ret.amount("Subtotal") or ZERO) + (ret.amount("SalesTaxTotal") or ZERO)
        return total, ret.amount("BalanceRemaining") or ZERO
    if kind == "CreditMemo":
        return ret.amount("TotalAmount") or ZERO, ret.amount("CreditRemaining") or ZERO
    if kind == "Bill":
        return ret.amount("AmountDue") or ZERO, ret.amount("OpenAmount") or ZERO
    if kind == "VendorCredit":
        return ret.amount("CreditAmount") or ZERO, ret.amount("OpenAmount") or ZERO
    raise ValueError(f"not a document Ret: {kind}Ret")


def read_txn(ret: Element, lines: bool = True) -> TxnRecord:
    """An InvoiceRet, CreditMemoRet, BillRet or VendorCreditRet (``lines`` False: its header only, no lines and no
    linked transactions, for a caller that reads only the ids and totals: the lines are most of the cost)."""
    kind = str(ret.tag).removesuffix("Ret")
    fields = _Children(ret)
    total, open_amount = _totals(kind, fields)
    number = fields.text("TxnNumber")
    return TxnRecord(
        kind=kind, txn_id=fields.text("TxnID") or "", edit_sequence=fields.text("EditSequence"),
        txn_number=int(number) if number and number.strip().isdigit() else None,
        ref_number=fields.text("RefNumber"), txn_date=parse_date(fields.text("TxnDate")),
        party=fields.ref("CustomerRef") or fields.ref("VendorRef"), currency=fields.ref("CurrencyRef"),
        exchange_rate=fields.amount("ExchangeRate"), subtotal=fields.amount("Subtotal"),
        sales_tax_total=fields.amount("SalesTaxTotal"), total=total, open_amount=open_amount,
        is_paid=parse_bool(fields.text("IsPaid")), memo=fields.text("Memo"),
        time_created=parse_datetime(fields.text("TimeCreated")),
        time_modified=parse_datetime(fields.text("TimeModified")), external_guid=fields.text("ExternalGUID"),
        lines=_lines(ret) if lines else (), linked=_linked(ret) if lines else (), element=ret)


def read_txn_total(ret: Element) -> tuple[str, str | None, Decimal]:
    """A document Ret's TxnID, RefNumber and total, all an Add's outcome reads (an upload reads one per document:
    :func:`read_txn` reads some twenty fields more)."""
    fields = _Children(ret)
    return fields.text("TxnID") or "", fields.text("RefNumber"), _totals(str(ret.tag).removesuffix("Ret"), fields)[0]


def read_payment(ret: Element) -> PaymentRecord:
    """A ReceivePaymentRet, BillPaymentCheckRet or BillPaymentCreditCardRet with its AppliedToTxnRet lines."""
    kind = str(ret.tag).removesuffix("Ret")
    applied = tuple(AppliedTo(
        txn_id=_text(a, "TxnID") or "", txn_type=_text(a, "TxnType") or "", txn_date=parse_date(_text(a, "TxnDate")),
        ref_number=_text(a, "RefNumber"), balance_remaining=_amount(a, "BalanceRemaining"),
        amount=_amount(a, "Amount") or ZERO, discount_amount=_amount(a, "DiscountAmount"), linked=_linked(a))
        for a in ret.findall("AppliedToTxnRet"))
    amount = _amount(ret, "TotalAmount")
    return PaymentRecord(
        kind=kind, txn_id=_text(ret, "TxnID") or "", edit_sequence=_text(ret, "EditSequence"),
        txn_date=parse_date(_text(ret, "TxnDate")), ref_number=_text(ret, "RefNumber"),
        party=read_ref(ret, "CustomerRef") or read_ref(ret, "PayeeEntityRef"),
        amount=amount if amount is not None else (_amount(ret, "Amount") or ZERO),
        unused_payment=_amount(ret, "UnusedPayment") or ZERO, unused_credits=_amount(ret, "UnusedCredits") or ZERO,
        account=(read_ref(ret, "DepositToAccountRef") or read_ref(ret, "BankAccountRef")
                 or read_ref(ret, "CreditCardAccountRef")),
        payment_method=read_ref(ret, "PaymentMethodRef"), currency=read_ref(ret, "CurrencyRef"),
        memo=_text(ret, "Memo"), time_modified=parse_datetime(_text(ret, "TimeModified")),
        external_guid=_text(ret, "ExternalGUID"), applied=applied, element=ret)


def read_deleted(ret: Element) -> DeletedTxn:
    """A TxnDeletedRet."""
    return DeletedTxn(_text(ret, "TxnDelType") or "", _text(ret, "TxnID") or "", _text(ret, "RefNumber"),
                      parse_datetime(_text(ret, "TimeDeleted")))
