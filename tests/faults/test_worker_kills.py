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
import time
from typing import Any

from sqlalchemy import func, select

from ledgerbridge.demo.data import demo_batch
from ledgerbridge.intake.apply import apply_batch
from ledgerbridge.intake.schemas import Batch
from ledgerbridge.store.db import session_scope
from ledgerbridge.store.models.sync import Job

from .conftest import WorkerWorld, assert_books_agree, pay_some

TRIALS = int(os.environ.get("LEDGERBRIDGE_FAULT_TRIALS", "3"))
SEED = int(os.environ.get("LEDGERBRIDGE_KILL_SEED", "20261122"))


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


def test_workers_killed_at_random_moments_lose_and_duplicate_nothing(worker_world: WorkerWorld) -> None:
    rng = random.Random(SEED)
    world = worker_world.world
    worker_world.set_latency(25)
    expected, payments, killed_running = 29 + 300, 0, 0
    started = time.monotonic()
    for trial in range(TRIALS):
        if trial:
            _more_documents(world, world.org_id, trial, 15)
            expected += 15
            payments += pay_some(world, rng, 2)
        worker_world.queue("upload", "import_payments")
        workers = [worker_world.worker() for _ in range(2)]
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
    worker_world.clear_faults()
    worker_world.queue("upload", "import_payments")  # a last look, as the schedule would queue it
    worker_world.finish_queue()
    figures = assert_books_agree(world, expected_documents=expected, payments_made=payments)
    assert killed_running >= 1 or TRIALS < 3
    print(f"\nworker kills: {TRIALS} trials, {killed_running} killed while a job ran, {figures['documents']} "
          f"documents once each in the package, {figures['payments']} payments once each here, "
          f"{time.monotonic() - started:.0f} s")
