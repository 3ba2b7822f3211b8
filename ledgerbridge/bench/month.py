"""``ledgerbridge bench month``: a trading month through a package's sandbox, its API calls against the minimum.

The month (``bench.month_world``): invoices, credit notes, bills, deposits against sales orders. It goes through
intake, the purchase approvals (R-P1), pre-check and upload (parties and documents, the read-back for the seen
tick, the deposits sent as prepayments and split over their orders' invoices); then the bookkeeper pays and
allocates in the package (``bench.month_bookkeeper``); then the payments are imported and allocated here, and
the books are reconciled.

The package's sandbox runs in a process of its own with its rate limits off (as ``ledgerbridge bench``). The
calls are the sandbox's own count (``SandboxSpec.stats_calls_key`` of ``GET /sandbox/stats``), read between the
stages, so each kind of work has its own figure; the bookkeeper's calls are counted apart and left out. The
minimum for the same work is ``bench.month_minimum``; each stage's time is the wall time of the engine's call.
"""

from __future__ import annotations

import json
import resource
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Annotated, Any

import httpx
import typer
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from ledgerbridge.bench.month_bookkeeper import keep_the_books
from ledgerbridge.bench.month_minimum import MonthWork, month_minimum
from ledgerbridge.bench.month_world import INVOICES_PER_ORDER, MonthSize, deposits_batch, month_batch
from ledgerbridge.bench.run import sandbox_process
from ledgerbridge.packages.registry import DEFAULT, UnknownPackage, kinds, spec_for

INTAKE_BATCH = 1000  # documents a host sends in one batch
STAGES = ("documents", "read_back", "prepayments", "import", "reconciliation")


class _Meter:
    """The sandbox's call count, read between stages: calls and calls by endpoint per stage, and times."""

    def __init__(self, base_url: str, stats_key: str) -> None:
        self.base_url, self.key = base_url, stats_key
        self.calls: dict[str, int] = {}
        self.by_endpoint: dict[str, dict[str, int]] = {}
        self.seconds: dict[str, float] = {}
        self._last = self._read()
        self._started = time.perf_counter()

    def _read(self) -> dict[str, Any]:
        return dict(httpx.get(f"{self.base_url}/sandbox/stats", timeout=30).json())

    def restart(self) -> None:
        """Start the next stage here: what happened since the last reading belongs to no stage."""
        self._last = self._read()
        self._started = time.perf_counter()

    def close(self, stage: str) -> None:
        now = self._read()
        self.seconds[stage] = self.seconds.get(stage, 0.0) + time.perf_counter() - self._started
        self.calls[stage] = self.calls.get(stage, 0) + now[self.key] - self._last[self.key]
        endpoints = self.by_endpoint.setdefault(stage, {})
        for key, n in now["calls"].items():
            spent = n - self._last["calls"].get(key, 0)
            if spent and not key.split(" ", 1)[1].startswith("/sandbox"):
                endpoints[key] = endpoints.get(key, 0) + spent
        self._last = now
        self._started = time.perf_counter()


def _connect(sessions: sessionmaker[Session], base: str, package: str) -> tuple[int, int, str]:
    """An organisation with the month's reference data, connected through the consent: (org, connection, tenant)."""
    from ledgerbridge.connectors.auth_flows import flow_for
    from ledgerbridge.connectors.connections import create_connection, sandbox_endpoints
    from ledgerbridge.connectors.consent import approve_in_sandbox
    from ledgerbridge.store.db import session_scope
    from ledgerbridge.store.models.sync import Connection
    from ledgerbridge.store.organisations import create_organisation

    with session_scope(sessions) as session:
        org = create_organisation(session, "Month Ltd", "GBP")
        conn = create_connection(session, org.id, package, sandbox_endpoints(package, base),
                                 client_id="ledgerbridge-demo", client_secret="demo-secret",
                                 redirect_uri="http://127.0.0.1:8976/callback")
        auth = flow_for(package)
        url, conn_id, org_id = auth.begin_consent(session, conn), conn.id, org.id
    callback = approve_in_sandbox(url)
    with session_scope(sessions) as session:
        conn = session.get_one(Connection, conn_id)
        tenant = auth.complete_consent(session, conn, callback)[0]
        auth.choose_tenant(session, conn, tenant.tenant_id)
    return org_id, conn_id, tenant.tenant_id


