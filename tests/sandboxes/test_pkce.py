"""PKCE (RFC 7636) on the authorization-code grant: a code issued for a ``code_challenge`` is only exchanged
with the matching ``code_verifier``."""

from __future__ import annotations

import base64
import hashlib
import re
import secrets
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from ledgerbridge.packages.xero.sandbox import RunningSandbox

from .test_identity import REDIRECT, SCOPE, _basic, _organisation

VERIFIER = secrets.token_urlsafe(48)  # 64 characters of the unreserved set


def _s256(verifier: str) -> str:
    return base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()


def _authorize(http: httpx.Client, sandbox: RunningSandbox, **pkce: str) -> httpx.Response:
    params = {"response_type": "code", "client_id": sandbox.config.client_id, "redirect_uri": REDIRECT,
              "scope": SCOPE, "state": "s1", **pkce}
    return http.get(f"{sandbox.login_url}/connect/authorize", params=params)


def _consent(http: httpx.Client, sandbox: RunningSandbox, **pkce: str) -> str:
    """Open the consent page with the given PKCE parameters, press Allow as a browser would, return the code."""
    page = _authorize(http, sandbox, **pkce)
    assert page.status_code == 200, page.text
    form = dict(re.findall(r"<input type=hidden name=(\w+) value='([^']*)'>", page.text))
    form["tenant_id"] = re.search(r"name=tenant_id value='([^']+)'", page.text).group(1)  # type: ignore[union-attr]
    form["action"] = "allow"
    answer = http.post(f"{sandbox.login_url}/connect/authorize", data=form)
    assert answer.status_code == 302
    return parse_qs(urlsplit(answer.headers["location"]).query)["code"][0]


def _exchange(http: httpx.Client, sandbox: RunningSandbox, code: str, verifier: str | None) -> httpx.Response:
    data = {"grant_type": "authorization_code", "code": code, "redirect_uri": REDIRECT}
    if verifier is not None:
        data["code_verifier"] = verifier
    return http.post(f"{sandbox.identity_url}/connect/token", headers=_basic(sandbox), data=data)


@pytest.mark.parametrize("method", ["S256", "plain"])
def test_a_code_issued_for_a_challenge_needs_its_verifier(
    http: httpx.Client, sandbox: RunningSandbox, admin: httpx.Client, method: str
) -> None:
    challenge = _s256(VERIFIER) if method == "S256" else VERIFIER
    code = _consent(http, sandbox, code_challenge=challenge, code_challenge_method=method)

    for wrong in (None, "", secrets.token_urlsafe(48), challenge if method == "S256" else VERIFIER[:-1] + "~"):
        refused = _exchange(http, sandbox, code, wrong)
        assert refused.status_code == 400, wrong
        assert refused.json()["error"] == "invalid_grant"

    accepted = _exchange(http, sandbox, code, VERIFIER)
    assert accepted.status_code == 200, accepted.text
    assert _organisation(http, sandbox, accepted.json()["access_token"]).status_code == 200
    assert _exchange(http, sandbox, code, VERIFIER).json()["error"] == "invalid_grant", "codes stay single-use"


def test_a_challenge_without_a_method_is_plain(http: httpx.Client, sandbox: RunningSandbox,
                                               admin: httpx.Client) -> None:
    code = _consent(http, sandbox, code_challenge=VERIFIER)
    assert _exchange(http, sandbox, code, _s256(VERIFIER)).status_code == 400
    assert _exchange(http, sandbox, code, VERIFIER).status_code == 200


def test_without_a_challenge_no_verifier_is_needed(http: httpx.Client, sandbox: RunningSandbox,
                                                   admin: httpx.Client) -> None:
    assert _exchange(http, sandbox, _consent(http, sandbox), None).status_code == 200
    assert _exchange(http, sandbox, _consent(http, sandbox), VERIFIER).status_code == 200


@pytest.mark.parametrize("pkce", [
    {"code_challenge": _s256(VERIFIER), "code_challenge_method": "S512"},
    {"code_challenge_method": "S256"},
    {"code_challenge": "too-short", "code_challenge_method": "plain"},
    {"code_challenge": VERIFIER, "code_challenge_method": "S256"},  # an S256 challenge is 43 characters
])
def test_a_malformed_challenge_is_refused_on_the_consent_page(
    http: httpx.Client, sandbox: RunningSandbox, admin: httpx.Client, pkce: dict[str, str]
) -> None:
    page = _authorize(http, sandbox, **pkce)
    assert page.status_code == 400
    assert "invalid_request" in page.text and "Allow access" not in page.text


def test_the_consent_form_carries_the_challenge_to_the_code(http: httpx.Client, sandbox: RunningSandbox,
                                                              admin: httpx.Client) -> None:
    """The challenge rides in the form to the code; a POST that changes it to an unsupported method is refused."""
    page = _authorize(http, sandbox, code_challenge=_s256(VERIFIER), code_challenge_method="S256")
    form = dict(re.findall(r"<input type=hidden name=(\w+) value='([^']*)'>", page.text))
    assert form["code_challenge"] == _s256(VERIFIER) and form["code_challenge_method"] == "S256"
    form.update(tenant_id=re.search(r"name=tenant_id value='([^']+)'", page.text).group(1),  # type: ignore[union-attr]
                action="allow", code_challenge_method="S999")
    answer = http.post(f"{sandbox.login_url}/connect/authorize", data=form)
    assert answer.status_code == 400
