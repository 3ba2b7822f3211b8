"""What a host payment needs before it may go out, and why it waits or is refused (R-E6, seed 004).

A prepayment is taken against a sales order, but the package only knows invoices: so
it waits until every invoice of its order is confirmed in the package (the seen
tick), and is then split over them (``allocation_split``). Everything here reads the
store and decides; nothing is sent (``payment_export`` sends), so the pre-check and
the upload give the same answers.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from sqlalchemy import delete, exists, select
from sqlalchemy.orm import Session

from ledgerbridge.connectors.protocol import ExportContext, PaymentExport
from ledgerbridge.domain.allocation_split import OpenInvoice
from ledgerbridge.domain.line_accounts import default_account_setting, setting_key
from ledgerbridge.domain.money import round_money
from ledgerbridge.domain.payment_policy import exportable_payments_query
from ledgerbridge.store.db import utcnow
from ledgerbridge.store.models.host import (
    Allocation,
    Document,
    DocumentLine,
    DocumentStatus,
    DocumentType,
    Payment,
    PaymentKind,
    PaymentMethod,
)
from ledgerbridge.store.models.sync import Connection, RecordType, SyncRecord, SyncStatus
from ledgerbridge.sync import lifecycle

LIVE = (DocumentStatus.ISSUED.value, DocumentStatus.POSTED.value)


@dataclass(slots=True)
class PaymentPlan:
    """One host payment's way out: the export item, the invoices it may settle, or why it cannot go yet."""

    record: SyncRecord
    payment: Payment
    label: str
    order_number: str | None = None
    invoices: list[tuple[OpenInvoice, str]] = field(default_factory=list)  # (invoice, package id), invoice order
    item: PaymentExport | None = None
    waits_for: str | None = None  # not an error: it goes out by itself once this is done
    problems: list[str] = field(default_factory=list)  # refused at pre-check until fixed


def payment_label(payment: Payment) -> str:
    what = "prepayment" if payment.kind == PaymentKind.PREPAYMENT.value else "payment"
    return f"{what} {payment.host_id} ({payment.currency} {round_money(payment.amount)})"


def ensure_payment_records(session: Session, connection: Connection) -> None:
    """Give each payment the policy lets out (``payment_policy.exportable_payments``) a sync record, pending.

    Only those: a prepayment made while the integration was off is never exported (R-PAY1), so it gets no
    record, and the pending list shows it with its reason (``sync_records.not_exported_reasons``). A record such a
    payment was given before this rule, never attempted, is taken away again; one that may have reached the
    package (attempt key or package id) is left for the exporter to finish, as is one marked by hand."""
    has_record = exists().where(SyncRecord.connection_id == connection.id,
                                SyncRecord.record_type == RecordType.PAYMENT.value, SyncRecord.record_id == Payment.id)
    may_go = exportable_payments_query(connection).order_by(None)
    lifecycle.insert_new(session, connection.id, RecordType.PAYMENT, may_go.where(~has_record), utcnow())
    session.execute(delete(SyncRecord).where(
        SyncRecord.connection_id == connection.id, SyncRecord.record_type == RecordType.PAYMENT.value,
        SyncRecord.record_id.not_in(may_go.scalar_subquery()),
        SyncRecord.status.in_((SyncStatus.PENDING.value, SyncStatus.ERROR.value)),
        SyncRecord.attempt_key.is_(None), SyncRecord.external_id.is_(None), SyncRecord.marked_by_hand.is_(False)))


def outstanding_here(session: Session, document: Document, excluding_payment_id: int) -> Decimal:
    """Gross less what other live payments here allocated to it (summed in Python: SQLite keeps text)."""
    taken = session.scalars(select(Allocation.amount).join(Payment).where(
        Allocation.document_id == document.id, Payment.reversed_at.is_(None), Payment.id != excluding_payment_id))
    return document.gross_total - sum(taken, Decimal(0))


def _bound(session: Session, connection_id: int, record_type: RecordType, record_id: int) -> SyncRecord | None:
    return session.scalar(select(SyncRecord).where(SyncRecord.connection_id == connection_id,
                                                   SyncRecord.record_type == record_type.value,
                                                   SyncRecord.record_id == record_id))


def method_of(payment: Payment, settings: Mapping[str, Any]) -> str | None:
    """The payment's method, or the settings' default payment method for a payment that names none (R-C4)."""
    return payment.method_code or (str(settings.get("default_payment_method") or "") or None)


def bank_account_for(session: Session, payment: Payment, ctx: ExportContext) -> str | None:
    """A card method's payments go to the credit card clearing account when the settings name one (seed 004: the
    card company pays the bank later, net of its fees); otherwise the payment method's mapping, then the bank
    nominal's mapping, then the settings' receiving account. A payment with no method takes the default one."""
    maps = ctx.mappings
    code = method_of(payment, ctx.settings)
    method = session.execute(select(PaymentMethod.card, PaymentMethod.bank_nominal).where(
        PaymentMethod.organisation_id == payment.organisation_id, PaymentMethod.code == code)).first() \
        if code else None
    clearing = ctx.settings.get("credit_card_clearing_account")
    if method is not None and method.card and clearing:
        return str(clearing)
    if code and code in maps.payment_method:
        return maps.payment_method[code]
    nominal = payment.bank_nominal or (method.bank_nominal if method is not None else None)
    if nominal and nominal in maps.nominal:
        return maps.nominal[nominal]
    receiving = ctx.settings.get("receiving_account")
    return str(receiving) if receiving else None


