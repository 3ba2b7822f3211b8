"""What every transaction family shares: finding a transaction for a Mod (3120 unknown, 3200 stale EditSequence),
the header fields kept as sent, defaults (date, due date from terms, AR/AP account, the next invoice number),
the common part of each Ret, ``LinkedTxn`` elements, and what error recovery keeps of a write.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from .context import Context
from .elements import Element, Value, amount, as_date, clone, date_text, datetime_text
from .refs import ref_element, resolve_refs
from .status import QbStatus
from .store import ListObject, Txn

__all__ = ["ModTarget", "base_fields", "default_account", "due_date", "find_for_mod", "header_fields", "linked_txns",
           "mod_target", "next_ref_number", "recovery_of_txn", "refuse_unsupported", "touch", "touch_applied",
           "txn_date"]


def find_for_mod(ctx: Context, kinds: Collection[str], txn_id: str, edit_sequence: str | None) -> Txn:
    txn = ctx.books.txns.get(txn_id)
    if txn is None or txn.kind not in kinds:
        raise QbStatus.not_found(txn_id)
    if edit_sequence is not None and edit_sequence != txn.edit_sequence:
        raise QbStatus.stale_edit_sequence(edit_sequence)
    return txn


def refuse_unsupported(kind: str, body: Element, tags: Collection[str]) -> None:
    """Refuse an Add or Mod that sends what the sandbox does not model (rather than ignore it silently)."""
    sent = {child.tag for child in body}
    for tag in tags:
        if tag in sent:
            raise QbStatus.save_refused(kind, f"{tag} is not supported by the QuickBooks sandbox.")


@dataclass(frozen=True, slots=True)
class ModTarget:
    """What a sales or purchase Mod changes: its transaction, a copy of the Mod's body with its refs resolved, the
    party after the Mod, and what payments or credits have already taken of the transaction."""

    kind: str
    txn: Txn
    body: Element
    party_id: str
    paid: Decimal


def mod_target(ctx: Context, request: Element, *, party: str, paid_by_payments: str,
               unsupported: Collection[str]) -> ModTarget:
    """The checks every sales and purchase Mod makes first, as QuickBooks makes them: the transaction found at its
    EditSequence, what the sandbox does not model refused, a voided one refused, the refs resolved, and the party
    (``party``: "Customer" or "Vendor") changed only while nothing is applied to it (payments for
    ``paid_by_payments``, "Invoice" or "Bill"; credit used for the credit memo or vendor credit)."""
    kind = str(request.tag)[:-len("ModRq")]
    sent = request.find(f"{kind}Mod")
    assert sent is not None
    txn = find_for_mod(ctx, (kind,), sent.findtext("TxnID") or "", sent.findtext("EditSequence"))
    body = clone(sent)  # lxml copies deep, without deepcopy's memo (a tenth of an Add's time)
    refuse_unsupported(kind, body, unsupported)
    if txn.voided:
        raise QbStatus.modify_refused(kind, "A voided transaction cannot be changed.")
    resolve_refs(ctx.books, body, kind)
    party_id = body.findtext(f"{party}Ref/ListID") or txn.entity_id
    paid = ctx.books.applied_to(txn.txn_id) if kind == paid_by_payments else ctx.books.credit_used(txn.txn_id)
    if party_id != txn.entity_id and paid:
        raise QbStatus.modify_refused(
            kind, f"The {party.lower()} cannot be changed while payments or credits are applied.")
    return ModTarget(kind, txn, body, party_id, paid)


def header_fields(body: Element, exclude: Collection[str], into: dict[str, Value]) -> None:
    """Keep the header children of an Add or Mod (text, or the element for aggregates), less ``exclude``."""
    for node in body:
        if isinstance(node.tag, str) and node.tag not in exclude:
            into[node.tag] = clone(node) if len(node) else (node.text or "")


def txn_date(ctx: Context, body: Element) -> date:
    sent = body.findtext("TxnDate")
    return as_date(sent) if sent else ctx.now.date()


def due_date(ctx: Context, terms: ListObject | None, when: date) -> date:
    """A due date from terms: ``StdDueDays`` after the date, or the next ``DayOfMonthDue`` (QuickBooks moves to the
    following month when it falls within ``DueNextMonthDays``)."""
    if terms is None:
        return when
    if terms.kind == "StandardTerms":
        return when + timedelta(days=int(terms.text("StdDueDays") or "0"))
    day = int(terms.text("DayOfMonthDue") or "1")
    grace = int(terms.text("DueNextMonthDays") or "0")
    year, month = when.year, when.month
    if when.day > day or (day - when.day) < grace:
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return date(year, month, min(day, calendar.monthrange(year, month)[1]))


def default_account(ctx: Context, account_type: str) -> ListObject | None:
    return next((obj for obj in ctx.books.of_kinds(("Account",))
                 if obj.text("AccountType") == account_type and obj.is_active), None)


_TRAILING_NUMBER = re.compile(r"^(.*?)(\d+)$")


def next_ref_number(ctx: Context, kinds: Collection[str]) -> str:
    """The number QuickBooks puts on an invoice or credit memo sent without one (the two share the sales forms'
    numbering): the last one's plus one, its prefix and width kept (``INV-0099`` -> ``INV-0100``), ``1`` first."""
    last = max((txn for txn in ctx.books.txns.values() if txn.kind in kinds and txn.ref_number),
               key=lambda txn: txn.txn_number, default=None)
    if last is None or last.ref_number is None:
        return "1"
    found = _TRAILING_NUMBER.match(last.ref_number)
    if found is None:
        return "1"
    prefix, digits = found.groups()
    return f"{prefix}{str(int(digits) + 1).zfill(len(digits))}"[-11:]


