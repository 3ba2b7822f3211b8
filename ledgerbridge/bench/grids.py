"""``ledgerbridge bench-grids``: N documents with their sync records in a fresh store, then every grid page timed.

The store is loaded in realistic proportions (:mod:`ledgerbridge.bench.grids_store`), then each grid
page is timed twice: through the real web app over HTTP (uvicorn on loopback, signed in as an
administrator) and through the grid functions of ``ledgerbridge.sync.grids`` directly. Not a test: a figure
to read (the target is every page under 300 ms at 100,000 records).
"""

from __future__ import annotations

import json
import math
import re
import secrets
import statistics
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Annotated, Any

import typer

from ledgerbridge.bench.grids_store import ADMIN_EMAIL, fresh_store, load_store

PAGE_SIZE = 25  # the grids' default page size
TARGET_MS = 300.0


# --- timing ---------------------------------------------------------------------------------------------------


def _timed(fn: Callable[[], Any], repeat: int) -> dict[str, float]:
    fn()  # warm: compile the statement, fill the page cache
    samples = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - t) * 1000)
    samples.sort()
    return {"median_ms": round(statistics.median(samples), 1),
            "p95_ms": round(samples[max(0, math.ceil(0.95 * len(samples)) - 1)], 1),
            "max_ms": round(samples[-1], 1)}


