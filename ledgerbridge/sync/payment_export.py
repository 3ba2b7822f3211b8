"""Money out: prepayments (R-E6) and, with payments both ways (seed 004), host payments, after their documents.

The last step of the dependency chain (party, item, document, then prepayment
allocation). Same safety as documents: the attempt key is committed before the call,
and a record left with an attempt but no answer is looked up in the package before it
is created again. Allocations are safe by construction: only what the package does not yet hold is sent, so a
re-run after a lost answer never allocates twice. What the package holds is known without a read for a
prepayment this upload created (nothing, or the split it was created with); any other (found after a lost answer,
or left part-allocated by an earlier upload) is read from the package first, all of them in one go. What the
package then holds (that, plus the allocations it accepted) is written here as the payment's allocations, so the
remainder (still a prepayment there) shows here too. The split offers each invoice no more than the package says
it still owes (its invoices read back in one call per upload, before anything is sent): a payment made there and
not yet imported would otherwise have the allocation refused on every upload.

The calls, for every prepayment of an upload together: that read of the invoices, the create (as many prepayments
a call as the package takes), and the allocations in one ``export_allocations`` (Xero: one call per prepayment,
its path names it). Where the package creates a prepayment allocated (``Connector.allocates_in_create``:
QuickBooks' Payment with LinkedTxn lines), the split goes with the create and there is no allocation call; should
the package refuse it (an invoice paid there between the read and the create), the prepayment is not created and
goes again, split anew, at the next upload.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ledgerbridge.audit.trail import audit
from ledgerbridge.connectors.protocol import (
    AllocationExport,
    ConnectorCallFailed,
    ExportContext,
    ExportOutcome,
    PaymentExport,
    RemoteAllocation,
    RemoteCredit,
    RemoteDocument,
)
from ledgerbridge.domain.allocation_split import OpenInvoice, offered, split_prepayment, still_to_allocate
from ledgerbridge.domain.money import round_money
from ledgerbridge.store.db import session_scope, utcnow
from ledgerbridge.store.models.host import DocumentType, Payment, PaymentKind
from ledgerbridge.store.models.sync import OPEN_SYNC_STATUSES, Connection, RecordType, SyncRecord, SyncStatus
from ledgerbridge.sync import lifecycle
from ledgerbridge.sync.connection_run import ConnectionRun, Report, hold_allocations
from ledgerbridge.sync.export_plan import export_context
from ledgerbridge.sync.lifecycle import Claim, Exported, Requeue, Seen
from ledgerbridge.sync.payment_plan import PaymentPlan, ensure_payment_records, plan_payment
from ledgerbridge.sync.records import clear_errors, record_error

OPEN = OPEN_SYNC_STATUSES
SENT = (SyncStatus.EXPORTED.value, SyncStatus.SEEN.value)


@dataclass(slots=True)
class PaymentRunReport(Report):
    checked: int = 0
    waiting: int = 0
    exported: int = 0
    recovered: int = 0
    allocations_sent: int = 0
    seen: int = 0
    failed: int = 0
    problems: list[dict[str, Any]] = field(default_factory=list)
    waits: list[dict[str, Any]] = field(default_factory=list)
    prepayments: list[dict[str, Any]] = field(default_factory=list)  # what each holds: allocated and remaining


class PaymentExporter(ConnectionRun):
    def _plans(self, session: Session, connection: Connection, ctx: ExportContext) -> list[PaymentPlan]:
        # The policy decides (prepayments; with payments both ways, payments taken here while integrated).
        ensure_payment_records(session, connection)
        records = session.scalars(select(SyncRecord).join(Payment, Payment.id == SyncRecord.record_id).where(
            SyncRecord.connection_id == self.connection_id, SyncRecord.record_type == RecordType.PAYMENT.value,
            SyncRecord.marked_by_hand.is_(False), Payment.reversed_at.is_(None),
            SyncRecord.status.in_(OPEN) | ((Payment.kind == PaymentKind.PREPAYMENT.value)
                                           & SyncRecord.status.in_(SENT))).order_by(SyncRecord.id))
        # A prepayment already sent is looked at again only while part of it is still unallocated here.
        return [plan_payment(session, connection, record, ctx) for record in records
                if record.status in OPEN or _unallocated(session.get_one(Payment, record.record_id))]

    def precheck(self) -> PaymentRunReport:
        """Every rule on the payments that would go out; nothing is sent."""
        report = PaymentRunReport()
        with session_scope(self.sessions) as session:
            connection = session.get_one(Connection, self.connection_id)
            for plan in self._plans(session, connection, export_context(session, connection)):
                self._triage(session, plan, report)
        return report

    def _triage(self, session: Session, plan: PaymentPlan, report: PaymentRunReport) -> bool:
        """Refuse or hold back what cannot go; true when the plan may go out."""
        report.checked += 1
        if plan.problems:
            message = "; ".join(plan.problems)
            record_error(session, plan.record, source="precheck", message=message, failure_type="config",
                         hint="Fix the payment or the mappings here, then upload again.")
            report.failed += 1
            report.problems.append({"payment": plan.payment.host_id, "message": message})
            return False
        if plan.waits_for:
            if plan.record.status in OPEN:  # pending with the reason shown, not an error
                lifecycle.apply_loaded(session, [(plan.record, Requeue(
                    plan.record.id, last_error=f"{plan.label} waits for {plan.waits_for}"))])
            report.waiting += 1
            report.waits.append({"payment": plan.payment.host_id, "waits_for": plan.waits_for})
            return False
        return plan.item is not None

    def upload(self) -> PaymentRunReport:
        report = PaymentRunReport()
        with session_scope(self.sessions) as session:
            connection = session.get_one(Connection, self.connection_id)
            ctx = export_context(session, connection)
            ready = [plan for plan in self._plans(session, connection, ctx) if self._triage(session, plan, report)]
            session.commit()
            prepaid = [plan for plan in ready if plan.payment.kind == PaymentKind.PREPAYMENT.value]
            due = self._package_due(prepaid)  # before anything is sent: one read for the whole upload
            fresh = [plan for plan in ready if not plan.record.external_id]
            if self.connector.allocates_in_create and isinstance(due, ConnectorCallFailed):
                # Its split goes with the create: without the amounts due it would go out unsplit, where a package
                # may not split it later (MYOB holds the rest on a sale order). It goes at the next upload.
                unsplit = [plan for plan in fresh if plan.payment.kind == PaymentKind.PREPAYMENT.value]
                for plan in unsplit:
                    self._fail(session, plan, report, f"could not read its invoices' amounts due: {due.message}", due)
                fresh = [plan for plan in fresh if plan not in unsplit]
            elif self.connector.allocates_in_create and not isinstance(due, ConnectorCallFailed):
                for plan in fresh:  # created with their split: a call fewer each
                    if plan.item is not None and plan.payment.kind == PaymentKind.PREPAYMENT.value:
                        plan.item = replace(plan.item, allocations=tuple(self._split(plan, _unused(plan), due)))
            created = self._create(session, fresh, ctx, report)
            session.commit()  # the answers are on record before the allocations' calls (no lock held across them)
            self._allocate(session, [plan for plan in prepaid if plan.record.external_id], created, due, report)
            audit(session, connection, self.actor, "export_payments", outcome="failed" if report.failed else "ok",
                  detail=f"{report.exported} exported, {report.allocations_sent} allocations, "
                         f"{report.waiting} waiting, {report.failed} failed")
        return report

    # -- creating prepayments and payments ------------------------------------------------------------------
    def _create(self, session: Session, plans: list[PaymentPlan], ctx: ExportContext,
                report: PaymentRunReport) -> dict[int, RemoteCredit]:
        """Send these payments; returns, by sync record id, each prepayment created by this call as the package
        now holds it (its total, and the split it was created with where the package takes one), which is known
        without reading it back. One found after a lost answer is not in it: it is read before it is allocated."""
        created: dict[int, RemoteCredit] = {}
        retry = [p.item for p in plans if p.record.attempt_key and p.item is not None]
        found = self.connector.find_existing_payments(retry) if retry else {}
        for plan in plans:
            if plan.record.id in found:
                self._bound(session, plan, found[plan.record.id], None)
                report.recovered += 1
        todo = [p for p in plans if p.record.id not in found]
        if not todo:
            return created
        key = uuid.uuid4().hex
        now = utcnow()
        lifecycle.apply_loaded(session, [(plan.record, Claim(plan.record.id, f"{key}:{n}", key, now,
                                                             attempts=plan.record.attempts + 1))
                                         for n, plan in enumerate(todo)])
        session.commit()  # the attempts are on record before the package hears of them
        items = [p.item for p in todo if p.item is not None]
        try:
            outcomes = self.connector.export_payments(items, ctx, key)
        except ConnectorCallFailed as failure:
            if failure.outcome_unknown:  # the package may have them: left in progress, looked up next run
                report.failed += len(todo)
                return created
            outcomes = [ExportOutcome(it.sync_record_id, False, message=failure.message,
                                      failure_type=failure.failure_type, raw_response=failure.raw_response)
                        for it in items]
        by_record = {o.sync_record_id: o for o in outcomes}
        for plan in todo:
            outcome = by_record[plan.record.id]
            if outcome.ok and outcome.external_id:
                self._bound(session, plan, outcome.external_id, outcome.external_number)
                report.exported += 1
                if plan.item is not None:
                    created[plan.record.id] = _as_created(plan.item, outcome.external_id, outcome.total)
                    report.allocations_sent += len(plan.item.allocations)
            else:
                message = f"{plan.label}: {outcome.message}"
                record_error(session, plan.record, source="package", message=message,
                             failure_type=outcome.failure_type or "data", hint=outcome.hint,
                             raw_response=outcome.raw_response)
                report.failed += 1
                report.problems.append({"payment": plan.payment.host_id, "message": message})
        session.commit()
        return created

    @staticmethod
    def _bound(session: Session, plan: PaymentPlan, external_id: str, number: str | None) -> None:
        record = plan.record
        lifecycle.apply_loaded(session, [(record, Exported(
            record.id, external_id, plan.payment.version, utcnow(), external_number=number,
            exported_total=plan.payment.amount))])
        clear_errors(session, [record.id])

    # -- allocating a prepayment over its order's invoices --------------------------------------------------
    def _package_due(self, plans: list[PaymentPlan]) -> dict[str, RemoteDocument] | ConnectorCallFailed:
        """What the package says each invoice of these prepayments' orders still owes, read in one call for the
        whole upload (a payment made there and not yet imported has lowered it), or why it could not be read."""
        wanted = sorted({(DocumentType.SALES_INVOICE.value, ext) for plan in plans for _, ext in plan.invoices})
        if not wanted:
            return {}
        try:
            return self.connector.read_back_documents(wanted)
        except ConnectorCallFailed as failure:
            return failure

    def _split(self, plan: PaymentPlan, credit: RemoteCredit,
               due: dict[str, RemoteDocument]) -> list[AllocationExport]:
        """What must still be sent so the package holds this prepayment's split, given what it holds now."""
        ours = {ext: inv for inv, ext in plan.invoices}
        already: dict[int, Decimal] = {}
        elsewhere = Decimal(0)  # allocated in the package to invoices not of this order
        for alloc in credit.allocations:
            inv = ours.get(alloc.invoice_external_id)
            if inv is None:
                elsewhere += alloc.amount
            else:
                already[inv.document_id] = already.get(inv.document_id, Decimal(0)) + alloc.amount
        available = min(plan.payment.amount, credit.total) - elsewhere
        # Outstanding seen by the split: what others left here, never more than the package says the invoice still
        # owes (plus what this prepayment already holds there); an invoice the package did not return is offered
        # nothing, so the rest stays the customer's credit rather than a refused allocation.
        invoices = [OpenInvoice(i.document_id, i.number, i.issue_date,
                                offered(i.outstanding, due[ext].amount_due, already.get(i.document_id, Decimal(0)))
                                if ext in due else Decimal(0))
                    for ext, i in ours.items()]
        wanted = split_prepayment(max(available, Decimal(0)), invoices).by_document()
        ext_of = {inv.document_id: ext for ext, inv in ours.items()}
        return [AllocationExport(f"{plan.record.id}:{doc_id}", "prepayment", plan.record.external_id or "",
                                 ext_of[doc_id], amount,
                                 _allocation_date(plan.payment.payment_date, ours[ext_of[doc_id]].issue_date),
                                 plan.item.party_external_id if plan.item else None, plan.payment.currency)
                for doc_id, amount in still_to_allocate(wanted, already).items()]

    def _allocate(self, session: Session, plans: list[PaymentPlan], created: dict[int, RemoteCredit],
                  due: dict[str, RemoteDocument] | ConnectorCallFailed, report: PaymentRunReport) -> None:
        """Every prepayment of the upload split over its order's invoices, their allocations in one
        ``export_allocations`` (as few calls as the package allows). A prepayment created by this upload is known
        as created; any other is read from the package first (all in one go), so a re-run after a lost answer
        never allocates twice. What the package then holds is what it held plus the allocations it accepted."""
        if not plans:
            return
        if isinstance(due, ConnectorCallFailed):
            for plan in plans:
                self._fail(session, plan, report, f"could not read its invoices' amounts due: {due.message}", due)
            return
        due = _less_created(due, created)
        credits: dict[int, RemoteCredit | None] = dict(created)
        unknown = [plan for plan in plans if plan.record.id not in credits]
        if unknown:
            try:
                held = self.connector.read_credits("prepayment", [p.record.external_id or "" for p in unknown])
            except ConnectorCallFailed as failure:
                for plan in unknown:
                    self._fail(session, plan, report, f"could not read it back: {failure.message}", failure)
                plans = [plan for plan in plans if plan.record.id in credits]
                held = {}
            credits.update({plan.record.id: held.get(plan.record.external_id or "") for plan in unknown})
        sends = {plan.record.id: self._split(plan, credit, due) for plan in plans
                 if (credit := credits.get(plan.record.id)) is not None}
        items = [it for group in sends.values() for it in group]
        outcomes: dict[str, ExportOutcome] = {}
        if items:
            key = uuid.uuid4().hex
            for plan in plans:
                if sends.get(plan.record.id):
                    plan.record.batch_key = key
            session.commit()
            try:
                outcomes = self.connector.export_allocations(items, key)
            except ConnectorCallFailed as failure:
                for plan in plans:
                    if sends.get(plan.record.id):
                        self._fail(session, plan, report, f"allocations not made: {failure.message}", failure)
                plans = [plan for plan in plans if not sends.get(plan.record.id)]
        for plan in plans:
            credit = credits.get(plan.record.id)
            if credit is None:
                self._fail(session, plan, report, "it is no longer in the package (deleted there?)")
                continue
            self._settle(session, plan, credit, sends.get(plan.record.id, []), outcomes, report)
        session.commit()

    def _settle(self, session: Session, plan: PaymentPlan, credit: RemoteCredit, sent: list[AllocationExport],
                outcomes: dict[str, ExportOutcome], report: PaymentRunReport) -> None:
        """Record what the package now holds of this prepayment (what it held and what it accepted), report it,
        and tick it seen once the package holds the whole amount."""
        record = plan.record
        ours = {ext: inv for inv, ext in plan.invoices}
        accepted, failed = [], []
        for it in sent:
            outcome = outcomes.get(it.key)
            if outcome is not None and outcome.ok:
                accepted.append(RemoteAllocation("prepayment", credit.external_id, it.invoice_external_id, it.amount,
                                                 it.allocation_date, outcome.external_id))
            else:
                failed.append(f"{it.amount} to {ours[it.invoice_external_id].number}: "
                              f"{outcome.message if outcome else 'no answer'}")
        report.allocations_sent += len(accepted)
        credit = replace(credit, allocations=credit.allocations + tuple(accepted),
                         remaining=credit.remaining - sum((a.amount for a in accepted), Decimal(0)))
        self._record_allocations(session, plan.payment, credit.allocations)
        allocated = sum((a.amount for a in credit.allocations), Decimal(0))
        report.prepayments.append({"payment": plan.payment.host_id, "order": plan.order_number,
                                   "currency": plan.payment.currency, "amount": str(round_money(plan.payment.amount)),
                                   "allocated": str(round_money(allocated)),
                                   "remaining": str(round_money(credit.remaining))})
        if failed:
            self._fail(session, plan, report, "allocation refused: " + "; ".join(failed))
            return
        if credit.total == plan.payment.amount and record.status != SyncStatus.SEEN.value:
            lifecycle.apply_loaded(session, [(record, Seen(record.id, utcnow()))])
            report.seen += 1

    def _record_allocations(self, session: Session, payment: Payment, remote: Sequence[RemoteAllocation]) -> None:
        """The payment's allocations here become what the package holds (by invoice, summed)."""
        docs = self._record_ids(session, RecordType.DOCUMENT, (a.invoice_external_id for a in remote))
        held: dict[int, Decimal] = {}
        for alloc in remote:
            doc_id = docs.get(alloc.invoice_external_id)
            if doc_id is not None:
                held[doc_id] = held.get(doc_id, Decimal(0)) + alloc.amount
        hold_allocations(payment, held)

    def _fail(self, session: Session, plan: PaymentPlan, report: PaymentRunReport, why: str,
              failure: ConnectorCallFailed | None = None) -> None:
        message = f"{plan.label}: {why}"
        record_error(session, plan.record, source="package" if failure is None else failure.source,
                     message=message, failure_type=(failure.failure_type if failure else None) or "data",
                     raw_response=failure.raw_response if failure else None)
        report.failed += 1
        report.problems.append({"payment": plan.payment.host_id, "message": message})


