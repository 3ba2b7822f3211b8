"""The store ``ledgerbridge bench-grids`` times: N documents with their sync records, in realistic proportions.

Loaded with SQLAlchemy Core bulk inserts into a fresh migrated store (a SQLite file in a temp dir, or
a schema of its own on PostgreSQL): most documents exported or seen by the package, some pending, some
in error with their error rows, a few documents that are never exported, and payments read from the
package for some of the exported ones. The timing is in :mod:`ledgerbridge.bench.grids`.
"""

from __future__ import annotations

import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

PARTIES = 2_000
CHUNK = 10_000
ADMIN_EMAIL = "bench@ledgerbridge.test"

# Of the exportable documents: (status, share). The rest of the store is never-exported types.
SYNC_MIX = (("exported", 0.70), ("seen", 0.15), ("pending", 0.09), ("error", 0.05), ("in_progress", 0.01))
NEVER_EXPORTED_SHARE = 0.05  # quotations and sales orders: in the documents list, never on the Export tab
WORDS = ("Acme", "Northern", "Harbour", "Bright", "Oak", "Granite", "Summit", "Riverside", "Crown", "Atlas",
         "Kestrel", "Meridian", "Pioneer", "Beacon", "Willow", "Falcon", "Sterling", "Orchard", "Vale", "Anchor")
KINDS = ("Trading", "Supplies", "Engineering", "Foods", "Logistics", "Services", "Builders", "Electrical")


@contextmanager
def fresh_store(database_url: str | None) -> Iterator[Any]:
    """A fresh migrated store: a SQLite file in a temp dir, or a schema of its own on PostgreSQL (dropped after)."""
    from ledgerbridge.store.db import make_engine, migrated_schema, upgrade_schema

    if database_url and database_url.startswith("postgresql"):
        with migrated_schema(database_url, "lbbench") as engine:
            yield engine
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

    from ledgerbridge.packages.registry import DEFAULT
    from ledgerbridge.store.db import make_session_factory, session_scope
    from ledgerbridge.store.models.host import Document, DocumentLine, Party
    from ledgerbridge.store.models.sync import Connection, PackagePayment, SyncError, SyncRecord
    from ledgerbridge.store.organisations import create_organisation
    from ledgerbridge.web.auth import create_admin

    started = time.perf_counter()
    sessions = make_session_factory(engine)
    now = datetime.now(UTC).replace(microsecond=0)
    written = now - timedelta(hours=1)  # the store as a user finds it: last written a while ago
    with session_scope(sessions) as session:
        org = create_organisation(session, "Grid Bench Ltd", "GBP")
        create_admin(session, org.id, ADMIN_EMAIL, password)
        endpoints = DEFAULT.sandbox.endpoints("http://127.0.0.1:9")  # never called: the grids read the store
        conn = Connection(organisation_id=org.id, kind=DEFAULT.kind, name=f"Bench {DEFAULT.name}", status="connected",
                          api_base_url=endpoints.api_base_url, identity_base_url=endpoints.identity_base_url,
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
            for name in ("parties", "documents", "sync_records"):
                db.execute(text(f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), (SELECT max(id) FROM "
                                f"{name}))"))
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
