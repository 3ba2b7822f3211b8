"""Intake of payments: kinds, allocations, and R-PAY1 (payments while integrated).

While the integration is on, the accounting package controls the accounts (seed 002, rule 2):
account customers' payments are made there and imported, so they are refused here. Only
prepayments against sales orders stay, because they go out with the invoice (R-E6).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ledgerbridge.domain.money import ZERO, round_money
from ledgerbridge.domain.payment_policy import IntakePolicy
from ledgerbridge.intake.documents import DOCUMENTS, DocFacts, DocumentPlans, check_link
from ledgerbridge.intake.reference import Known, check_bank_nominal
from ledgerbridge.intake.schemas import Batch, PaymentIn, record_label
from ledgerbridge.intake.store import (
    Problems,
    UpsertPlan,
    delete_where_in,
    insert_rows,
    plan_upsert,
    refuse_duplicates,
    select_in,
    table_of,
    update_rows,
)
from ledgerbridge.store.models.host import (
    Allocation,
    DocumentStatus,
    DocumentType,
    Party,
    Payment,
    PaymentKind,
    PaymentOrigin,
)

#: What a payment in each direction can pay: invoices, or refunds of credit notes on the other side.
ALLOCATABLE = {
    "in": {DocumentType.SALES_INVOICE, DocumentType.PURCHASE_CREDIT_NOTE},
    "out": {DocumentType.PURCHASE_INVOICE, DocumentType.SALES_CREDIT_NOTE},
}
PAYMENTS = table_of(Payment)
ALLOCATIONS = table_of(Allocation)
PARTIES = table_of(Party)

_FIELDS = ("direction", "party_host_id", "payment_date", "amount", "currency", "method_code", "bank_nominal",
           "reference", "sales_order_host_id")


def documents_named_by_payments(batch: Batch) -> set[str]:
    named = {p.sales_order_host_id for p in batch.payments if p.sales_order_host_id is not None}
    named.update(a.document_host_id for p in batch.payments for a in p.allocations)
    return named


@dataclass
class PaymentPlan:
    plan: UpsertPlan
    made_while_integrated: bool


def _load_payments(session: Session, org: int, host_ids: set[str]) -> dict[str, dict[str, Any]]:
    """Stored payments by host_id, with party and order host_ids and (document host_id, amount) allocations."""
    so = DOCUMENTS.alias("so")
    rows = select_in(
        session,
        lambda chunk: select(PAYMENTS, PARTIES.c.host_id.label("party_host_id"),
                             so.c.host_id.label("sales_order_host_id"))
        .join(PARTIES, PARTIES.c.id == PAYMENTS.c.party_id)
        .outerjoin(so, so.c.id == PAYMENTS.c.sales_order_id)
        .where(PAYMENTS.c.organisation_id == org, PAYMENTS.c.host_id.in_(chunk)),
        host_ids,
    )
    payments = {row.host_id: dict(row._mapping) for row in rows}
    allocations: dict[int, list[tuple[str, Decimal]]] = {}
    for row in select_in(
        session,
        lambda chunk: select(ALLOCATIONS.c.payment_id, DOCUMENTS.c.host_id, ALLOCATIONS.c.amount)
        .join(DOCUMENTS, DOCUMENTS.c.id == ALLOCATIONS.c.document_id)
        .where(ALLOCATIONS.c.payment_id.in_(chunk)),
        [p["id"] for p in payments.values()],
    ):
        allocations.setdefault(row.payment_id, []).append((row.host_id, row.amount))
    for p in payments.values():
        p["allocations"] = tuple(sorted(allocations.get(p["id"], ())))
    return payments


def _allocated_elsewhere(session: Session, document_ids: set[int], batch_payments: set[str]) -> dict[int, Decimal]:
    """What live payments outside the batch already allocate to each document (summed here: SQLite keeps text)."""
    rows = select_in(
        session,
        lambda chunk: select(ALLOCATIONS.c.document_id, ALLOCATIONS.c.amount, PAYMENTS.c.host_id)
        .join(PAYMENTS, PAYMENTS.c.id == ALLOCATIONS.c.payment_id)
        .where(ALLOCATIONS.c.document_id.in_(chunk), PAYMENTS.c.reversed_at.is_(None)),
        document_ids,
    )
    totals: dict[int, Decimal] = {}
    for row in rows:
        if row.host_id not in batch_payments:
            totals[row.document_id] = totals.get(row.document_id, ZERO) + row.amount
    return {document_id: round_money(total) for document_id, total in totals.items()}


def _check_kind(payment: PaymentIn, label: str, facts: Mapping[str, DocFacts], problems: Problems) -> None:
    if payment.kind == PaymentKind.PREPAYMENT:
        if payment.direction != "in":
            problems.add(label, "direction", "a prepayment is money in from a customer")
        if payment.sales_order_host_id is None:
            problems.add(label, "sales_order_host_id", "a prepayment names the sales order it is taken against")
        else:
            check_link(problems, label, "sales_order_host_id", payment.sales_order_host_id, facts,
                       DocumentType.SALES_ORDER, payment.party_host_id, "sales order")
    elif payment.sales_order_host_id is not None:
        problems.add(label, "sales_order_host_id", "only a prepayment names a sales order")
    if payment.kind == PaymentKind.INVOICE_PAYMENT and not payment.allocations:
        problems.add(label, "allocations", "an invoice payment is allocated to at least one document")
    if payment.kind == PaymentKind.ON_ACCOUNT and payment.allocations:
        problems.add(label, "allocations", "a payment on account is not allocated: send it as an invoice_payment")


def _check_allocations(payment: PaymentIn, label: str, facts: Mapping[str, DocFacts],
                       allocated: dict[str, Decimal], problems: Problems) -> None:
    """Each allocation names a live document of the payment's party and currency, never above what it still owes."""
    seen: set[str] = set()
    total = ZERO
    for n, allocation in enumerate(payment.allocations):
        field = f"allocations[{n}].document_host_id"
        host_id = allocation.document_host_id
        doc = facts.get(host_id)
        total += allocation.amount
        if host_id in seen:
            problems.add(label, field, f'document "{host_id}" is allocated twice: send one allocation per document')
        elif doc is None:
            problems.add(label, field, f'document "{host_id}" is not known')
        elif doc.type not in ALLOCATABLE[payment.direction]:
            problems.add(label, field, f'document "{host_id}" is a {doc.type}: a payment {payment.direction} pays '
                         + " or ".join(sorted(ALLOCATABLE[payment.direction])))
        elif doc.status not in (DocumentStatus.ISSUED, DocumentStatus.POSTED):
            problems.add(label, field,
                         f'document "{host_id}" is {doc.status}: only issued or posted documents are paid')
        elif doc.party_host_id != payment.party_host_id:
            problems.add(label, field, f'document "{host_id}" is for party "{doc.party_host_id}", not '
                         f'"{payment.party_host_id}"')
        elif doc.currency != payment.currency:
            problems.add(label, field, f'document "{host_id}" is in {doc.currency}, not {payment.currency}')
        else:
            running = allocated.get(host_id, ZERO) + allocation.amount
            allocated[host_id] = running
            if running > doc.gross_total:
                problems.add(label, f"allocations[{n}].amount", f'allocations to document "{host_id}" would reach '
                             f"{running}, above its total {doc.gross_total}")
        seen.add(host_id)
    if total > payment.amount:
        problems.add(label, "allocations",
                     f"allocations total {total}, more than the payment's amount {payment.amount}")


