"""MYOB's OAuth on the sandbox: consent for one business, 20-minute tokens, rotating refresh tokens, the headers
every call needs, scopes."""

from __future__ import annotations

from urllib.parse import parse_qs, urlparse

import httpx

from ledgerbridge.packages.myob.sandbox import NZ_BUSINESS_ID, RunningSandbox

from .conftest import AU, headers

REDIRECT = "https://app.example/callback"


def _consent(sandbox: RunningSandbox, business_id: str, scope: str = "sme-sales sme-general-ledger") -> dict[str, str]:
    page = httpx.get(f"{sandbox.authorize_url}/", params={
        "client_id": sandbox.config.client_id, "redirect_uri": REDIRECT, "response_type": "code", "scope": scope,
        "state": "s-42", "prompt": "consent"})
    assert page.status_code == 200 and business_id in page.text and "Ledgerbridge Demo NZ Ltd" in page.text
    answer = httpx.post(sandbox.authorize_url, data={
        "client_id": sandbox.config.client_id, "redirect_uri": REDIRECT, "state": "s-42", "scope": scope,
        "businessId": business_id})
    assert answer.status_code == 302
    location = answer.headers["location"]
    assert location.startswith(REDIRECT + "?")
    return {k: v[0] for k, v in parse_qs(urlparse(location).query).items()}


def _token(sandbox: RunningSandbox, **form: str) -> httpx.Response:
    return httpx.post(f"{sandbox.token_url}/", data={"client_id": sandbox.config.client_id,
                                                    "client_secret": sandbox.config.client_secret, **form})


def test_consent_redirect_carries_code_state_and_business_and_the_code_buys_20_minute_tokens(
        sandbox: RunningSandbox, admin: httpx.Client) -> None:
    redirect = _consent(sandbox, NZ_BUSINESS_ID)
    assert redirect["state"] == "s-42" and redirect["businessId"] == NZ_BUSINESS_ID
    tokens = _token(sandbox, grant_type="authorization_code", code=redirect["code"], redirect_uri=REDIRECT).json()
    assert tokens["expires_in"] == 1200 and tokens["token_type"] == "bearer"
    assert set(tokens["scope"].split()) == {"sme-sales", "sme-general-ledger"}
    again = _token(sandbox, grant_type="authorization_code", code=redirect["code"], redirect_uri=REDIRECT)
    assert again.status_code == 400 and again.json() == {"error": "invalid_grant"}  # a code is single-use
    nz = httpx.get(f"{sandbox.business_url(NZ_BUSINESS_ID)}/GeneralLedger/TaxCode",
                   headers=headers(sandbox, tokens["access_token"]))
    assert nz.status_code == 200 and {i["Code"]: i["Rate"] for i in nz.json()["Items"]}["GST"] == 15
    other = httpx.get(f"{sandbox.business_url(AU)}/GeneralLedger/TaxCode",
                      headers=headers(sandbox, tokens["access_token"]))
    assert other.status_code == 403 and other.json()["Errors"][0]["Name"] == "AccessDenied"
    customers = httpx.get(f"{sandbox.business_url(NZ_BUSINESS_ID)}/Contact/Customer",
                          headers=headers(sandbox, tokens["access_token"]))
    assert customers.status_code == 403 and customers.json()["Errors"][0]["Name"] == "InsufficientScope"


def test_a_redirect_uri_that_differs_by_a_slash_is_refused(sandbox: RunningSandbox, admin: httpx.Client) -> None:
    redirect = _consent(sandbox, AU)
    answer = _token(sandbox, grant_type="authorization_code", code=redirect["code"], redirect_uri=REDIRECT + "/")
    assert answer.status_code == 400 and answer.json()["error"] == "invalid_grant"


def test_refresh_rotates_the_refresh_token_and_the_old_one_dies_after_the_grace(
        sandbox: RunningSandbox, admin: httpx.Client) -> None:
    first = admin.post("/tokens", json={"businessId": AU}).json()
    second = _token(sandbox, grant_type="refresh_token", refresh_token=first["refresh_token"]).json()
    assert second["refresh_token"] != first["refresh_token"] and second["expires_in"] == 1200
    retried = _token(sandbox, grant_type="refresh_token", refresh_token=first["refresh_token"]).json()
    assert retried["refresh_token"] == second["refresh_token"]  # a retried refresh inside the grace is harmless
    admin.post("/clock", json={"advance_seconds": 1801})
    late = _token(sandbox, grant_type="refresh_token", refresh_token=first["refresh_token"])
    assert late.status_code == 400 and late.json() == {"error": "invalid_grant"}
    third = _token(sandbox, grant_type="refresh_token", refresh_token=second["refresh_token"])
    assert third.status_code == 200
    wrong_secret = httpx.post(sandbox.token_url, data={"client_id": sandbox.config.client_id, "client_secret": "x",
                                                      "grant_type": "refresh_token",
                                                      "refresh_token": third.json()["refresh_token"]})
    assert wrong_secret.status_code == 401 and wrong_secret.json()["error"] == "invalid_client"


def test_an_access_token_lives_twenty_minutes(sandbox: RunningSandbox, admin: httpx.Client) -> None:
    token = admin.post("/tokens", json={"businessId": AU}).json()["access_token"]
    url = f"{sandbox.business_url(AU)}/GeneralLedger/Account"
    assert httpx.get(url, headers=headers(sandbox, token)).status_code == 200
    admin.post("/clock", json={"advance_seconds": 1201})
    expired = httpx.get(url, headers=headers(sandbox, token))
    assert expired.status_code == 401 and expired.json()["Errors"][0]["Name"] == "OAuthTokenIsInvalid"


def test_the_key_and_version_headers_are_required(sandbox: RunningSandbox, admin: httpx.Client) -> None:
    token = admin.post("/tokens", json={"businessId": AU}).json()["access_token"]
    url = f"{sandbox.business_url(AU)}/GeneralLedger/Account"
    no_key = httpx.get(url, headers={**headers(sandbox, token), "x-myobapi-key": ""})
    assert no_key.status_code == 403 and no_key.json()["Errors"][0]["Name"] == "DeveloperInactive"
    no_version = httpx.get(url, headers={k: v for k, v in headers(sandbox, token).items()
                                         if k != "x-myobapi-version"})
    assert no_version.status_code == 400
    cf_token = httpx.get(url, headers={**headers(sandbox, token), "x-myobapi-cftoken": "dXNlcjpwdw=="})
    assert cf_token.status_code == 200  # accepted and ignored, as for online files
    assert httpx.get(url, headers={**headers(sandbox, token), "Authorization": "Bearer nope"}).status_code == 401


def test_disconnecting_ends_every_token_of_the_business(sandbox: RunningSandbox, admin: httpx.Client) -> None:
    tokens = admin.post("/tokens", json={"businessId": AU}).json()
    admin.post(f"/businesses/{AU}/disconnect").raise_for_status()
    answer = httpx.get(f"{sandbox.business_url(AU)}/GeneralLedger/Account",
                       headers=headers(sandbox, tokens["access_token"]))
    assert answer.status_code == 401
    assert _token(sandbox, grant_type="refresh_token", refresh_token=tokens["refresh_token"]).status_code == 400
