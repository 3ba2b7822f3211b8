"""PostgreSQL "restarted" mid-run, as the client sees it: every connection of this test's application name is
terminated (``pg_terminate_backend``) while two worker processes upload and import. The shared server itself is
never restarted (other engineers and CI use it); to a client the two are the same: its connections are cut,
statements in flight fail, and new connections must be made."""

from __future__ import annotations

import random
import time

from .conftest import PgStore, WorkerWorld, assert_books_agree, pay_some


def test_database_connections_cut_mid_run(pg_store: PgStore, worker_world: WorkerWorld) -> None:
    rng = random.Random(6)
    world = worker_world.world
    worker_world.set_latency(20)
    worker_world.queue("upload")
    workers = [worker_world.worker() for _ in range(2)]
    cut = 0
    try:
        time.sleep(3.0)
        for _ in range(3):
            cut += pg_store.terminate_backends()
            time.sleep(rng.uniform(0.5, 1.5))
        payments = pay_some(world, rng, 3)
        worker_world.queue("import_payments")
        time.sleep(0.3)
        cut += pg_store.terminate_backends()
        time.sleep(2.0)
    finally:
        for proc in workers:
            proc.terminate()
            proc.wait(timeout=60)
    assert cut >= 3  # connections of the workers were really cut
    worker_world.clear_faults()
    worker_world.queue("upload", "import_payments")
    worker_world.finish_queue()
    assert_books_agree(world, expected_documents=29 + 300, payments_made=payments)