def _intake(sessions: sessionmaker[Session], org_id: int, batch: dict[str, Any]) -> None:
    """As a host sends it: reference data and parties, then the documents in batches, parsed with decimals."""
    from ledgerbridge.intake.apply import apply_batch
    from ledgerbridge.intake.schemas import Batch, parse_json
    from ledgerbridge.store.db import session_scope

    documents = batch.pop("documents", [])
    parts = [batch] + [{"documents": documents[i : i + INTAKE_BATCH]} for i in range(0, len(documents), INTAKE_BATCH)]
    for part in parts:
        with session_scope(sessions) as session:
            apply_batch(session, org_id, Batch.model_validate(parse_json(json.dumps(part))))


def _map(sessions: sessionmaker[Session], conn_id: int, package: str) -> None:
    from ledgerbridge.store.db import session_scope
    from ledgerbridge.sync.mappings import MappingKind, set_mapping

    world = spec_for(package).demo
    with session_scope(sessions) as session:
        for code in ("4000", "5000", "1200"):
            set_mapping(session, conn_id, MappingKind.NOMINAL, code, world.nominal[code])
        set_mapping(session, conn_id, MappingKind.TAX, "T1", world.tax_sales["T1"])
        set_mapping(session, conn_id, MappingKind.TAX_PURCHASES, "T1", world.tax_purchases["T1"])
        if world.bank_account:
            set_mapping(session, conn_id, MappingKind.PAYMENT_METHOD, "BACS", world.bank_account)


def _exported_by_type(sessions: sessionmaker[Session], conn_id: int) -> tuple[dict[str, int], int]:
    from ledgerbridge.store.db import session_scope
    from ledgerbridge.store.models.host import Document
    from ledgerbridge.store.models.sync import RecordType, SyncRecord, SyncStatus

    with session_scope(sessions) as session:
        rows = session.execute(select(Document.type, SyncRecord.status)
                               .join(SyncRecord, SyncRecord.record_id == Document.id)
                               .where(SyncRecord.connection_id == conn_id,
                                      SyncRecord.record_type == RecordType.DOCUMENT.value)).all()
    sent = (SyncStatus.EXPORTED.value, SyncStatus.SEEN.value)
    return (dict(Counter(r.type for r in rows if r.status in sent)),
            sum(1 for r in rows if r.status == SyncStatus.SEEN.value))


