"""``ledgerbridge bench``: N invoices of 5 lines through intake, pre-check and upload to a package's sandbox.

The package's sandbox (``--package``, any registered package; the first one by default) runs in a process of
its own with its rate limits off, so the figures are the engine's (throughput per stage and end to end, peak
memory of this process) and the API calls it spent, against the fewest that the package's batch limits allow.

The minimum counts what any exporter must send: one write per batch of customers and of invoices (Xero: 50 an
element list, QuickBooks: 30 operations a batch request), one read per page of the read-back (1,000 a page for
both) and, for QuickBooks, the one query that finds an item for each income account (a QBO sales line names an
item, never an account).
"""

from __future__ import annotations

import json
import math
import resource
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import date, timedelta
from pathlib import Path
from typing import Annotated, Any

import httpx
import typer

from ledgerbridge.connectors.spec import PackageSpec
from ledgerbridge.packages.registry import DEFAULT, UnknownPackage, kinds, spec_for

INTAKE_BATCH = 1000  # a host sends documents in batches; memory stays bounded by one batch
CUSTOMERS = 200


def minimum_calls(spec: PackageSpec, parties: int, documents: int) -> int:
    """The fewest API calls that the package's limits allow for this upload and its read-back."""
    return (math.ceil(parties / spec.batch_size) + math.ceil(documents / spec.batch_size)
            + math.ceil(documents / spec.read_page) + spec.bench.setup_reads)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def sandbox_process(rate_limits: bool = False, package: str = DEFAULT.kind, extra: Sequence[str] = ()
                    ) -> Iterator[str]:
    """The package's sandbox in a process of its own (``extra``: more of its command's options)."""
    port = _free_port()
    args = [sys.executable, "-m", "ledgerbridge.cli", "sandbox", package, "--port", str(port), *extra]
    polled = spec_for(package).polled is not None  # no call limits to turn off: it is polled, not called
    proc = subprocess.Popen(args + ([] if rate_limits or polled else ["--no-rate-limits"]),
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120  # a busy machine (load 20 on 2 cores) took over 30 s to import it
        while True:
            try:
                httpx.get(f"{base}/sandbox/stats", timeout=1).raise_for_status()
                break
            except httpx.HTTPError:
                if time.monotonic() > deadline or proc.poll() is not None:
                    raise RuntimeError("the sandbox did not start") from None
                time.sleep(0.1)
        yield base
    finally:
        proc.terminate()
        proc.wait(10)


def _reference_data(currency: str = "GBP", rate: str = "20") -> dict[str, Any]:
    return {"nominal_codes": [{"code": "4000", "name": "Sales", "type": "sales"}],
            "tax_codes": [{"code": "T1", "name": f"Standard {rate}%", "rate": rate}],
            "parties": [{"host_id": f"B{n:04d}", "code": f"B{n:04d}", "name": f"Bench Customer {n:04d}",
                         "currency": currency} for n in range(CUSTOMERS)]}


def company_terms(sessions: Any, connection_id: int, tax_code: str) -> tuple[str, str]:
    """The company's own currency and the rate of the tax code T1 maps to, as its chart said: the bench's host
    trades in them (a package whose company files trade in one currency, such as MYOB's, refuses any other, and
    its tax codes are its country's: Australia's GST is 10 %)."""
    from sqlalchemy import select

    from ledgerbridge.store.db import session_scope
    from ledgerbridge.store.models.sync import ChartEntry, Connection

    with session_scope(sessions) as session:
        settings = session.get_one(Connection, connection_id).settings or {}
        rate = session.scalar(select(ChartEntry.rate).where(
            ChartEntry.connection_id == connection_id, ChartEntry.kind == "tax_rate", ChartEntry.code == tax_code))
        return str(settings.get("base_currency") or "GBP"), "20" if rate is None else f"{rate.normalize():f}"


def _invoices(start: int, count: int, currency: str = "GBP") -> list[dict[str, Any]]:
    docs = []
    for n in range(start, start + count):
        lines = [{"description": f"Line {k}", "quantity": str(k), "unit_price": f"{10 + n % 7}.{k}5",
                  "nominal_code": "4000", "tax_code": "T1"} for k in range(1, 6)]
        issued = date(2026, 10, 1) + timedelta(days=n % 28)
        docs.append({"host_id": f"BI-{n}", "type": "sales_invoice", "number": f"BI-{n:07d}", "status": "issued",
                     "issue_date": issued.isoformat(), "party_host_id": f"B{n % CUSTOMERS:04d}", "currency": currency,
                     "lines": lines})
    return docs


def run_bench(documents: int, database_url: str | None = None, package: str = DEFAULT.kind) -> dict[str, Any]:
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
    from ledgerbridge.intake.schemas import Batch, parse_json
    from ledgerbridge.store.db import make_engine, make_session_factory, session_scope, upgrade_schema
    from ledgerbridge.store.models.sync import Connection
    from ledgerbridge.store.organisations import create_organisation
    from ledgerbridge.sync.exporter import Exporter
    from ledgerbridge.sync.mappings import MappingKind, set_mapping

    spec = spec_for(package)
    if spec.polled is not None:  # nothing to call: the package's program polls us (bench.polled)
        from ledgerbridge.bench.polled import run_polled_bench

        return run_polled_bench(spec, documents, database_url, _reference_data(), _invoices, INTAKE_BATCH,
                                sandbox_process)
    mapping = spec.demo  # the demo's chart mapping fits the bench
    with tempfile.TemporaryDirectory(prefix="ledgerbridge-bench-") as tmp, sandbox_process(package=package) as base:
        engine = make_engine(database_url or f"sqlite:///{Path(tmp) / 'bench.db'}")
        upgrade_schema(engine)
        sessions = make_session_factory(engine)
        with session_scope(sessions) as session:
            org = create_organisation(session, "Bench Ltd")
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
        connector = connector_for(sessions, conn_id, ConnectorOptions(unlimited_budget=True))
        refresh_chart(sessions, conn_id, connector)
        currency, rate = company_terms(sessions, conn_id, mapping.tax_sales["T1"])
        with session_scope(sessions) as session:
            apply_batch(session, org_id, Batch.model_validate(_reference_data(currency, rate)))
            set_mapping(session, conn_id, MappingKind.NOMINAL, "4000", mapping.nominal["4000"])
            set_mapping(session, conn_id, MappingKind.TAX, "T1", mapping.tax_sales["T1"])

        timings: dict[str, float] = {}
        started = time.perf_counter()
        for start in range(0, documents, INTAKE_BATCH):
            raw = json.dumps({"documents": _invoices(start, min(INTAKE_BATCH, documents - start), currency)})
            with session_scope(sessions) as session:  # as the API does: parse with Decimals, validate, apply
                apply_batch(session, org_id, Batch.model_validate(parse_json(raw)))
        timings["intake"] = time.perf_counter() - started
        exporter = Exporter(sessions, conn_id, connector, actor="bench")
        t = time.perf_counter()
        pre = exporter.precheck()
        timings["precheck"] = time.perf_counter() - t
        before = httpx.get(f"{base}/sandbox/stats").json()  # what connecting and the chart cost is not the upload's
        t = time.perf_counter()
        report = exporter.upload()
        timings["upload"] = time.perf_counter() - t
        timings["end_to_end"] = time.perf_counter() - started
        connector.close()
        after = httpx.get(f"{base}/sandbox/stats").json()
        engine.dispose()
    by_endpoint = {k: n - before["calls"].get(k, 0) for k, n in after["calls"].items() if n > before["calls"].get(k, 0)}
    stats_key = spec.sandbox.stats_calls_key
    api_calls = after[stats_key] - before[stats_key]
    minimum = minimum_calls(spec, min(CUSTOMERS, documents), documents)
    return {
        "package": package, "documents": documents, "lines_per_invoice": 5,
        "exported": report.exported, "failed": report.failed + pre.failed, "seen": report.seen,
        "seconds": {k: round(v, 3) for k, v in timings.items()},
        "invoices_per_second": {k: round(documents / v, 1) for k, v in timings.items() if v > 0},
        "api_calls": api_calls, "api_calls_minimum": minimum, "api_calls_ratio": round(api_calls / minimum, 3),
        "api_calls_by_endpoint": by_endpoint,
        "peak_memory_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
    }


def bench(ctx: typer.Context,
          documents: Annotated[int, typer.Option("--documents", "-n", help="Invoices to push (5 lines each)")]
          = 10_000, database_url: Annotated[str | None, typer.Option("--bench-db", help="Database URL "
                                                                     "(default: a fresh SQLite file)")] = None,
          as_json: Annotated[bool, typer.Option("--json")] = False,
          package: Annotated[str, typer.Option(help=f"One of: {', '.join(kinds())}")] = DEFAULT.kind) -> None:
    """Benchmark intake, pre-check and upload of N invoices against the package's sandbox (limits off);
    ``bench month`` runs a trading month instead."""
    if ctx.invoked_subcommand is not None:
        return
    try:
        spec_for(package)
    except UnknownPackage as exc:
        from ledgerbridge.cli.context import fail

        fail(str(exc))
    result = run_bench(documents, database_url, package)
    if as_json:
        print(json.dumps(result, indent=2))
        return
    from ledgerbridge.cli.context import console

    calls = ("round_trips", "round trips") if "round_trips" in result else ("api_calls", "API calls")
    console.print(f"{documents} invoices: {result['invoices_per_second']} invoices/s; {calls[1]} "
                  f"{result[calls[0]]} (minimum {result[calls[0] + '_minimum']}); peak memory "
                  f"{result['peak_memory_mb']} MB")


def register(app: typer.Typer, subcommands: Sequence[Callable[..., None]] = ()) -> None:
    """``ledgerbridge bench`` runs the N-invoice benchmark; its sub-commands (``month``) are benchmarks of their
    own, registered by the command line so that this module imports none of them."""
    group = typer.Typer(invoke_without_command=True)
    group.callback()(bench)
    for command in subcommands:
        group.command()(command)
    app.add_typer(group, name="bench")
