"""``ledgerbridge bench-scale``: figures for issue 6, each printed by a command (recorded in docs/benchmarks.md).

* ``limits -n N [--package KIND]``: N invoices of 5 lines under the package's real limits (Xero: 60 calls a
  minute, 5,000 a day, 5 at once), enforced by its sandbox in a process of its own. Both the sandbox's rate
  limiter and the client's call budget run on one accelerated clock (:mod:`ledgerbridge.clock`, ``--scale``), so
  a run of simulated minutes takes real seconds. It prints the simulated time against the theoretical minimum:
  the fewest calls the work needs (as ``ledgerbridge bench`` counts them) at the package's calls a minute. Local
  work is accelerated as much as the waits, so the ratio is if anything pessimistic.
* ``workers``: throughput of 1, 2 and 4 ``ledgerbridge worker`` processes on PostgreSQL over 4 tenants, each in
  a rate-limited sandbox of its own, on the accelerated clock; the call budget is the shared one.
* ``memory``: peak memory of ``ledgerbridge bench`` at 10,000 and 100,000 invoices (each in a fresh process).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
import uuid
from contextlib import ExitStack
from pathlib import Path
from typing import Annotated, Any

import httpx
import typer
from sqlalchemy import func, select, text
from sqlalchemy.orm import Session, sessionmaker

from ledgerbridge.bench.run import (
    CUSTOMERS,
    INTAKE_BATCH,
    _invoices,
    _reference_data,
    company_terms,
    sandbox_process,
)
from ledgerbridge.bench.run import minimum_calls as bench_minimum_calls
from ledgerbridge.clock import Clock
from ledgerbridge.config import env_name
from ledgerbridge.connectors.spec import PackageSpec
from ledgerbridge.packages.registry import DEFAULT, kinds, spec_for

app = typer.Typer(help="Scale-out benchmarks: a package's limits simulated, workers, memory.", no_args_is_help=True)


def _connect(sessions: sessionmaker[Session], base: str, name: str, spec: PackageSpec,
             company: int = 0) -> tuple[int, int]:
    from ledgerbridge.connectors.auth_flows import flow_for
    from ledgerbridge.connectors.connections import (
        ConnectorOptions,
        connector_for,
        create_connection,
        refresh_chart,
        sandbox_endpoints,
    )
    from ledgerbridge.connectors.consent import approve_in_sandbox
    from ledgerbridge.intake.apply import apply_batch
    from ledgerbridge.intake.schemas import Batch
    from ledgerbridge.store.db import session_scope
    from ledgerbridge.store.models.sync import Connection
    from ledgerbridge.store.organisations import create_organisation
    from ledgerbridge.sync.mappings import MappingKind, set_mapping

    with session_scope(sessions) as session:
        org = create_organisation(session, name)
        conn = create_connection(session, org.id, spec.kind, sandbox_endpoints(spec.kind, base),
                                 client_id="ledgerbridge-demo", client_secret="demo-secret",
                                 redirect_uri="http://127.0.0.1:8976/callback")
        auth = flow_for(spec.kind)
        url, conn_id, org_id = auth.begin_consent(session, conn), conn.id, org.id
    callback = approve_in_sandbox(url, option=company)
    with session_scope(sessions) as session:
        conn = session.get_one(Connection, conn_id)
        auth.choose_tenant(session, conn, auth.complete_consent(session, conn, callback)[0].tenant_id)
    connector = connector_for(sessions, conn_id, ConnectorOptions(unlimited_budget=True))
    refresh_chart(sessions, conn_id, connector)
    connector.close()
    with session_scope(sessions) as session:
        apply_batch(session, org_id, Batch.model_validate(_reference_data(
            *company_terms(sessions, conn_id, spec.demo.tax_sales["T1"]))))
        set_mapping(session, conn_id, MappingKind.NOMINAL, "4000", spec.demo.nominal["4000"])
        set_mapping(session, conn_id, MappingKind.TAX, "T1", spec.demo.tax_sales["T1"])
    return org_id, conn_id


def _load(sessions: sessionmaker[Session], org_id: int, documents: int, conn_id: int) -> None:
    from ledgerbridge.intake.apply import apply_batch
    from ledgerbridge.intake.schemas import Batch, parse_json
    from ledgerbridge.store.db import session_scope

    currency = company_terms(sessions, conn_id, "")[0]
    for start in range(0, documents, INTAKE_BATCH):
        raw = json.dumps({"documents": _invoices(start, min(INTAKE_BATCH, documents - start), currency)})
        with session_scope(sessions) as session:
            apply_batch(session, org_id, Batch.model_validate(parse_json(raw)))


def _start_limits(base: str, clock: Clock) -> None:
    """Put the sandbox on the benchmark's clock and start its windows afresh."""
    httpx.post(f"{base}/sandbox/clock", json={"scale": clock.scale, "origin": clock.origin}).raise_for_status()
    httpx.post(f"{base}/sandbox/rate-limits", json={"enabled": True, "reset_windows": True}).raise_for_status()


