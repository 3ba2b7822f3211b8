"""OAuth 2.0 against the sandbox: consent, code exchange, refresh rotation, connections, access checks."""

from __future__ import annotations

import base64
import re
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from ledgerbridge.packages.xero.sandbox import RunningSandbox, SandboxConfig, TenantSeed, start_xero_sandbox

from .conftest import TENANT, issue_token

REDIRECT = "https://app.example.test/xero/callback"
SCOPE = "openid profile email offline_access accounting.transactions accounting.contacts"


def _basic(sandbox: RunningSandbox) -> dict[str, str]:
    secret = f"{sandbox.config.client_id}:{sandbox.config.client_secret}".encode()
    return {"Authorization": "Basic " + base64.b64encode(secret).decode()}


def _consent(http: httpx.Client, sandbox: RunningSandbox, scope: str = SCOPE, state: str = "xyz") -> str:
    """Open the consent page, submit its form as the browser would, and return the code."""
    params = {"response_type": "code", "client_id": sandbox.config.client_id, "redirect_uri": REDIRECT,
              "scope": scope, "state": state}
    page = http.get(f"{sandbox.login_url}/connect/authorize", params=params)
    assert page.status_code == 200
    assert "Allow access" in page.text and "Demo Company (UK)" in page.text
    form = dict(re.findall(r"<input type=hidden name=(\w+) value='([^']*)'>", page.text))
    form["tenant_id"] = re.search(r"name=tenant_id value='([^']+)'", page.text).group(1)  # type: ignore[union-attr]
    form["action"] = "allow"
    answer = http.post(f"{sandbox.login_url}/connect/authorize", data=form)
    assert answer.status_code == 302
    location = urlsplit(answer.headers["location"])
    assert f"{location.scheme}://{location.netloc}{location.path}" == REDIRECT
    query = parse_qs(location.query)
    assert query["state"] == [state]
    return query["code"][0]


def _exchange(http: httpx.Client, sandbox: RunningSandbox, code: str, redirect: str = REDIRECT) -> httpx.Response:
    return http.post(f"{sandbox.identity_url}/connect/token", headers=_basic(sandbox),
                     data={"grant_type": "authorization_code", "code": code, "redirect_uri": redirect})


def _refresh(http: httpx.Client, sandbox: RunningSandbox, refresh_token: str) -> httpx.Response:
    """The Python SDK's way: client credentials in the form body rather than Basic auth."""
    return http.post(f"{sandbox.identity_url}/connect/token",
                     data={"grant_type": "refresh_token", "refresh_token": refresh_token,
                           "client_id": sandbox.config.client_id, "client_secret": sandbox.config.client_secret})


def _organisation(http: httpx.Client, sandbox: RunningSandbox, access_token: str,
                  tenant: str = TENANT) -> httpx.Response:
    return http.get(f"{sandbox.api_url}/Organisation",
                    headers={"Authorization": f"Bearer {access_token}", "xero-tenant-id": tenant})


def _connections(http: httpx.Client, sandbox: RunningSandbox, access_token: str) -> list[dict[str, Any]]:
    response = http.get(f"{sandbox.base_url}/connections", headers={"Authorization": f"Bearer {access_token}"})
    assert response.status_code == 200
    return response.json()  # type: ignore[no-any-return]


def test_full_authorization_code_flow_with_refresh_rotation(
    http: httpx.Client, sandbox: RunningSandbox, admin: httpx.Client
) -> None:
    code = _consent(http, sandbox)
    first = _exchange(http, sandbox, code)
    assert first.status_code == 200, first.text
    tokens = first.json()
    assert set(tokens) == {"id_token", "access_token", "expires_in", "token_type", "refresh_token", "scope"}
    assert tokens["token_type"] == "Bearer" and tokens["expires_in"] == 1800
    assert tokens["access_token"].count(".") == 2, "Xero access tokens are JWTs"

    connections = _connections(http, sandbox, tokens["access_token"])
    assert [c["tenantId"] for c in connections] == [TENANT]
    assert connections[0]["tenantType"] == "ORGANISATION" and connections[0]["tenantName"] == "Demo Company (UK)"
    assert _organisation(http, sandbox, tokens["access_token"]).status_code == 200

    rotated = _refresh(http, sandbox, tokens["refresh_token"])
    assert rotated.status_code == 200
    new = rotated.json()
    assert new["refresh_token"] != tokens["refresh_token"]
    assert new["access_token"] != tokens["access_token"]
    assert _organisation(http, sandbox, new["access_token"]).status_code == 200

    # A lost response: the old refresh token replays within the grace period and yields the same new pair.
    replay = _refresh(http, sandbox, tokens["refresh_token"])
    assert replay.status_code == 200
    assert replay.json()["refresh_token"] == new["refresh_token"]
    assert replay.json()["access_token"] == new["access_token"]

    admin.post("/clock", json={"advance_seconds": 1801}).raise_for_status()
    expired = _refresh(http, sandbox, tokens["refresh_token"])
    assert expired.status_code == 400 and expired.json() == {"error": "invalid_grant"}
    assert _organisation(http, sandbox, new["access_token"]).status_code == 401, "access tokens last 30 minutes"
    latest = _refresh(http, sandbox, new["refresh_token"])
    assert latest.status_code == 200, "the newest refresh token still works"


