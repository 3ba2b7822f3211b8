"""Faults survived: a lost answer after Xero committed, a crash mid-upload, disconnect and reconnect."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import httpx
import pytest
from dbfixtures import make_sqlite_engine
from sqlalchemy import func, select

from ledgerbridge.db import make_session_factory, session_scope
from ledgerbridge.exporter import Exporter
from ledgerbridge.models_sync import Connection, SyncRecord, SyncStatus
from ledgerbridge.xero import auth

from .conftest import World, connect_world


def _numbers_in_xero(world: World) -> Counter[str]:
    found: Counter[str] = Counter()
    page = 1
    while True:
        rows = world.xero_get("/Invoices", page=page, pageSize=1000)["Invoices"]
        found.update(doc["InvoiceNumber"] for doc in rows)
        if len(rows) < 1000:
            break
        page += 1
    for doc in world.xero_get("/CreditNotes", page=1, pageSize=1000)["CreditNotes"]:
        found[doc["CreditNoteNumber"]] += 1
    return found


def test_answer_lost_then_retried_with_the_same_idempotency_key(world: World) -> None:
    with world.xero() as http:  # the next three writes commit in Xero but their answers are lost
        http.post("/sandbox/faults", json={"drop_response_after_commit": 3}).raise_for_status()
    report = Exporter(world.sessions, world.conn_id, world.connector()).upload()
    assert (report.exported, report.failed) == (29, 1)
    numbers = _numbers_in_xero(world)
    assert max(numbers.values()) == 1 and len(numbers) == 29


def _export_all_parties(world: World) -> None:
    from ledgerbridge.export_dependencies import PARTIES, DependencyExporter
    from ledgerbridge.export_plan import export_context
    from ledgerbridge.models_host import Party
    from ledgerbridge.sync_records import refresh_sync_records

    with session_scope(world.sessions) as session:
        conn = session.get_one(Connection, world.conn_id)
        refresh_sync_records(session, conn)
        ctx = export_context(session, conn)
        party_ids = list(session.scalars(select(Party.id)))
    bound = DependencyExporter(world.sessions, world.conn_id, world.connector(), ctx, PARTIES).ensure_exported(
        party_ids)
    assert all(b.external_id for b in bound.values())


def test_answer_lost_and_retries_spent_then_found_by_lookup(world: World) -> None:
    _export_all_parties(world)
    with world.xero() as http:  # every write commits in Xero but no answer arrives; no retries this time
        http.post("/sandbox/faults", json={"drop_response_after_commit": 50}).raise_for_status()
    first = Exporter(world.sessions, world.conn_id, world.connector(max_attempts=1)).upload()
    assert first.exported == 0 and first.failed > 0
    with world.xero() as http:
        http.delete("/sandbox/faults").raise_for_status()
    second = Exporter(world.sessions, world.conn_id, world.connector()).upload()
    assert second.recovered > 0  # found in Xero by number and bound, not created again
    numbers = _numbers_in_xero(world)
    assert max(numbers.values()) == 1
    assert len(numbers) == 29


def test_reconnect_keeps_every_binding(world: World) -> None:
    Exporter(world.sessions, world.conn_id, world.connector()).upload()
    before = _numbers_in_xero(world)
    from ledgerbridge.consent import approve_in_sandbox

    with session_scope(world.sessions) as session:
        conn = session.get_one(Connection, world.conn_id)
        auth.disconnect(session, conn, transport=world.transport)
    with session_scope(world.sessions) as session:
        conn = session.get_one(Connection, world.conn_id)
        assert conn.status == "disconnected" and conn.access_token_enc is None
        assert session.scalar(select(func.count(SyncRecord.id)).where(SyncRecord.external_id.is_not(None))) > 0
        url = auth.begin_consent(session, conn)
    callback = approve_in_sandbox(url)
    with session_scope(world.sessions) as session:
        conn = session.get_one(Connection, world.conn_id)
        tenants = auth.complete_consent(session, conn, callback, transport=world.transport)
        auth.choose_tenant(session, conn, tenants[0].tenant_id, transport=world.transport)
    again = Exporter(world.sessions, world.conn_id, world.connector()).upload()
    assert again.exported == 0
    assert _numbers_in_xero(world) == before


class _Remote:
    def __init__(self, base_url: str) -> None:
        self.base_url = base_url


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
    from ledgerbridge.demo_data import demo_batch

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
        world = connect_world(sessions, _Remote(f"http://127.0.0.1:{port}"), httpx.HTTPTransport(),  # type: ignore[arg-type]
                              batch=_many_invoices(400))
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
        numbers = _numbers_in_xero(world)
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


def test_rate_limit_and_server_errors_are_retried_not_shown(world: World) -> None:
    with world.xero() as http:
        http.post("/sandbox/faults", json={"rate_limit_storm": 2}).raise_for_status()
    first = Exporter(world.sessions, world.conn_id, world.connector()).upload(_ids(world, ["INV-1001", "INV-1002"]))
    assert (first.exported, first.failed) == (2, 0)
    with world.xero() as http:
        http.post("/sandbox/faults", json={"fail_with_status": 503, "count": 2}).raise_for_status()
    second = Exporter(world.sessions, world.conn_id, world.connector()).upload()
    assert (second.exported, second.failed) == (27, 1)  # the one failure is INV-1103's unmapped nominal
    assert max(_numbers_in_xero(world).values()) == 1


def test_retries_spent_show_in_error_feedback_and_the_next_run_recovers(world: World) -> None:
    from ledgerbridge.grids import error_feedback

    with world.xero() as http:
        http.post("/sandbox/faults", json={"fail_with_status": 503, "count": 100}).raise_for_status()
    report = Exporter(world.sessions, world.conn_id, world.connector(max_attempts=2)).upload()
    assert report.exported == 0
    with session_scope(world.sessions) as session:
        rows = error_feedback(session, world.conn_id, limit=100).rows
    assert rows and all(r["failure_type"] in ("retriable", "config") for r in rows)
    assert any("503" in r["message"] or "retriable" == r["failure_type"] for r in rows)
    with world.xero() as http:
        http.delete("/sandbox/faults").raise_for_status()
    again = Exporter(world.sessions, world.conn_id, world.connector()).upload()
    assert again.exported == 29 and max(_numbers_in_xero(world).values()) == 1


def _ids(world: World, numbers: list[str]) -> list[int]:
    from ledgerbridge.models_host import Document

    with session_scope(world.sessions) as session:
        return list(session.scalars(select(Document.id).where(Document.number.in_(numbers))))


def test_documents_before_the_start_date_are_not_exported(world: World) -> None:
    from datetime import date

    from ledgerbridge.sync_records import not_exported_reasons

    with session_scope(world.sessions) as session:
        session.get_one(Connection, world.conn_id).start_date = date(2026, 10, 15)
    report = Exporter(world.sessions, world.conn_id, world.connector()).upload()
    numbers = _numbers_in_xero(world)
    with session_scope(world.sessions) as session:
        from ledgerbridge.models_host import Document

        early = set(session.scalars(select(Document.number).where(Document.issue_date < date(2026, 10, 15))))
        reasons = not_exported_reasons(session, session.get_one(Connection, world.conn_id))
    assert early and not (early & set(numbers))
    assert report.exported == len(numbers)
    assert any("before the start date 2026-10-15" in reason for by_type in reasons.values() for reason in by_type)
