"""Customers imported on connect from MYOB (R-I4): ``python scripts/bench_party_import.py [CARDS]`` prints the
seconds, the API calls against the minimum (one read a page of ``READ_PAGE``) and what was bound or created.

The MYOB sandbox's card file holds CARDS customers (10,000 by default, made through its books routes, which spend
no API budget); the host has a tenth of them already, half under the same code (bound by code) and half under
another code with the same name (bound by name). The import runs once, limits off. A script for now: issue 15's
``bench`` figure (10,000 contacts from every package) is where it goes next.
"""

from __future__ import annotations

import json
import math
import os
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from ledgerbridge.intake.apply import apply_batch
from ledgerbridge.intake.schemas import Batch
from ledgerbridge.packages.myob.client import MyobClient
from ledgerbridge.packages.myob.connector import MyobConnector
from ledgerbridge.packages.myob.limits import READ_PAGE
from ledgerbridge.packages.myob.sandbox import AU_BUSINESS_ID, RunningSandbox, SandboxConfig, start_myob_sandbox
from ledgerbridge.security import crypto
from ledgerbridge.security.crypto import TokenCipher
from ledgerbridge.store.db import make_engine, make_session_factory, session_scope, upgrade_schema
from ledgerbridge.store.models.host import Organisation
from ledgerbridge.store.models.sync import Connection
from ledgerbridge.sync.party_import import import_customers


def _connection(sessions: Any, sandbox: RunningSandbox, org_id: int) -> int:
    tokens = httpx.post(f"{sandbox.base_url}/sandbox/tokens", json={"businessId": AU_BUSINESS_ID}).json()
    cipher, now = crypto.default_cipher(), datetime.now(UTC)
    with session_scope(sessions) as session:
        conn = Connection(organisation_id=org_id, kind="myob", name="MYOB", api_base_url=sandbox.api_url,
                          identity_base_url=sandbox.base_url, client_id=sandbox.config.client_id,
                          client_secret_enc=cipher.encrypt(sandbox.config.client_secret),
                          redirect_uri="http://localhost/callback", settings={"authorize_url": sandbox.authorize_url},
                          status="connected", tenant_id=AU_BUSINESS_ID, tenant_name="Bench",
                          package_connection_id=AU_BUSINESS_ID,
                          access_token_enc=cipher.encrypt(str(tokens["access_token"])),
                          refresh_token_enc=cipher.encrypt(str(tokens["refresh_token"])),
                          access_expires_at=now + timedelta(seconds=1200), refresh_obtained_at=now, token_generation=1)
        session.add(conn)
        session.flush()
        return conn.id


def main(cards: int) -> dict[str, Any]:
    os.environ[crypto.KEY_ENV] = TokenCipher.generate_key()
    crypto.reset_default_cipher()
    engine = make_engine(f"sqlite:///{tempfile.mkdtemp(prefix='lb-bench-parties-')}/lb.db")
    upgrade_schema(engine)
    sessions = make_session_factory(engine)
    known = cards // 10
    with session_scope(sessions) as session:
        org = Organisation(name="Bench")
        session.add(org)
        session.flush()
        org_id = org.id
        apply_batch(session, org_id, Batch.model_validate({"parties": [
            {"host_id": f"h{n}", "code": f"K{n:05d}" if n % 2 else f"H{n}", "name": f"Customer {n:05d} Pty Ltd",
             "is_customer": True, "currency": "AUD"} for n in range(known)]}))
    with start_myob_sandbox(SandboxConfig(rate_limits_enabled=False)) as sandbox:
        with httpx.Client(base_url=f"{sandbox.base_url}/sandbox/businesses/{AU_BUSINESS_ID}", timeout=30) as books:
            for n in range(cards):
                books.post("/contacts", json={"name": f"Customer {n:05d} Pty Ltd", "display_id": f"K{n:05d}"}
                           ).raise_for_status()
        conn_id = _connection(sessions, sandbox, org_id)
        before = httpx.get(f"{sandbox.base_url}/sandbox/stats").json()["api_total"]
        started, cpu = time.perf_counter(), time.process_time()
        with MyobConnector(MyobClient(sessions, conn_id)) as connector:
            report = import_customers(sessions, conn_id, connector, actor="bench")
        seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
        calls = httpx.get(f"{sandbox.base_url}/sandbox/stats").json()["api_total"] - before
    engine.dispose()
    done = report.summary()["customers"]
    return {"cards": cards, "host_customers": known, "seconds": round(seconds, 2),
            "cpu_seconds": round(cpu, 2),  # this process: ledgerbridge and the sandbox's server thread
            "api_calls": calls, "api_calls_minimum": math.ceil(cards / READ_PAGE),
            **{key: value for key, value in done.items() if key != "left"}, "left": len(done["left"])}


if __name__ == "__main__":
    print(json.dumps(main(int(sys.argv[1]) if len(sys.argv) > 1 else 10_000), indent=2))