def _calls(base: str, spec: PackageSpec) -> int:
    """The API calls the sandbox has served so far (read before and after a run: setup calls do not count)."""
    return int(httpx.get(f"{base}/sandbox/stats").json()[spec.sandbox.stats_calls_key])


def _refused(base: str) -> int | None:
    """Calls the sandbox refused for its rate limits, where its ``/sandbox/rate-limits`` says (``refused``)."""
    answer = httpx.get(f"{base}/sandbox/rate-limits")
    return answer.json().get("refused") if answer.status_code == 200 else None


def minimum_calls(documents: int, spec: PackageSpec = DEFAULT) -> int:
    """The fewest calls the work needs (as ``ledgerbridge bench`` counts them): contacts and invoices in the
    package's batches, the read-back a page at a time."""
    return bench_minimum_calls(spec, min(CUSTOMERS, documents), documents)


def run_limits(documents: int, scale: float, spec: PackageSpec = DEFAULT) -> dict[str, Any]:
    from ledgerbridge.connectors.connections import ConnectorOptions, connector_for
    from ledgerbridge.store.db import make_engine, make_session_factory, upgrade_schema
    from ledgerbridge.sync.exporter import Exporter

    with tempfile.TemporaryDirectory(prefix="ledgerbridge-bench-") as tmp, sandbox_process(rate_limits=True,
                                                                                         package=spec.kind) as base:
        engine = make_engine(f"sqlite:///{Path(tmp) / 'bench.db'}")
        upgrade_schema(engine)
        sessions = make_session_factory(engine)
        org_id, conn_id = _connect(sessions, base, "Limits Ltd", spec)
        _load(sessions, org_id, documents, conn_id)
        clock = Clock(scale, time.time())
        _start_limits(base, clock)
        calls_before = _calls(base, spec)
        connector = connector_for(sessions, conn_id, ConnectorOptions(clock=clock, shared_budget=False))
        real, simulated = time.perf_counter(), clock.now()
        report = Exporter(sessions, conn_id, connector, actor="bench").upload()
        simulated, real = clock.now() - simulated, time.perf_counter() - real
        connector.close()
        calls, refused = _calls(base, spec) - calls_before, _refused(base)
        engine.dispose()
    calls_min = minimum_calls(documents, spec)
    theoretical = calls_min * spec.limits.minute_seconds / spec.limits.per_minute
    return {"package": spec.kind, "documents": documents, "exported": report.exported, "failed": report.failed,
            "seen": report.seen,
            "stopped_reason": report.stopped_reason, "clock_scale": scale,
            "api_calls": calls, "api_calls_minimum": calls_min, "refused_for_limits": refused,
            "simulated_seconds": round(simulated, 1), "theoretical_minimum_seconds": round(theoretical, 1),
            "ratio_to_minimum": round(simulated / theoretical, 3), "real_seconds": round(real, 1)}


