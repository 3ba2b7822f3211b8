"""Figures for the audit trail's record links (R-A1): store N package calls of 50 records each, link them, and
time a record's history and the newest page. Prints one line; run on an idle machine for fair figures.

    .venv/bin/python scripts/bench_audit_links.py sqlite:////tmp/bench-audit.db 2000
    .venv/bin/python scripts/bench_audit_links.py postgresql://postgres@127.0.0.1:5432/test 2000   # empty db
"""

from __future__ import annotations

import sys
import time
import uuid

from sqlalchemy import insert

from ledgerbridge.audit.search import link_audit_events, search_audit
from ledgerbridge.connectors.connections import create_connection, sandbox_endpoints
from ledgerbridge.store.db import make_engine, make_session_factory, session_scope, upgrade_schema
from ledgerbridge.store.models.sync import AuditEvent, SyncRecord
from ledgerbridge.store.organisations import create_organisation

PER_CALL = 50


def main(url: str, calls: int) -> None:
    engine = make_engine(url)
    upgrade_schema(engine)
    sessions = make_session_factory(engine)
    with session_scope(sessions) as s:
        org = create_organisation(s, "Bench")
        conn = create_connection(s, org.id, "xero", sandbox_endpoints("xero", "http://127.0.0.1:9"), client_id="i",
                                 client_secret="s", redirect_uri="http://127.0.0.1/cb")
        s.flush()
        org_id, conn_id = org.id, conn.id
    records, events = [], []
    for c in range(calls):
        key = uuid.uuid4().hex
        records += [{"connection_id": conn_id, "record_type": "document", "record_id": c * PER_CALL + n + 1,
                     "status": "seen", "action": "create", "batch_key": key, "attempt_key": f"{key}:{n}",
                     "attempts": 1, "marked_by_hand": False} for n in range(PER_CALL)]
        events.append({"organisation_id": org_id, "connection_id": conn_id, "actor": "bench",
                       "action": "xero PUT /Invoices", "outcome": "ok",
                       "request": f"PUT /Invoices\nIdempotency-Key: {key}\n\n{{}}"})
        events.append({"organisation_id": org_id, "connection_id": conn_id, "actor": "bench", "action": "upload",
                       "outcome": "ok"})
    with session_scope(sessions) as s:
        s.execute(insert(SyncRecord), records)
        started = time.perf_counter()
        s.execute(insert(AuditEvent), events)
        stored = time.perf_counter() - started
    with session_scope(sessions) as s:
        started = time.perf_counter()
        linked = link_audit_events(s, conn_id)
        link = time.perf_counter() - started
    with session_scope(sessions) as s:
        started = time.perf_counter()
        link_audit_events(s, conn_id)
        idle = time.perf_counter() - started
    times = []
    with session_scope(sessions) as s:
        for n in range(1, 22):
            started = time.perf_counter()
            _rows, total = search_audit(s, org_id, records=[("document", n * (calls * PER_CALL // 22))])
            times.append(time.perf_counter() - started)
            assert total == 1, total
        started = time.perf_counter()
        search_audit(s, org_id, limit=200)
        page = time.perf_counter() - started
    times.sort()
    print(f"{engine.dialect.name}: {calls} calls x {PER_CALL} records ({len(events)} audit rows): store "
          f"{stored * 1000:.0f} ms, link {linked} calls {link * 1000:.0f} ms, idle link pass {idle * 1000:.1f} ms, "
          f"history by record median {times[10] * 1000:.1f} ms max {times[-1] * 1000:.1f} ms, newest 200 "
          f"{page * 1000:.0f} ms")


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 2000)
