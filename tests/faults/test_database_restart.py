"""PostgreSQL restarted for real mid-run, while two worker processes upload and import.

The server is a cluster of the test's own (:mod:`faults.pg_cluster`; the shared one at 127.0.0.1:5432 is never
touched). Each restart is ``pg_ctl stop -m immediate`` (a crash: the next start runs crash recovery), a pause
of 1-2 s during which connections are refused (checked), then a start. It hits while a job runs: the upload,
and the payment import when it is caught running. The workers must live through it: after the last restart
the same two worker processes, not a fresh one, finish every job, then the books must agree (every document
once in the package, every payment once here, nothing left in progress, no connection locked out).

CI makes one restart (``LEDGERBRIDGE_PG_RESTARTS``, default 1); the long form is

    LEDGERBRIDGE_PG_RESTARTS=20 .venv/bin/python -m pytest tests/faults/test_database_restart.py -q -s

and prints its figures. The former variant (``pg_terminate_backend`` on the shared server) is gone: a restart
cuts every connection too, and also refuses new ones for a while and recovers from a crash, which
terminating backends never showed.
"""

from __future__ import annotations

import os
import random
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select, text

from ledgerbridge.db import make_engine, make_session_factory, session_scope, upgrade_schema
from ledgerbridge.demo_data import demo_batch
from ledgerbridge.intake import apply_batch
from ledgerbridge.jobs import enqueue_job
from ledgerbridge.models_sync import Job, SyncRecord
from ledgerbridge.schemas_intake import Batch

from .conftest import (
    PgStore,
    World,
    _free_port,
    _many_invoices,
    _start_sandbox_process,
    assert_books_agree,
    connect_world,
    pay_some,
)
from .pg_cluster import PgCluster, own_postgres_fixture  # noqa: F401 - the import registers the fixture

RESTARTS = int(os.environ.get("LEDGERBRIDGE_PG_RESTARTS", "1"))
SEED = int(os.environ.get("LEDGERBRIDGE_PG_RESTART_SEED", "6"))


@pytest.fixture
def restart_store(own_postgres: PgCluster) -> Iterator[PgStore]:
    """A schema of its own on the test's own cluster, reachable by URL from the worker processes."""
    schema = f"lbrestart_{uuid.uuid4().hex[:12]}"
    app_name = f"lbrestart-{uuid.uuid4().hex[:8]}"
    admin = make_engine(own_postgres.url())
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    url = f"{own_postgres.url()}?options=-csearch_path%3D{schema}&application_name={app_name}"
    engine = make_engine(url)
    try:
        upgrade_schema(engine)
        yield PgStore(url, schema, app_name, engine, make_session_factory(engine))
    finally:
        engine.dispose()
        if own_postgres.is_running():
            with admin.begin() as conn:
                conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        admin.dispose()


def _worker(env: dict[str, str], log: Any) -> subprocess.Popen[bytes]:
    return subprocess.Popen([sys.executable, "-m", "ledgerbridge.cli", "worker", "--no-schedule", "--poll", "0.1",
                             "--log-level", "warning"], env=env, stdout=subprocess.DEVNULL, stderr=log)


def _more_documents(world: World, trial: int, count: int) -> None:
    template = next(d for d in demo_batch()["documents"] if d["number"] == "INV-1001")
    docs = [dict(template, host_id=f"R{trial}-{n}", number=f"R{trial:03d}-{n:03d}") for n in range(count)]
    with session_scope(world.sessions) as session:
        apply_batch(session, world.org_id, Batch.model_validate({"documents": docs}))


def _wait_until(check: Any, timeout: float, every: float = 0.05) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(every)
    return False


def _running_kinds(world: World) -> list[str]:
    with session_scope(world.sessions) as session:
        return list(session.scalars(select(Job.kind).where(Job.status == "running")))


def _exported(world: World) -> int:
    with session_scope(world.sessions) as session:
        return session.scalar(select(func.count(SyncRecord.id)).where(
            SyncRecord.connection_id == world.conn_id, SyncRecord.record_type == "document",
            SyncRecord.external_id.is_not(None))) or 0


def _unfinished(world: World) -> int:
    with session_scope(world.sessions) as session:
        return session.scalar(select(func.count(Job.id)).where(Job.status.in_(("queued", "claimed", "running")))) or 0