def plan_payment(session: Session, connection: Connection, record: SyncRecord, ctx: ExportContext) -> PaymentPlan:
    payment = session.get_one(Payment, record.record_id)
    plan = PaymentPlan(record, payment, payment_label(payment))
    party = _bound(session, connection.id, RecordType.PARTY, payment.party_id)
    bank = bank_account_for(session, payment, ctx)
    if bank is None:
        plan.problems.append(f"{plan.label}: no bank account to record it in: map payment method "
                             f"{method_of(payment, ctx.settings) or '(none)'} or its bank nominal, or set a "
                             "receiving account (or a default payment method)")
    if payment.kind == PaymentKind.PREPAYMENT.value:
        account = _plan_prepayment(session, connection, plan, ctx)
        document_ext = None
    else:
        account, document_ext = None, _plan_invoice_payment(session, connection, plan)
    if plan.problems or plan.waits_for:
        return plan
    if party is None or not party.external_id:
        plan.waits_for = "its customer or supplier to be exported"
        return plan
    assert bank is not None
    plan.item = PaymentExport(record.id, payment.kind, payment.host_id, plan.label, payment.direction,
                              payment.payment_date, payment.amount, payment.currency, payment.reference,
                              party.external_id, bank, record.attempt_key or "", record.external_id, account,
                              document_ext, order_number=plan.order_number)
    return plan


def _plan_prepayment(session: Session, connection: Connection, plan: PaymentPlan, ctx: ExportContext) -> str | None:
    payment = plan.payment
    if payment.sales_order_id is None:
        plan.problems.append(f"{plan.label}: a prepayment names the sales order it was taken against")
        return None
    order = session.get_one(Document, payment.sales_order_id)
    plan.order_number = order.number
    invoices = list(session.scalars(select(Document).where(
        Document.sales_order_id == order.id, Document.type == DocumentType.SALES_INVOICE.value,
        Document.status.in_(LIVE))))
    for inv in invoices:
        if inv.currency != payment.currency:
            plan.problems.append(
                f"{plan.label} is in {payment.currency} but invoice {inv.number} of order {order.number} is in "
                f"{inv.currency}: a prepayment can only be allocated to invoices in its own currency")
    first = session.execute(select(DocumentLine.nominal_code, DocumentLine.kind).where(
        DocumentLine.document_id == order.id).order_by(DocumentLine.line_no).limit(1)).first()
    first_line = first.nominal_code if first is not None else None
    if first is not None and first_line is None:  # no nominal of its own: its kind's income account (R-C4)
        setting = default_account_setting(order.type, first.kind)
        first_line = setting_key(setting) if setting else None
    account = ctx.mappings.nominal.get(first_line or "")
    if account is None:
        plan.problems.append(f"{plan.label}: nominal code {first_line or '(none)'} of order {order.number} has no "
                             "account mapping, so the prepayment has no account to go to")
    if plan.problems:
        return None
    if not invoices:
        plan.waits_for = f"an invoice of order {order.number}"
        return account
    for inv in invoices:
        bound = _bound(session, connection.id, RecordType.DOCUMENT, inv.id)
        if bound is None or bound.status != SyncStatus.SEEN.value or not bound.external_id:
            plan.waits_for = f"invoice {inv.number} of order {order.number} to be confirmed in the package"
            return account
        open_invoice = OpenInvoice(inv.id, inv.number, inv.issue_date, outstanding_here(session, inv, payment.id))
        plan.invoices.append((open_invoice, bound.external_id))
    plan.invoices.sort(key=lambda pair: (pair[0].issue_date, pair[0].number, pair[0].document_id))
    return account


def _plan_invoice_payment(session: Session, connection: Connection, plan: PaymentPlan) -> str | None:
    """Payments both ways: one payment settles one invoice (Xero's Payment names one document)."""
    allocations = plan.payment.allocations
    if len(allocations) != 1 or allocations[0].amount != plan.payment.amount:
        plan.problems.append(f"{plan.label}: a payment goes out allocated in full to exactly one invoice; this one "
                             f"has {len(allocations)} allocation(s)")
        return None
    doc = session.get_one(Document, allocations[0].document_id)
    if doc.currency != plan.payment.currency:
        plan.problems.append(f"{plan.label} is in {plan.payment.currency} but {doc.number} is in {doc.currency}")
        return None
    bound = _bound(session, connection.id, RecordType.DOCUMENT, doc.id)
    if bound is None or bound.status != SyncStatus.SEEN.value or not bound.external_id:
        plan.waits_for = f"{doc.number} to be confirmed in the package"
        return None
    plan.invoices.append((OpenInvoice(doc.id, doc.number, doc.issue_date, doc.gross_total), bound.external_id))
    return bound.external_id