def _pg_schema_url(url: str, schema: str) -> str:
    sep = "&" if "?" in url else "?"
    return f"{url}{sep}options=-csearch_path%3D{schema}"


def run_workers(counts: list[int], tenants: int, per_tenant: int, scale: float, pg_url: str,
                spec: PackageSpec = DEFAULT) -> list[dict[str, Any]]:
    from ledgerbridge.queue.jobs import enqueue_job
    from ledgerbridge.store.db import make_engine, make_session_factory, session_scope, upgrade_schema
    from ledgerbridge.store.models.sync import Job, SyncRecord

    results: list[dict[str, Any]] = []
    for workers in counts:
        schema = f"lbbench_{uuid.uuid4().hex[:12]}"
        admin = make_engine(pg_url)
        with admin.begin() as conn:
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
        url = _pg_schema_url(pg_url, schema)
        engine = make_engine(url)
        try:
            upgrade_schema(engine)
            sessions = make_session_factory(engine)
            with ExitStack() as stack:
                bases = [stack.enter_context(sandbox_process(rate_limits=True, package=spec.kind))
                         for _ in range(tenants)]
                conns = []
                for n, base in enumerate(bases):
                    org_id, conn_id = _connect(sessions, base, f"Tenant {n} Ltd", spec)
                    _load(sessions, org_id, per_tenant, conn_id)
                    conns.append(conn_id)
                clock = Clock(scale, time.time())
                for base in bases:
                    _start_limits(base, clock)
                calls_before = sum(_calls(b, spec) for b in bases)
                with session_scope(sessions) as session:
                    for conn_id in conns:
                        enqueue_job(session, conn_id, "upload", {"document_ids": None}, requested_by="bench")
                env = {**os.environ, **clock.env(), env_name("database_url"): url}
                real, simulated = time.perf_counter(), clock.now()
                procs = [subprocess.Popen([sys.executable, "-m", "ledgerbridge.cli", "worker", "--until-idle",
                                           "--no-schedule", "--poll", "0.2", "--log-level", "warning"], env=env)
                         for _ in range(workers)]
                for proc in procs:
                    proc.wait()
                simulated, real = clock.now() - simulated, time.perf_counter() - real
                with session_scope(sessions) as session:
                    exported = session.scalar(select(func.count(SyncRecord.id)).where(
                        SyncRecord.record_type == "document", SyncRecord.external_id.is_not(None))) or 0
                    failed_jobs = session.scalar(select(func.count(Job.id)).where(Job.status != "done")) or 0
                calls = sum(_calls(b, spec) for b in bases) - calls_before
        finally:
            engine.dispose()
            with admin.begin() as conn:
                conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
            admin.dispose()
        results.append({"workers": workers, "tenants": tenants, "documents": tenants * per_tenant,
                        "exported": exported, "jobs_not_done": failed_jobs, "api_calls": calls, "clock_scale": scale,
                        "simulated_seconds": round(simulated, 1), "real_seconds": round(real, 1),
                        "invoices_per_simulated_minute": round(exported / simulated * 60, 1)})
    base_rate = results[0]["invoices_per_simulated_minute"] / results[0]["workers"] if results else 0
    for r in results:
        r["speedup_vs_one_worker"] = round(r["invoices_per_simulated_minute"] / base_rate, 2) if base_rate else None
    return results


def _app_schema(pg_url: str) -> tuple[str, str]:
    schema = f"lbbench_{uuid.uuid4().hex[:12]}"
    from ledgerbridge.store.db import make_engine

    admin = make_engine(pg_url)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    admin.dispose()
    return schema, _pg_schema_url(pg_url, schema)