def test_codes_are_single_use_and_bound_to_the_redirect_uri(
    http: httpx.Client, sandbox: RunningSandbox, admin: httpx.Client
) -> None:
    code = _consent(http, sandbox)
    wrong_redirect = _exchange(http, sandbox, code, "https://evil.example.test/cb")
    assert wrong_redirect.status_code == 400 and wrong_redirect.json()["error"] == "invalid_grant"
    assert _exchange(http, sandbox, code).status_code == 200
    again = _exchange(http, sandbox, code)
    assert again.status_code == 400 and again.json()["error"] == "invalid_grant"


def test_codes_expire_after_ten_minutes(http: httpx.Client, sandbox: RunningSandbox, admin: httpx.Client) -> None:
    code = _consent(http, sandbox)
    admin.post("/clock", json={"advance_seconds": 601})
    assert _exchange(http, sandbox, code).json() == {"error": "invalid_grant"}


def test_unknown_refresh_token_and_bad_client_are_refused(
    http: httpx.Client, sandbox: RunningSandbox, admin: httpx.Client
) -> None:
    assert _refresh(http, sandbox, "never-issued").json() == {"error": "invalid_grant"}
    bad_client = http.post(f"{sandbox.identity_url}/connect/token",
                           data={"grant_type": "refresh_token", "refresh_token": "x",
                                 "client_id": sandbox.config.client_id, "client_secret": "wrong"})
    assert bad_client.status_code == 400 and bad_client.json()["error"] == "invalid_client"


def test_no_refresh_token_without_offline_access(
    http: httpx.Client, sandbox: RunningSandbox, admin: httpx.Client
) -> None:
    tokens = _exchange(http, sandbox, _consent(http, sandbox, scope="openid accounting.transactions")).json()
    assert "refresh_token" not in tokens
    assert tokens["scope"] == "openid accounting.transactions"


def test_consent_page_refuses_unknown_clients(http: httpx.Client, sandbox: RunningSandbox) -> None:
    page = http.get(f"{sandbox.login_url}/connect/authorize",
                    params={"response_type": "code", "client_id": "someone-else", "redirect_uri": REDIRECT,
                            "scope": SCOPE, "state": "s"})
    assert page.status_code == 400
    assert "Unknown client_id" in page.text


def test_denying_consent_redirects_with_access_denied(http: httpx.Client, sandbox: RunningSandbox) -> None:
    answer = http.post(f"{sandbox.login_url}/connect/authorize",
                       data={"client_id": sandbox.config.client_id, "redirect_uri": REDIRECT, "scope": SCOPE,
                             "state": "s1", "action": "deny"})
    assert answer.status_code == 302
    assert parse_qs(urlsplit(answer.headers["location"]).query) == {"error": ["access_denied"], "state": ["s1"]}


def test_disconnect_blocks_the_tenant_until_consent_and_keeps_the_books(
    http: httpx.Client, sandbox: RunningSandbox, api: httpx.Client, token: dict[str, Any]
) -> None:
    created = api.put("/Contacts", json={"Contacts": [{"Name": "Kept Ltd"}]})
    assert created.status_code == 200
    connection = _connections(http, sandbox, token["access_token"])[0]
    deleted = http.delete(f"{sandbox.base_url}/connections/{connection['id']}",
                          headers={"Authorization": f"Bearer {token['access_token']}"})
    assert deleted.status_code == 204
    assert _connections(http, sandbox, token["access_token"]) == []
    assert _organisation(http, sandbox, token["access_token"]).status_code == 403

    fresh = issue_token(sandbox)
    assert _organisation(http, sandbox, fresh["access_token"]).status_code == 200
    contacts = http.get(f"{sandbox.api_url}/Contacts", headers={
        "Authorization": f"Bearer {fresh['access_token']}", "xero-tenant-id": TENANT}).json()["Contacts"]
    assert [c["Name"] for c in contacts] == ["Kept Ltd"]


