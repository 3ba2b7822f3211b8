"""Xero-only fault and scope tests: the upload process killed at random moments, the start date.

Lost answers, retries, rate limits, outages and reconnecting are the conformance suite's (``tests/conformance``).
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from dbfixtures import make_sqlite_engine
from sqlalchemy import func, select

from ledgerbridge.store.db import make_session_factory, session_scope
from ledgerbridge.store.models.sync import Connection, SyncRecord, SyncStatus
from ledgerbridge.sync.exporter import Exporter

from .conftest import World, connect_world


def _start_sandbox_process(port: int) -> subprocess.Popen[bytes]:
    proc = subprocess.Popen([sys.executable, "-m", "ledgerbridge.cli", "sandbox", "xero", "--port", str(port),
                             "--no-rate-limits"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            httpx.get(f"http://127.0.0.1:{port}/sandbox/stats", timeout=1).raise_for_status()
            return proc
        except httpx.HTTPError:
            time.sleep(0.1)
    proc.kill()
    raise RuntimeError("the sandbox process did not start")


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _many_invoices(count: int) -> dict:
    from ledgerbridge.demo.data import demo_batch

    batch = demo_batch()
    template = next(d for d in batch["documents"] if d["number"] == "INV-1001")
    extra = [dict(template, host_id=f"K-{n}", number=f"K-{n:05d}") for n in range(count)]
    batch["documents"] = [d for d in batch["documents"] if d["number"] != "INV-1103"] + extra
    return batch


@pytest.mark.parametrize("kills", [int(os.environ.get("LEDGERBRIDGE_KILL_TRIALS", "4"))])
def test_upload_killed_at_random_moments_leaves_exactly_one_copy(tmp_path: Path, kills: int) -> None:
    rng = random.Random(int(os.environ.get("LEDGERBRIDGE_KILL_SEED", "20261121")))
    port = _free_port()
    sandbox = _start_sandbox_process(port)
    try:
        engine = make_sqlite_engine(tmp_path)
        sessions = make_session_factory(engine)
        world = connect_world(sessions, f"http://127.0.0.1:{port}", httpx.HTTPTransport(), batch=_many_invoices(400))
        httpx.post(f"http://127.0.0.1:{port}/sandbox/faults", json={"latency_ms": 40}).raise_for_status()
        env = {**os.environ, "LEDGERBRIDGE_DATABASE_URL": str(engine.url)}
        killed_mid_run = 0
        for _ in range(kills):
            proc = subprocess.Popen([sys.executable, "-m", "ledgerbridge.cli", "upload", "--json"], env=env,
                                    stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            time.sleep(rng.uniform(0.3, 2.5))
            if proc.poll() is None:
                proc.send_signal(signal.SIGKILL)
                killed_mid_run += 1
            proc.wait()
        httpx.delete(f"http://127.0.0.1:{port}/sandbox/faults").raise_for_status()
        final = subprocess.run([sys.executable, "-m", "ledgerbridge.cli", "upload", "--json"], env=env,
                               capture_output=True, timeout=300)
        assert final.returncode == 0, final.stderr.decode()[-2000:]
        assert killed_mid_run >= 1
        numbers = world.remote_numbers()
        expected = 29 + 400
        assert len(numbers) == expected, f"{expected - len(numbers)} documents missing"
        assert max(numbers.values()) == 1, [n for n, c in numbers.items() if c > 1][:10]
        with session_scope(sessions) as session:
            stuck = session.scalar(select(func.count(SyncRecord.id)).where(
                SyncRecord.status == SyncStatus.IN_PROGRESS.value))
            assert stuck == 0
        engine.dispose()
    finally:
        sandbox.kill()
        sandbox.wait()


def test_documents_before_the_start_date_are_not_exported(world: World) -> None:
    from datetime import date

    from ledgerbridge.sync.records import not_exported_reasons

    with session_scope(world.sessions) as session:
        session.get_one(Connection, world.conn_id).start_date = date(2026, 10, 15)
    report = Exporter(world.sessions, world.conn_id, world.connector()).upload()
    numbers = world.remote_numbers()
    with session_scope(world.sessions) as session:
        from ledgerbridge.store.models.host import Document

        early = set(session.scalars(select(Document.number).where(Document.issue_date < date(2026, 10, 15))))
        reasons = not_exported_reasons(session, session.get_one(Connection, world.conn_id))
    assert early and not (early & set(numbers))
    assert report.exported == len(numbers)
    assert any("before the start date 2026-10-15" in reason for by_type in reasons.values() for reason in by_type)
