"""What the MYOB spec wires (``sandbox/launch.py``): the default sandbox, its endpoints, the CLI command."""

from __future__ import annotations

import inspect

import httpx
from contract_checks.myob import MyobContractChecker

from ledgerbridge.packages.myob.sandbox.launch import sandbox_command, sandbox_endpoints, start_sandbox


def test_start_sandbox_serves_both_businesses_at_the_endpoints_it_names() -> None:
    checker = MyobContractChecker()
    with start_sandbox() as sandbox:
        sandbox.runtime.taps.append(checker.tap)  # type: ignore[attr-defined]
        endpoints = sandbox_endpoints(sandbox.base_url + "/")
        assert endpoints.api_base_url == f"{sandbox.base_url}/accountright"
        assert endpoints.authorize_url == f"{sandbox.base_url}/oauth2/account/authorize"
        businesses = httpx.get(f"{sandbox.base_url}/sandbox/businesses").json()
        assert [b["country"] for b in businesses] == ["AU", "NZ"]
        token = httpx.post(f"{endpoints.identity_base_url}/oauth2/v1/authorize", data={
            "grant_type": "refresh_token", "refresh_token": "unknown", "client_id": "ledgerbridge-myob-key",
            "client_secret": "demo-secret"})
        assert token.status_code == 400 and token.json() == {"error": "invalid_grant"}
        assert httpx.get(f"{sandbox.base_url}/sandbox/rate-limits").json()["enabled"] is True
        assert httpx.get(f"{endpoints.api_base_url}/").status_code == 403  # no API key
    assert checker.exchanges_checked == 1 and checker.violations == []


def test_the_command_takes_host_port_limits_and_country() -> None:
    assert list(inspect.signature(sandbox_command).parameters) == ["host", "port", "rate_limits", "country"]