def test_revoking_the_refresh_token_ends_the_grant(
    http: httpx.Client, sandbox: RunningSandbox, admin: httpx.Client
) -> None:
    tokens = _exchange(http, sandbox, _consent(http, sandbox)).json()
    revoked = http.post(f"{sandbox.identity_url}/connect/revocation", headers=_basic(sandbox),
                        data={"token": tokens["refresh_token"]})
    assert revoked.status_code == 200
    assert _refresh(http, sandbox, tokens["refresh_token"]).json() == {"error": "invalid_grant"}
    assert _organisation(http, sandbox, tokens["access_token"]).status_code == 401


@pytest.mark.parametrize("headers", [{}, {"Authorization": "Bearer not-a-token"}, {"Authorization": "Basic abc"}])
def test_accounting_calls_need_a_valid_bearer_token(http: httpx.Client, sandbox: RunningSandbox, admin: httpx.Client,
                                                    headers: dict[str, str]) -> None:
    response = http.get(f"{sandbox.api_url}/Invoices", headers={**headers, "xero-tenant-id": TENANT})
    assert response.status_code == 401
    body = response.json()
    assert body["Title"] == "Unauthorized" and body["Status"] == 401
    assert body["Detail"] == "AuthenticationUnsuccessful" and body["Type"] is None


@pytest.mark.parametrize("tenant", [None, "00000000-0000-0000-0000-000000000001"])
def test_accounting_calls_need_a_connected_tenant(http: httpx.Client, sandbox: RunningSandbox, token: dict[str, Any],
                                                  tenant: str | None) -> None:
    headers = {"Authorization": f"Bearer {token['access_token']}"}
    if tenant:
        headers["xero-tenant-id"] = tenant
    response = http.get(f"{sandbox.api_url}/Invoices", headers=headers)
    assert response.status_code == 403


def test_tenants_are_isolated_and_connected_one_by_one() -> None:
    second = TenantSeed(name="Second Trading Ltd", tenant_id="3f0a2b1c-4d5e-4f60-8a7b-9c0d1e2f3a4b")
    config = SandboxConfig(tenants=(TenantSeed(), second), rate_limits_enabled=False)
    with start_xero_sandbox(config) as sandbox, httpx.Client(timeout=10) as http:
        tokens = http.post(f"{sandbox.base_url}/sandbox/tokens", json={"tenant_ids": [second.tenant_id]}).json()
        headers = {"Authorization": f"Bearer {tokens['access_token']}"}
        listed = http.get(f"{sandbox.base_url}/connections", headers=headers).json()
        assert [c["tenantName"] for c in listed] == ["Second Trading Ltd"]
        assert _organisation(http, sandbox, tokens["access_token"]).status_code == 403, "not consented"
        created = http.put(f"{sandbox.api_url}/Contacts", json={"Contacts": [{"Name": "Only Here"}]},
                           headers={**headers, "xero-tenant-id": second.tenant_id})
        assert created.status_code == 200
        both = http.post(f"{sandbox.base_url}/sandbox/tokens").json()
        first_contacts = http.get(f"{sandbox.api_url}/Contacts", headers={
            "Authorization": f"Bearer {both['access_token']}", "xero-tenant-id": TENANT}).json()["Contacts"]
        assert first_contacts == []


def test_the_token_endpoint_is_where_xero_has_it(http: httpx.Client, sandbox: RunningSandbox,
                                                 admin: httpx.Client) -> None:
    """``identity.xero.com/connect/token`` (the identity spec's tokenUrl); Xero has no ``/identity/connect/token``,
    so a client pointed there fails here too. The consent page keeps Xero's ``/identity/connect/authorize``."""
    from ledgerbridge.packages.xero.spec import SPEC

    endpoints = SPEC.sandbox.endpoints(sandbox.base_url)
    assert endpoints.identity_base_url == sandbox.base_url == sandbox.identity_url
    assert endpoints.authorize_url == f"{sandbox.base_url}/identity/connect/authorize"
    code = _consent(http, sandbox)
    wrong = httpx.post(f"{sandbox.base_url}/identity/connect/token", headers=_basic(sandbox),
                       data={"grant_type": "authorization_code", "code": code, "redirect_uri": REDIRECT})
    assert wrong.status_code == 404
    assert httpx.post(f"{sandbox.base_url}/identity/connect/revocation", headers=_basic(sandbox),
                      data={"token": "x"}).status_code == 404
    tokens = http.post(f"{sandbox.base_url}/connect/token", headers=_basic(sandbox),
                       data={"grant_type": "authorization_code", "code": code, "redirect_uri": REDIRECT})
    assert tokens.status_code == 200 and tokens.json()["access_token"]