def run_month(invoices: int = 2000, package: str = DEFAULT.kind, database_url: str | None = None) -> dict[str, Any]:
    """Run the month against the package's sandbox and return its figures (used by the command and the tests)."""
    from ledgerbridge.connectors.connections import ConnectorOptions, connector_for, refresh_chart
    from ledgerbridge.demo.approvals import approve_demo_purchases
    from ledgerbridge.store.db import make_engine, make_session_factory, session_scope, upgrade_schema
    from ledgerbridge.store.models.sync import Connection
    from ledgerbridge.sync.exporter import Exporter, Progress
    from ledgerbridge.sync.importer import PaymentImporter
    from ledgerbridge.sync.reconcile import reconcile, unexplained

    spec = spec_for(package)
    size = MonthSize.of(invoices)
    timings: dict[str, float] = {}
    with tempfile.TemporaryDirectory(prefix="ledgerbridge-month-") as tmp, sandbox_process(package=package) as base:
        engine = make_engine(database_url or f"sqlite:///{Path(tmp) / 'month.db'}")
        upgrade_schema(engine)
        sessions = make_session_factory(engine)
        org_id, conn_id, tenant = _connect(sessions, base, package)
        connector = connector_for(sessions, conn_id, ConnectorOptions(unlimited_budget=True))
        refresh_chart(sessions, conn_id, connector)  # before the month, as in ``ledgerbridge bench``
        _map(sessions, conn_id, package)
        started = time.perf_counter()
        _intake(sessions, org_id, month_batch(size))
        _intake(sessions, org_id, deposits_batch(size))  # taken while connected (R-PAY1)
        timings["intake"] = time.perf_counter() - started
        t = time.perf_counter()
        with session_scope(sessions) as session:  # R-P1: two people accept the bills before they go
            approvals = approve_demo_purchases(session, org_id, session.get_one(Connection, conn_id))
        timings["approvals"] = time.perf_counter() - t
        meter = _Meter(base, spec.sandbox.stats_calls_key)
        stage_of_step = {"pre-check and upload": "documents", "prepayments and their allocations": "prepayments"}
        current = ["precheck"]

        def progress(p: Progress) -> None:  # the upload's steps split its calls into kinds of work
            stage = "read_back" if p.step.startswith("reading back") else stage_of_step.get(p.step, current[0])
            if p.step == "done" or stage != current[0]:
                meter.close(current[0])
                current[0] = stage

        exporter = Exporter(sessions, conn_id, connector, actor="bench", progress=progress)
        pre = exporter.precheck()
        meter.close("precheck")
        current[0] = "documents"
        report = exporter.upload()
        meter.restart()
        books = keep_the_books(spec, base, tenant, size, sessions, conn_id)
        meter.close("bookkeeper")
        importer = PaymentImporter(sessions, conn_id, connector, actor="bench")
        imported = importer.fetch()
        importer.create_and_allocate(report=imported)
        meter.close("import")
        recon = reconcile(sessions, conn_id, connector)
        meter.close("reconciliation")
        connector.close()
        # the engine's end to end: the bookkeeper's work in the package is not the engine's
        timings["end_to_end"] = time.perf_counter() - started - meter.seconds.get("bookkeeper", 0.0)
        exported, seen = _exported_by_type(sessions, conn_id)
        engine.dispose()
    payments = report.payments
    prepaid = list(payments.get("prepayments", []))  # each sent and split: what it holds there
    work = MonthWork(parties=size.customers + size.suppliers, documents=exported, prepayments=len(prepaid),
                     prepaid_invoices=len(prepaid) * INVOICES_PER_ORDER,
                     payments={**books.payments, "prepayment": len(prepaid)},
                     credits_applied=books.credits_allocated)
    minimum = month_minimum(spec, work)
    calls = {stage: meter.calls.get(stage, 0) for stage in ("precheck", *STAGES)}
    total, least = sum(calls.values()), sum(minimum.values())
    return {
        "package": package, "invoices": size.invoices, "credit_notes": size.credit_notes, "bills": size.bills,
        "customers": size.customers, "suppliers": size.suppliers,
        "exported": exported, "seen": seen, "failed": report.failed + pre.failed,
        "purchase_approvals": {k: v for k, v in approvals.items() if k != "by"},
        "prepayments": {"sent": payments.get("exported", 0), "seen": payments.get("seen", 0),
                        "allocations": payments.get("allocations_sent", 0), "split": prepaid},
        "bookkeeper": {"payments": dict(books.payments), "part_paid": books.part_paid,
                       "credits_allocated": books.credits_allocated, "calls": meter.calls.get("bookkeeper", 0)},
        "payments_imported": imported.created, "payments_allocated": imported.allocated,
        "payments_skipped_ours": imported.skipped_ours, "import_diagnostics": len(imported.diagnostics),
        "reconciliation": {**recon.summary(), "unexplained": len(unexplained(recon)),
                           "documents_compared": recon.documents, "by_cause": recon.by_cause()},
        "api_calls": total, "api_calls_minimum": least, "api_calls_ratio": round(total / least, 3),
        "api_calls_by_stage": calls, "api_calls_minimum_by_stage": minimum,
        "api_calls_by_endpoint": {k: v for k, v in meter.by_endpoint.items() if k != "bookkeeper"},
        "seconds": {**{k: round(v, 3) for k, v in timings.items()},
                    **{k: round(v, 3) for k, v in meter.seconds.items()}},
        "peak_memory_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
    }


def month(invoices: Annotated[int, typer.Option("--invoices", "-n", help="Sales invoices in the month (credit "
                                                "notes, bills and parties follow from it)")] = 2000,
          package: Annotated[str, typer.Option(help=f"One of: {', '.join(kinds())}")] = DEFAULT.kind,
          database_url: Annotated[str | None, typer.Option("--bench-db", help="Database URL (default: a fresh "
                                                           "SQLite file)")] = None,
          as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """A trading month through the package's sandbox: API calls by kind of work against the minimum, and times."""
    from ledgerbridge.cli.context import console, fail

    try:
        spec_for(package)
        MonthSize.of(invoices)
    except (UnknownPackage, ValueError) as exc:
        fail(str(exc))
    result = run_month(invoices, package, database_url)
    if as_json:
        print(json.dumps(result, indent=2, default=str))
        return
    console.print(f"{result['invoices']} invoices, {result['credit_notes']} credit notes, {result['bills']} bills on "
                  f"{spec_for(package).name}: API calls {result['api_calls']} (minimum {result['api_calls_minimum']}, "
                  f"ratio {result['api_calls_ratio']}); end to end {result['seconds']['end_to_end']} s")
    for stage in ("precheck", *STAGES):
        console.print(f"  {stage}: {result['api_calls_by_stage'][stage]} calls "
                      f"(minimum {result['api_calls_minimum_by_stage'].get(stage, 0)}), "
                      f"{result['seconds'].get(stage, 0)} s")