def run_app_key(tenants: int, per_tenant: int, workers: int, scale: float, pg_url: str,
                spec: PackageSpec) -> dict[str, Any]:
    """Tenants of one app, each a company of its own in ONE rate-limited sandbox that counts the app's limit
    across them (MYOB: 8 calls a second per API key), uploaded at once by ``workers`` worker processes on
    PostgreSQL, which share the app's window through the store. Prints the calls the sandbox refused for its
    limits and the simulated time against the time the tenants' combined work needs at the app's rate."""
    from ledgerbridge.queue.jobs import enqueue_job
    from ledgerbridge.store.db import make_engine, make_session_factory, session_scope, upgrade_schema
    from ledgerbridge.store.models.sync import Job, SyncRecord

    if spec.app_limits is None or spec.app_limits.per_second is None:
        raise ValueError(f"{spec.name} counts no calls a second per app: nothing for this benchmark to show")
    schema, url = _app_schema(pg_url)
    engine = make_engine(url)
    try:
        upgrade_schema(engine)
        sessions = make_session_factory(engine)
        with sandbox_process(rate_limits=True, package=spec.kind) as base:
            conns = []
            for n in range(tenants):
                org_id, conn_id = _connect(sessions, base, f"Tenant {n} Ltd", spec, company=n)
                _load(sessions, org_id, per_tenant, conn_id)
                conns.append(conn_id)
            clock = Clock(scale, time.time())
            _start_limits(base, clock)
            calls_before, refused_before = _calls(base, spec), _refused(base) or 0
            with session_scope(sessions) as session:
                for conn_id in conns:
                    enqueue_job(session, conn_id, "upload", {"document_ids": None}, requested_by="bench")
            env = {**os.environ, **clock.env(), env_name("database_url"): url}
            real, simulated = time.perf_counter(), clock.now()
            procs = [subprocess.Popen([sys.executable, "-m", "ledgerbridge.cli", "worker", "--until-idle",
                                       "--no-schedule", "--poll", "0.2", "--log-level", "warning"], env=env)
                     for _ in range(workers)]
            for proc in procs:
                proc.wait()
            simulated, real = clock.now() - simulated, time.perf_counter() - real
            calls, refused = _calls(base, spec) - calls_before, (_refused(base) or 0) - refused_before
            with session_scope(sessions) as session:
                exported = session.scalar(select(func.count(SyncRecord.id)).where(
                    SyncRecord.record_type == "document", SyncRecord.external_id.is_not(None))) or 0
                jobs_not_done = session.scalar(select(func.count(Job.id)).where(Job.status != "done")) or 0
                first_start, last_end = session.execute(select(func.min(Job.started_at), func.max(Job.finished_at))
                                                        ).one()
    finally:
        engine.dispose()
        admin = make_engine(pg_url)
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        admin.dispose()
    per_second = spec.app_limits.per_second
    calls_min = tenants * minimum_calls(per_tenant, spec)
    # The tenants' work: from the first job's start to the last one's end, in simulated seconds (the jobs' times are
    # the wall clock's). The workers' start-up (tens of seconds of imports on a busy machine) and exit are the
    # command's, not the work's; both figures are printed.
    work = (last_end - first_start).total_seconds() * scale if first_start and last_end else simulated
    return {"package": spec.kind, "tenants": tenants, "workers": workers, "documents": tenants * per_tenant,
            "exported": exported, "jobs_not_done": jobs_not_done, "clock_scale": scale,
            "api_calls": calls, "api_calls_minimum": calls_min, "refused_for_limits": refused,
            "simulated_seconds": round(simulated, 1),
            "needed_seconds_at_app_rate": round(calls_min / per_second, 1),
            "ratio_to_needed": round(simulated / (calls_min / per_second), 3),
            "ratio_to_calls_made_at_app_rate": round(simulated / (calls / per_second), 3),
            "work_simulated_seconds": round(work, 1), "work_ratio_to_needed": round(work / (calls_min / per_second), 3),
            "work_ratio_to_calls_made_at_app_rate": round(work / (calls / per_second), 3),
            "real_seconds": round(real, 1)}


