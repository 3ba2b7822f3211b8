"""Faults of the package, survived by the worker: answers lost after the package committed, 429 and 5xx storms,
the access token expiring mid-run, two workers racing to refresh a rotating refresh token. On both databases
(on PostgreSQL with the call budget shared through the database)."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from datetime import timedelta

import httpx
import pytest
from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from ledgerbridge.clock import Clock
from ledgerbridge.connectors.connections import ConnectorOptions
from ledgerbridge.packages.xero.sandbox import RunningSandbox, SandboxConfig, start_xero_sandbox
from ledgerbridge.queue.jobs import enqueue_job
from ledgerbridge.queue.worker import Worker
from ledgerbridge.store.db import session_scope, utcnow
from ledgerbridge.store.models.sync import Connection, SyncRecord

from .conftest import World, assert_books_agree, connect_world


@pytest.fixture
def strict_sandbox() -> Iterator[RunningSandbox]:
    """Rotating refresh tokens with no grace: a refresh token used twice is refused, as a race would do."""
    with start_xero_sandbox(SandboxConfig(rate_limits_enabled=False, refresh_grace_seconds=0)) as running:
        yield running


@pytest.fixture
def strict_world(sessions: sessionmaker[Session], strict_sandbox: RunningSandbox) -> Iterator[World]:
    from contract_checks.pytest_support import xero_contract_checker

    checker = xero_contract_checker()
    made = connect_world(sessions, strict_sandbox.base_url, checker.transport())
    yield made
    made.close()
    checker.assert_clean()


def _drain(world: World, *jobs: tuple[str, dict], clock: Clock | None = None) -> None:
    with session_scope(world.sessions) as session:
        for kind, params in jobs:
            enqueue_job(session, world.conn_id, kind, params, requested_by="fault-test")
    Worker(world.sessions, options=ConnectorOptions(transport=world.transport, clock=clock), poll_seconds=0.05,
           schedule=False).run(threading.Event(), until_idle=True)


def _arm(world: World, **faults: int) -> None:
    with world.xero() as http:
        http.post("/sandbox/faults", json=faults).raise_for_status()


def test_answers_lost_after_the_package_committed(strict_world: World) -> None:
    _arm(strict_world, drop_response_after_commit=4)
    _drain(strict_world, ("upload", {"document_ids": None}))
    _drain(strict_world, ("upload", {"document_ids": None}))  # what the first could not finish
    assert_books_agree(strict_world, expected_documents=29)


def test_429_and_5xx_storms(strict_world: World) -> None:
    # The storms' waits (Retry-After: 1 on each 429, the back-off after each 503) are the client's own sleeps:
    # made on a clock 20 times faster, as what is checked is what they leave behind, not how long they take.
    clock = Clock(scale=20.0, origin=time.time())
    _arm(strict_world, rate_limit_storm=12)
    _arm(strict_world, fail_with_status=503, count=8)
    _drain(strict_world, ("upload", {"document_ids": None}), ("import_payments", {"create_and_allocate": True}),
           clock=clock)
    with session_scope(strict_world.sessions) as session:  # whatever a storm outlasted is retriable, not lost
        failures = set(session.scalars(select(SyncRecord.failure_type).where(SyncRecord.status == "error")))
    assert failures <= {"retriable", "config"}  # config: INV-1103's unmapped nominal, as in every run
    with strict_world.xero() as http:  # the storm is over
        http.delete("/sandbox/faults").raise_for_status()
    _drain(strict_world, ("upload", {"document_ids": None}), clock=clock)  # the next pass (automatic sync)
    assert_books_agree(strict_world, expected_documents=29, payments_made=0)


def test_token_expiry_mid_run_and_two_workers_racing_to_refresh(strict_world: World) -> None:
    world = strict_world
    _arm(world, latency_ms=30)
    expire = threading.Timer(0.5, lambda: httpx.post(f"{world.base_url}/sandbox/clock",
                                                     json={"advance_seconds": 1801}).raise_for_status())
    expire.start()  # Xero stops taking the access token half a second into the run: one refresh, then on
    _drain(world, ("upload", {"document_ids": None}))
    expire.join()
    with session_scope(world.sessions) as session:  # both workers see a token about to expire
        session.execute(update(Connection).where(Connection.id == world.conn_id).values(
            access_expires_at=utcnow() - timedelta(seconds=5)))
    with session_scope(world.sessions) as session:
        enqueue_job(session, world.conn_id, "upload", {"document_ids": None}, requested_by="fault-test")
        enqueue_job(session, world.conn_id, "import_payments", {"create_and_allocate": True},
                    requested_by="fault-test")
    # Two workers, each with its own client, both finding the token expired: one refresh at a time (the
    # in-process lock, then the database's row lock that also keeps worker processes apart), and the second
    # takes the token the first saved instead of spending the rotated refresh token again (no grace here).
    threads = [threading.Thread(target=Worker(world.sessions, options=ConnectorOptions(transport=world.transport),
                                              poll_seconds=0.05, schedule=False).run,
                                args=(threading.Event(),), kwargs={"until_idle": True}) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    _arm(world, latency_ms=0)
    assert_books_agree(world, expected_documents=29, payments_made=0)
