"""Workers SIGKILLed at random moments during uploads and payment imports, on PostgreSQL.

Each trial queues more work (new documents, payments made in the package since), starts worker processes and
kills one of them at a random moment. CI runs ``LEDGERBRIDGE_FAULT_TRIALS`` trials (default 3); the long form is

    LEDGERBRIDGE_FAULT_TRIALS=100 .venv/bin/python -m pytest tests/faults/test_worker_kills.py -q -s

and prints its figures. After the last trial a clean worker finishes the queue, then the books must agree.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from typing import Any

import httpx
from sqlalchemy import func, select

from ledgerbridge.db import session_scope
from ledgerbridge.demo_data import demo_batch
from ledgerbridge.intake import apply_batch
from ledgerbridge.jobs import enqueue_job
from ledgerbridge.models_sync import Job
from ledgerbridge.schemas_intake import Batch

from .conftest import (
    PgStore,
    _free_port,
    _many_invoices,
    _start_sandbox_process,
    assert_books_agree,
    connect_world,
    pay_some,
)

TRIALS = int(os.environ.get("LEDGERBRIDGE_FAULT_TRIALS", "3"))
SEED = int(os.environ.get("LEDGERBRIDGE_KILL_SEED", "20261122"))


def _worker(env: dict[str, str]) -> subprocess.Popen[bytes]:
    return subprocess.Popen([sys.executable, "-m", "ledgerbridge.cli", "worker", "--no-schedule", "--poll", "0.1",
                             "--log-level", "warning"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def _more_documents(world: Any, org_id: int, trial: int, count: int) -> None:
    batch = demo_batch()
    template = next(d for d in batch["documents"] if d["number"] == "INV-1001")
    docs = [dict(template, host_id=f"T{trial}-{n}", number=f"T{trial:03d}-{n:03d}") for n in range(count)]
    with session_scope(world.sessions) as session:
        apply_batch(session, org_id, Batch.model_validate({"documents": docs}))


def _wait_for_a_running_job(world: Any, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with session_scope(world.sessions) as session:
            if session.scalar(select(func.count(Job.id)).where(Job.status == "running")):
                return
        time.sleep(0.05)


def test_workers_killed_at_random_moments_lose_and_duplicate_nothing(pg_store: PgStore) -> None:
    rng = random.Random(SEED)
    port = _free_port()
    sandbox = _start_sandbox_process(port)
    try:
        base = f"http://127.0.0.1:{port}"
        world = connect_world(pg_store.sessions, base, httpx.HTTPTransport(),
                              batch=_many_invoices(300))
        httpx.post(f"{base}/sandbox/faults", json={"latency_ms": 25}).raise_for_status()
        env = {**os.environ, "LEDGERBRIDGE_DATABASE_URL": pg_store.url, "LEDGERBRIDGE_HEARTBEAT_TIMEOUT": "4"}
        expected, payments, killed_running = 29 + 300, 0, 0
        started = time.monotonic()
        for trial in range(TRIALS):
            if trial:
                _more_documents(world, world.org_id, trial, 15)
                expected += 15
                payments += pay_some(world, rng, 2)
            with session_scope(world.sessions) as session:
                enqueue_job(session, world.conn_id, "upload", {"document_ids": None}, requested_by="fault-test")
                enqueue_job(session, world.conn_id, "import_payments", {"create_and_allocate": True},
                            requested_by="fault-test")
            workers = [_worker(env) for _ in range(2)]
            _wait_for_a_running_job(world, timeout=30)  # starting a process takes seconds on a loaded machine
            time.sleep(rng.uniform(0.0, 2.0))  # then a random moment of the upload or the import
            victim = rng.choice(workers)
            if victim.poll() is None:
                with session_scope(world.sessions) as session:
                    killed_running += bool(session.scalar(select(func.count(Job.id)).where(Job.status == "running")))
                victim.send_signal(signal.SIGKILL)
            for proc in workers:
                if proc is not victim:
                    proc.send_signal(signal.SIGKILL if rng.random() < 0.5 else signal.SIGTERM)
                proc.wait()
        httpx.delete(f"{base}/sandbox/faults").raise_for_status()
        with session_scope(world.sessions) as session:  # a last look, as the schedule would queue it
            enqueue_job(session, world.conn_id, "upload", {"document_ids": None}, requested_by="fault-test")
            enqueue_job(session, world.conn_id, "import_payments", {"create_and_allocate": True},
                        requested_by="fault-test")
        final = subprocess.run([sys.executable, "-m", "ledgerbridge.cli", "worker", "--no-schedule", "--until-idle",
                                "--poll", "0.1"], env=env, capture_output=True, timeout=600)
        assert final.returncode == 0, final.stderr.decode()[-2000:]
        figures = assert_books_agree(world, expected_documents=expected, payments_made=payments)
        assert killed_running >= 1 or TRIALS < 3
        print(f"\nworker kills: {TRIALS} trials, {killed_running} killed while a job ran, {figures['documents']} "
              f"documents once each in the package, {figures['payments']} payments once each here, "
              f"{time.monotonic() - started:.0f} s")
        world.close()
    finally:
        sandbox.kill()
        sandbox.wait()
