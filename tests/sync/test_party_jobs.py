"""The import of parties over the REST API (R-I4, issue 15), on SQLite and PostgreSQL: the preview and the commit
are jobs the app's worker runs (progress on ``/v1/jobs``), the ambiguous contact is settled by the host, a second
import changes nothing, and the host adopts the parties created here under its own ids.

Xero's organisation holds, before it is connected: C001 under the host's code, Castle Hill Dental written otherwise
(by name), Bramley Florists (a customer and a supplier of that name here: ambiguous), a new customer and a contact
that is customer and supplier both (one new party in both roles)."""

from __future__ import annotations

import time
from typing import Any

import httpx
from fastapi.testclient import TestClient
from sqlalchemy import select

from ledgerbridge.api.app import create_app
from ledgerbridge.security.apikeys import issue_api_key
from ledgerbridge.store.db import session_scope
from ledgerbridge.store.models.host import Party
from ledgerbridge.store.models.sync import AuditEvent

from .conftest import World

CONTACTS = [{"Name": "Aldgate Bakery", "ContactNumber": "C001", "IsCustomer": True},
            {"Name": "castle HILL   dental", "IsCustomer": True},
            {"Name": "Bramley Florists", "IsSupplier": True},
            {"Name": "Quarry Lane Plumbing", "ContactNumber": "Q-1", "EmailAddress": "accounts@quarry.example"},
            {"Name": "Orchard Joinery", "ContactNumber": "OJ", "IsCustomer": True, "IsSupplier": True}]


def _finished(client: TestClient, auth: dict[str, str], job: dict[str, Any]) -> dict[str, Any]:
    deadline = time.monotonic() + 60
    while job["status"] not in ("done", "failed") and time.monotonic() < deadline:
        time.sleep(0.05)
        job = client.get(f"/v1/jobs/{job['id']}", headers=auth).json()
    assert job["status"] == "done", job
    return job


def test_preview_settle_commit_and_adopt_over_the_api(world: World) -> None:
    httpx.post(f"{world.base_url}/sandbox/tenants/{world.tenant_id}/contacts",
               json={"Contacts": CONTACTS}).raise_for_status()
    with session_scope(world.sessions) as session:
        key = issue_api_key(session, world.org_id, "host")
        ids = dict(session.execute(select(Party.code, Party.id)).all())
    auth = {"Authorization": f"Bearer {key}"}
    base = f"/v1/connections/{world.conn_id}/party-imports"
    with TestClient(create_app(world.sessions.kw["bind"])) as client:  # its worker runs the jobs
        preview = _finished(client, auth, client.post(base, headers=auth).json())
        assert preview["kind"] == "party_preview" and "entries" not in preview["result"]
        assert preview["result"]["counts"] == {
            "read": 5, "roles": {"customer": 3, "supplier": 1, "both": 1}, "already_bound": 0, "inactive": 0,
            "matched_by_code": 1, "matched_by_name": 1, "new": 2, "ambiguous": 1}
        read = client.get(f"{base}/{preview['id']}", params={"outcome": "ambiguous"}, headers=auth).json()
        (ambiguous,) = read["entries"]
        assert (ambiguous["name"], sorted(c["code"] for c in ambiguous["candidates"])) == (
            "Bramley Florists", ["C002", "S003"])
        refused = client.post(f"{base}/{preview['id']}/settle", json={"choices": {ambiguous["key"]: 999_999}},
                              headers=auth)
        assert refused.status_code == 422 and "Bramley Florists" in refused.json()["detail"]
        settled = client.post(f"{base}/{preview['id']}/settle", json={"choices": {ambiguous["key"]: ids["S003"]}},
                              headers=auth)
        assert settled.json() == {"settled": 1, "unsettled": 0}

        commit = _finished(client, auth, client.post(f"{base}/{preview['id']}/commit", headers=auth).json())
        assert {k: commit["result"][k] for k in ("matched_by_code", "matched_by_name", "settled", "created",
                                                 "left_count")} == {
            "matched_by_code": 1, "matched_by_name": 1, "settled": 1, "created": 2, "left_count": 0}
        assert client.post(f"{base}/{preview['id']}/commit", headers=auth).status_code == 409

        imported = client.get("/v1/imported-parties", headers=auth).json()
        assert {(r["name"], r["code"], r["is_customer"], r["is_supplier"]) for r in imported["rows"]} == {
            ("Quarry Lane Plumbing", "Q-1", True, False), ("Orchard Joinery", "OJ", True, True)}
        orchard = next(r for r in imported["rows"] if r["code"] == "OJ")
        assert orchard["host_id"].startswith("imported:xero:both:") and orchard["bindings"][0]["package"] == "xero"
        assert client.put(f"/v1/imported-parties/{orchard['id']}", json={"host_id": "C001"},
                          headers=auth).status_code == 409  # the host's id of another party
        adopted = client.put(f"/v1/imported-parties/{orchard['id']}", json={"host_id": "H-ORCHARD"}, headers=auth)
        assert adopted.status_code == 200 and adopted.json()["host_id"] == "H-ORCHARD"
        assert client.get("/v1/imported-parties", headers=auth).json()["total"] == 1

        again = _finished(client, auth, client.post(base, headers=auth).json())
        assert again["result"]["counts"]["already_bound"] == 5 and again["result"]["counts"]["new"] == 0
        done = _finished(client, auth, client.post(f"{base}/{again['id']}/commit", headers=auth).json())
        assert (done["result"]["created"], done["result"]["already_bound"]) == (0, 5)
    with session_scope(world.sessions) as session:
        assert len(session.scalars(select(Party.code).where(Party.code.in_(["Q-1", "OJ"]))).all()) == 2
        assert session.scalar(select(AuditEvent.detail).where(AuditEvent.action == "import_parties")
                              .order_by(AuditEvent.id)) == (
            "5 read: 1 matched by code, 1 by name, 1 settled, 2 created, 0 already bound, 0 inactive, 0 skipped, "
            "0 left to settle")