def check_payments(session: Session, org: int, batch: Batch, known: Known, docs: DocumentPlans,
                   policy: IntakePolicy, problems: Problems) -> PaymentPlan:
    labels = [record_label("payments", i, p.host_id) for i, p in enumerate(batch.payments)]
    refuse_duplicates("payments", [p.host_id for p in batch.payments], labels, "host_id", problems)
    batch_ids = {p.host_id for p in batch.payments}
    existing = _load_payments(session, org, batch_ids)

    # Documents whose allocations this batch can push past their total: those it pays, and those it re-prices.
    watched = {a.document_host_id for p in batch.payments for a in p.allocations}
    watched.update(host_id for host_id, _id, _values in docs.plan.updates)
    ids = {docs.ids[h]: h for h in watched if h in docs.ids}
    elsewhere = {ids[doc_id]: amount for doc_id, amount in _allocated_elsewhere(session, set(ids), batch_ids).items()}

    allocated = dict(elsewhere)
    incoming = []
    for payment, label in zip(batch.payments, labels, strict=True):
        if payment.party_host_id not in known.parties:
            problems.add(label, "party_host_id", f'party "{payment.party_host_id}" is not known')
        if payment.method_code is not None and payment.method_code not in known.payment_methods:
            problems.add(label, "method_code", f'payment method "{payment.method_code}" is not known')
        if payment.bank_nominal is not None:
            check_bank_nominal(known, payment.bank_nominal, label, "bank_nominal", problems)
        _check_kind(payment, label, docs.facts, problems)
        _check_allocations(payment, label, docs.facts, allocated, problems)
        values = {name: getattr(payment, name) for name in _FIELDS}
        values["kind"] = payment.kind.value
        values["allocations"] = tuple(sorted((a.document_host_id, a.amount) for a in payment.allocations))
        incoming.append((payment.host_id, values))

    plan = plan_upsert(existing, incoming)
    label_of = dict(zip((p.host_id for p in batch.payments), labels, strict=True))
    for host_id, values in [*plan.inserts, *((h, v) for h, _i, v in plan.updates)]:
        stored = existing.get(host_id)
        if stored is not None and stored["origin"] == PaymentOrigin.PACKAGE:
            problems.add(label_of[host_id], "host_id", "this payment was imported from the accounting package "
                         "and is changed there, not here")
        elif stored is not None and stored["reversed_at"] is not None:
            problems.add(label_of[host_id], "host_id", "this payment was reversed and cannot be changed")
        on_account = known.parties.get(values["party_host_id"], False)
        if policy.refuse_account_payments and values["kind"] != PaymentKind.PREPAYMENT and on_account:
            problems.add(label_of[host_id], "kind", policy.refusal(values["party_host_id"]))
    _check_repriced_documents(docs, elsewhere, problems)
    return PaymentPlan(plan, policy.integrated)


