"""Token refresh: one at a time per connection, rotated refresh token durable before use (R-C1)."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import threading
from datetime import UTC, datetime, timedelta

import pytest

from ledgerbridge.connectors.oauth import ReauthorisationRequired
from ledgerbridge.packages.xero.auth import REFUSED_REFRESH_MESSAGE, ensure_fresh_access_token
from ledgerbridge.packages.xero.client import XeroClient
from ledgerbridge.security.crypto import TokenCipher
from ledgerbridge.store.models.sync import Connection

from .conftest import Db, connected
from .loopback_xero import LoopbackXero, Recorded

WORKER = """
import os, sys
from ledgerbridge.store.db import make_engine, make_session_factory
from ledgerbridge.packages.xero.auth import ensure_fresh_access_token
sessions = make_session_factory(make_engine(sys.argv[1]))
token = ensure_fresh_access_token(sessions, int(sys.argv[2]))
print(token, flush=True)
if sys.argv[3] == "crash":
    os._exit(9)  # die before the new access token is ever used
"""


def stored_refresh_token(db: Db, cipher: TokenCipher, conn_id: int) -> str:
    # A separate raw sqlite connection: sees only what was committed.
    with sqlite3.connect(db.path) as raw:
        (enc,) = raw.execute("SELECT refresh_token_enc FROM connections WHERE id = ?", (conn_id,)).fetchone()
    return cipher.decrypt(enc)


def rotated_to(xero: LoopbackXero, old_refresh: str) -> dict:
    answer = xero.refresh_tokens[old_refresh]["next"]
    assert answer is not None, "the old refresh token was never rotated"
    return answer


def test_the_rotated_refresh_token_is_committed_before_the_new_access_token_is_used(
        db: Db, xero: LoopbackXero, cipher: TokenCipher) -> None:
    conn_id, old = connected(db, xero, cipher, expires_in=60)  # inside the 120 s margin
    seen: list[tuple[str, str]] = []

    def on_api(rec: Recorded) -> None:
        seen.append((rec.headers["authorization"], stored_refresh_token(db, cipher, conn_id)))

    xero.on_api_request = on_api
    before_refresh = datetime.now(UTC)
    with XeroClient(db.sessions, conn_id) as client:
        assert client.request("GET", "/Organisation").status_code == 200
    new = rotated_to(xero, old["refresh_token"])
    assert len(xero.refresh_calls()) == 1
    assert seen == [(f"Bearer {new['access_token']}", new["refresh_token"])]
    with db.sessions() as session:
        row = session.get_one(Connection, conn_id)
        # The new token's 30 minutes count from the refresh, which came after ``before_refresh`` however slow the
        # machine (no bound on how long the test took).
        assert row.token_generation == 2 and row.access_expires_at >= before_refresh + timedelta(minutes=30)


def test_a_crash_right_after_the_refresh_loses_nothing(db: Db, xero: LoopbackXero, cipher: TokenCipher) -> None:
    conn_id, old = connected(db, xero, cipher, expires_in=0)
    xero.refresh_grace = 0  # the old refresh token dies the moment it is used
    proc = subprocess.run([sys.executable, "-c", WORKER, f"sqlite:///{db.path}", str(conn_id), "crash"],
                          capture_output=True, text=True, env=os.environ.copy(), timeout=60)
    assert proc.returncode == 9, proc.stderr
    new = rotated_to(xero, old["refresh_token"])
    assert proc.stdout.strip() == new["access_token"]
    assert stored_refresh_token(db, cipher, conn_id) == new["refresh_token"]
    # The next worker can still refresh: the saved token is the live one.
    with db.sessions() as session:
        session.get_one(Connection, conn_id).access_expires_at = datetime.now(UTC)
        session.commit()
    token = ensure_fresh_access_token(db.sessions, conn_id)
    assert token in xero.access_tokens and token != new["access_token"]
    assert [c["refresh_token"] for c in xero.refresh_calls()] == [old["refresh_token"], new["refresh_token"]]


def test_two_threads_racing_make_one_refresh(db: Db, xero: LoopbackXero, cipher: TokenCipher) -> None:
    conn_id, _ = connected(db, xero, cipher, expires_in=10)
    xero.token_delay = 0.3
    barrier = threading.Barrier(2)
    results: list[str] = []

    def worker() -> None:
        barrier.wait()
        results.append(ensure_fresh_access_token(db.sessions, conn_id))

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert len(xero.refresh_calls()) == 1
    assert len(results) == 2 and results[0] == results[1] and results[0] in xero.access_tokens


def test_two_processes_racing_make_one_refresh(db: Db, xero: LoopbackXero, cipher: TokenCipher) -> None:
    conn_id, _ = connected(db, xero, cipher, expires_in=10)
    xero.token_delay = 0.5
    procs = [subprocess.Popen([sys.executable, "-c", WORKER, f"sqlite:///{db.path}", str(conn_id), "ok"],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=os.environ.copy())
             for _ in range(2)]
    outputs = [p.communicate(timeout=60) for p in procs]
    assert [p.returncode for p in procs] == [0, 0], outputs
    tokens = {out.strip() for out, _ in outputs}
    assert len(xero.refresh_calls()) == 1
    assert len(tokens) == 1 and tokens.pop() in xero.access_tokens


def test_a_lost_answer_is_retried_with_the_same_refresh_token(db: Db, xero: LoopbackXero,
                                                              cipher: TokenCipher) -> None:
    conn_id, old = connected(db, xero, cipher, expires_in=0)
    xero.token_faults.extend(["drop", "503"])
    sleeps: list[float] = []
    token = ensure_fresh_access_token(db.sessions, conn_id, sleep=sleeps.append)
    calls = xero.refresh_calls()
    assert [c["refresh_token"] for c in calls] == [old["refresh_token"]] * 3
    assert len(sleeps) == 2
    new = rotated_to(xero, old["refresh_token"])
    assert token == new["access_token"] and stored_refresh_token(db, cipher, conn_id) == new["refresh_token"]


def test_invalid_grant_asks_the_user_to_reconnect(db: Db, xero: LoopbackXero, cipher: TokenCipher) -> None:
    conn_id, _ = connected(db, xero, cipher, expires_in=0)
    xero.refresh_tokens.clear()  # Xero no longer knows our refresh token (60 days unused, or revoked)
    with pytest.raises(ReauthorisationRequired, match="disconnect and connect again"):
        ensure_fresh_access_token(db.sessions, conn_id)
    with db.sessions() as session:
        row = session.get_one(Connection, conn_id)
        assert row.status == "reauthorise" and row.last_error.startswith(REFUSED_REFRESH_MESSAGE)
    with pytest.raises(ReauthorisationRequired):
        ensure_fresh_access_token(db.sessions, conn_id)
    assert len(xero.refresh_calls()) == 1  # no hammering of the token endpoint


def test_no_refresh_while_the_token_is_good(db: Db, xero: LoopbackXero, cipher: TokenCipher) -> None:
    conn_id, tokens = connected(db, xero, cipher, expires_in=1800)
    assert ensure_fresh_access_token(db.sessions, conn_id) == tokens["access_token"]
    assert xero.token_calls == []


