"""A demo's ``--json`` summary, run once per test run and shared by every test process.

Three test files compare with Xero's demo (its outcome, and the QuickBooks Desktop and MYOB demos' keys); each ran
it again in its own subprocess. The first to ask runs it and writes the summary to the run's shared temporary
folder, under a lock (``fcntl.flock``: no extra dependency for a test helper); the others read it. A failed run is
not written, so each asker then runs and fails on its own, with the demo's stderr."""

from __future__ import annotations

import fcntl
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest


def run_demo(*args: str) -> dict[str, Any]:
    done = subprocess.run([sys.executable, "-m", "ledgerbridge.cli", "demo", "--json", *args], capture_output=True,
                          timeout=180, text=True)
    assert done.returncode == 0, done.stderr[-3000:]
    summary: dict[str, Any] = json.loads(done.stdout)
    return summary


def shared_demo(tmp_path_factory: pytest.TempPathFactory, *args: str) -> dict[str, Any]:
    """The summary of ``ledgerbridge demo --json *args``, run at most once per test run."""
    base = tmp_path_factory.getbasetemp()
    # Under pytest-xdist each worker's folder is inside the run's own folder; without it, the run's folder is ours.
    shared = base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base
    name = "demo-" + ("-".join(args) or "xero") + ".json"
    path = Path(shared) / name
    with open(Path(shared) / (name + ".lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if path.exists():
            cached: dict[str, Any] = json.loads(path.read_text())
            return cached
        summary = run_demo(*args)
        path.write_text(json.dumps(summary))
        return summary


def _shape(value: Any) -> Any:
    """The keys of a summary, nested (the values of a dict of counts by type are not part of its shape)."""
    if isinstance(value, dict):
        return {key: _shape(inner) for key, inner in value.items() if key not in ("exported", "not_exported",
                                                                                  "statuses")}
    return type(value).__name__ if not isinstance(value, list) else "list"


def assert_xeros_keys(summary: dict[str, Any], tmp_path_factory: pytest.TempPathFactory) -> None:
    """Another package's demo summary has the keys of Xero's, and its nested parts the same shape."""
    xero = shared_demo(tmp_path_factory)
    assert set(summary) == set(xero)
    for key in ("purchase_approvals", "reconciliation", "prepayments", "parties", "parties_imported"):
        assert _shape(summary[key]) == _shape(xero[key]), key
    assert summary["numbering"] == xero["numbering"]  # the devices' day is the same whatever the package


def assert_the_months_documents(summary: dict[str, Any]) -> None:
    """What every package's demo does with the month's documents: 29 out and seen, quotation and proforma kept
    back with their reasons, the invoice on an unmapped nominal code in errors naming it."""
    assert summary["exported"] == {"sales_invoice": 22, "purchase_invoice": 5, "sales_credit_note": 2}
    assert summary["seen"] == 29
    reasons = {doc_type: [r["reason"] for r in rows] for doc_type, rows in summary["not_exported"].items()}
    assert "quotations are never exported" in reasons["quotation"]
    assert "proformas are never exported" in reasons["proforma"]
    assert [e["document"] for e in summary["errors"]] == ["INV-1103"]
    assert "nominal code 4090" in summary["errors"][0]["message"]
