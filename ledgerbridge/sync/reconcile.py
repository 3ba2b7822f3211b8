"""Reconciliation (R-R1): per party and per document, the host's books against the package's, with causes.

The host's side comes from its documents, payments and allocations and from the sync records (what was sent,
when, in which version); what is known but not yet imported comes from the pending-import list
(``PackagePayment``); the package's side is read now through the connector (``read_back_documents``). The
rules that turn two sets of figures into explained differences are pure and live in ``reconcile_rules``.

Reading the package costs what the seen tick's read-back costs (``read_back.read_documents``): by id for a
handful of documents, else page by page through what the package changed since they were sent.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import ColumnElement, and_, func, or_, select
from sqlalchemy.orm import Session, sessionmaker

from ledgerbridge.connectors.protocol import Connector, RemoteDocument
from ledgerbridge.domain.reconcile_rules import (
    ZERO,
    Cause,
    Difference,
    HostSide,
    PackageSide,
    Unimported,
    compare_document,
    roll_up_parties,
)
from ledgerbridge.store.db import session_scope, utcnow
from ledgerbridge.store.models.host import (
    Allocation,
    Document,
    DocumentLine,
    DocumentStatus,
    Party,
    Payment,
    PaymentKind,
    PaymentOrigin,
)
from ledgerbridge.store.models.sync import Connection, ImportStatus, PackagePayment, RecordType, SyncCursor, SyncRecord
from ledgerbridge.sync.credits_here import credited_by_document, credits_here
from ledgerbridge.sync.read_back import read_documents
from ledgerbridge.sync.records import EXPORTABLE, LIVE_STATES, SENT_STATES

GONE = {"DELETED": "deleted", "VOIDED": "voided"}
CSV_COLUMNS = ("level", "party", "document", "document_type", "currency", "measure", "host", "package",
               "difference", "cause", "cause_amount", "detail", "action")


@dataclass(slots=True)
class Reconciliation:
    connection_id: int
    package: str
    generated_at: datetime
    documents: int = 0
    differences: list[Difference] = field(default_factory=list)

    @property
    def explained(self) -> int:
        return sum(1 for d in self.differences if d.explained)

    def summary(self) -> dict[str, int]:
        return {"differences": len(self.differences), "explained": self.explained}

    def by_cause(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for d in self.differences:
            for e in d.explanations:
                counts[e.cause.value] = counts.get(e.cause.value, 0) + 1
        return counts

    def as_dict(self) -> dict[str, Any]:
        return {"connection_id": self.connection_id, "package": self.package,
                "generated_at": self.generated_at.isoformat(), "documents_compared": self.documents,
                **self.summary(), "by_cause": self.by_cause(),
                "rows": [_row(d) for d in self.differences]}

    def as_csv(self) -> str:
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(CSV_COLUMNS)
        for d in self.differences:
            for e in d.explanations:
                writer.writerow([d.level, d.party, d.document or "", d.document_type or "", d.currency, d.measure,
                                 d.host, d.package, d.difference, e.cause.value, e.amount, e.detail, e.action])
        return out.getvalue()


def _row(d: Difference) -> dict[str, Any]:
    return {"level": d.level, "party": d.party, "document": d.document, "document_type": d.document_type,
            "currency": d.currency, "measure": d.measure, "host": d.host, "package": d.package,
            "difference": d.difference, "explained": d.explained,
            "causes": [{"cause": e.cause.value, "amount": e.amount, "detail": e.detail, "action": e.action}
                       for e in d.explanations]}


def reconcile(sessions: sessionmaker[Session], connection_id: int, connector: Connector) -> Reconciliation:
    """Compare every exportable document of the connection's organisation with the package's copy now."""
    with session_scope(sessions) as session:
        connection = session.get_one(Connection, connection_id)
        hosts, external, since = _host_documents(session, connection)
        unimported = _unimported(session, connection_id)
        bookmark = _aware(session.scalar(select(SyncCursor.bookmark).where(
            SyncCursor.connection_id == connection_id, SyncCursor.stream == "payments")))
    remote = read_documents(connector, sorted((doc_type, ext) for ext, doc_type in external.values()), since)
    report = Reconciliation(connection_id, connector.display_name, utcnow(), documents=len(hosts))
    balances: dict[tuple[str, str], tuple[Decimal, Decimal]] = {}
    for doc_id, host in hosts.items():
        ext = external.get(doc_id, (None, None))[0]
        package = _package_side(remote.get(ext)) if ext else None
        if ext and package is None:
            package = PackageSide(ZERO, ZERO, ZERO, ZERO, "deleted", None)  # bound, but the package has no such id
        fetched_open, diagnostics = unimported.get(ext or "", (ZERO, ()))
        changed = package.updated_at if package else None
        # Strictly before: a package that stamps to the second (QuickBooks Desktop's TimeModified) gives a change
        # made in the same second as the last payment fetched the bookmark's own stamp, though it came after.
        seen_since = bookmark is not None and changed is not None and changed < bookmark
        diffs = compare_document(host, package, Unimported(fetched_open, diagnostics, seen_since))
        report.differences += diffs
        _add_balance(balances, host, package)
    report.differences += roll_up_parties(report.differences, balances)
    return report


def _add_balance(balances: dict[tuple[str, str], tuple[Decimal, Decimal]], host: HostSide,
                 package: PackageSide | None) -> None:
    """What the party owes (or is owed) on the documents both sides can show; credit notes count against."""
    if package is None:
        return  # not in the package: already a document difference of its own
    sign = -1 if "credit_note" in host.doc_type else 1
    host_due = host.total - host.paid - host.credited  # total is zero once void (see compare_document)
    key = (host.party, host.currency)
    h, p = balances.get(key, (ZERO, ZERO))
    balances[key] = (h + sign * host_due, p + sign * package.due)


def _package_side(doc: RemoteDocument | None) -> PackageSide | None:
    if doc is None:
        return None
    gone = GONE.get(doc.status.upper())
    if gone is not None:  # a voided or deleted document counts for nothing in the books, whatever it shows
        return PackageSide(ZERO, ZERO, ZERO, ZERO, gone, _aware(doc.updated_at))
    return PackageSide(doc.total, doc.amount_paid, doc.amount_credited, doc.amount_due, None,
                       _aware(doc.updated_at))


def _aware(moment: datetime | None) -> datetime | None:
    if moment is None:
        return None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def _host_documents(session: Session, connection: Connection
                    ) -> tuple[dict[int, HostSide], dict[int, tuple[str, str]], datetime | None]:
    """Every exportable document that is live here or has a sync record, with its payments split by origin; the
    package ids of those sent, and when the first of them was last sent (the package changed each since)."""
    has_record = select(SyncRecord.record_id).where(SyncRecord.connection_id == connection.id,
                                                    SyncRecord.record_type == RecordType.DOCUMENT.value)
    live: list[ColumnElement[bool]] = [Document.type.in_(EXPORTABLE), Document.status.in_(LIVE_STATES)]
    if connection.start_date is not None:
        live.append(Document.issue_date >= connection.start_date)
    rows = session.execute(
        select(Document, Party.code, Party.name, SyncRecord)
        .join(Party, Party.id == Document.party_id)
        .outerjoin(SyncRecord, (SyncRecord.record_id == Document.id) & (SyncRecord.connection_id == connection.id)
                   & (SyncRecord.record_type == RecordType.DOCUMENT.value))
        .where(Document.organisation_id == connection.organisation_id,
               or_(Document.id.in_(has_record), and_(*live)))
        .order_by(Party.code, Document.number)).all()
    ids = [r.Document.id for r in rows]
    paid = _payments_by_document(session, connection.id, ids)
    prepaid = _prepaid_by_document(session, ids)
    credited = credited_by_document(credits_here(session, connection.organisation_id, connection.id))
    lines: dict[int, int] = dict(session.execute(select(DocumentLine.document_id, func.count()).where(
        DocumentLine.document_id.in_(ids)).group_by(DocumentLine.document_id)).all()) if ids else {}
    hosts: dict[int, HostSide] = {}
    external: dict[int, tuple[str, str]] = {}
    since: datetime | None = None
    for r in rows:
        doc, record = r.Document, r.SyncRecord
        void = doc.status == DocumentStatus.VOID.value
        total_paid, unexported, from_package = paid.get(doc.id, (ZERO, ZERO, ZERO))
        credit_here, credit_recorded = credited.get(doc.id, (ZERO, ZERO))
        hosts[doc.id] = HostSide(
            number=doc.number, doc_type=doc.type, party=f"{r.code} {r.name}", currency=doc.currency,
            total=ZERO if void else doc.gross_total, paid=total_paid, credited=credit_here, void=void,
            prepaid=prepaid.get(doc.id, ZERO),
            lines=lines.get(doc.id, 1), version=doc.version,
            sync_status=record.status if record else None, last_error=record.last_error if record else None,
            marked_by_hand=bool(record and record.marked_by_hand),
            exported_version=record.exported_version if record else None,
            exported_total=record.exported_total if record else None,
            unexported_paid=unexported, package_paid=from_package, credited_recorded=credit_recorded)
        if record is not None and record.external_id and not record.marked_by_hand:
            external[doc.id] = (record.external_id, doc.type)
            sent = _aware(record.exported_at)
            since = sent if since is None or (sent is not None and sent < since) else since
    return hosts, external, since


def _payments_by_document(session: Session, connection_id: int, ids: list[int]
                          ) -> dict[int, tuple[Decimal, Decimal, Decimal]]:
    """Per document: allocated by live payments, the part made here and not sent, the part imported from the
    package. Summed in Python: SQLite keeps decimals as text (db.Money4)."""
    if not ids:
        return {}
    sent_payments = set(session.scalars(select(SyncRecord.record_id).where(
        SyncRecord.connection_id == connection_id, SyncRecord.record_type == RecordType.PAYMENT.value,
        SyncRecord.status.in_(SENT_STATES))))
    out: dict[int, tuple[Decimal, Decimal, Decimal]] = {}
    for chunk in _chunks(ids, 500):
        for doc_id, amount, payment_id, origin in session.execute(
                select(Allocation.document_id, Allocation.amount, Payment.id, Payment.origin).join(Payment)
                .where(Allocation.document_id.in_(chunk), Payment.reversed_at.is_(None))):
            total, unexported, imported = out.get(doc_id, (ZERO, ZERO, ZERO))
            from_package = origin == PaymentOrigin.PACKAGE.value
            out[doc_id] = (total + amount,
                           unexported + (amount if not from_package and payment_id not in sent_payments else ZERO),
                           imported + (amount if from_package else ZERO))
    return out


def _prepaid_by_document(session: Session, ids: list[int]) -> dict[int, Decimal]:
    """Per document: what live prepayments (R-E6) and payments on account (overpayments and prepayments made in
    the package, allocated by allocation sync) applied to it: money a package may count as credit."""
    out: dict[int, Decimal] = {}
    for chunk in _chunks(ids, 500):
        for doc_id, amount in session.execute(
                select(Allocation.document_id, Allocation.amount).join(Payment)
                .where(Allocation.document_id.in_(chunk), Payment.reversed_at.is_(None),
                       Payment.kind.in_((PaymentKind.PREPAYMENT.value, PaymentKind.ON_ACCOUNT.value)))):
            out[doc_id] = out.get(doc_id, ZERO) + amount
    return out


def _unimported(session: Session, connection_id: int) -> dict[str, tuple[Decimal, tuple[str, ...]]]:
    """Package payments fetched but not created here, per document they pay (by the package's id)."""
    out: dict[str, tuple[Decimal, tuple[str, ...]]] = {}
    for row in session.scalars(select(PackagePayment).where(
            PackagePayment.connection_id == connection_id, PackagePayment.deleted_in_package.is_(False),
            PackagePayment.document_external_id.is_not(None),
            PackagePayment.status.in_((ImportStatus.PENDING.value, ImportStatus.ERROR.value)))):
        amount, notes = out.get(row.document_external_id or "", (ZERO, ()))
        note = f"payment {row.external_id} of {row.amount}" + (f" ({row.diagnostic})" if row.diagnostic else "")
        out[row.document_external_id or ""] = (amount + row.amount, (*notes, note))
    return out


def _chunks(values: list[int], size: int) -> Iterable[list[int]]:
    for start in range(0, len(values), size):
        yield values[start : start + size]


def unexplained(report: Reconciliation) -> list[Difference]:
    """The differences no cause accounts for (what a property test or an alert looks for)."""
    return [d for d in report.differences if any(e.cause is Cause.UNEXPLAINED for e in d.explanations)]
