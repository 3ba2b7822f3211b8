"""PostgreSQL "restarted" mid-run, as the client sees it: every connection of this test's application name is
terminated (``pg_terminate_backend``) while two worker processes upload and import. The shared server itself is
never restarted (other engineers and CI use it); to a client the two are the same: its connections are cut,
statements in flight fail, and new connections must be made."""

from __future__ import annotations

import os
import random
import subprocess
import sys
import time

import httpx

from ledgerbridge.db import session_scope
from ledgerbridge.jobs import enqueue_job

from .conftest import (
    PgStore,
    _free_port,
    _many_invoices,
    _start_sandbox_process,
    assert_books_agree,
    connect_world,
    pay_some,
)


def test_database_connections_cut_mid_run(pg_store: PgStore) -> None:
    rng = random.Random(6)
    port = _free_port()
    sandbox = _start_sandbox_process(port)
    try:
        base = f"http://127.0.0.1:{port}"
        world = connect_world(pg_store.sessions, base, httpx.HTTPTransport(),
                              batch=_many_invoices(300))
        httpx.post(f"{base}/sandbox/faults", json={"latency_ms": 20}).raise_for_status()
        env = {**os.environ, "LEDGERBRIDGE_DATABASE_URL": pg_store.url, "LEDGERBRIDGE_HEARTBEAT_TIMEOUT": "4"}
        with session_scope(world.sessions) as session:
            enqueue_job(session, world.conn_id, "upload", {"document_ids": None}, requested_by="fault-test")
        workers = [subprocess.Popen([sys.executable, "-m", "ledgerbridge.cli", "worker", "--no-schedule", "--poll",
                                     "0.1", "--log-level", "warning"], env=env, stdout=subprocess.DEVNULL,
                                    stderr=subprocess.DEVNULL) for _ in range(2)]
        cut = 0
        try:
            time.sleep(3.0)
            for _ in range(3):
                cut += pg_store.terminate_backends()
                time.sleep(rng.uniform(0.5, 1.5))
            payments = pay_some(world, rng, 3)
            with session_scope(world.sessions) as session:
                enqueue_job(session, world.conn_id, "import_payments", {"create_and_allocate": True},
                            requested_by="fault-test")
            time.sleep(0.3)
            cut += pg_store.terminate_backends()
            time.sleep(2.0)
        finally:
            for proc in workers:
                proc.terminate()
                proc.wait(timeout=60)
        assert cut >= 3  # connections of the workers were really cut
        httpx.delete(f"{base}/sandbox/faults").raise_for_status()
        with session_scope(world.sessions) as session:
            enqueue_job(session, world.conn_id, "upload", {"document_ids": None}, requested_by="fault-test")
            enqueue_job(session, world.conn_id, "import_payments", {"create_and_allocate": True},
                        requested_by="fault-test")
        final = subprocess.run([sys.executable, "-m", "ledgerbridge.cli", "worker", "--no-schedule", "--until-idle",
                                "--poll", "0.1"], env=env, capture_output=True, timeout=600)
        assert final.returncode == 0, final.stderr.decode()[-2000:]
        assert_books_agree(world, expected_documents=29 + 300, payments_made=payments)
        world.close()
    finally:
        sandbox.kill()
        sandbox.wait()
