"""The faults suite (issue 6): workers SIGKILLed, answers lost, 429 and 5xx storms, tokens expiring and refresh
races, the database dropping every connection. Each test ends with :func:`assert_books_agree`: every document
exactly once in the package, every payment exactly once here, nothing stuck in progress, no connection locked out.

Reuses the machinery of the sync tests (a connected world on a live sandbox, the kill test's sandbox process).

The shared PostgreSQL at 127.0.0.1:5432 is never restarted (other engineers and CI use it): the restart test
crashes and restarts a cluster of its own (:mod:`faults.pg_cluster`).
"""

from __future__ import annotations

import os
import random
import subprocess
import sys
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from dbfixtures import postgres_url
from sqlalchemy import Engine, func, select, text
from sqlalchemy.orm import Session, sessionmaker
from sync.conftest import World, connect_world
from sync.test_faults import _free_port, _many_invoices, _start_sandbox_process

from ledgerbridge.queue.jobs import enqueue_job
from ledgerbridge.store.db import make_engine, make_session_factory, session_scope, upgrade_schema
from ledgerbridge.store.models.host import Payment
from ledgerbridge.store.models.sync import Connection, Job, PackagePayment, SyncRecord, SyncStatus
from ledgerbridge.store.models.work import CallLease


@dataclass
class PgStore:
    """A schema of its own on a PostgreSQL server, reachable by URL from worker processes."""

    url: str
    schema: str
    app_name: str
    engine: Engine
    sessions: sessionmaker[Session]


@contextmanager
def store_in_new_schema(base: str, prefix: str, server_up: Callable[[], bool] = lambda: True) -> Iterator[PgStore]:
    """A migrated schema of its own on the server at ``base``, dropped afterwards (if the server is up then)."""
    schema = f"{prefix}_{uuid.uuid4().hex[:12]}"
    app_name = f"{prefix}-{uuid.uuid4().hex[:8]}"
    admin = make_engine(base)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    sep = "&" if "?" in base else "?"
    url = f"{base}{sep}options=-csearch_path%3D{schema}&application_name={app_name}"
    engine = make_engine(url)
    try:
        upgrade_schema(engine)
        yield PgStore(url, schema, app_name, engine, make_session_factory(engine))
    finally:
        engine.dispose()
        if server_up():
            with admin.begin() as conn:
                conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture
def pg_store() -> Iterator[PgStore]:
    with store_in_new_schema(postgres_url(), "lbfault") as store:
        yield store


def numbers_in_package(world: World) -> Counter[str]:
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


def pay_some(world: World, rng: random.Random, count: int) -> int:
    """Pay ``count`` exported invoices in the package (as a customer would); returns how many were paid."""
    with session_scope(world.sessions) as session:
        ids = list(session.scalars(select(SyncRecord.external_id).where(
            SyncRecord.connection_id == world.conn_id, SyncRecord.record_type == "document",
            SyncRecord.external_id.is_not(None))))
    paid = 0
    for external_id in rng.sample(ids, min(count, len(ids))):
        answer = httpx.post(f"{world.base_url}/sandbox/tenants/{world.tenant_id}/payments", json={
            "Invoice": {"InvoiceID": external_id}, "Account": {"Code": "090"}, "Date": "2026-11-02",
            "Amount": "1.00"}, timeout=10)
        if answer.status_code < 300:
            paid += 1
        else:
            print(f"the sandbox refused a payment: {answer.status_code} {answer.text[:300]}")
    return paid


