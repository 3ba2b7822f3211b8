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
