"""The shared queue on both databases: a record waits once, one export per connection at a time, urgent work
first, the jobs of dead workers taken up again."""

from __future__ import annotations

import socket
import subprocess
import sys
from datetime import timedelta

import pytest
from sqlalchemy import insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from ledgerbridge.config import reset_settings
from ledgerbridge.connectors.connections import create_connection, sandbox_endpoints
from ledgerbridge.queue.jobs import claim_job, claim_next_job, enqueue_job, requeue_abandoned
from ledgerbridge.store.db import session_scope, utcnow
from ledgerbridge.store.models.sync import Job
from ledgerbridge.store.models.work import QueuedRecord
from ledgerbridge.store.organisations import create_organisation


def _connections(sessions: sessionmaker[Session], count: int = 1) -> list[int]:
    with session_scope(sessions) as session:
        org = create_organisation(session, "Queue Ltd")
        return [create_connection(session, org.id, "xero", sandbox_endpoints("xero", "http://127.0.0.1:9"),
                                  client_id="c", client_secret="s", redirect_uri="http://127.0.0.1:9/cb").id
                for _ in range(count)]


def _enqueue(sessions: sessionmaker[Session], conn: int, kind: str, params: dict, by: str = "system") -> Job:
    with session_scope(sessions) as session:
        job = enqueue_job(session, conn, kind, params, requested_by=by)
        session.expunge(job)
        return job


def test_a_record_waits_in_the_queue_once(sessions: sessionmaker[Session]) -> None:
    (conn,) = _connections(sessions)
    first = _enqueue(sessions, conn, "upload", {"document_ids": [1, 2]})
    second = _enqueue(sessions, conn, "upload", {"document_ids": [2, 3]})
    assert second.id != first.id and second.params["document_ids"] == [3]  # 2 waits already, in the first
    again = _enqueue(sessions, conn, "upload", {"document_ids": [2, 1]})
    assert again.id == first.id  # nothing new: the job that holds them
    everything = _enqueue(sessions, conn, "upload", {"document_ids": None})
    assert _enqueue(sessions, conn, "upload", {"document_ids": None}).id == everything.id
    assert _enqueue(sessions, conn, "precheck", {"document_ids": [1]}).id not in (first.id, second.id)
    with session_scope(sessions) as session:
        assert session.query(Job).count() == 4
    # The database itself refuses a second waiting row for a record, whoever writes it.
    with pytest.raises(IntegrityError), session_scope(sessions) as session:
        session.execute(insert(QueuedRecord).values(job_id=second.id, connection_id=conn, kind="upload",
                                                    record_type="document", record_id=1, queued_at=utcnow()))


def test_once_claimed_a_record_may_be_queued_again(sessions: sessionmaker[Session]) -> None:
    (conn,) = _connections(sessions)
    first = _enqueue(sessions, conn, "upload", {"document_ids": [7]})
    assert claim_next_job(sessions, "w1") == first.id
    later = _enqueue(sessions, conn, "upload", {"document_ids": [7]})  # edited after the run started
    assert later.id != first.id


def test_one_export_per_connection_at_a_time_across_workers(sessions: sessionmaker[Session]) -> None:
    a, b = _connections(sessions, 2)
    up1 = _enqueue(sessions, a, "upload", {"document_ids": [1]})
    up2 = _enqueue(sessions, a, "upload", {"document_ids": [2]})
    imp = _enqueue(sessions, a, "import_payments", {"create_and_allocate": False})
    other = _enqueue(sessions, b, "upload", {"document_ids": [1]})
    claimed = {claim_next_job(sessions, f"w{n}") for n in range(4)}
    assert claimed == {up1.id, imp.id, other.id, None}  # up2 waits for up1: same connection, same lane
    assert not claim_job(sessions, up2.id, "w9")
    # Two workers racing past the check still cannot both hold the lane: the partial unique index says no.
    with pytest.raises(IntegrityError), session_scope(sessions) as session:
        session.execute(update(Job).where(Job.id == up2.id).values(status="claimed", worker_id="racer"))
    with session_scope(sessions) as session:
        session.execute(update(Job).where(Job.id == up1.id).values(status="done"))
    assert claim_next_job(sessions, "w5") == up2.id


def test_a_payment_import_a_user_asked_for_goes_first(sessions: sessionmaker[Session]) -> None:
    a, b = _connections(sessions, 2)
    auto = _enqueue(sessions, a, "upload", {"document_ids": None}, by="auto")
    user_upload = _enqueue(sessions, b, "upload", {"document_ids": None}, by="web:a@b")
    urgent = _enqueue(sessions, b, "import_payments", {"create_and_allocate": True}, by="web:a@b")
    order = [claim_next_job(sessions, f"w{n}") for n in range(3)]
    assert order == [urgent.id, user_upload.id, auto.id]


def _dead_pid() -> int:
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


def test_the_work_of_a_dead_worker_is_taken_up_again(sessions: sessionmaker[Session],
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LEDGERBRIDGE_HEARTBEAT_TIMEOUT", "60")
    reset_settings()
    (conn,) = _connections(sessions)
    silent = _enqueue(sessions, conn, "upload", {"document_ids": [1]})
    alive = _enqueue(sessions, conn, "import_payments", {})
    gone = _enqueue(sessions, conn, "refresh_chart", {})
    for job, worker in ((silent, "elsewhere:1:1"), (alive, "elsewhere:2:1"),
                        (gone, f"{socket.gethostname()}:{_dead_pid()}:1")):
        assert claim_job(sessions, job.id, worker)
    with session_scope(sessions) as session:
        session.execute(update(Job).where(Job.id == silent.id).values(heartbeat_at=utcnow() - timedelta(minutes=5)))
        session.execute(update(Job).where(Job.id == alive.id).values(heartbeat_at=utcnow() - timedelta(seconds=5)))
    assert requeue_abandoned(sessions) == 2  # the silent one (timeout) and the one whose process is gone (at once)
    with session_scope(sessions) as session:
        status = dict(session.execute(select(Job.id, Job.status)).all())
    assert status == {silent.id: "queued", alive.id: "claimed", gone.id: "queued"}
