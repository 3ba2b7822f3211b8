"""Export: pre-check and upload of pending records to the package (R-E4, R-E5, R-E7, R-E9, R-E10).

One template for every connector (after OCA/connector's exporter): select, pre-check,
export dependencies first (parties), record the attempt key and mark in progress
*before* the call (committed), call in batches, bind and commit at once, then read
back for the seen tick. A run that dies leaves records in progress with their attempt
key; the next run looks them up in the package before creating anything again, so a
crash between the package's commit and ours never makes a duplicate.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from ledgerbridge.audit.trail import audit
from ledgerbridge.connectors.producers import all_sent, producing, waiting
from ledgerbridge.connectors.protocol import (
    CallBudgetSpent,
    Connector,
    ConnectorCallFailed,
    DocumentExport,
    ExportContext,
    ExportOutcome,
    Problem,
)
from ledgerbridge.store.db import session_scope, utcnow
from ledgerbridge.store.models.sync import Connection, RecordType, SyncAction, SyncRecord, SyncStatus
from ledgerbridge.store.views import DocumentView, load_item_ids
from ledgerbridge.sync import lifecycle
from ledgerbridge.sync.allocation_sync import AllocationSync
from ledgerbridge.sync.connection_run import ConnectionRun, Report
from ledgerbridge.sync.dependencies import ITEMS, Binding, DependencyExporter, PartyBindings
from ledgerbridge.sync.export_plan import RecordRef, export_context, prepared_chunks, select_document_records
from ledgerbridge.sync.lifecycle import Claim, Exported, Requeue
from ledgerbridge.sync.parties_ahead import documents_clearing_parties
from ledgerbridge.sync.payment_export import PaymentExporter
from ledgerbridge.sync.read_back import tick_seen
from ledgerbridge.sync.records import clear_errors, record_error, refresh_sync_records


@dataclass(slots=True)
class Progress:
    total: int = 0
    done: int = 0
    failed: int = 0
    step: str = "starting"


ProgressFn = Callable[[Progress], None]
#: Calls sent and not yet bound: each batch with the future of its outcomes and their source.
InFlight = list[tuple[list[DocumentExport], Future[tuple[list[ExportOutcome], str]]]]


@dataclass(slots=True)
class RunReport(Report):
    checked: int = 0
    exported: int = 0
    updated: int = 0
    voided: int = 0
    recovered: int = 0
    failed: int = 0
    seen: int = 0
    parties_exported: int = 0
    stopped_reason: str | None = None
    problems: list[dict[str, Any]] = field(default_factory=list)
    notes: list[dict[str, Any]] = field(default_factory=list)  # done, but not quite as asked (said in history)
    payments: dict[str, Any] = field(default_factory=dict)  # the last step: prepayments and their allocations


class Exporter(ConnectionRun):
    def __init__(self, sessions: sessionmaker[Session], connection_id: int, connector: Connector, *,
                 actor: str = "system", progress: ProgressFn | None = None, parallel_calls: int | None = None
                 ) -> None:
        super().__init__(sessions, connection_id, connector, actor=actor)
        self.progress = Progress()
        self._notify = progress or (lambda p: None)
        # Calls in flight at once: below the package's concurrency limit (Xero allows 5 per organisation). A
        # connector whose calls wait to be packed into few messages (a package that polls us: the mailbox packs what
        # is queued when the package asks) says how many it wants in flight (``calls_in_flight``): enough to fill a
        # message while the previous one is with the package.
        wanted = parallel_calls if parallel_calls is not None else int(getattr(connector, "calls_in_flight", 4))
        self.parallel_calls = max(1, min(wanted, self.connector.max_concurrent_calls))
        self._pool: ThreadPoolExecutor | None = None
        self._in_flight: InFlight = []  # the windows of calls sent and not yet bound (upload only)
        # Windows left in flight while this thread binds older ones and loads and checks the next chunk. One keeps
        # a package that answers as fast as it is called busy; a package that paces calls by the second (MYOB: 8 a
        # second per API key) says more (``export_windows_ahead``), so that its calls keep going out while the next
        # chunk of 500 is checked (a second or two in which one window's calls would be long answered).
        self.windows_ahead = max(1, int(getattr(connector, "export_windows_ahead", 1)))

    # -- pre-check -------------------------------------------------------------------------------------------
    def precheck(self, document_ids: Sequence[int] | None = None) -> RunReport:
        """Run every rule on the selected (or all pending) documents; nothing is sent."""
        report = RunReport()
        with session_scope(self.sessions) as session:
            connection = session.get_one(Connection, self.connection_id)
            refresh_sync_records(session, connection)
            # Committed before each chunk is checked: a package's own rules may ask the package (a look-up), and a
            # package that polls us answers through the mailbox, which writes in its own transaction (on SQLite it
            # would wait for this one's write lock until the look-up timed out).
            session.commit()
            ctx = export_context(session, connection)
            record_ids = select_document_records(session, self.connection_id, document_ids)
            passed: list[int] = []
            for chunk in prepared_chunks(session, connection, self.connector, record_ids, ctx):
                report.checked += len(chunk.ready) + len(chunk.refused)
                for ref, doc, problems in chunk.refused:
                    self._refuse(session, ref, doc, problems, report)
                session.commit()
                passed.extend(ref.sync_record_id for ref, _ in chunk.ready if ref.status == SyncStatus.ERROR.value)
            if passed:  # fixed since the last run: back to pending, old errors cleared
                clear_errors(session, passed)
                lifecycle.apply(session, [Requeue(rid, failure_type=None, last_error=None) for rid in passed])
            audit(session, connection, self.actor, "precheck", outcome="failed" if report.failed else "ok",
                  detail=f"{report.checked} checked, {report.failed} refused")
        if document_ids is None:  # payments are checked with everything pending, never with a chosen selection
            report.payments = PaymentExporter(self.sessions, self.connection_id, self.connector,
                                              actor=self.actor).precheck().as_dict()
        return report

    def _refuse(self, session: Session, ref: RecordRef, doc: DocumentView, problems: list[Problem],
                report: RunReport) -> None:
        record = session.get_one(SyncRecord, ref.sync_record_id)
        message = "; ".join(p.message for p in problems)
        hints = " ".join(dict.fromkeys(p.hint for p in problems if p.hint))
        failure = problems[0].failure_type
        record_error(session, record, source="precheck", message=message, failure_type=failure, hint=hints or None)
        report.failed += 1
        report.problems.append({"document": doc.number, "type": doc.type, "message": message, "hint": hints})

    # -- upload ----------------------------------------------------------------------------------------------
    def upload(self, document_ids: Sequence[int] | None = None) -> RunReport:
        report = RunReport()
        started = utcnow()
        with session_scope(self.sessions) as session:
            connection = session.get_one(Connection, self.connection_id)
            refresh_sync_records(session, connection)
        # A window's threads more than it keeps ahead for a connector whose calls are packed (``calls_in_flight``):
        # the next window builds its calls while the previous ones wait for their answers, so the message that
        # carries the previous window's tail carries the next window's head too. A package that is called keeps
        # one window's worth (its concurrency limit counts calls at once).
        windows = self.windows_ahead + 1 if hasattr(self.connector, "calls_in_flight") else 1
        self._pool = ThreadPoolExecutor(max_workers=self.parallel_calls * windows, thread_name_prefix="export")
        try:
            self._upload(document_ids, report)
        finally:
            self._pool.shutdown(wait=True)
            self._pool = None
        self._step("reading back from " + self.connector.display_name)
        report.seen = self.read_back(since=started - timedelta(minutes=5))
        if report.stopped_reason is None and document_ids is None:  # a chosen selection sends only documents
            self._step("prepayments and their allocations")
            try:
                report.payments = PaymentExporter(self.sessions, self.connection_id, self.connector,
                                                  actor=self.actor).upload().as_dict()
                report.payments["allocation_sync"] = AllocationSync(self.sessions, self.connection_id, self.connector,
                                                                    actor=self.actor).run().as_dict()
            except CallBudgetSpent as spent:
                report.stopped_reason = str(spent)
        with session_scope(self.sessions) as session:
            connection = session.get_one(Connection, self.connection_id)
            audit(session, connection, self.actor, "upload", outcome="failed" if report.failed else "ok",
                  detail=str({k: v for k, v in report.as_dict().items() if k != "problems"}))
        self._step("done")
        return report

    def _upload(self, document_ids: Sequence[int] | None, report: RunReport) -> None:
        with session_scope(self.sessions) as session:
            connection = session.get_one(Connection, self.connection_id)
            ctx = export_context(session, connection)
            record_ids = select_document_records(session, self.connection_id, document_ids)
            self.progress.total = len(record_ids)
            self._step("pre-check and upload")
            parties = PartyBindings(self.sessions, self.connection_id, self.connector, ctx)
            items = (DependencyExporter(self.sessions, self.connection_id, self.connector, ctx, ITEMS)
                     if ctx.settings.get("item_sync") else None)
            item_ids = load_item_ids(session, connection.organisation_id) if items else {}
            # The last window of calls of a chunk is bound after the next chunk is loaded and checked, so that the
            # package works on it meanwhile (the pipeline no longer drains at every chunk of 480-500 documents).
            self._in_flight = []
            try:
                # Said to a package that polls us (``mailbox.producing``): while this thread prepares the next window
                # rather than waits for an answer, more calls are coming, and a message is held for them.
                with producing(self.connection_id):
                    if hasattr(self.connector, "max_dependency_batch"):  # many parties a call: all of them first
                        # only those a document that passes pre-check names (``parties_ahead``)
                        parties.export_ahead(session, documents_clearing_parties(session, connection, self.connector,
                                                                                 record_ids, ctx))
                    for chunk in prepared_chunks(session, connection, self.connector, record_ids, ctx):
                        for ref, doc, problems in chunk.refused:
                            self._refuse(session, ref, doc, problems, report)
                            self._advance(failed=1)
                        self._commit(session)
                        ready = self._with_dependencies(session, parties, items, item_ids, chunk.ready, report)
                        self._export_documents(session, ready, ctx, report)
                last, self._in_flight = self._in_flight, []
                with all_sent(self.connection_id):  # the tail goes as soon as its calls are queued
                    self._bind_answers(session, last, report)
            except CallBudgetSpent as spent:
                report.stopped_reason = str(spent)
                last, self._in_flight = self._in_flight, []
                self._bind_after_stop(session, last, report)
            report.parties_exported = parties.exported

    def _with_dependencies(self, session: Session, parties: PartyBindings, items: DependencyExporter | None,
                           item_ids: dict[str, int], ready: list[tuple[RecordRef, DocumentView]],
                           report: RunReport) -> list[tuple[RecordRef, DocumentView, str]]:
        """Export what these documents name first (party; items with item sync on); hold back those whose failed."""
        bound = parties.ensure_exported(session, [doc for _, doc in ready])  # by document: the role it needs
        bound_items = items.ensure_exported({item_ids[line.item_code] for _, doc in ready for line in doc.lines
                                             if line.item_code in item_ids}) if items else {}
        out: list[tuple[RecordRef, DocumentView, str]] = []
        for ref, doc in ready:
            party = bound.get(doc.id)
            failed_item = next((bound_items.get(item_ids[ln.item_code]) for ln in doc.lines
                                if ln.item_code in item_ids and not (bound_items.get(item_ids[ln.item_code])
                                                                     or Binding(None)).external_id), None)
            if party is not None and party.external_id and failed_item is None:
                out.append((ref, doc, party.external_id))
                continue
            record = session.get_one(SyncRecord, ref.sync_record_id)
            blocker = failed_item if failed_item is not None else party
            what = "an item on it" if failed_item is not None else "its party"
            why = blocker.message if blocker is not None and blocker.message else f"{what} was not exported"
            record_error(session, record, source="package",
                         failure_type=(blocker.failure_type if blocker else None) or "data",
                         message=f"{doc.label()} waits for {what}: {why}",
                         hint="Fix the customer, supplier or item record, then upload again.")
            report.failed += 1
            report.problems.append({"document": doc.number, "type": doc.type, "message": record.last_error})
            self._advance(failed=1)
        self._commit(session)
        return out

    def _export_documents(self, session: Session, ready: list[tuple[RecordRef, DocumentView, str]],
                          ctx: ExportContext, report: RunReport) -> None:
        """Send these documents in windows of calls. The windows in flight (``_in_flight``, the previous chunk's
        last ones at first) are bound once ``windows_ahead`` newer ones are on their way; this chunk's last windows
        are left in flight."""
        credited = self._credited_ids(session, [doc for _, doc, _ in ready])
        items = [DocumentExport(ref.sync_record_id, ref.action, doc, party_ext, ref.external_id, "",
                                credited.get(doc.credits_document_id or -1)) for ref, doc, party_ext in ready]
        by_ref = {ref.sync_record_id: ref for ref, _, _ in ready}
        # Attempted before without an answer we kept: look in the package before creating again.
        retry = [it for it in items if it.action == "create" and by_ref[it.sync_record_id].attempt_key]
        if retry:
            found = self.connector.find_existing_documents(retry)
            if found:
                self._bind_found(session, retry, found, report)
                items = [it for it in items if it.sync_record_id not in found]
        groups: dict[tuple[str, str], list[DocumentExport]] = defaultdict(list)
        for it in items:  # as full as the package allows: types that may share a call do
            groups[(self.connector.write_group(it.document.type), it.action)].append(it)
        size = self.connector.max_batch
        batches = [group[start : start + size] for group in groups.values() for start in range(0, len(group), size)]
        # A pipeline: while one window of calls is with the package, the answers of the previous one are bound.
        for start in range(0, len(batches), self.parallel_calls):
            window = batches[start : start + self.parallel_calls]
            keys = self._record_attempts(session, window)
            assert self._pool is not None  # created by upload()
            sent = [(batch, self._pool.submit(self._call, batch, ctx, key))
                    for batch, key in zip(window, keys, strict=True)]
            # The oldest calls are bound, the newest windows_ahead - 1 windows' worth stay in flight with this one;
            # taken first: a window is never bound twice.
            due = max(0, len(self._in_flight) - (self.windows_ahead - 1) * self.parallel_calls)
            previous, self._in_flight = self._in_flight[:due], self._in_flight[due:] + sent
            self._bind_answers(session, previous, report)

    def _bind_after_stop(self, session: Session, in_flight: InFlight, report: RunReport) -> None:
        """The call limit stopped the run: what already came back is still bound (as it was before the stop);
        a window with a call refused for the limit stays in progress, looked up in the package next run."""
        try:
            self._bind_answers(session, in_flight, report)
        except CallBudgetSpent:
            pass

    def _record_attempts(self, session: Session, window: list[list[DocumentExport]]) -> list[str]:
        keys = [uuid.uuid4().hex for _ in window]
        now = utcnow()
        lifecycle.apply(session, [Claim(it.sync_record_id, f"{key}:{n}", key, now)
                                  for key, batch in zip(keys, window, strict=True) for n, it in enumerate(batch)])
        session.commit()  # the attempts are on record before the package hears of them
        return keys

    def _bind_answers(self, session: Session, in_flight: InFlight, report: RunReport) -> None:
        # Every answer is in before this thread writes: the calls' own writes (audit, health) need the
        # database too, and SQLite has one writer.
        with waiting(self.connection_id):
            answers = [future.result() for _, future in in_flight]
        for (batch, _), (outcomes, source) in zip(in_flight, answers, strict=True):
            self._apply(session, batch, outcomes, source, report)
        if in_flight:
            self._commit(session)

    def _call(self, batch: list[DocumentExport], ctx: ExportContext, key: str) -> tuple[list[ExportOutcome], str]:
        try:
            # Building its requests, then waiting for the answer (``connectors.producers``: not counted while it
            # waits), then reading it: a package that polls us holds its next message while calls are on their way.
            with producing(self.connection_id):
                return self.connector.export_documents(batch, ctx, key), "package"
        except ConnectorCallFailed as failure:
            return [ExportOutcome(it.sync_record_id, False, message=failure.message,
                                  failure_type=failure.failure_type, raw_response=failure.raw_response)
                    for it in batch], failure.source

    def _apply(self, session: Session, batch: list[DocumentExport], outcomes: list[ExportOutcome], source: str,
               report: RunReport) -> None:
        by_id = {it.sync_record_id: it for it in batch}
        now = utcnow()
        oks: list[Exported] = []
        for outcome in outcomes:
            item = by_id[outcome.sync_record_id]
            if outcome.ok:
                oks.append(Exported(
                    item.sync_record_id, outcome.external_id or item.external_id, item.document.version, now,
                    external_number=outcome.external_number,
                    exported_total=outcome.total if outcome.total is not None else item.document.gross_total,
                    seen_at=None, action=SyncAction.VOID if item.action == "void" else SyncAction.CREATE))
                if outcome.message:
                    self._note(session, item, outcome.message, report)
                if item.action == "create":
                    report.exported += 1
                elif item.action == "update":
                    report.updated += 1
                else:
                    report.voided += 1
            else:
                record = session.get_one(SyncRecord, item.sync_record_id)
                record_error(session, record, source=source, failure_type=outcome.failure_type or "data",
                             message=f"{item.document.label()}: {outcome.message}", hint=outcome.hint,
                             raw_response=outcome.raw_response)
                report.failed += 1
                report.problems.append({"document": item.document.number, "type": item.document.type,
                                        "message": outcome.message, "hint": outcome.hint})
        if oks:
            lifecycle.apply(session, oks)
            clear_errors(session, [o.record_id for o in oks])
        self._advance(done=len(oks), failed=len(outcomes) - len(oks))

    def _note(self, session: Session, item: DocumentExport, message: str, report: RunReport) -> None:
        """Done, with something the user must know (a void carried out as a delete): in the document's history."""
        connection = session.get_one(Connection, self.connection_id)
        audit(session, connection, self.actor, item.action, outcome="ok", detail=f"{item.document.label()}: {message}",
              record_type=RecordType.DOCUMENT.value, record_id=item.document.id)
        report.notes.append({"document": item.document.number, "type": item.document.type, "message": message})

    def _bind_found(self, session: Session, items: list[DocumentExport], found: dict[int, Any],
                    report: RunReport) -> None:
        now = utcnow()
        rows = []
        for it in items:
            remote = found.get(it.sync_record_id)
            if remote is None:
                continue
            rows.append(Exported(it.sync_record_id, remote.external_id, it.document.version, now,
                                 external_number=remote.number, exported_total=remote.total))
        if rows:
            lifecycle.apply(session, rows)
            clear_errors(session, [r.record_id for r in rows])
            report.recovered += len(rows)
            self._advance(done=len(rows))
            self._commit(session)

    def _credited_ids(self, session: Session, docs: list[DocumentView]) -> dict[int, str]:
        wanted = [d.credits_document_id for d in docs if d.credits_document_id]
        if not wanted:
            return {}
        rows = session.execute(select(SyncRecord.record_id, SyncRecord.external_id).where(
            SyncRecord.connection_id == self.connection_id, SyncRecord.record_type == RecordType.DOCUMENT.value,
            SyncRecord.record_id.in_(wanted), SyncRecord.external_id.is_not(None)))
        return {rid: ext for rid, ext in rows if ext is not None}

    # -- seen tick (R-E7) -------------------------------------------------------------------------------------
    def read_back(self, since: datetime | None = None) -> int:
        """Tick the records the package shows with the same total; a record marked by hand is never ticked."""
        return tick_seen(self.sessions, self.connection_id, self.connector, since)

    # -- progress ---------------------------------------------------------------------------------------------
    def _step(self, step: str) -> None:
        self.progress.step = step
        self._notify(self.progress)

    def _advance(self, done: int = 0, failed: int = 0) -> None:
        # Counted only: progress is reported after the next commit (``_commit``). The job's progress writer
        # uses a session of its own, and on SQLite a write from it while this session holds uncommitted
        # writes would wait on this very thread until the busy timeout.
        self.progress.done += done + failed
        self.progress.failed += failed

    def _commit(self, session: Session) -> None:
        session.commit()
        self._notify(self.progress)
