"""``ledgerbridge bench-parties``: N contacts imported from a package's sandbox (issue 15: 10,000 are a normal
size), the seconds and the API calls against the minimum.

The sandbox's company holds N contacts, made as its user makes them by hand (the sandbox's books route: no API
call is counted); the host has a tenth of them already, half under the same code (bound by code) and half under
another code with the same name (bound by name). The organisation is connected through the consent, then the
import runs as the screens run it: a preview job, then a commit job, each run by ``queue.jobs.run_job`` as a
worker would (SQLite, the package's limits as its sandbox has them by default). The minimum is the pages the
lists need (the package's largest page, 1,000 contacts a read; MYOB's empty supplier list one read more). Not a
test: a figure to read (docs/benchmarks.md).
"""

from __future__ import annotations

import json
import math
import os
import tempfile
import time
from pathlib import Path
from typing import Annotated, Any

import httpx
import typer

from ledgerbridge.packages.registry import DEFAULT, PACKAGES, spec_for


def seeded_packages() -> tuple[str, ...]:
    """The packages whose sandbox can be given customers without API calls (``SandboxSpec.add_customers``)."""
    return tuple(spec.kind for spec in PACKAGES if spec.sandbox.add_customers is not None)


def _name(n: int) -> str:
    return f"Customer {n:05d} Pty Ltd"


def run_bench(contacts: int, package: str) -> dict[str, Any]:
    from ledgerbridge.demo.run import _connect_by_consent
    from ledgerbridge.intake.apply import apply_batch
    from ledgerbridge.intake.schemas import Batch
    from ledgerbridge.queue import party_jobs
    from ledgerbridge.queue.jobs import enqueue_job, run_job
    from ledgerbridge.security import crypto
    from ledgerbridge.security.crypto import TokenCipher
    from ledgerbridge.store.db import make_engine, make_session_factory, session_scope, upgrade_schema
    from ledgerbridge.store.organisations import create_organisation

    spec = spec_for(package)
    seed = spec.sandbox.add_customers
    if seed is None:
        raise ValueError(f"{spec.name}'s sandbox cannot be given customers without API calls")
    os.environ[crypto.KEY_ENV] = TokenCipher.generate_key()
    crypto.reset_default_cipher()
    engine = make_engine(f"sqlite:///{Path(tempfile.mkdtemp(prefix='lb-bench-parties-')) / 'lb.db'}")
    upgrade_schema(engine)
    sessions = make_session_factory(engine)
    known = contacts // 10
    with session_scope(sessions) as session:
        org_id = create_organisation(session, "Bench parties", spec.demo.currency).id
        apply_batch(session, org_id, Batch.model_validate({"parties": [
            {"host_id": f"h{n}", "code": f"K{n:05d}" if n % 2 else f"H{n}", "name": _name(n), "is_customer": True,
             "currency": spec.demo.currency} for n in range(known)]}))
    figures: dict[str, Any] = {"package": package, "contacts": contacts, "host_parties": known}
    with spec.sandbox.start() as sandbox:
        conn_id, tenant = _connect_by_consent(sessions, spec, org_id, sandbox.base_url, None, lambda _m: None)
        seed(sandbox.base_url, tenant, [(f"K{n:05d}", _name(n)) for n in range(contacts)])
        calls_before = int(httpx.get(f"{sandbox.base_url}/sandbox/stats").json()[spec.sandbox.stats_calls_key])
        started, cpu = time.perf_counter(), time.process_time()
        results: dict[str, tuple[int, dict[str, Any], float]] = {}
        for kind in (party_jobs.PREVIEW, party_jobs.COMMIT):
            params = {"preview_job_id": results[party_jobs.PREVIEW][0]} if kind == party_jobs.COMMIT else {}
            with session_scope(sessions) as session:
                job_id = enqueue_job(session, conn_id, kind, params, requested_by="bench").id
            step = time.perf_counter()
            results[kind] = (job_id, run_job(sessions, job_id), round(time.perf_counter() - step, 2))
        figures["seconds"] = round(time.perf_counter() - started, 2)
        figures["cpu_seconds"] = round(time.process_time() - cpu, 2)  # this process: ledgerbridge and the sandbox
        calls = int(httpx.get(f"{sandbox.base_url}/sandbox/stats").json()[spec.sandbox.stats_calls_key])
    engine.dispose()
    summary = results[party_jobs.COMMIT][1]
    figures.update(preview_seconds=results[party_jobs.PREVIEW][2], commit_seconds=results[party_jobs.COMMIT][2],
                   api_calls=calls - calls_before,
                   api_calls_minimum=math.ceil(contacts / spec.sandbox.party_page) + spec.sandbox.party_lists - 1,
                   **{k: summary[k] for k in ("read", "matched_by_code", "matched_by_name", "created",
                                              "left_count")})
    return figures


def bench_parties(contacts: Annotated[int, typer.Option("--contacts", "-n", min=1, help="Contacts in the package")]
                  = 10_000,
                  package: Annotated[str, typer.Option(help=f"One of: {', '.join(seeded_packages())}")]
                  = DEFAULT.kind,
                  as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object")] = False) -> None:
    """N contacts imported from the package's sandbox: seconds, and API calls against the minimum."""
    from ledgerbridge.cli.context import console, fail

    if package not in seeded_packages():
        fail(f"bench-parties gives customers to the sandboxes of {', '.join(seeded_packages())} only, "
             f"not {package!r}")
    figures = run_bench(contacts, package)
    if as_json:
        print(json.dumps(figures, indent=2))
        return
    console.print(f"{figures['contacts']:,} contacts imported from the {package} sandbox in {figures['seconds']} s "
                  f"(preview {figures['preview_seconds']} s, commit {figures['commit_seconds']} s; "
                  f"{figures['cpu_seconds']} CPU s); {figures['api_calls']} API calls, minimum "
                  f"{figures['api_calls_minimum']}; {figures['matched_by_code']} bound by code, "
                  f"{figures['matched_by_name']} by name, {figures['created']} created.")


def register(app: typer.Typer) -> None:
    app.command("bench-parties")(bench_parties)
