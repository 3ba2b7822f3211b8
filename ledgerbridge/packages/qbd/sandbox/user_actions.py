"""What a QuickBooks user does by hand in the company, for the books page and the admin API: receive a payment,
pay a bill, use a credit, void, delete a payment, add a line to an invoice; and the views those pages show.

Each action is the qbXML request QuickBooks' own forms amount to, run through the company's handlers
(:meth:`.company.QuickBooksCompany.run_as_user`), so the user meets the same rules as an application: paying more
than is due is refused with QuickBooks' 3210 text, a paid invoice is not voided under its payment.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from lxml import etree

from .balances import open_amount
from .company import QuickBooksCompany
from .context import Context
from .elements import Element, amount
from .store import Txn

__all__ = ["ActionRefused", "add_line", "apply_credit", "books_view", "delete_payment", "pay_bill", "pay_bill_by_card",
           "receive_payment", "void"]


class ActionRefused(ValueError):
    """QuickBooks (or the form) refused the action; ``code`` is QuickBooks' status code (0 for a form error)."""

    def __init__(self, message: str, code: int = 0) -> None:
        super().__init__(message)
        self.code = code


@dataclass(frozen=True, slots=True)
class Done:
    txn_id: str
    message: str


def _el(tag: str, *content: str | Element) -> Element:
    node = etree.Element(tag)
    for part in content:
        if isinstance(part, str):
            node.text = part
        else:
            node.append(part)
    return node


def money(value: Any, field: str = "amount") -> Decimal:
    try:
        parsed = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise ActionRefused(f"{field} must be a number, not {value!r}") from None
    if parsed < 0 or parsed != parsed.quantize(Decimal("0.01")):
        raise ActionRefused(f"{field} must be a positive amount with at most two decimals, not {value!r}")
    return parsed


def _txn(company: QuickBooksCompany, txn_id: str, kinds: tuple[str, ...]) -> Txn:
    txn = company.books.txns.get(txn_id)
    if txn is None or txn.kind not in kinds:
        raise ActionRefused(f"no {' or '.join(kinds)} with TxnID {txn_id!r}")
    return txn


def _run(company: QuickBooksCompany, request: Element) -> Done:
    answer = company.run_as_user(request)
    if answer.status.is_error:
        raise ActionRefused(answer.status.message, answer.status.code)
    for ret in answer.rets:  # a Ret holding TxnID, or (TxnDelRs, TxnVoidRs) TxnID itself
        txn_id = ret.text if ret.tag == "TxnID" else ret.findtext("TxnID")
        if txn_id:
            return Done(txn_id, answer.status.message)
    return Done("", answer.status.message)


def _dated(day: str | None) -> list[Element]:
    if not day:
        return []
    try:
        return [_el("TxnDate", date.fromisoformat(day).isoformat())]
    except ValueError:
        raise ActionRefused(f"date must be YYYY-MM-DD, not {day!r}") from None


def receive_payment(company: QuickBooksCompany, invoice_id: str, paid: Decimal, total: Decimal | None = None,
                    day: str | None = None, reference: str | None = None, method: str | None = None) -> Done:
    """Receive Payments against one invoice: ``paid`` applied to it, ``total`` received (the rest unapplied)."""
    invoice = _txn(company, invoice_id, ("Invoice",))
    parts: list[Element] = [_el("CustomerRef", _el("ListID", invoice.entity_id)), *_dated(day)]
    if reference:
        parts.append(_el("RefNumber", reference[:20]))
    parts.append(_el("TotalAmount", amount(paid if total is None else total)))
    if method:
        parts.append(_el("PaymentMethodRef", _el("FullName", method)))
    parts.append(_el("AppliedToTxnAdd", _el("TxnID", invoice_id), _el("PaymentAmount", amount(paid))))
    return _run(company, _el("ReceivePaymentAddRq", _el("ReceivePaymentAdd", *parts)))


def apply_credit(company: QuickBooksCompany, credit_id: str, invoice_id: str, used: Decimal) -> Done:
    """Apply a credit memo to an invoice (a payment of nothing that sets the credit against it), or a vendor
    credit to a bill (Pay Bills with "Set Credits": a bill payment cheque of nothing from the first bank account,
    not to be printed)."""
    credit = _txn(company, credit_id, ("CreditMemo", "VendorCredit"))
    purchase = credit.kind == "VendorCredit"
    target = _txn(company, invoice_id, ("Bill",) if purchase else ("Invoice",))
    applied = _el("AppliedToTxnAdd", _el("TxnID", invoice_id), _el("PaymentAmount", "0.00"),
                  _el("SetCredit", _el("CreditTxnID", credit_id), _el("AppliedAmount", amount(used))))
    if purchase:
        bank = next(obj.full_name for obj in company.books.of_kinds(("Account",)) if obj.text("AccountType") == "Bank")
        return _run(company, _el("BillPaymentCheckAddRq", _el("BillPaymentCheckAdd", _el(
            "PayeeEntityRef", _el("ListID", target.entity_id)), _el("BankAccountRef", _el("FullName", bank)),
            _el("IsToBePrinted", "false"), applied)))
    return _run(company, _el("ReceivePaymentAddRq", _el("ReceivePaymentAdd", _el(
        "CustomerRef", _el("ListID", target.entity_id)), _el("TotalAmount", "0.00"), applied)))