def _check_repriced_documents(docs: DocumentPlans, elsewhere: Mapping[str, Decimal], problems: Problems) -> None:
    for host_id, _row_id, values in docs.plan.updates:
        paid = elsewhere.get(host_id, ZERO)
        if not paid:
            continue
        if values["status"] == DocumentStatus.VOID:
            problems.add(docs.labels[host_id], "status", f"payments allocate {paid} to this document: "
                         "remove those allocations before voiding it")
        elif paid > values["gross_total"]:
            problems.add(docs.labels[host_id], "lines", f"payments already allocate {paid} to this document, "
                         f"more than its new total {values['gross_total']}")


def write_payments(session: Session, org: int, plans: PaymentPlan, party_ids: Mapping[str, int],
                   document_ids: Mapping[str, int], now: datetime) -> None:
    """Insert new payments, rewrite changed ones, and replace their allocations."""

    def row(values: Mapping[str, Any]) -> dict[str, Any]:
        out = {name: values[name] for name in _FIELDS if not name.endswith("_host_id")}
        out["kind"] = values["kind"]
        out["party_id"] = party_ids[values["party_host_id"]]
        so = values["sales_order_host_id"]
        out["sales_order_id"] = document_ids[so] if so is not None else None
        return out

    new = [{**row(values), "host_id": key, "organisation_id": org, "origin": PaymentOrigin.HOST.value,
            "made_while_integrated": plans.made_while_integrated, "version": 1, "created_at": now}
           for key, values in plans.plan.inserts]
    ids = insert_rows(session, PAYMENTS, new, "host_id")
    updates = plans.plan.updates
    update_rows(session, PAYMENTS, [{**row(values), "b_id": row_id} for _key, row_id, values in updates], now)
    ids.update((key, row_id) for key, row_id, _values in updates)
    delete_where_in(session, ALLOCATIONS, "payment_id", [row_id for _key, row_id, _values in updates])
    allocations = [
        {"payment_id": ids[key], "document_id": document_ids[doc_host_id], "amount": amount, "created_at": now}
        for key, values in [*plans.plan.inserts, *((key, values) for key, _id, values in updates)]
        for doc_host_id, amount in values["allocations"]
    ]
    insert_rows(session, ALLOCATIONS, allocations)