def _unallocated(payment: Payment) -> bool:
    return sum((a.amount for a in payment.allocations), Decimal(0)) < payment.amount


def _allocation_date(paid: date, issued: date) -> date:
    """An allocation is dated no earlier than either side: the later of payment and invoice."""
    return max(paid, issued)


def _unused(plan: PaymentPlan) -> RemoteCredit:
    """A prepayment about to be created: all of it is still to allocate."""
    return RemoteCredit("", plan.payment.amount, plan.payment.amount, "AUTHORISED")


def _as_created(item: PaymentExport, external_id: str, total: Decimal | None) -> RemoteCredit:
    """A prepayment as the package holds it once created: its total and the split it was sent with."""
    amount = total if total is not None else item.amount
    held = tuple(RemoteAllocation("prepayment", external_id, a.invoice_external_id, a.amount, a.allocation_date)
                 for a in item.allocations)
    return RemoteCredit(external_id, amount, amount - sum((a.amount for a in held), Decimal(0)), "AUTHORISED", held)


def _less_created(due: dict[str, RemoteDocument], created: dict[int, RemoteCredit]) -> dict[str, RemoteDocument]:
    """The amounts due read before the prepayments were created, less what they were created allocated with: the
    package's figure as it stands now (``offered`` adds back what a prepayment holds, so it must be counted)."""
    out = dict(due)
    for credit in created.values():
        for alloc in credit.allocations:
            doc = out.get(alloc.invoice_external_id)
            if doc is not None:
                out[alloc.invoice_external_id] = replace(doc, amount_due=doc.amount_due - alloc.amount)
    return out
