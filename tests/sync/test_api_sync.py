"""The sync API: upload runs in the background with visible progress; grids page; other organisations see nothing."""

from __future__ import annotations

import time

from fastapi.testclient import TestClient

from ledgerbridge.api.app import create_app
from ledgerbridge.connectors.shared_budget import SharedCallBudget
from ledgerbridge.packages.registry import spec_for
from ledgerbridge.security.apikeys import issue_api_key
from ledgerbridge.store.db import session_scope, utcnow
from ledgerbridge.store.models.sync import Connection
from ledgerbridge.store.organisations import create_organisation
from ledgerbridge.sync.exporter import Exporter

from .conftest import World


def test_upload_job_progress_and_grids(world: World) -> None:
    with session_scope(world.sessions) as session:
        key = issue_api_key(session, world.org_id, "host")
        other = create_organisation(session, "Someone Else Ltd")
        other_key = issue_api_key(session, other.id, "host")
    # Entering the client runs the app's lifespan: its background worker takes the queued jobs.
    with TestClient(create_app(world.sessions.kw["bind"])) as client:
        auth = {"Authorization": f"Bearer {key}"}
        pending = client.get(f"/v1/connections/{world.conn_id}/pending", params={"limit": 10}, headers=auth).json()
        assert pending["total"] == 30 and len(pending["rows"]) == 10
        assert {"type", "number", "party", "date", "total", "waits_for"} <= set(pending["rows"][0])
        started = client.post(f"/v1/connections/{world.conn_id}/upload", json={}, headers=auth)
        assert started.status_code == 202
        job_id = started.json()["id"]
        seen_progress = set()
        deadline = time.monotonic() + 60
        while True:
            job = client.get(f"/v1/jobs/{job_id}", headers=auth).json()
            seen_progress.add((job["done"], job["total"]))
            if job["status"] in ("done", "failed") or time.monotonic() > deadline:
                break
            time.sleep(0.05)
        assert job["status"] == "done", job
        assert job["total"] == 30 and job["done"] == 30 and job["result"]["exported"] == 29
        exported = client.get(f"/v1/connections/{world.conn_id}/exported", params={"limit": 100}, headers=auth).json()
        assert exported["total"] == 29 and all(r["seen"] for r in exported["rows"])
        errors = client.get(f"/v1/connections/{world.conn_id}/errors", headers=auth).json()
        assert [e["record"] for e in errors["rows"]] == ["sales invoice INV-1103"]
        # Another organisation's key sees none of it.
        other_auth = {"X-API-Key": other_key}
        assert client.get(f"/v1/connections/{world.conn_id}/pending", headers=other_auth).status_code == 404
        assert client.get(f"/v1/jobs/{job_id}", headers=other_auth).status_code == 404
        assert client.get("/v1/connections", headers=other_auth).json() == []
        assert client.get("/v1/connections", headers={"X-API-Key": "lb_wrong"}).status_code == 401


def test_a_request_that_reads_the_package_answers_429_rather_than_wait_for_the_budget(world: World) -> None:
    """Issue 12: the package said "no more calls this minute" (seen by a worker, on the connection row and in the
    shared window); the reconciliation, read while the caller waits, is answered at once with 429 and Retry-After
    instead of holding the request for the rest of the minute."""
    Exporter(world.sessions, world.conn_id, world.connector()).upload()  # something to read back
    with session_scope(world.sessions) as session:
        key = issue_api_key(session, world.org_id, "host")
        conn = session.get_one(Connection, world.conn_id)
        conn.calls_left_minute, conn.budget_observed_at = 0, utcnow()  # what a worker's budget flushes
        limits = spec_for(conn.kind).limits
    SharedCallBudget(world.sessions, world.conn_id, limits, holder="worker-1").observe_rate_limited("minute", 60)
    with TestClient(create_app(world.sessions.kw["bind"], run_worker=False)) as client:
        answer = client.get(f"/v1/connections/{world.conn_id}/reconciliation",
                            headers={"Authorization": f"Bearer {key}"})
    assert answer.status_code == 429, answer.text
    assert 1 <= int(answer.headers["retry-after"]) <= 61
    assert "call limit" in answer.json()["detail"]
