"""Payments: ReceivePaymentAdd/Mod (a customer pays invoices), BillPaymentCheckAdd/Mod and
BillPaymentCreditCardAdd (the company pays bills), and their Rets.

Each ``AppliedToTxnAdd`` names an open invoice (bill) of the payer by TxnID (or ``useMacro`` for one added earlier
in the message) and applies ``PaymentAmount`` to it, plus ``SetCredit`` (a credit memo or vendor credit used
against it) and a discount. QuickBooks refuses to apply more than is due (3210, "You cannot pay more than the
amount due."), a TxnID it does not know (3120), a credit used beyond what is left. A customer payment's
``TotalAmount`` not applied stays with the customer as ``UnusedPayment`` (an unapplied payment); without
``TotalAmount`` the payment is what it applies; ``IsAutoApply`` applies it to the oldest open invoices. A bill
payment is what it applies. A Mod that sends ``AppliedToTxnMod`` replaces the applications with those it sends.
Deleting (or voiding) a payment reopens what it paid (:mod:`.deletes`).
"""

from __future__ import annotations

import copy
from decimal import Decimal

from .balances import check_credit, open_amount
from .context import Answer, Context, Handler
from .currency import currency_fields
from .elements import Element, Value, amount, as_bool, as_date, as_decimal, bool_text, date_text
from .refs import ref_element, resolve_refs
from .status import QbStatus
from .store import Application, Txn
from .txns import (
    base_fields,
    default_account,
    find_for_mod,
    header_fields,
    recovery_of_txn,
    touch,
    touch_applied,
    txn_date,
)

__all__ = ["HANDLERS", "payment_ret"]

_CUSTOMER = "ReceivePayment"
_PAYS = {"ReceivePayment": ("Invoice", "CreditMemo", "CustomerRef"),
         "BillPaymentCheck": ("Bill", "VendorCredit", "PayeeEntityRef"),
         "BillPaymentCreditCard": ("Bill", "VendorCredit", "PayeeEntityRef")}
_NOT_KEPT = frozenset({"TxnID", "EditSequence", "TxnDate", "RefNumber", "ExternalGUID", "TotalAmount", "Amount",
                       "IsAutoApply", "AppliedToTxnAdd", "AppliedToTxnMod"})
_DEFAULT_ACCOUNTS = {"ReceivePayment": (("ARAccountRef", "AccountsReceivable"),
                                        ("DepositToAccountRef", "OtherCurrentAsset")),
                     "BillPaymentCheck": (("APAccountRef", "AccountsPayable"),),
                     "BillPaymentCreditCard": (("APAccountRef", "AccountsPayable"),)}


def _applications(ctx: Context, kind: str, payer_id: str, nodes: list[Element],
                  replacing: Txn | None) -> list[Application]:
    """The applications ``nodes`` (AppliedToTxnAdd/Mod) ask for, checked against what is open; ``replacing`` is
    the payment a Mod changes (its own applications do not count against what is open)."""
    target_kind, credit_kind, _ = _PAYS[kind]
    if replacing is not None:
        ctx.books.unlink_payment(replacing)
    try:
        applications: list[Application] = []
        taken: dict[str, Decimal] = {}
        for node in nodes:
            target_id = node.findtext("TxnID") or ""
            target = ctx.books.txns.get(target_id)
            if target is None or target.kind != target_kind or target.entity_id != payer_id:
                raise QbStatus.not_found(target_id)
            paid = as_decimal(node.findtext("PaymentAmount") or "0")
            discount = as_decimal(node.findtext("DiscountAmount") or "0")
            credits = []
            for credit in node.findall("SetCredit"):
                credit_id = credit.findtext("CreditTxnID") or ""
                used = as_decimal(credit.findtext("AppliedAmount") or "0")
                check_credit(ctx.books, credit_id, used + taken.get(credit_id, Decimal(0)), payer_id, credit_kind)
                taken[credit_id] = taken.get(credit_id, Decimal(0)) + used
                credits.append((credit_id, used))
            application = Application(target_id, paid, credits, discount)
            already = sum((a.total for a in applications if a.target_id == target_id), Decimal(0))
            if application.total + already > open_amount(ctx.books, target):
                raise QbStatus.invalid_value("AppliedToTxnAdd payment amount", amount(paid),
                                             "You cannot pay more than the amount due.")
            applications.append(application)
        return applications
    finally:
        if replacing is not None:
            ctx.books.link_payment(replacing)


