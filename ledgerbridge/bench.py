"""``ledgerbridge bench``: N invoices of 5 lines through intake, pre-check and upload to the Xero sandbox.

The sandbox runs in a process of its own with its rate limits off, so the figures are
the engine's (throughput per stage and end to end, peak memory of this process) and
the API calls it spent, against the fewest that Xero's batch limits allow.
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
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, timedelta
from pathlib import Path
from typing import Annotated, Any

import httpx
import typer

from ledgerbridge.demo_data import NOMINAL_MAP, TAX_MAP

INTAKE_BATCH = 1000  # a host sends documents in batches; memory stays bounded by one batch
CUSTOMERS = 200
BATCH_LIMIT = 50  # Xero: elements per write
READ_PAGE = 1000  # Xero: pageSize for the read-back


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def sandbox_process(rate_limits: bool = False) -> Iterator[str]:
    port = _free_port()
    args = [sys.executable, "-m", "ledgerbridge.cli", "sandbox", "xero", "--port", str(port)]
    proc = subprocess.Popen(args + ([] if rate_limits else ["--no-rate-limits"]), stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
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


def _reference_data() -> dict[str, Any]:
    return {"nominal_codes": [{"code": "4000", "name": "Sales", "type": "sales"}],
            "tax_codes": [{"code": "T1", "name": "Standard 20%", "rate": "20"}],
            "parties": [{"host_id": f"B{n:04d}", "code": f"B{n:04d}", "name": f"Bench Customer {n:04d}",
                         "currency": "GBP"} for n in range(CUSTOMERS)]}


def _invoices(start: int, count: int) -> list[dict[str, Any]]:
    docs = []
    for n in range(start, start + count):
        lines = [{"description": f"Line {k}", "quantity": str(k), "unit_price": f"{10 + n % 7}.{k}5",
                  "nominal_code": "4000", "tax_code": "T1"} for k in range(1, 6)]
        issued = date(2026, 10, 1) + timedelta(days=n % 28)
        docs.append({"host_id": f"BI-{n}", "type": "sales_invoice", "number": f"BI-{n:07d}", "status": "issued",
                     "issue_date": issued.isoformat(), "party_host_id": f"B{n % CUSTOMERS:04d}", "currency": "GBP",
                     "lines": lines})
    return docs


def run_bench(documents: int, database_url: str | None = None) -> dict[str, Any]:
    from ledgerbridge.auth_flows import flow_for
    from ledgerbridge.connections import (
        ConnectorOptions,
        connector_for,
        create_connection,
        refresh_chart,
        sandbox_endpoints,
    )
    from ledgerbridge.consent import approve_in_sandbox
    from ledgerbridge.db import make_engine, make_session_factory, session_scope, upgrade_schema
    from ledgerbridge.exporter import Exporter
    from ledgerbridge.intake import apply_batch
    from ledgerbridge.mappings import MappingKind, set_mapping
    from ledgerbridge.models_sync import Connection
    from ledgerbridge.organisations import create_organisation
    from ledgerbridge.schemas_intake import Batch, parse_json

    with tempfile.TemporaryDirectory(prefix="ledgerbridge-bench-") as tmp, sandbox_process() as base:
        engine = make_engine(database_url or f"sqlite:///{Path(tmp) / 'bench.db'}")
        upgrade_schema(engine)
        sessions = make_session_factory(engine)
        with session_scope(sessions) as session:
            org = create_organisation(session, "Bench Ltd")
            apply_batch(session, org.id, Batch.model_validate(_reference_data()))
            conn = create_connection(session, org.id, "xero", sandbox_endpoints("xero", base),
                                     client_id="ledgerbridge-demo", client_secret="demo-secret",
                                     redirect_uri="http://127.0.0.1:8976/callback")
            auth = flow_for("xero")
            url, conn_id, org_id = auth.begin_consent(session, conn), conn.id, org.id
        callback = approve_in_sandbox(url)
        with session_scope(sessions) as session:
            conn = session.get_one(Connection, conn_id)
            tenant = auth.complete_consent(session, conn, callback)[0]
            auth.choose_tenant(session, conn, tenant.tenant_id)
        connector = connector_for(sessions, conn_id, ConnectorOptions(unlimited_budget=True))
        refresh_chart(sessions, conn_id, connector)
        with session_scope(sessions) as session:
            set_mapping(session, conn_id, MappingKind.NOMINAL, "4000", NOMINAL_MAP["4000"])
            set_mapping(session, conn_id, MappingKind.TAX, "T1", TAX_MAP["T1"][0])

        timings: dict[str, float] = {}
        started = time.perf_counter()
        for start in range(0, documents, INTAKE_BATCH):
            raw = json.dumps({"documents": _invoices(start, min(INTAKE_BATCH, documents - start))})
            with session_scope(sessions) as session:  # as the API does: parse with Decimals, validate, apply
                apply_batch(session, org_id, Batch.model_validate(parse_json(raw)))
        timings["intake"] = time.perf_counter() - started
        exporter = Exporter(sessions, conn_id, connector, actor="bench")
        t = time.perf_counter()
        pre = exporter.precheck()
        timings["precheck"] = time.perf_counter() - t
        httpx.delete(f"{base}/sandbox/stats").raise_for_status()
        t = time.perf_counter()
        report = exporter.upload()
        timings["upload"] = time.perf_counter() - t
        timings["end_to_end"] = time.perf_counter() - started
        connector.close()
        calls = httpx.get(f"{base}/sandbox/stats").json()
        engine.dispose()
    parties = min(CUSTOMERS, documents)
    minimum = math.ceil(parties / BATCH_LIMIT) + math.ceil(documents / BATCH_LIMIT) + math.ceil(documents / READ_PAGE)
    return {
        "documents": documents, "lines_per_invoice": 5,
        "exported": report.exported, "failed": report.failed + pre.failed, "seen": report.seen,
        "seconds": {k: round(v, 3) for k, v in timings.items()},
        "invoices_per_second": {k: round(documents / v, 1) for k, v in timings.items() if v > 0},
        "api_calls": calls["accounting_total"], "api_calls_minimum": minimum,
        "api_calls_ratio": round(calls["accounting_total"] / minimum, 3),
        "api_calls_by_endpoint": calls["calls"],
        "peak_memory_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
    }


def bench(documents: Annotated[int, typer.Option("--documents", "-n", help="Invoices to push (5 lines each)")]
          = 10_000, database_url: Annotated[str | None, typer.Option("--bench-db", help="Database URL "
                                                                     "(default: a fresh SQLite file)")] = None,
          as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """Benchmark intake, pre-check and upload of N invoices against the sandbox (limits off)."""
    result = run_bench(documents, database_url)
    if as_json:
        print(json.dumps(result, indent=2))
        return
    from ledgerbridge.cli_context import console

    console.print(f"{documents} invoices: {result['invoices_per_second']} invoices/s; API calls "
                  f"{result['api_calls']} (minimum {result['api_calls_minimum']}); peak memory "
                  f"{result['peak_memory_mb']} MB")


def register(app: typer.Typer) -> None:
    app.command()(bench)
