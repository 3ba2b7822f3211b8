"""``ledgerbridge bench-grids``: N documents with their sync records in a fresh store, then every grid page timed.

The store is loaded with SQLAlchemy Core bulk inserts in realistic proportions (most
documents exported or seen by the package, some pending, some in error with their error
rows, a few documents that are never exported), then each grid page is timed twice: through
the real web app over HTTP (uvicorn on loopback, signed in as an administrator) and
through the grid functions of ``ledgerbridge.grids`` directly. Not a test: a figure to
read (the target is every page under 300 ms at 100,000 records).
"""

from __future__ import annotations

import json
import math
import re
import secrets
import socket
import statistics
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Annotated, Any

import typer

PARTIES = 2_000
CHUNK = 10_000
PAGE_SIZE = 25  # the grids' default page size
ADMIN_EMAIL = "bench@ledgerbridge.test"
TARGET_MS = 300.0

# Of the exportable documents: (status, share). The rest of the store is never-exported types.
SYNC_MIX = (("exported", 0.70), ("seen", 0.15), ("pending", 0.09), ("error", 0.05), ("in_progress", 0.01))
NEVER_EXPORTED_SHARE = 0.05  # quotations and sales orders: in the documents list, never on the Export tab
WORDS = ("Acme", "Northern", "Harbour", "Bright", "Oak", "Granite", "Summit", "Riverside", "Crown", "Atlas",
         "Kestrel", "Meridian", "Pioneer", "Beacon", "Willow", "Falcon", "Sterling", "Orchard", "Vale", "Anchor")
KINDS = ("Trading", "Supplies", "Engineering", "Foods", "Logistics", "Services", "Builders", "Electrical")


# --- the store -----------------------------------------------------------------------------------------------


@contextmanager
def _store(database_url: str | None) -> Iterator[Any]:
    """A fresh migrated store: a SQLite file in a temp dir, or a schema of its own on PostgreSQL (dropped after)."""
    from sqlalchemy import text

    from ledgerbridge.db import make_engine, upgrade_schema

    if database_url and database_url.startswith("postgresql"):
        schema = f"lbbench_{uuid.uuid4().hex[:12]}"
        admin = make_engine(database_url)
        with admin.begin() as conn:
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
        engine = make_engine(database_url, connect_args={"options": f"-csearch_path={schema}"})
        try:
            upgrade_schema(engine)
            yield engine
        finally:
            engine.dispose()
            with admin.begin() as conn:
                conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
            admin.dispose()
        return
    with tempfile.TemporaryDirectory(prefix="ledgerbridge-bench-grids-") as tmp:
        engine = make_engine(database_url or f"sqlite:///{Path(tmp) / 'grids.db'}")
        upgrade_schema(engine)
        try:
            yield engine
        finally:
            engine.dispose()


def _chunks(rows: list[dict[str, Any]]) -> Iterator[list[dict[str, Any]]]:
    for start in range(0, len(rows), CHUNK):
        yield rows[start:start + CHUNK]