def _auto_apply(ctx: Context, payer_id: str, total: Decimal) -> list[Application]:
    """IsAutoApply: the payment goes to the customer's open invoices, oldest first."""
    applications = []
    invoices = sorted((t for t in ctx.books.of_entity(payer_id) if t.kind == "Invoice"),
                      key=lambda t: (t.txn_date, t.txn_number))
    for invoice in invoices:
        due = open_amount(ctx.books, invoice)
        if total <= 0:
            break
        if due > 0:
            paid = min(due, total)
            applications.append(Application(invoice.txn_id, paid))
            total -= paid
    return applications


def _check_total(kind: str, total: Decimal, applications: list[Application]) -> None:
    applied = sum((a.amount for a in applications), Decimal(0))
    if applied > total:
        raise QbStatus.invalid_value("TotalAmount", amount(total),
                                     "The amount applied cannot be more than the amount of the payment.")  # assumed


def _add(ctx: Context, request: Element) -> Answer:
    kind = str(request.tag)[:-len("AddRq")]
    sent = request.find(f"{kind}Add")
    assert sent is not None
    body = copy.deepcopy(sent)
    resolve_refs(ctx.books, body, kind)
    payer_id = body.findtext(f"{_PAYS[kind][2]}/ListID") or ""
    if kind == _CUSTOMER and as_bool(body.findtext("IsAutoApply")):
        total = as_decimal(body.findtext("TotalAmount") or "0")
        applications = _auto_apply(ctx, payer_id, total)
    else:
        applications = _applications(ctx, kind, payer_id, body.findall("AppliedToTxnAdd"), None)
        sent_total = body.findtext("TotalAmount") if kind == _CUSTOMER else None
        total = as_decimal(sent_total) if sent_total else sum((a.amount for a in applications), Decimal(0))
    _check_total(kind, total, applications)
    txn = Txn(kind, ctx.books.new_txn_id(ctx.now), ctx.books.new_txn_number(), ctx.now, ctx.now,
              ctx.books.new_edit_sequence(ctx.now), payer_id, txn_date(ctx, body), body.findtext("RefNumber"),
              external_guid=body.findtext("ExternalGUID"), total=total, applications=applications)
    header_fields(body, _NOT_KEPT, txn.fields)
    for tag, account_type in _DEFAULT_ACCOUNTS[kind]:
        account = default_account(ctx, account_type)
        if tag not in txn.fields and account is not None:
            txn.fields[tag] = ref_element(tag, account)
    ctx.books.add_txn(txn)
    ctx.books.link_payment(txn)
    touch_applied(ctx, txn)
    ctx.define_macro(sent, "TxnID", txn.txn_id)
    return Answer([payment_ret(ctx, txn, True)], recovery=recovery_of_txn(txn))