def pay_bill(company: QuickBooksCompany, bill_id: str, paid: Decimal, day: str | None = None,
             reference: str | None = None, bank_account: str | None = None) -> Done:
    """Pay Bills by check from the bank account (the first Bank account by default)."""
    bill = _txn(company, bill_id, ("Bill",))
    bank = bank_account or next(obj.full_name for obj in company.books.of_kinds(("Account",))
                                 if obj.text("AccountType") == "Bank")
    parts = [_el("PayeeEntityRef", _el("ListID", bill.entity_id)), *_dated(day),
             _el("BankAccountRef", _el("FullName", bank)),
             _el("RefNumber", (reference or "")[:11]) if reference else _el("IsToBePrinted", "false"),
             _el("AppliedToTxnAdd", _el("TxnID", bill_id), _el("PaymentAmount", amount(paid)))]
    return _run(company, _el("BillPaymentCheckAddRq", _el("BillPaymentCheckAdd", *parts)))


def pay_bill_by_card(company: QuickBooksCompany, bill_id: str, paid: Decimal, day: str | None = None,
                     reference: str | None = None, card_account: str | None = None) -> Done:
    """Pay Bills by credit card (the first credit card account by default)."""
    bill = _txn(company, bill_id, ("Bill",))
    card = card_account or next(obj.full_name for obj in company.books.of_kinds(("Account",))
                                 if obj.text("AccountType") == "CreditCard")
    parts = [_el("PayeeEntityRef", _el("ListID", bill.entity_id)), *_dated(day),
             _el("CreditCardAccountRef", _el("FullName", card)),
             *([_el("RefNumber", reference[:11])] if reference else []),
             _el("AppliedToTxnAdd", _el("TxnID", bill_id), _el("PaymentAmount", amount(paid)))]
    return _run(company, _el("BillPaymentCreditCardAddRq", _el("BillPaymentCreditCardAdd", *parts)))


def delete_payment(company: QuickBooksCompany, payment_id: str) -> Done:
    payment = _txn(company, payment_id, ("ReceivePayment", "BillPaymentCheck", "BillPaymentCreditCard"))
    return _run(company, _el("TxnDelRq", _el("TxnDelType", payment.kind), _el("TxnID", payment_id)))


def void(company: QuickBooksCompany, txn_id: str) -> Done:
    txn = _txn(company, txn_id, ("Invoice", "CreditMemo", "Bill", "VendorCredit", "BillPaymentCheck",
                                 "BillPaymentCreditCard"))
    return _run(company, _el("TxnVoidRq", _el("TxnVoidType", txn.kind), _el("TxnID", txn_id)))


def add_line(company: QuickBooksCompany, invoice_id: str, net: Decimal, description: str = "Added in QuickBooks",
             item: str | None = None) -> Done:
    """Edit the invoice: one more line of ``net`` (QuickBooks adds its tax), every existing line kept."""
    invoice = _txn(company, invoice_id, ("Invoice",))
    keep = [_el("InvoiceLineMod", _el("TxnLineID", line.line_id)) for line in invoice.lines]
    item_name = item or next(obj.full_name for obj in company.books.of_kinds(("ItemService",)))
    added = _el("InvoiceLineMod", _el("TxnLineID", "-1"), _el("ItemRef", _el("FullName", item_name)),
                _el("Desc", description), _el("Amount", amount(net)))
    mod = _el("InvoiceMod", _el("TxnID", invoice_id), _el("EditSequence", invoice.edit_sequence), *keep, added)
    return _run(company, _el("InvoiceModRq", mod))


def _row(ctx: Context, txn: Txn) -> dict[str, Any]:
    party = ctx.books.lists.get(txn.entity_id)
    row: dict[str, Any] = {"txn_id": txn.txn_id, "kind": txn.kind, "ref_number": txn.ref_number,
                           "party": party.full_name if party else "", "date": txn.txn_date.isoformat(),
                           "total": amount(txn.total), "edit_sequence": txn.edit_sequence, "voided": txn.voided}
    if txn.kind in ("Invoice", "Bill", "CreditMemo", "VendorCredit", "ReceivePayment"):
        row["open"] = amount(open_amount(ctx.books, txn))
    if txn.applications:
        row["applied"] = [{"txn_id": a.target_id, "amount": amount(a.amount),
                           "credits": [{"txn_id": c, "amount": amount(u)} for c, u in a.credits]}
                          for a in txn.applications]
    return row


def books_view(company: QuickBooksCompany) -> dict[str, Any]:
    """Everything the books page and ``GET /sandbox/books`` show, read under the company's lock."""
    def read(ctx: Context) -> dict[str, Any]:
        txns = sorted(ctx.books.txns.values(), key=lambda t: (t.txn_date, t.txn_number))
        names = [{"list_id": o.list_id, "kind": o.kind, "name": o.full_name, "active": o.is_active}
                 for o in ctx.books.lists.values() if o.kind in ("Customer", "Vendor", "Employee", "OtherName")]
        return {
            "company": {"name": ctx.config.name, "edition": ctx.config.flavour, "currency": ctx.config.currency,
                        "product": ctx.config.product_name, "max_qbxml_version": ctx.config.max_qbxml_version},
            "names": names,
            "transactions": [_row(ctx, txn) for txn in txns],
            "deleted": [{"kind": d.kind, "txn_id": d.txn_id, "ref_number": d.ref_number,
                         "deleted": d.deleted.isoformat()} for d in ctx.books.deleted],
        }

    result = company.read(read)
    assert isinstance(result, dict)
    return result