def load_store(engine: Any, records: int, password: str) -> dict[str, Any]:
    """Load ``records`` documents (one line each), their parties, sync records, errors and package payments."""
    from sqlalchemy import insert, text

    from ledgerbridge.db import make_session_factory, session_scope
    from ledgerbridge.models_host import Document, DocumentLine, Party
    from ledgerbridge.models_sync import Connection, PackagePayment, SyncError, SyncRecord
    from ledgerbridge.organisations import create_organisation
    from ledgerbridge.web.auth import create_admin

    started = time.perf_counter()
    sessions = make_session_factory(engine)
    now = datetime.now(UTC).replace(microsecond=0)
    written = now - timedelta(hours=1)  # the store as a user finds it: last written a while ago
    with session_scope(sessions) as session:
        org = create_organisation(session, "Grid Bench Ltd", "GBP")
        create_admin(session, org.id, ADMIN_EMAIL, password)
        conn = Connection(organisation_id=org.id, kind="xero", name="Bench Xero", status="connected",
                          api_base_url="http://127.0.0.1:9/api.xro/2.0", identity_base_url="http://127.0.0.1:9/id",
                          client_id="bench", client_secret_enc="-", redirect_uri="http://127.0.0.1:9/cb",
                          tenant_id="bench-tenant", tenant_name="Grid Bench Ltd")
        session.add(conn)
        session.flush()
        org_id, conn_id = org.id, conn.id

    first_day = date(2024, 1, 1)
    parties = [{"id": i + 1, "organisation_id": org_id, "host_id": f"P{i:05d}", "is_customer": i % 5 != 0,
                "is_supplier": i % 5 == 0, "code": f"P{i:05d}", "addresses": [], "account_customer": True,
                "name": f"{WORDS[i % len(WORDS)]} {WORDS[(i // len(WORDS)) % len(WORDS)]} {KINDS[i % len(KINDS)]} "
                        f"{i:04d} Ltd", "currency": "GBP", "version": 1, "updated_at": written}
               for i in range(PARTIES)]
    documents: list[dict[str, Any]] = []
    lines: list[dict[str, Any]] = []
    sync: list[dict[str, Any]] = []
    errors: list[dict[str, Any]] = []
    payments: list[dict[str, Any]] = []
    never = int(records * NEVER_EXPORTED_SHARE)
    bounds: list[tuple[int, str]] = []
    edge = 0.0
    for status, share in SYNC_MIX:
        edge += share
        bounds.append((int(edge * 1000), status))
    sync_id = 0
    for n in range(records):
        doc_id = n + 1
        party = n % PARTIES
        if n < never:
            doc_type, prefix, state = ("quotation", "QU", "issued") if n % 2 else ("sales_order", "SO", "issued")
        elif party % 5 == 0:
            doc_type, prefix, state = ("purchase_invoice", "PI", "posted") if n % 13 else \
                ("purchase_credit_note", "PC", "posted")
        else:
            doc_type, prefix, state = ("sales_invoice", "INV", "issued") if n % 17 else \
                ("sales_credit_note", "CN", "issued")
        issued = first_day + timedelta(days=(n * 7919) % 700)
        net = Decimal(100 + (n * 37) % 9900) + Decimal(n % 100) / 100
        tax = (net / 5).quantize(Decimal("0.01"))
        documents.append({"id": doc_id, "organisation_id": org_id, "host_id": f"D{n:07d}", "type": doc_type,
                          "number": f"{prefix}-{n:07d}", "status": state, "issue_date": issued,
                          "due_date": issued + timedelta(days=30), "party_id": party + 1, "currency": "GBP",
                          "amounts_tax_inclusive": False, "order_number": f"PO{n % 50000:05d}" if n % 3 == 0 else None,
                          "net_total": net, "tax_total": tax, "gross_total": net + tax, "version": 1,
                          "updated_at": written})
        lines.append({"document_id": doc_id, "line_no": 1, "description": "Goods and services",
                      "quantity": Decimal(1), "unit_price": net, "discount_percent": Decimal(0),
                      "nominal_code": "4000", "tax_code": "T1", "net": net, "tax": tax})
        if n < never:
            continue
        slot = (n * 7) % 1000
        status = next(s for limit, s in bounds if slot < limit) if slot < bounds[-1][0] else "exported"
        sync_id += 1
        sent = status in ("exported", "seen")
        exported_at = written - timedelta(minutes=(records - n) * 3) if sent else None
        sync.append({"id": sync_id, "connection_id": conn_id, "record_type": "document", "record_id": doc_id,
                     "status": status, "action": "create" if n % 11 else "update",
                     "external_id": f"ext-{doc_id}" if sent else None,
                     "external_number": f"{prefix}-{n:07d}" if sent else None,
                     "exported_version": 1 if sent else None, "exported_total": net + tax if sent else None,
                     "exported_at": exported_at, "seen_at": exported_at if status == "seen" else None,
                     "marked_by_hand": sent and n % 97 == 0, "attempts": 1 if status != "pending" else 0,
                     "failure_type": "data" if status == "error" else None,
                     "last_error": "Account code '4000' is not a valid code" if status == "error" else None,
                     "last_error_at": now if status == "error" else None,
                     "attempt_started_at": now if status == "in_progress" else None, "updated_at": written})
        if status == "error":
            at = now - timedelta(minutes=records - n)
            errors.append({"sync_record_id": sync_id, "connection_id": conn_id, "at": at - timedelta(days=1),
                           "source": "precheck", "failure_type": "config",
                           "message": "Nominal code 4000 is not mapped", "hint": None, "raw_response": None,
                           "cleared_at": at})
            errors.append({"sync_record_id": sync_id, "connection_id": conn_id, "at": at,
                           "source": "package" if n % 3 else "network", "failure_type": "data",
                           "message": f"Account code '4000' is not a valid code for {prefix}-{n:07d}",
                           "hint": "Map the nominal code on the Mapping page", "raw_response": None,
                           "cleared_at": None})
        if sent and n % 5 == 0:  # a payment in the package for every fifth exported document
            payments.append({"connection_id": conn_id, "external_id": f"pay-{doc_id}",
                             "payment_type": "ACCRECPAYMENT" if doc_type.startswith("sales") else "ACCPAYPAYMENT",
                             "direction": "in" if doc_type.startswith("sales") else "out",
                             "payment_date": issued + timedelta(days=20), "amount": net + tax, "currency": "GBP",
                             "reference": f"Remittance {n}", "document_external_id": f"ext-{doc_id}",
                             "document_number": f"{prefix}-{n:07d}", "party_external_id": f"pext-{party}",
                             "party_name": parties[party]["name"], "deleted_in_package": False,
                             "status": "created_and_allocated" if n % 4 else "pending", "raw": {},
                             "fetched_at": now})
    party_records = [{"id": sync_id + i + 1, "connection_id": conn_id, "record_type": "party",
                      "record_id": p["id"], "status": "exported", "action": "create", "external_id": f"pext-{i}",
                      "external_number": None, "exported_version": 1, "exported_total": None,
                      "exported_at": now, "seen_at": None, "marked_by_hand": False, "attempts": 1,
                      "failure_type": None, "last_error": None, "last_error_at": None, "attempt_started_at": None,
                      "updated_at": written} for i, p in enumerate(parties)]
    with engine.begin() as db:
        for table, rows in ((Party, parties), (Document, documents), (DocumentLine, lines),
                            (SyncRecord, sync + party_records), (SyncError, errors), (PackagePayment, payments)):
            for chunk in _chunks(rows):
                db.execute(insert(table.__table__), chunk)
        if engine.dialect.name == "postgresql":  # explicit ids were given: move the sequences on
            for table in ("parties", "documents", "sync_records"):
                db.execute(text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM "
                                f"{table}))"))
    if engine.dialect.name == "postgresql":  # what autovacuum does shortly after a bulk load
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as db:
            db.execute(text("ANALYZE"))
    counts = {"documents": len(documents), "document_lines": len(lines), "parties": len(parties),
              "sync_records": len(sync) + len(party_records), "sync_errors": len(errors),
              "package_payments": len(payments)}
    by_status: dict[str, int] = {}
    for row in sync:
        by_status[row["status"]] = by_status.get(row["status"], 0) + 1
    return {"organisation_id": org_id, "connection_id": conn_id, "rows": counts, "document_sync_status": by_status,
            "load_seconds": round(time.perf_counter() - started, 2)}


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
    import uvicorn

    from ledgerbridge.api import create_app

    # IPPROTO_TCP named explicitly: asyncio sets TCP_NODELAY only on sockets whose proto says TCP, and without it
    # every keep-alive response waits ~40 ms for the client's delayed ACK (uvicorn's own bind does the same).
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    listener.bind(("127.0.0.1", 0))
    port = listener.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(create_app(engine, run_worker=False), host="127.0.0.1", port=port,
                                           log_level="warning", lifespan="on"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [listener]}, daemon=True,
                              name="bench-grids-app")
    thread.start()
    deadline = time.monotonic() + 15
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("the web app did not start")
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=30)
        listener.close()


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
    """The grid functions of ``ledgerbridge.grids`` (what a command or another screen would call)."""
    from ledgerbridge import grids
    from ledgerbridge.db import make_session_factory
    from ledgerbridge.models_sync import Connection

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

    from ledgerbridge.models_host import Document
    from ledgerbridge.models_sync import PackagePayment, SyncRecord
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
    with _store(database_url) as engine:
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
    from ledgerbridge.cli_context import console

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