def touch(ctx: Context, txn: Txn) -> None:
    txn.modified = ctx.now
    txn.edit_sequence = ctx.books.new_edit_sequence(ctx.now)


def touch_applied(ctx: Context, payment: Txn) -> None:
    """The invoices (bills) a payment applies to, and the credits it uses, changed with it: QuickBooks saves them
    again (their balance and links changed), so their TimeModified and EditSequence move (a Mod sent with the
    EditSequence read before a payment is refused 3200; a modified-date query finds the invoice again)."""
    for application in payment.applications:
        for txn_id in (application.target_id, *(credit_id for credit_id, _ in application.credits)):
            target = ctx.books.txns.get(txn_id)
            if target is not None and target is not payment:
                touch(ctx, target)


def base_fields(txn: Txn) -> dict[str, Value | None]:
    """TxnID, times, EditSequence, TxnNumber, TxnDate, RefNumber, ExternalGUID and the header kept as sent."""
    fields: dict[str, Value | None] = dict(txn.fields)
    fields.update({
        "TxnID": txn.txn_id, "TimeCreated": datetime_text(txn.created), "TimeModified": datetime_text(txn.modified),
        "EditSequence": txn.edit_sequence, "TxnNumber": str(txn.txn_number), "TxnDate": date_text(txn.txn_date),
        "RefNumber": txn.ref_number, "ExternalGUID": txn.external_guid,
    })
    return fields


def _linked(ctx: Context, other: Txn, value: Decimal) -> Element:
    fields: dict[str, Value | None] = {
        "TxnID": other.txn_id, "TxnType": other.kind, "TxnDate": date_text(other.txn_date),
        "RefNumber": other.ref_number, "LinkType": "AMTTYPE", "Amount": amount(value)}
    return ctx.build("LinkedTxn", fields)


def linked_txns(ctx: Context, txn: Txn) -> list[Element]:
    """``LinkedTxn`` of an invoice or bill (the payments and credits applied to it, negative) and of a credit memo
    or vendor credit (the invoices or bills it was used on, negative): ``IncludeLinkedTxns``."""
    books = ctx.books
    links: list[Element] = []
    for payment in books.payments_of(txn.txn_id):
        for application in payment.applications:
            if application.target_id != txn.txn_id:
                continue
            if payment is not txn and (application.amount or application.discount):
                links.append(_linked(ctx, payment, -(application.amount + application.discount)))
            for credit_id, used in application.credits:
                credit = books.txns.get(credit_id)
                if credit is not None:
                    links.append(_linked(ctx, credit, -used))
    for payment in books.credit_users(txn.txn_id):
        for application in payment.applications:
            for credit_id, used in application.credits:
                target = books.txns.get(application.target_id)
                if credit_id == txn.txn_id and target is not None:
                    links.append(_linked(ctx, target, -used))
    return links


def recovery_of_txn(txn: Txn) -> dict[str, str]:
    recovery = {"TxnID": txn.txn_id, "TxnNumber": str(txn.txn_number), "EditSequence": txn.edit_sequence}
    if txn.external_guid:
        recovery["ExternalGUID"] = txn.external_guid
    return recovery


def entity_ref(ctx: Context, txn: Txn, tag: str) -> Element | None:
    entity = ctx.books.lists.get(txn.entity_id)
    return ref_element(tag, entity) if entity is not None else None
