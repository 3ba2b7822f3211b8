"""Intuit's OAuth flow on the sandbox: consent page, code exchange, rolling refresh tokens, revoke, expiry."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs, urlparse

import httpx

from ledgerbridge.packages.qbo.sandbox import RunningSandbox

from .conftest import REALM

REDIRECT = "http://127.0.0.1:9/callback"
BASIC = ("ledgerbridge-demo", "demo-secret")


def _consent(http: httpx.Client, sandbox: RunningSandbox) -> dict[str, list[str]]:
    params = {"client_id": "ledgerbridge-demo", "response_type": "code", "redirect_uri": REDIRECT,
              "scope": "com.intuit.quickbooks.accounting", "state": "xyz"}
    page = http.get(sandbox.authorize_url, params=params)
    assert page.status_code == 200
    assert "Connect" in page.text and REALM in page.text and "<style>" in page.text
    answer = http.post(sandbox.authorize_url, data={**params, "realmId": REALM})
    assert answer.status_code == 302
    location = answer.headers["location"]
    assert location.startswith(REDIRECT)
    return parse_qs(urlparse(location).query)


def _exchange(http: httpx.Client, sandbox: RunningSandbox, code: str) -> httpx.Response:
    return http.post(sandbox.token_url, auth=BASIC,
                     data={"grant_type": "authorization_code", "code": code, "redirect_uri": REDIRECT})


def _refresh(http: httpx.Client, sandbox: RunningSandbox, refresh_token: str) -> httpx.Response:
    return http.post(sandbox.token_url, auth=BASIC, data={"grant_type": "refresh_token",
                                                          "refresh_token": refresh_token})


def _company_info(http: httpx.Client, sandbox: RunningSandbox, access_token: str) -> httpx.Response:
    return http.get(f"{sandbox.company_url(REALM)}/companyinfo/{REALM}",
                    headers={"Authorization": f"Bearer {access_token}", "Accept": "application/json"})


def test_discovery_names_the_sandbox_endpoints(http: httpx.Client, sandbox: RunningSandbox) -> None:
    doc = http.get(sandbox.discovery_url).json()
    assert doc["token_endpoint"] == sandbox.token_url
    assert doc["authorization_endpoint"] == sandbox.authorize_url
    assert doc["revocation_endpoint"] == sandbox.revoke_url


def test_code_flow_gives_tokens_that_reach_the_company(http: httpx.Client, sandbox: RunningSandbox,
                                                       admin: httpx.Client) -> None:
    query = _consent(http, sandbox)
    assert query["state"] == ["xyz"] and query["realmId"] == [REALM]
    response = _exchange(http, sandbox, query["code"][0])
    assert response.status_code == 200, response.text
    tokens: dict[str, Any] = response.json()
    assert tokens["token_type"] == "bearer" and tokens["expires_in"] == 3600
    assert tokens["x_refresh_token_expires_in"] > 0
    info = _company_info(http, sandbox, tokens["access_token"])
    assert info.status_code == 200, info.text
    assert info.json()["CompanyInfo"]["Country"] == "GB"
    again = _exchange(http, sandbox, query["code"][0])
    assert again.status_code == 400 and again.json()["error"] == "invalid_grant"


def test_wrong_client_secret_is_invalid_client(http: httpx.Client, sandbox: RunningSandbox,
                                               admin: httpx.Client) -> None:
    code = _consent(http, sandbox)["code"][0]
    response = http.post(sandbox.token_url, auth=("ledgerbridge-demo", "nope"),
                         data={"grant_type": "authorization_code", "code": code, "redirect_uri": REDIRECT})
    assert response.status_code == 401 and response.json()["error"] == "invalid_client"


def test_refresh_rotates_and_the_old_token_has_a_grace(http: httpx.Client, sandbox: RunningSandbox,
                                                       admin: httpx.Client) -> None:
    first = _exchange(http, sandbox, _consent(http, sandbox)["code"][0]).json()
    second = _refresh(http, sandbox, first["refresh_token"]).json()
    assert second["refresh_token"] != first["refresh_token"]
    assert second["access_token"] != first["access_token"]
    retried = _refresh(http, sandbox, first["refresh_token"])
    assert retried.status_code == 200, retried.text
    assert retried.json()["refresh_token"] == second["refresh_token"]
    admin.post("/clock", json={"advance_seconds": 1801}).raise_for_status()
    stale = _refresh(http, sandbox, first["refresh_token"])
    assert stale.status_code == 400 and stale.json()["error"] == "invalid_grant"
    third = _refresh(http, sandbox, second["refresh_token"])
    assert third.status_code == 200, third.text


def test_access_token_expires_after_an_hour(http: httpx.Client, sandbox: RunningSandbox,
                                            admin: httpx.Client) -> None:
    tokens = _exchange(http, sandbox, _consent(http, sandbox)["code"][0]).json()
    admin.post("/clock", json={"advance_seconds": 3601}).raise_for_status()
    response = _company_info(http, sandbox, tokens["access_token"])
    assert response.status_code == 401
    assert response.json()["fault"]["error"][0]["code"] == "3200"
    assert "intuit_tid" in response.headers
    refreshed = _refresh(http, sandbox, tokens["refresh_token"]).json()
    assert _company_info(http, sandbox, refreshed["access_token"]).status_code == 200


def test_revoke_ends_the_grant(http: httpx.Client, sandbox: RunningSandbox, admin: httpx.Client) -> None:
    tokens = _exchange(http, sandbox, _consent(http, sandbox)["code"][0]).json()
    assert http.post(sandbox.revoke_url, auth=BASIC, json={"token": tokens["refresh_token"]}).status_code == 200
    assert _company_info(http, sandbox, tokens["access_token"]).status_code == 401
    assert _refresh(http, sandbox, tokens["refresh_token"]).json()["error"] == "invalid_grant"


def test_token_for_another_realm_is_forbidden(http: httpx.Client, sandbox: RunningSandbox,
                                              token: dict[str, Any]) -> None:
    response = http.get(f"{sandbox.company_url('123')}/companyinfo/123",
                        headers={"Authorization": f"Bearer {token['access_token']}", "Accept": "application/json"})
    assert response.status_code == 403
    assert response.json()["Fault"]["type"] == "AuthorizationFault"
