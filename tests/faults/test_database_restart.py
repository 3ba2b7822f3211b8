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
import threading
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select

from ledgerbridge.connectors.budget import BudgetLimits
from ledgerbridge.connectors.connections import create_connection, sandbox_endpoints
from ledgerbridge.connectors.shared_budget import SharedCallBudget
from ledgerbridge.demo.data import demo_batch
from ledgerbridge.intake.apply import apply_batch
from ledgerbridge.intake.schemas import Batch
from ledgerbridge.queue.jobs import claim_next_job, enqueue_job, requeue_lost_job
from ledgerbridge.store.db import session_scope
from ledgerbridge.store.models.sync import Job, SyncRecord
from ledgerbridge.store.models.work import CallLease
from ledgerbridge.store.organisations import create_organisation

from .conftest import (
    PgStore,
    World,
    _free_port,
    _many_invoices,
    assert_books_agree,
    connect_world,
    pay_some,
    store_in_new_schema,
)
from .pg_cluster import PgCluster, die_with_parent, own_postgres_fixture  # noqa: F401 - the import registers the fixture

RESTARTS = int(os.environ.get("LEDGERBRIDGE_PG_RESTARTS", "1"))
SEED = int(os.environ.get("LEDGERBRIDGE_PG_RESTART_SEED", "6"))


@pytest.fixture
def restart_store(own_postgres: PgCluster) -> Iterator[PgStore]:
    """A schema of its own on the test's own cluster, reachable by URL from the worker processes."""
    with store_in_new_schema(own_postgres.url(), "lbrestart", server_up=own_postgres.is_running) as store:
        yield store


def _sandbox(port: int) -> subprocess.Popen[bytes]:
    """The Xero sandbox in a process of its own, which (like the workers) dies with the test process."""
    proc = subprocess.Popen([sys.executable, "-m", "ledgerbridge.cli", "sandbox", "xero", "--port", str(port),
                             "--no-rate-limits"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            preexec_fn=die_with_parent)

    def answers() -> bool:
        try:
            return httpx.get(f"http://127.0.0.1:{port}/sandbox/stats", timeout=1).status_code == 200
        except httpx.HTTPError:
            return False

    if not _wait_until(answers, timeout=20, every=0.1):
        proc.kill()
        raise RuntimeError("the sandbox process did not start")
    return proc


def _worker(env: dict[str, str], log: Any) -> subprocess.Popen[bytes]:
    return subprocess.Popen([sys.executable, "-m", "ledgerbridge.cli", "worker", "--no-schedule", "--poll", "0.1",
                             "--log-level", "warning"], env=env, stdout=subprocess.DEVNULL, stderr=log,
                            preexec_fn=die_with_parent)


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
    sandbox = _sandbox(port)
    log_path = tmp_path / "workers.log"
    try:
        base = f"http://127.0.0.1:{port}"
        world = connect_world(restart_store.sessions, base, httpx.HTTPTransport(), batch=_many_invoices(300))
        httpx.post(f"{base}/sandbox/faults", json={"latency_ms": 20}).raise_for_status()
        # The heartbeat timeout stays the production default (120 s): a job cut off by the restart must be taken
        # up again at once by the worker that ran it, not after its heartbeat times out.
        env = {**os.environ, "LEDGERBRIDGE_DATABASE_URL": restart_store.url}
        env.pop("LEDGERBRIDGE_HEARTBEAT_TIMEOUT", None)
        expected, payments, hit_upload, hit_import = 29 + 300, 0, 0, 0
        finish_after: list[float] = []  # from the server accepting again to every job of the trial done
        started = time.monotonic()
        try:
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
                        # Each restart on its own: the workers finish this trial's jobs before the next crash (jobs
                        # lost to the database MAX_REQUEUES times in a row fail, by design).
                        back = time.monotonic()
                        recovered = _wait_until(lambda: _unfinished(world) == 0, timeout=60, every=0.2)
                        assert recovered, f"restart {trial + 1}: the workers did not finish the jobs it cut off"
                        finish_after.append(time.monotonic() - back)
                    httpx.delete(f"{base}/sandbox/faults").raise_for_status()
                    with session_scope(world.sessions) as session:  # a last look, as the schedule would queue it
                        enqueue_job(session, world.conn_id, "upload", {"document_ids": None}, requested_by="fault-test")
                        enqueue_job(session, world.conn_id, "import_payments", {"create_and_allocate": True},
                                    requested_by="fault-test")
                    # The same workers, not a fresh one, finish everything: none gave up on the database.
                    drained = _wait_until(lambda: _unfinished(world) == 0, timeout=60, every=0.2)
                    alive = [proc.poll() is None for proc in workers]
                finally:
                    for proc in workers:
                        proc.terminate()
                    for proc in workers:
                        proc.wait(timeout=60)
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
              f"{max(downs):.1f} s each, {hit_upload} during an upload, {hit_import} during a payment import, "
              f"every job done {min(finish_after):.1f}-{max(finish_after):.1f} s after the server was back; "
              f"{figures['documents']} documents once each in the package, {figures['payments']} payments once "
              f"each here, {time.monotonic() - started:.0f} s")
        world.close()
    finally:
        sandbox.kill()
        sandbox.wait()


def test_a_call_slot_and_a_job_cut_off_by_a_crash_are_given_back(own_postgres: PgCluster,
                                                                restart_store: PgStore) -> None:
    """What the mid-run test found, one by one: a call slot given back while the server is down is given back
    once it is up (waiting for it, or with the next call), and the worker that lost a job takes it up again at
    once (not when its heartbeat times out)."""
    sessions = restart_store.sessions
    with session_scope(sessions) as session:
        org = create_organisation(session, "Restart Ltd")
        conn = create_connection(session, org.id, "xero", sandbox_endpoints("xero", "http://127.0.0.1:9"),
                                 client_id="c", client_secret="s", redirect_uri="http://127.0.0.1:9/cb").id
        job_id = enqueue_job(session, conn, "upload", {"document_ids": None}, requested_by="fault-test").id
    assert claim_next_job(sessions, "w1") == job_id
    limits = BudgetLimits(per_minute=60, per_day=1000, concurrent=2)
    budget = SharedCallBudget(sessions, conn, limits, holder="w1", release_patience=0.5)

    def held() -> int:
        with session_scope(sessions) as session:
            return session.scalar(select(func.count()).select_from(CallLease).where(
                CallLease.connection_id == conn, CallLease.holder.is_not(None))) or 0

    budget.acquire()
    own_postgres.crash()
    budget.release()  # the server is down for longer than this budget's patience: the slot stays taken
    own_postgres.start()
    assert held() == 1
    assert requeue_lost_job(sessions, job_id, "w1") and not requeue_lost_job(sessions, job_id, "w1")
    with session_scope(sessions) as session:
        job = session.get_one(Job, job_id)
        assert (job.status, job.worker_id, job.result) == ("queued", None, {"requeued_after_database_loss": 1})
    budget.acquire()  # gives the old slot back first
    assert held() == 1
    budget.release_patience = 30.0
    own_postgres.crash()
    starting = threading.Timer(1.0, own_postgres.start)
    starting.start()
    budget.release()  # waits for the server (the thread that took the slot gives it back)
    starting.join(timeout=90)
    assert held() == 0