def run_memory(sizes: list[int]) -> list[dict[str, Any]]:
    out = []
    for n in sizes:
        done = subprocess.run([sys.executable, "-m", "ledgerbridge.cli", "bench", "-n", str(n), "--json"],
                              capture_output=True, text=True, check=True)
        result = json.loads(done.stdout)
        out.append({"documents": n, "peak_memory_mb": result["peak_memory_mb"], "exported": result["exported"],
                    "invoices_per_second_end_to_end": result["invoices_per_second"].get("end_to_end"),
                    "api_calls": result["api_calls"], "api_calls_minimum": result["api_calls_minimum"]})
    for r in out:
        r["ratio_to_smallest"] = round(r["peak_memory_mb"] / out[0]["peak_memory_mb"], 3)
    return out


def _print(result: Any) -> None:
    print(json.dumps({"uptime": os.getloadavg(), "result": result}, indent=2, default=str))


PackageOpt = Annotated[str, typer.Option("--package", help=f"One of: {', '.join(kinds())}")]


@app.command("limits")
def limits(documents: Annotated[list[int], typer.Option("--documents", "-n", help="Invoices (repeatable)")]
           = [10_000],  # noqa: B006 - Typer reads the default list
           scale: Annotated[float, typer.Option(help="Simulated seconds per real second")] = 20.0,
           package: PackageOpt = DEFAULT.kind) -> None:
    """N invoices under the package's real limits, simulated on an accelerated clock, against the theoretical
    minimum."""
    spec = spec_for(package)
    _print([run_limits(n, scale, spec) for n in documents])


@app.command("workers")
def workers(counts: Annotated[list[int], typer.Option("--workers", "-w", help="Worker counts (repeatable)")]
            = [1, 2, 4],  # noqa: B006
            tenants: Annotated[int, typer.Option(help="Tenants, each in a rate-limited sandbox")] = 4,
            per_tenant: Annotated[int, typer.Option(help="Invoices per tenant")] = 9_000,
            scale: Annotated[float, typer.Option(help="Simulated seconds per real second")] = 4.0,
            db: Annotated[str, typer.Option(help="PostgreSQL URL (a schema of its own is made and dropped)")]
            = "postgresql://postgres@127.0.0.1:5432/test", package: PackageOpt = DEFAULT.kind) -> None:
    """Throughput of 1, 2 and 4 worker processes on PostgreSQL over rate-limited tenants."""
    _print(run_workers(counts, tenants, per_tenant, scale, db, spec_for(package)))


@app.command("app-key")
def app_key(tenants: Annotated[int, typer.Option(help="Tenants, each a company of one sandbox (one API key)")] = 2,
            per_tenant: Annotated[int, typer.Option(help="Invoices per tenant")] = 2_000,
            workers: Annotated[int, typer.Option("--workers", "-w", help="Worker processes")] = 4,
            scale: Annotated[float, typer.Option(help="Simulated seconds per real second")] = 4.0,
            db: Annotated[str, typer.Option(help="PostgreSQL URL (a schema of its own is made and dropped)")]
            = "postgresql://postgres@127.0.0.1:5432/test", package: PackageOpt = DEFAULT.kind) -> None:
    """Tenants of one app sharing the package's per-app limit (MYOB's 8 a second per API key), several workers."""
    _print(run_app_key(tenants, per_tenant, workers, scale, db, spec_for(package)))


@app.command("memory")
def memory(sizes: Annotated[list[int], typer.Option("--documents", "-n", help="Invoices (repeatable)")]
           = [10_000, 100_000]) -> None:  # noqa: B006
    """Peak memory of ``ledgerbridge bench`` at each size, each in a fresh process."""
    _print(run_memory(sizes))


def register(root: typer.Typer) -> None:
    root.add_typer(app, name="bench-scale")
