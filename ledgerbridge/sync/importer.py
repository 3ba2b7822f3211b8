"""Import: payments made in the package come back and are allocated here (R-I1, R-I2).

Two steps, as the seeds' screens have them: *fetch* reads payments incrementally into
the pending-import list (each upserted by the package's id), and *create & allocate*
turns the selected ones into payments here, allocated only to documents that were
uploaded from here. The package's id is the payment's host id, so importing twice
never duplicates.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ledgerbridge.audit.trail import audit
from ledgerbridge.connectors.protocol import FindsDeletedPayments, ImportedPayment, RemotePayment
from ledgerbridge.store.db import committed_between, session_scope, utcnow
from ledgerbridge.store.models.host import Allocation, Document, Payment, PaymentKind, PaymentOrigin
from ledgerbridge.store.models.sync import (
    Connection,
    ImportStatus,
    Mapping,
    PackagePayment,
    RecordType,
    SyncRecord,
)
from ledgerbridge.sync.allocation_sync import AllocationSync
from ledgerbridge.sync.connection_run import ConnectionRun, Report
from ledgerbridge.sync.incremental import IncrementalWindow

STREAM = "payments"
OPEN = (ImportStatus.PENDING.value, ImportStatus.ERROR.value)


@dataclass(slots=True)
class ImportReport(Report):
    fetched: int = 0
    new: int = 0
    deleted_in_package: int = 0
    created: int = 0
    allocated: int = 0
    reversed: int = 0
    on_account: int = 0  # prepayments, overpayments and unapplied payments made in the package
    skipped_ours: int = 0  # prepayments and payments that went out from here, read back
    failed: int = 0
    diagnostics: list[dict[str, Any]] = field(default_factory=list)


class PaymentImporter(ConnectionRun):
    def fetch(self, report: ImportReport | None = None) -> ImportReport:
        report = report or ImportReport()
        with session_scope(self.sessions) as session:
            cursor = self._cursor(session, STREAM)
            window = IncrementalWindow(cursor.bookmark, signpost=utcnow())
            # Committed before each next payment is asked for: the next page is a call to the package.
            for remote in committed_between(session, self.connector.fetch_payments(window.since())):
                window.saw(remote.updated_at)
                report.fetched += 1
                if self._sent_from_here(session, self.connector.host_id_in_reference(remote.reference)):
                    # Ours, sent but not bound yet (its answer lost, or an upload beside this import still
                    # waiting for it): not a payment made in the package. The export binds it (its next run
                    # finds it there by this reference). Asked as each is read, not once before the fetch: the
                    # attempt is on record before the package hears of the payment, so it is seen here.
                    report.skipped_ours += 1
                    continue
                self._store(session, remote, report)
            cursor.bookmark = window.next_bookmark()
        if isinstance(self.connector, FindsDeletedPayments):
            self._find_deleted(self.connector, report)
        return report

    def _find_deleted(self, connector: FindsDeletedPayments, report: ImportReport) -> None:
        """For a package that lists no deleted payments: ask which payments imported earlier are gone."""
        with session_scope(self.sessions) as session:
            rows = session.execute(select(PackagePayment.external_id, PackagePayment.direction,
                                          PackagePayment.payment_date).where(
                PackagePayment.connection_id == self.connection_id, PackagePayment.deleted_in_package.is_(False)))
            imported = {self.connector.whole_payment_id(ext): ImportedPayment(self.connector.whole_payment_id(ext),
                                                                              direction, day)
                        for ext, direction, day in rows}
        gone = connector.deleted_payments(list(imported.values())) if imported else []
        with session_scope(self.sessions) as session:
            for external_id in gone:
                self._deleted(session, external_id, report)

    def _deleted(self, session: Session, external_id: str, report: ImportReport) -> None:
        """A payment gone from the package: each of its imported rows (parts too) reversed, as they were."""
        prefix = self.connector.payment_parts_prefix(external_id)
        query = select(PackagePayment).where(PackagePayment.connection_id == self.connection_id,
                                             PackagePayment.deleted_in_package.is_(False))
        rows = list(session.scalars(query.where(PackagePayment.external_id == external_id)))
        if prefix is not None:
            rows += session.scalars(query.where(PackagePayment.external_id.startswith(prefix, autoescape=True)))
        for row in rows:
            row.deleted_in_package = True
            row.fetched_at = utcnow()
            report.deleted_in_package += 1
            self._reverse(session, row, report)

    def _store(self, session: Session, remote: RemotePayment, report: ImportReport) -> None:
        if self._ours(session, remote.external_id):  # exported from here: already a payment here
            report.skipped_ours += 1
            return
        if remote.deleted and self._delete_parts(session, remote, report):
            return
        row = session.scalar(select(PackagePayment).where(PackagePayment.connection_id == self.connection_id,
                                                          PackagePayment.external_id == remote.external_id))
        if row is None:
            row = PackagePayment(connection_id=self.connection_id, external_id=remote.external_id)
            session.add(row)
            report.new += 1
        row.payment_type = remote.payment_type
        row.direction = remote.direction
        row.payment_date = remote.payment_date
        row.amount = remote.amount
        row.currency = remote.currency
        row.reference = remote.reference
        row.document_external_id = remote.document_external_id
        row.document_number = remote.document_number
        row.party_external_id = remote.party_external_id
        row.party_name = remote.party_name
        row.bank_account_code = remote.bank_account_code
        row.package_updated_at = remote.updated_at
        row.raw = remote.raw
        row.fetched_at = utcnow()
        if remote.deleted and not row.deleted_in_package:
            row.deleted_in_package = True
            report.deleted_in_package += 1
            self._reverse(session, row, report)
        elif row.status is None:
            row.status = ImportStatus.PENDING.value

    def _delete_parts(self, session: Session, remote: RemotePayment, report: ImportReport) -> bool:
        """A package's one payment over several documents (or with an unapplied rest) may be fetched as parts
        (``Connector.payment_parts_prefix``); its deletion names only the payment, and every part goes with it.
        True when it had parts."""
        prefix = self.connector.payment_parts_prefix(remote.external_id)
        if prefix is None:
            return False
        parts = session.scalars(select(PackagePayment).where(
            PackagePayment.connection_id == self.connection_id,
            PackagePayment.external_id.startswith(prefix, autoescape=True))).all()
        for part in parts:
            if part.deleted_in_package:
                continue
            part.deleted_in_package = True
            part.package_updated_at = remote.updated_at
            part.fetched_at = utcnow()
            report.deleted_in_package += 1
            self._reverse(session, part, report)
        return bool(parts)

    def _sent_from_here(self, session: Session, host_id: str | None) -> bool:
        """Whether the payment with this host id was sent to the package on this connection (an attempt made)."""
        if host_id is None:
            return False
        return session.scalar(select(SyncRecord.id).join(Payment, SyncRecord.record_id == Payment.id).where(
            SyncRecord.connection_id == self.connection_id, SyncRecord.record_type == RecordType.PAYMENT.value,
            Payment.host_id == host_id, SyncRecord.attempt_key.is_not(None)).limit(1)) is not None

    def _ours(self, session: Session, external_id: str) -> bool:
        """A payment this connection sent (or a part of one, where the package's payments come in parts)."""
        base = self.connector.whole_payment_id(external_id)
        return session.scalar(select(SyncRecord.id).where(
            SyncRecord.connection_id == self.connection_id, SyncRecord.record_type == RecordType.PAYMENT.value,
            SyncRecord.external_id.in_({external_id, base})).limit(1)) is not None

    def _reverse(self, session: Session, row: PackagePayment, report: ImportReport) -> None:
        """Deleted in the package: undo it here too, saying why (the payment, the document and the amount)."""
        reason = f"deleted in {self.connector.display_name} ({self._what(row)})"
        if row.payment_id is not None:
            payment = session.get_one(Payment, row.payment_id)
            payment.reversed_at = utcnow()
            payment.reversed_reason = reason[:255]
            report.reversed += 1
        row.status = ImportStatus.REVERSED.value
        row.diagnostic = f"{self._what(row)}: deleted in {self.connector.display_name}" + (
            "; the payment here was reversed" if row.payment_id else "; nothing had been imported")

    def _what(self, row: PackagePayment) -> str:
        """The payment as a person finds it in the package: its reference (or id), amount, date and document."""
        kind = {"in": "receipt", "out": "payment"}.get(row.direction, "payment")
        what = (f"{self.connector.display_name} {kind} {row.reference or row.external_id} of {row.currency} "
                f"{row.amount} dated {row.payment_date}")
        if row.document_number:
            what += f" on {row.document_number}"
        elif row.party_name:
            what += f" from {row.party_name}" if row.direction == "in" else f" to {row.party_name}"
        return what

    def create_and_allocate(self, package_payment_ids: Sequence[int] | None = None,
                            report: ImportReport | None = None) -> ImportReport:
        report = report or ImportReport()
        with session_scope(self.sessions) as session:
            connection = session.get_one(Connection, self.connection_id)
            q = select(PackagePayment).where(PackagePayment.connection_id == self.connection_id,
                                             PackagePayment.status.in_(OPEN)).order_by(PackagePayment.payment_date,
                                                                                       PackagePayment.id)
            if package_payment_ids is not None:
                q = q.where(PackagePayment.id.in_(list(package_payment_ids)))
            for row in session.scalars(q):
                self._create_one(session, connection, row, report)
            audit(session, connection, self.actor, "import_payments", outcome="failed" if report.failed else "ok",
                  detail=f"{report.created} created, {report.allocated} allocated, {report.failed} with diagnostics")
        # With allocation sync on (R-X1), credit applied in the package is recorded here too (off: R-I3).
        synced = AllocationSync(self.sessions, self.connection_id, self.connector, actor=self.actor).run()
        report.diagnostics += synced.diagnostics
        return report

    def _create_one(self, session: Session, connection: Connection, row: PackagePayment, report: ImportReport) -> None:
        what = self._what(row)
        if row.document_external_id is None:
            return self._on_account(session, connection, row, report, what)
        doc_id = self._record_id(session, RecordType.DOCUMENT, row.document_external_id)
        if doc_id is None:
            return self._diagnose(row, report, f"{what}: the document was not uploaded from here, so the payment is "
                                  "not imported (R-I2 allocates only to documents uploaded from here)")
        doc = session.get_one(Document, doc_id)
        if doc.currency != row.currency:
            return self._diagnose(row, report, f"{what}: the currency differs from {doc.number}'s ({doc.currency})")
        # Summed here, not in SQL: SQLite keeps decimals as text (see db.Money4).
        already = sum(session.scalars(select(Allocation.amount).join(Payment).where(
            Allocation.document_id == doc.id, Payment.reversed_at.is_(None))), Decimal(0))
        outstanding = doc.gross_total - already
        if row.amount > outstanding:
            return self._diagnose(row, report, f"{what}: the allocation of {row.amount} is above the outstanding "
                                  f"amount of {outstanding} on {doc.number}")
        payment = Payment(organisation_id=connection.organisation_id, host_id=f"{connection.kind}:{row.external_id}",
                          direction=row.direction, kind=PaymentKind.INVOICE_PAYMENT.value,
                          origin=PaymentOrigin.PACKAGE.value, party_id=doc.party_id, payment_date=row.payment_date,
                          amount=row.amount, currency=row.currency, reference=row.reference,
                          bank_nominal=self._bank_nominal(session, row.bank_account_code),
                          made_while_integrated=True)
        payment.allocations.append(Allocation(document_id=doc.id, amount=row.amount))
        session.add(payment)
        session.flush()
        row.payment_id = payment.id
        row.status = ImportStatus.CREATED_AND_ALLOCATED.value
        row.diagnostic = "Payment created and allocated"
        row.imported_at = utcnow()
        report.created += 1
        report.allocated += 1
        return None

    def _on_account(self, session: Session, connection: Connection, row: PackagePayment, report: ImportReport,
                    what: str) -> None:
        """Money taken in the package with no document (a prepayment, overpayment or unapplied payment there):
        a payment on account here, unallocated, for the party it came from (R-I1)."""
        if (row.raw or {}).get("refunds_credit"):
            return self._diagnose(row, report, f"{what}: a refund of a prepayment or overpayment made in "
                                  f"{self.connector.display_name}; record the refund here by hand")
        party_id = self._record_id(session, RecordType.PARTY, row.party_external_id)
        if party_id is None:
            return self._diagnose(row, report, f"{what}: no document, and its contact "
                                  f"{row.party_name or row.party_external_id or '(none)'} was not exported from "
                                  "here, so it cannot be put on a customer's or supplier's account")
        payment = Payment(organisation_id=connection.organisation_id, host_id=f"{connection.kind}:{row.external_id}",
                          direction=row.direction, kind=PaymentKind.ON_ACCOUNT.value,
                          origin=PaymentOrigin.PACKAGE.value, party_id=party_id, payment_date=row.payment_date,
                          amount=row.amount, currency=row.currency, reference=row.reference,
                          bank_nominal=self._bank_nominal(session, row.bank_account_code), made_while_integrated=True)
        session.add(payment)
        session.flush()
        row.payment_id = payment.id
        row.status = ImportStatus.CREATED_ON_ACCOUNT.value
        row.diagnostic = f"{what}: created as an unallocated payment on account"
        row.imported_at = utcnow()
        report.created += 1
        report.on_account += 1
        return None

    def _bank_nominal(self, session: Session, account_code: str | None) -> str | None:
        if account_code is None:
            return None
        return session.scalar(select(Mapping.local_code).where(
            Mapping.connection_id == self.connection_id, Mapping.kind == "nominal",
            Mapping.external_code == account_code).limit(1))

    @staticmethod
    def _diagnose(row: PackagePayment, report: ImportReport, message: str) -> None:
        row.status = ImportStatus.ERROR.value
        row.diagnostic = message
        report.failed += 1
        report.diagnostics.append({"payment": row.external_id, "document": row.document_number, "message": message})