def _mod(ctx: Context, request: Element) -> Answer:
    kind = str(request.tag)[:-len("ModRq")]
    sent = request.find(f"{kind}Mod")
    assert sent is not None
    txn = find_for_mod(ctx, (kind,), sent.findtext("TxnID") or "", sent.findtext("EditSequence"))
    if txn.voided:
        raise QbStatus.modify_refused(kind, "A voided transaction cannot be changed.")
    body = copy.deepcopy(sent)
    resolve_refs(ctx.books, body, kind)
    payer_id = body.findtext(f"{_PAYS[kind][2]}/ListID") or txn.entity_id
    if payer_id != txn.entity_id and txn.applications and not body.findall("AppliedToTxnMod"):
        raise QbStatus.modify_refused(kind, "The payer cannot be changed while the payment is applied.")
    mods = body.findall("AppliedToTxnMod")
    applications = _applications(ctx, kind, payer_id, mods, txn) if mods else txn.applications
    sent_total = body.findtext("TotalAmount") if kind == _CUSTOMER else None
    if sent_total:
        total = as_decimal(sent_total)
    elif kind == _CUSTOMER:
        total = txn.total
    else:
        total = sum((a.amount for a in applications), Decimal(0))
    _check_total(kind, total, applications)
    touch_applied(ctx, txn)  # what it applied to before
    ctx.books.unlink_payment(txn)
    if payer_id != txn.entity_id:
        ctx.books.move_txn(txn, payer_id)
    txn.applications, txn.total = applications, total
    ctx.books.link_payment(txn)
    touch_applied(ctx, txn)
    header_fields(body, _NOT_KEPT, txn.fields)
    if body.findtext("TxnDate"):
        txn.txn_date = as_date(body.findtext("TxnDate") or "")
    if body.find("RefNumber") is not None:
        txn.ref_number = body.findtext("RefNumber") or None
    touch(ctx, txn)
    return Answer([payment_ret(ctx, txn, True)], recovery=recovery_of_txn(txn))


def _applied_ret(ctx: Context, application: Application) -> Element | None:
    target = ctx.books.txns.get(application.target_id)
    if target is None:
        return None
    links = []
    for credit_id, used in application.credits:
        credit = ctx.books.txns.get(credit_id)
        if credit is not None:
            links.append(ctx.build("LinkedTxn", {
                "TxnID": credit.txn_id, "TxnType": credit.kind, "TxnDate": date_text(credit.txn_date),
                "RefNumber": credit.ref_number, "LinkType": "AMTTYPE", "Amount": amount(-used)}))
    fields: dict[str, Value | None] = {
        "TxnID": target.txn_id, "TxnType": target.kind, "TxnDate": date_text(target.txn_date),
        "RefNumber": target.ref_number, "BalanceRemaining": amount(open_amount(ctx.books, target)),
        "Amount": amount(application.amount), "LinkedTxn": links,
        "DiscountAmount": amount(application.discount) if application.discount else None}
    return ctx.build("AppliedToTxnRet", fields, owned={"LinkedTxn"})


def payment_ret(ctx: Context, txn: Txn, with_lines: bool, include: list[str] | None = None) -> Element:
    """A ReceivePaymentRet, BillPaymentCheckRet or BillPaymentCreditCardRet; ``with_lines`` adds AppliedToTxnRet."""
    fields: dict[str, Value | None] = base_fields(txn)
    fields.update(currency_fields(ctx, txn))
    if txn.kind == _CUSTOMER:
        fields["TotalAmount"] = amount(txn.total)
        fields["UnusedPayment"] = amount(open_amount(ctx.books, txn))
        fields["UnusedCredits"] = amount(Decimal(0))
    else:
        fields["Amount"] = amount(txn.total)
        if txn.kind == "BillPaymentCheck":
            fields.setdefault("IsToBePrinted", bool_text(False))
    if with_lines:
        rets = [_applied_ret(ctx, application) for application in txn.applications]
        fields["AppliedToTxnRet"] = [ret for ret in rets if ret is not None]
    return ctx.ret(f"{txn.kind}Ret", fields, include, owned={"AppliedToTxnRet"})


HANDLERS: dict[str, Handler] = {
    "ReceivePaymentAddRq": _add, "ReceivePaymentModRq": _mod, "BillPaymentCheckAddRq": _add,
    "BillPaymentCheckModRq": _mod, "BillPaymentCreditCardAddRq": _add}
