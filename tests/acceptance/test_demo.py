"""The demo, run as a user runs it: the command, its JSON, its promises."""

from __future__ import annotations

import json
import subprocess
import sys


def test_demo_json_outcome() -> None:
    done = subprocess.run([sys.executable, "-m", "ledgerbridge.cli", "demo", "--json"], capture_output=True,
                          timeout=120, text=True)
    assert done.returncode == 0, done.stderr[-3000:]
    summary = json.loads(done.stdout)
    assert summary["exported"] == {"sales_invoice": 22, "purchase_invoice": 5, "sales_credit_note": 2}
    assert summary["seen"] == 29
    reasons = {doc_type: [r["reason"] for r in rows] for doc_type, rows in summary["not_exported"].items()}
    assert "quotations are never exported" in reasons["quotation"]
    assert "proformas are never exported" in reasons["proforma"]
    assert [e["document"] for e in summary["errors"]] == ["INV-1103"]
    assert "nominal code 4090" in summary["errors"][0]["message"]
    assert summary["payments_imported"] == 8 and summary["payments_allocated"] == 8
    assert summary["seconds"] < 60
