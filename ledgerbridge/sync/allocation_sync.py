"""Allocation sync (R-X1): credit applied on either side reaches the other; off by default (R-I3).

The seeds' integrations never sync allocations: a credit note goes out, but applying it
to the invoice is left to whoever does the books, on one side only, and the books drift
apart until reconciliation names the cause. With ``allocation_sync`` on:
* push: a credit note that credits an invoice here (``credits_document_id``) is applied
  to that invoice in the package, never above what is outstanding on either;
* pull: credit notes, prepayments and overpayments changed in the package come back with
  all their allocations, and what is recorded here becomes what the package holds
  (``credit_allocations`` for credit notes, the payment's ``allocations`` otherwise).
Like prepayments, a push reads the package first and sends only the difference, so a
re-run after a lost answer never applies credit twice.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from ledgerbridge.audit.trail import audit
from ledgerbridge.connectors.protocol import AllocationExport, ConnectorCallFailed, RemoteCredit
from ledgerbridge.domain.accounting_settings import ConnectionSettings
from ledgerbridge.domain.line_accounts import LineKind
from ledgerbridge.store.db import committed_between, session_scope, utcnow
from ledgerbridge.store.models.credits import CreditAllocation
from ledgerbridge.store.models.host import Document, DocumentLine, DocumentStatus, DocumentType, Payment
from ledgerbridge.store.models.sync import Connection, PackagePayment, RecordType, SyncStatus
from ledgerbridge.sync.connection_run import ConnectionRun, Report, hold_allocations
from ledgerbridge.sync.incremental import IncrementalWindow
from ledgerbridge.sync.payment_plan import outstanding_here

STREAM = "allocations"
CREDIT_TYPES = (DocumentType.SALES_CREDIT_NOTE.value, DocumentType.PURCHASE_CREDIT_NOTE.value)
OFF = ("allocation sync is off (R-I3): credit notes go out but their allocations are made in one place only; "
       "turn on allocation_sync in the settings to send and read them")


@dataclass(slots=True)
class AllocationReport(Report):
    pushed: int = 0
    pulled: int = 0  # credits whose allocations were recorded here
    skipped: str | None = None
    diagnostics: list[dict[str, Any]] = field(default_factory=list)


class AllocationSync(ConnectionRun):
    def run(self) -> AllocationReport:
        report = AllocationReport()
        with session_scope(self.sessions) as session:
            connection = session.get_one(Connection, self.connection_id)
            if not ConnectionSettings.from_json(connection.settings).allocation_sync:
                # Off, write-offs are applied all the same: an unapplied one would leave the invoice owing there.
                report.skipped = OFF
                self._push(session, connection, report, only_write_offs=True)
                session.commit()
                return report
            self._push(session, connection, report)
            session.commit()
            self._pull(session, connection, report)
            audit(session, connection, self.actor, "sync_allocations", outcome="ok",
                  detail=f"{report.pushed} sent, {report.pulled} credits read back, "
                         f"{len(report.diagnostics)} diagnostics")
        return report

    # -- here -> package ------------------------------------------------------------------------------------
    def _bound(self, session: Session, document_id: int) -> str | None:
        return self._external_id(session, RecordType.DOCUMENT, document_id, SyncStatus.SEEN)

    def _push(self, session: Session, connection: Connection, report: AllocationReport,
              only_write_offs: bool = False) -> None:
        query = select(Document).where(
            Document.organisation_id == connection.organisation_id, Document.type.in_(CREDIT_TYPES),
            Document.credits_document_id.is_not(None), Document.status != DocumentStatus.VOID.value)
        if only_write_offs:
            query = query.where(Document.id.in_(select(DocumentLine.document_id).where(
                DocumentLine.kind == LineKind.BAD_DEBT.value)))
        credits = session.scalars(query)
        pairs: list[tuple[Document, Document, str, str]] = []
        for credit in credits:
            invoice = session.get_one(Document, credit.credits_document_id)
            credit_ext, invoice_ext = self._bound(session, credit.id), self._bound(session, invoice.id)
            if credit_ext and invoice_ext:  # else it goes once both are confirmed in the package
                pairs.append((credit, invoice, credit_ext, invoice_ext))
        if not pairs:
            return
        # The package first (what is already applied is never sent twice), every credit note in as few calls as
        # the package allows; this session holds no writes yet.
        held = self.connector.read_credits("credit_note", [credit_ext for _, _, credit_ext, _ in pairs])
        items: list[AllocationExport] = []
        labels: dict[str, str] = {}
        for credit, invoice, credit_ext, invoice_ext in pairs:
            remote = held.get(credit_ext)
            if remote is None:
                continue
            already = sum((a.amount for a in remote.allocations if a.invoice_external_id == invoice_ext),
                          Decimal(0))
            others = self._credited_by_others(session, invoice, credit.id)
            wanted = min(credit.gross_total, outstanding_here(session, invoice, -1) - others + already)
            if wanted - already > 0 and remote.remaining > 0:
                amount = min(wanted - already, remote.remaining)
                key = f"{credit.id}:{invoice.id}"
                labels[key] = f"credit note {credit.number} to {invoice.number} ({credit.currency} {amount})"
                items.append(AllocationExport(key, "credit_note", credit_ext, invoice_ext, amount,
                                              max(credit.issue_date, invoice.issue_date),
                                              self._external_id(session, RecordType.PARTY, credit.party_id),
                                              credit.currency))
        if not items:
            return
        try:
            outcomes = self.connector.export_allocations(items, uuid.uuid4().hex)
        except ConnectorCallFailed as failure:
            report.diagnostics.append({"message": f"credit allocations not sent: {failure.message}"})
            return
        for it in items:
            outcome = outcomes.get(it.key)
            if outcome is not None and outcome.ok:
                report.pushed += 1
            else:
                why = outcome.message if outcome else "no answer"
                report.diagnostics.append({"allocation": labels[it.key], "message": f"{labels[it.key]}: {why}"})
        # What the package now holds, recorded here: read in one go, never while this session holds writes.
        session.commit()
        for remote in self.connector.read_credits("credit_note", [it.source_external_id for it in items]).values():
            self._record_credit(session, connection, remote, report)

    def _credited_by_others(self, session: Session, invoice: Document, credit_id: int) -> Decimal:
        return sum(session.scalars(select(CreditAllocation.amount).where(
            CreditAllocation.invoice_document_id == invoice.id, CreditAllocation.credit_document_id != credit_id)),
            Decimal(0))

    # -- package -> here ------------------------------------------------------------------------------------
    def _pull(self, session: Session, connection: Connection, report: AllocationReport) -> None:
        cursor = self._cursor(session, STREAM)
        window = IncrementalWindow(cursor.bookmark, signpost=utcnow())
        for credit in committed_between(session, self.connector.fetch_allocations(window.since())):
            if credit.updated_at is not None:
                window.saw(credit.updated_at)
            if credit.kind == "credit_note":
                self._record_credit(session, connection, credit, report)
            else:
                self._record_prepayment(session, credit, report)
        cursor.bookmark = window.next_bookmark()

    def _record_credit(self, session: Session, connection: Connection, credit: RemoteCredit,
                       report: AllocationReport) -> None:
        docs = self._record_ids(session, RecordType.DOCUMENT,
                                [credit.external_id, *(a.invoice_external_id for a in credit.allocations)])
        credit_doc = docs.get(credit.external_id)
        if credit_doc is None:
            return  # a credit note keyed in the package: not ours to record (R-I2)
        session.execute(delete(CreditAllocation).where(CreditAllocation.connection_id == self.connection_id,
                                                       CreditAllocation.credit_document_id == credit_doc))
        for n, alloc in enumerate(credit.allocations):
            invoice_doc = docs.get(alloc.invoice_external_id)
            if invoice_doc is None:
                self._unknown_invoice(session, credit_doc, alloc.amount, report)
                continue
            session.add(CreditAllocation(
                organisation_id=connection.organisation_id, credit_document_id=credit_doc,
                invoice_document_id=invoice_doc, amount=alloc.amount, allocated_on=alloc.allocation_date,
                origin="package", connection_id=self.connection_id,
                external_id=alloc.external_id or f"{credit.external_id}:{alloc.invoice_external_id}:{n}"))
        session.flush()
        report.pulled += 1

    def _record_prepayment(self, session: Session, credit: RemoteCredit, report: AllocationReport) -> None:
        payment_id = self._record_id(session, RecordType.PAYMENT, credit.external_id) or session.scalar(
            select(PackagePayment.payment_id).where(PackagePayment.connection_id == self.connection_id,
                                                    PackagePayment.external_id == credit.external_id))
        if payment_id is None:
            return  # not imported (yet): the payment import says why
        payment = session.get_one(Payment, payment_id)
        docs = self._record_ids(session, RecordType.DOCUMENT, (a.invoice_external_id for a in credit.allocations))
        held: dict[int, Decimal] = {}
        for alloc in credit.allocations:
            doc = docs.get(alloc.invoice_external_id)
            if doc is None:
                report.diagnostics.append({"payment": payment.host_id, "message": (
                    f"{credit.kind} {payment.host_id} ({payment.currency} {alloc.amount}) is allocated in the "
                    "package to an invoice not uploaded from here; not recorded here")})
                continue
            held[doc] = held.get(doc, Decimal(0)) + alloc.amount
        hold_allocations(payment, held)
        session.flush()
        report.pulled += 1

    @staticmethod
    def _unknown_invoice(session: Session, credit_doc: int, amount: Decimal, report: AllocationReport) -> None:
        number = session.get_one(Document, credit_doc).number
        report.diagnostics.append({"document": number, "message": (
            f"credit note {number} has {amount} allocated in the package to an invoice not uploaded from here; "
            "not recorded here")})