def assert_books_agree(world: World, expected_documents: int | None = None,
                       payments_made: int | None = None) -> dict[str, Any]:
    """The invariants every fault must leave intact; returns the figures for the test's own message."""
    numbers = numbers_in_package(world)
    duplicates = [n for n, c in numbers.items() if c > 1]
    assert not duplicates, f"created twice in the package: {duplicates[:10]}"
    with session_scope(world.sessions) as session:
        exportable = session.scalar(select(func.count(SyncRecord.id)).where(
            SyncRecord.connection_id == world.conn_id, SyncRecord.record_type == "document",
            SyncRecord.status.in_((SyncStatus.EXPORTED.value, SyncStatus.SEEN.value)))) or 0
        stuck = session.scalar(select(func.count(SyncRecord.id)).where(
            SyncRecord.status == SyncStatus.IN_PROGRESS.value)) or 0
        running = session.scalar(select(func.count(Job.id)).where(Job.status.in_(("claimed", "running")))) or 0
        imported = session.scalar(select(func.count(Payment.id)).where(Payment.origin == "package")) or 0
        package_rows = session.execute(select(PackagePayment.external_id, PackagePayment.payment_id)).all()
        held = session.scalar(select(func.count()).select_from(CallLease).where(CallLease.holder.is_not(None))) or 0
        conn = session.get_one(Connection, world.conn_id)
        status = conn.status
    assert stuck == 0, f"{stuck} records left in progress"
    assert running == 0, f"{running} jobs left claimed or running"
    assert held == 0, f"{held} concurrent-call slots still held"
    assert status == "connected", "the connection was locked out"
    assert exportable == len(numbers), f"{exportable} exported here, {len(numbers)} in the package"
    if expected_documents is not None:
        assert len(numbers) == expected_documents, f"{expected_documents - len(numbers)} documents missing"
    bound = [pid for _, pid in package_rows if pid is not None]
    assert len(bound) == len(set(bound)), "one package payment created two payments here"
    if payments_made is not None:
        assert len(package_rows) == payments_made and imported == payments_made, \
            f"{payments_made} payments made in the package, {len(package_rows)} read, {imported} created here"
    world.access_token()  # still able to call: not locked out
    return {"documents": len(numbers), "payments": imported}


@dataclass
class WorkerWorld:
    """A connected world on a sandbox process of its own, with PostgreSQL reachable by worker processes: the
    setup of the tests that cut the workers' connections or kill the workers themselves."""

    world: World
    base: str  # the sandbox's address
    env: dict[str, str]  # a worker process's environment: this test's database, a short heartbeat timeout

    def set_latency(self, ms: int) -> None:
        """Every sandbox answer slowed by ``ms``, so an upload or import is still running when the fault comes."""
        httpx.post(f"{self.base}/sandbox/faults", json={"latency_ms": ms}).raise_for_status()

    def clear_faults(self) -> None:
        httpx.delete(f"{self.base}/sandbox/faults").raise_for_status()

    def queue(self, *kinds: str) -> None:
        """Queue ``upload`` (everything pending) and/or ``import_payments`` (fetch, then create and allocate)."""
        params = {"upload": {"document_ids": None}, "import_payments": {"create_and_allocate": True}}
        with session_scope(self.world.sessions) as session:
            for kind in kinds:
                enqueue_job(session, self.world.conn_id, kind, params[kind], requested_by="fault-test")

    def worker(self) -> subprocess.Popen[bytes]:
        """A worker process that runs queued jobs until it is stopped (or killed)."""
        return subprocess.Popen([sys.executable, "-m", "ledgerbridge.cli", "worker", "--no-schedule", "--poll", "0.1",
                                 "--log-level", "warning"], env=self.env, stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL)

    def finish_queue(self) -> None:
        """A clean worker runs the queue to the end, as the schedule's next look would; it must exit 0."""
        final = subprocess.run([sys.executable, "-m", "ledgerbridge.cli", "worker", "--no-schedule", "--until-idle",
                                "--poll", "0.1"], env=self.env, capture_output=True, timeout=600)
        assert final.returncode == 0, final.stderr.decode()[-2000:]


@pytest.fixture
def worker_world(pg_store: PgStore) -> Iterator[WorkerWorld]:
    """The demo month plus 300 invoices, connected to a sandbox process (closed and stopped afterwards)."""
    port = _free_port()
    sandbox = _start_sandbox_process(port)
    try:
        base = f"http://127.0.0.1:{port}"
        world = connect_world(pg_store.sessions, base, httpx.HTTPTransport(), batch=_many_invoices(300))
        env = {**os.environ, "LEDGERBRIDGE_DATABASE_URL": pg_store.url, "LEDGERBRIDGE_HEARTBEAT_TIMEOUT": "4"}
        yield WorkerWorld(world, base, env)
        world.close()
    finally:
        sandbox.kill()
        sandbox.wait()


__all__ = ["PgStore", "World", "WorkerWorld", "_free_port", "_many_invoices", "_start_sandbox_process",
           "assert_books_agree", "connect_world", "numbers_in_package", "pay_some", "pg_store", "store_in_new_schema",
           "worker_world"]