def test_postgres_restarted_mid_run(own_postgres: PgCluster, restart_store: PgStore, tmp_path: Any) -> None:
    rng = random.Random(SEED)
    port = _free_port()
    sandbox = _start_sandbox_process(port)
    log_path = tmp_path / "workers.log"
    try:
        base = f"http://127.0.0.1:{port}"
        world = connect_world(restart_store.sessions, base, httpx.HTTPTransport(), batch=_many_invoices(300))
        httpx.post(f"{base}/sandbox/faults", json={"latency_ms": 20}).raise_for_status()
        env = {**os.environ, "LEDGERBRIDGE_DATABASE_URL": restart_store.url, "LEDGERBRIDGE_HEARTBEAT_TIMEOUT": "4"}
        expected, payments, hit_upload, hit_import = 29 + 300, 0, 0, 0
        started = time.monotonic()
        with log_path.open("wb") as log:
            workers = [_worker(env, log) for _ in range(2)]
            try:
                for trial in range(RESTARTS):
                    if trial:
                        _more_documents(world, trial, 15)
                        expected += 15
                    with session_scope(world.sessions) as session:
                        enqueue_job(session, world.conn_id, "upload", {"document_ids": None},
                                    requested_by="fault-test")
                    # Invoices to pay must be in the package first: some of this upload's will do.
                    assert _wait_until(lambda: _exported(world) >= 10, timeout=60), "nothing was uploaded"
                    paid = pay_some(world, rng, 3)
                    assert paid, "no payment was made in the package"
                    payments += paid
                    with session_scope(world.sessions) as session:
                        enqueue_job(session, world.conn_id, "import_payments", {"create_and_allocate": True},
                                    requested_by="fault-test")
                    # The import is short: crash the moment it runs (the upload usually still does too).
                    _wait_until(lambda: "import_payments" in _running_kinds(world), timeout=10, every=0.01)
                    kinds = _running_kinds(world)
                    assert kinds, "no job was running when the server was to be crashed"
                    hit_upload += "upload" in kinds
                    hit_import += "import_payments" in kinds
                    own_postgres.restart(pause=rng.uniform(1.0, 2.0))
                    assert all(proc.poll() is None for proc in workers), "a worker died with the database"
                httpx.delete(f"{base}/sandbox/faults").raise_for_status()
                with session_scope(world.sessions) as session:  # a last look, as the schedule would queue it
                    enqueue_job(session, world.conn_id, "upload", {"document_ids": None}, requested_by="fault-test")
                    enqueue_job(session, world.conn_id, "import_payments", {"create_and_allocate": True},
                                requested_by="fault-test")
                # The same workers, not a fresh one, finish everything: none gave up on the database.
                drained = _wait_until(lambda: _unfinished(world) == 0, timeout=120, every=0.2)
                alive = [proc.poll() is None for proc in workers]
            finally:
                for proc in workers:
                    proc.terminate()
                for proc in workers:
                    proc.wait(timeout=60)
        try:
            assert all(alive), "a worker died"
            assert drained, "the workers left jobs unfinished"
            with session_scope(world.sessions) as session:
                failed = session.execute(select(Job.kind, Job.step).where(Job.status == "failed")).all()
            assert not failed, f"jobs failed because the database restarted: {failed}"
            figures = assert_books_agree(world, expected_documents=expected, payments_made=payments)
            assert own_postgres.restarts >= RESTARTS and hit_upload + hit_import >= RESTARTS
        except AssertionError:  # the workers' own account (shown with the failure: pytest keeps stdout)
            print(f"workers' log, last lines:\n{log_path.read_text(errors='replace')[-4000:]}")
            raise
        downs = own_postgres.down_seconds[-RESTARTS:]
        print(f"\npostgres restarts: {RESTARTS} crashes (pg_ctl stop -m immediate), down {min(downs):.1f}-"
              f"{max(downs):.1f} s each, {hit_upload} during an upload, {hit_import} during a payment import; "
              f"{figures['documents']} documents once each in the package, {figures['payments']} payments once "
              f"each here, {time.monotonic() - started:.0f} s")
        world.close()
    finally:
        sandbox.kill()
        sandbox.wait()