def _pages(totals: dict[str, int]) -> list[tuple[str, str]]:
    """(name, URL) of every grid page timed: first, middle and last pages, each sort, the filters."""

    def middle(total: int) -> int:
        return max(1, math.ceil(total / PAGE_SIZE) // 2)

    def last(total: int) -> int:
        return max(1, math.ceil(total / PAGE_SIZE))

    p, e, d, i = totals["pending"], totals["exported"], totals["documents"], totals["payments"]
    out = [("export: first pages", "/export"),
           ("export pending: middle page", f"/export?p_page={middle(p)}"),
           ("export pending: last page", f"/export?p_page={last(p)}")]
    out += [(f"export pending: sort {c} {d_}", f"/export?p_sort={c}&p_dir={d_}")
            for c in ("type", "number", "party", "date", "total", "status") for d_ in ("asc", "desc")]
    out += [("export pending: type filter", "/export?p_type=purchase_invoice"),
            ("export pending: search number", "/export?p_q=INV-00123"),
            ("export pending: search party", "/export?p_q=granite"),
            ("export exported: middle page", f"/export?e_page={middle(e)}"),
            ("export exported: last page", f"/export?e_page={last(e)}")]
    out += [(f"export exported: sort {c} {d_}", f"/export?e_sort={c}&e_dir={d_}")
            for c in ("type", "number", "party", "exported", "seen") for d_ in ("asc", "desc")]
    out += [("export exported: type filter", "/export?e_type=sales_credit_note"),
            ("export exported: search number", "/export?e_q=INV-00456"),
            ("export exported: search party", "/export?e_q=kestrel"),
            ("export errors: search", "/export?f_q=INV-0009"),
            ("export errors: source filter", "/export?f_source=network"),
            ("export errors: sort record", "/export?f_sort=record&f_dir=asc"),
            ("documents: first page", "/documents"),
            ("documents: middle page", f"/documents?d_page={middle(d)}"),
            ("documents: last page", f"/documents?d_page={last(d)}")]
    out += [(f"documents: sort {c} {d_}", f"/documents?d_sort={c}&d_dir={d_}")
            for c in ("number", "type", "party", "date", "total", "status") for d_ in ("asc", "desc")]
    out += [("documents: search number", "/documents?d_q=INV-00777"),
            ("documents: search party", "/documents?d_q=meridian"),
            ("documents: status filter", "/documents?d_status=error"),
            ("documents: not tracked", "/documents?d_status=not_tracked"),
            ("documents: type filter", "/documents?d_type=purchase_credit_note"),
            ("import: first page", "/import"),
            ("import: middle page", f"/import?i_page={middle(i)}"),
            ("import: last page", f"/import?i_page={last(i)}")]
    out += [(f"import: sort {c} {d_}", f"/import?i_sort={c}&i_dir={d_}")
            for c in ("date", "document", "party", "status", "amount") for d_ in ("asc", "desc")]
    out += [("import: search", "/import?i_q=remittance 4321"), ("import: status filter", "/import?i_status=pending")]
    return out


@contextmanager
def _serve(engine: Any) -> Iterator[str]:
    from ledgerbridge.api.app import create_app
    from ledgerbridge.web.serving import serve_in_thread

    served = serve_in_thread(create_app(engine, run_worker=False), name="bench-grids-app")
    try:
        yield served.base_url
    finally:
        served.stop()


def _sign_in(client: Any, password: str) -> None:
    page = client.get("/login")
    page.raise_for_status()
    match = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    if match is None:
        raise RuntimeError("no CSRF token on the sign-in page")
    answer = client.post("/login", data={"csrf_token": match.group(1), "next": "/export", "email": ADMIN_EMAIL,
                                         "password": password})
    if answer.status_code != 303 or answer.headers.get("location") != "/export":
        raise RuntimeError(f"sign-in failed: {answer.status_code} {answer.headers.get('location')}")


def time_http(engine: Any, password: str, totals: dict[str, int], repeat: int) -> list[dict[str, Any]]:
    import httpx

    out = []
    with _serve(engine) as base, httpx.Client(base_url=base, timeout=120, headers={"accept": "text/html"}) as client:
        _sign_in(client, password)
        for name, url in _pages(totals):

            def get(url: str = url) -> None:
                answer = client.get(url)
                if answer.status_code != 200:
                    raise RuntimeError(f"{url}: HTTP {answer.status_code}")

            out.append({"page": name, "url": url, **_timed(get, repeat)})
    return out


def time_direct(engine: Any, org_id: int, conn_id: int, totals: dict[str, int], repeat: int) -> list[dict[str, Any]]:
    """The grid functions of ``ledgerbridge.sync.grids`` (what a command or another screen would call)."""
    from ledgerbridge.store.db import make_session_factory
    from ledgerbridge.store.models.sync import Connection
    from ledgerbridge.sync import grids

    sessions = make_session_factory(engine)

    def last(total: int) -> int:
        return max(0, (math.ceil(total / PAGE_SIZE) - 1) * PAGE_SIZE)

    def middle(total: int) -> int:
        return max(0, math.ceil(total / PAGE_SIZE) // 2 * PAGE_SIZE)

    p, e, f, i = totals["pending"], totals["exported"], totals["errors"], totals["payments"]
    calls: list[tuple[str, Callable[[Any, Any], Any]]] = [
        ("grids.pending_export: first page", lambda s, c: grids.pending_export(s, c, PAGE_SIZE, 0)),
        ("grids.pending_export: middle page", lambda s, c: grids.pending_export(s, c, PAGE_SIZE, middle(p))),
        ("grids.pending_export: last page", lambda s, c: grids.pending_export(s, c, PAGE_SIZE, last(p))),
        ("grids.pending_export: type filter",
         lambda s, c: grids.pending_export(s, c, PAGE_SIZE, 0, doc_type="purchase_invoice")),
        ("grids.exported: first page", lambda s, c: grids.exported(s, c.id, PAGE_SIZE, 0)),
        ("grids.exported: middle page", lambda s, c: grids.exported(s, c.id, PAGE_SIZE, middle(e))),
        ("grids.exported: last page", lambda s, c: grids.exported(s, c.id, PAGE_SIZE, last(e))),
        ("grids.error_feedback: first page", lambda s, c: grids.error_feedback(s, c.id, PAGE_SIZE, 0)),
        ("grids.error_feedback: last page", lambda s, c: grids.error_feedback(s, c.id, PAGE_SIZE, last(f))),
        ("grids.package_payments: first page", lambda s, c: grids.package_payments(s, c.id, PAGE_SIZE, 0)),
        ("grids.package_payments: middle page",
         lambda s, c: grids.package_payments(s, c.id, PAGE_SIZE, middle(i))),
        ("grids.package_payments: last page", lambda s, c: grids.package_payments(s, c.id, PAGE_SIZE, last(i))),
        ("grids.package_payments: status filter",
         lambda s, c: grids.package_payments(s, c.id, PAGE_SIZE, 0, status="pending")),
    ]
    out = []
    for name, call in calls:

        def run(call: Callable[[Any, Any], Any] = call) -> None:
            with sessions() as session:
                call(session, session.get_one(Connection, conn_id))
                session.commit()

        out.append({"page": name, **_timed(run, repeat)})
    return out


def _totals(engine: Any, org_id: int, conn_id: int) -> dict[str, int]:
    from sqlalchemy import func, select

    from ledgerbridge.store.models.host import Document
    from ledgerbridge.store.models.sync import PackagePayment, SyncRecord
    from ledgerbridge.web.queries import DONE_STATUSES, OPEN_STATUSES

    def count(q: Any) -> int:
        with engine.connect() as db:
            return int(db.scalar(q) or 0)

    doc = (SyncRecord.connection_id == conn_id) & (SyncRecord.record_type == "document")
    return {"pending": count(select(func.count()).where(doc, SyncRecord.status.in_(OPEN_STATUSES))),
            "exported": count(select(func.count()).where(doc, SyncRecord.status.in_(DONE_STATUSES))),
            "errors": count(select(func.count()).where(doc, SyncRecord.status == "error")),
            "documents": count(select(func.count()).where(Document.organisation_id == org_id)),
            "payments": count(select(func.count()).where(PackagePayment.connection_id == conn_id))}


def run_bench_grids(records: int, database_url: str | None = None, repeat: int = 20,
                    http: bool = True, direct: bool = True) -> dict[str, Any]:
    password = secrets.token_urlsafe(16)
    with fresh_store(database_url) as engine:
        loaded = load_store(engine, records, password)
        totals = _totals(engine, loaded["organisation_id"], loaded["connection_id"])
        result: dict[str, Any] = {"records": records, "backend": engine.dialect.name, "repeat": repeat,
                                  "page_size": PAGE_SIZE, "target_ms": TARGET_MS, **loaded, "grid_totals": totals}
        if http:
            result["http"] = time_http(engine, password, totals, repeat)
        if direct:
            result["direct"] = time_direct(engine, loaded["organisation_id"], loaded["connection_id"], totals,
                                           repeat)
    timed = result.get("http", []) + result.get("direct", [])
    if timed:
        slowest = max(timed, key=lambda r: r["p95_ms"])
        result["slowest"] = slowest
        result["all_under_target"] = all(r["p95_ms"] < TARGET_MS for r in timed)
    return result


def bench_grids(records: Annotated[int, typer.Option("--records", "-n", help="Documents to load")] = 100_000,
                database_url: Annotated[str | None, typer.Option(
                    "--db", help="Database URL (default: a fresh SQLite file in a temp dir; postgresql://... "
                                 "uses a schema of its own, dropped afterwards)")] = None,
                repeat: Annotated[int, typer.Option("--repeat", help="Timed requests per page")] = 20,
                http: Annotated[bool, typer.Option("--http/--no-http", help="Time the pages over HTTP")] = True,
                direct: Annotated[bool, typer.Option("--direct/--no-direct",
                                                     help="Time the grid functions directly")] = True,
                as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """Benchmark the web grids: load N documents with their sync records, time every grid page (median, p95)."""
    result = run_bench_grids(records, database_url, repeat, http, direct)
    if as_json:
        print(json.dumps(result, indent=2, default=str))
        return
    from ledgerbridge.cli.context import console

    console.print(f"{result['backend']}: {records:,} documents loaded in {result['load_seconds']} s "
                  f"({result['rows']}); grid totals {result['grid_totals']}")
    for section in ("http", "direct"):
        if section not in result:
            continue
        console.print(f"\n[bold]{'Over HTTP (the web app)' if section == 'http' else 'Grid functions directly'}"
                      f"[/] - {repeat} requests each, ms")
        console.print(f"{'page':<44} {'median':>8} {'p95':>8} {'max':>8}")
        for row in result[section]:
            flag = "" if row["p95_ms"] < TARGET_MS else "  [red]over 300 ms[/]"
            console.print(f"{row['page']:<44} {row['median_ms']:>8} {row['p95_ms']:>8} {row['max_ms']:>8}{flag}",
                          highlight=False)
    if "slowest" in result:
        s = result["slowest"]
        console.print(f"\nSlowest page: {s['page']} (median {s['median_ms']} ms, p95 {s['p95_ms']} ms); "
                      f"every page under {TARGET_MS:.0f} ms: {result['all_under_target']}")


def register(app: typer.Typer) -> None:
    app.command("bench-grids")(bench_grids)
