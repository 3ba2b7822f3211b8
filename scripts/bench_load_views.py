"""The export's view loading (``store.views.load_documents``) over 5,000 invoices of 5 lines on SQLite, best of 5.

``uncoded``: two lines in five name no nominal and take their kind's account setting (issue 15 item 3).
Run: ``.venv/bin/python scripts/bench_load_views.py [uncoded]``; figures in docs/benchmarks.md ("Session 8").
"""

from __future__ import annotations

import sys
import tempfile
import time
from typing import Any

from sqlalchemy import select

from ledgerbridge.intake.apply import apply_batch
from ledgerbridge.intake.schemas import Batch
from ledgerbridge.store.db import make_engine, make_session_factory, upgrade_schema
from ledgerbridge.store.models.host import Document
from ledgerbridge.store.organisations import create_organisation
from ledgerbridge.store.views import load_documents

DOCUMENTS, LINES = 5000, 5


def _line(k: int, uncoded: bool) -> dict[str, Any]:
    out: dict[str, Any] = {"description": f"line {k}", "quantity": "2", "unit_price": "10.00", "tax_code": "T1"}
    if uncoded and k % 2:
        out["kind"] = "labour"
    else:
        out["nominal_code"] = "4000"
    return out


def main() -> None:
    uncoded = sys.argv[1:] == ["uncoded"]
    engine = make_engine(f"sqlite:///{tempfile.mkdtemp()}/bench.db")
    upgrade_schema(engine)
    sessions = make_session_factory(engine)
    docs = [{"host_id": f"I{n}", "type": "sales_invoice", "number": f"I{n}", "status": "issued",
             "issue_date": "2026-11-02", "party_host_id": "C1", "currency": "GBP",
             "lines": [_line(k, uncoded) for k in range(LINES)]} for n in range(DOCUMENTS)]
    with sessions() as session:
        org = create_organisation(session, "Bench")
        apply_batch(session, org.id, Batch.model_validate({
            "nominal_codes": [{"code": "4000", "name": "Sales", "type": "sales"}],
            "tax_codes": [{"code": "T1", "name": "Standard", "rate": "20"}],
            "parties": [{"host_id": "C1", "code": "C1", "name": "C1"}], "documents": docs}))
        session.commit()
    with sessions() as session:
        ids = list(session.scalars(select(Document.id)))
        times = []
        for _ in range(5):
            started = time.perf_counter()
            load_documents(session, ids)
            times.append(time.perf_counter() - started)
    print(f"{'uncoded' if uncoded else 'coded'}: {len(ids)} documents, {len(ids) * LINES:,} lines: "
          f"{min(times) * 1000:.0f} ms (best of 5)")


if __name__ == "__main__":
    main()
