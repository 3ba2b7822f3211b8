"""A host system connects its user's books through the API, without the screens (R-C1, R-C2, R-S1; issue 15 item
4), on every package: start (the consent address, or QuickBooks Desktop's Web Connector password shown once),
finish the consent (the companies allowed), choose the company, disconnect and reconnect to the same company. The
API key acts only as the users it was granted, for administration."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from ledgerbridge.api.app import create_app
from ledgerbridge.connectors.consent import approve_in_sandbox
from ledgerbridge.packages.registry import spec_for
from ledgerbridge.security.apikeys import issue_api_key
from ledgerbridge.security.key_grants import grant_first_key
from ledgerbridge.store.organisations import create_organisation
from ledgerbridge.web.auth import create_admin

from .fixtures import SandboxPool
from .harness import PackageHarness

REDIRECT = "http://127.0.0.1:8976/callback"


@dataclass
class Host:
    client: TestClient
    granted: dict[str, str]  # the key granted the administrator
    other: dict[str, str]  # a second key of the same organisation, granted no one

    def post(self, path: str, body: dict[str, Any], key: dict[str, str] | None = None) -> Any:
        return self.client.post(f"/v1{path}", json={"user": "admin@host.example", **body},
                                headers=key or self.granted)


@pytest.fixture
def host(engine: Engine, sessions: sessionmaker[Session]) -> Iterator[Host]:
    with sessions() as session:
        org = create_organisation(session, "Host's Customer Ltd")
        granted = issue_api_key(session, org.id, "host")
        admin = create_admin(session, org.id, "admin@host.example", "a long enough password")
        grant_first_key(session, org.id, admin)
        other = issue_api_key(session, org.id, "another integration")
        session.commit()
    with TestClient(create_app(engine, run_worker=False)) as client:
        yield Host(client, {"Authorization": f"Bearer {granted}"}, {"X-API-Key": other})


def _consent(host: Host, conn_id: int, consent_url: str, company: str | None = None) -> str:
    """The user allows access on the package's page; the host hands the address it came back to to /consent and
    chooses the company; answers the company id."""
    allowed = host.post(f"/connections/{conn_id}/consent", {"callback_url": approve_in_sandbox(consent_url)})
    assert allowed.status_code == 200, allowed.text
    companies = allowed.json()["companies"]
    assert companies, allowed.text
    chosen = company or companies[0]["id"]
    bound = host.post(f"/connections/{conn_id}/company", {"company_id": chosen})
    assert bound.status_code == 200, bound.text
    assert bound.json()["status"] == "connected" and bound.json()["company_id"] == chosen
    return chosen


def test_a_host_connects_disconnects_and_reconnects_through_the_api(
        host: Host, sandboxes: SandboxPool, package: PackageHarness) -> None:
    polled = spec_for(package.kind).polled is not None
    start: dict[str, Any] = {"package": package.kind, "redirect_uri": REDIRECT}
    if not polled:
        sandbox = sandboxes.get(package)
        package.reset(sandbox)
        start["sandbox_url"] = sandbox.base_url
    refused = host.post("/connections", start, key=host.other)
    assert refused.status_code == 403
    assert "may not act as admin@host.example for administration" in refused.json()["detail"]
    assert "ledgerbridge api-key grant" in refused.json()["detail"]

    started = host.post("/connections", start)
    assert started.status_code == 201, started.text
    step = started.json()
    conn_id = step["connection_id"]
    if polled:  # no consent: the Web Connector's password, once, and its setup file
        assert step["status"] == "connected" and step["password"] and step["consent_url"] is None
        setup = host.client.get(step["setup_file"], headers=host.granted,
                                params={"base_url": "https://sync.example.com"})
        assert setup.status_code == 200 and step["password"] not in setup.text
        assert host.post(f"/connections/{conn_id}/consent", {"callback_url": REDIRECT}).status_code == 409
    else:
        assert step["status"] != "connected" and step["consent_url"] and step["password"] is None
        company = _consent(host, conn_id, step["consent_url"])
    second = host.post("/connections", start)
    assert second.status_code == 409 and f"connection {conn_id}" in second.json()["detail"]

    gone = host.post(f"/connections/{conn_id}/disconnect", {})
    assert gone.status_code == 200 and gone.json()["status"] == "disconnected", gone.text
    again = host.post(f"/connections/{conn_id}/reconnect", {})
    assert again.status_code == 200, again.text
    if polled:
        assert again.json()["status"] == "connected" and again.json()["password"] not in (None, step["password"])
    else:
        assert _consent(host, conn_id, again.json()["consent_url"], company) == company
    listed = host.client.get("/v1/connections", headers=host.granted).json()
    assert [(c["id"], c["status"]) for c in listed] == [(conn_id, "connected")]
