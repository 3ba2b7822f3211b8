"""Identity routes: the consent page, the token endpoint, revocation and connections.

Xero spreads these over three hosts, which one sandbox stands in for at Xero's own paths: the consent page at
``/identity/connect/authorize`` (``login.xero.com/identity/connect/authorize``), the token endpoint and
revocation at ``/connect/token`` and ``/connect/revocation`` (``identity.xero.com``, the identity spec's
``tokenUrl``), and ``/connections`` (``api.xero.com``; also the spec's ``/Connections``). The token endpoint is
not served under ``/identity``: Xero has none there, so a client pointed at it fails here as it would there.
"""

from __future__ import annotations

import base64
import binascii
from typing import Any
from urllib.parse import urlencode, urlsplit

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response

from .endpoint import runtime_of
from .oauth import OAuthError, check_code_challenge
from .ui import consent_page, error_page
from .wire import iso_timestamp

router = APIRouter()


def _issuer(request: Request) -> str:
    """The id token's ``iss``: Xero's is its identity host, ``https://identity.xero.com``."""
    return str(request.base_url).rstrip("/")


def _valid_redirect(uri: str) -> bool:
    parts = urlsplit(uri)
    return parts.scheme in ("http", "https") and bool(parts.netloc)


@router.get("/identity/connect/authorize")
async def authorize_page(request: Request) -> Response:
    params = request.query_params
    identity = runtime_of(request).identity
    client_id = params.get("client_id", "")
    redirect_uri = params.get("redirect_uri", "")
    if not identity.client_known(client_id):
        return error_page(f"Unknown client_id {client_id!r}: this app is not registered with the sandbox.")
    if params.get("response_type") != "code":
        return error_page("response_type must be 'code'.")
    if not _valid_redirect(redirect_uri):
        return error_page("redirect_uri must be an absolute http(s) URL.")
    if not params.get("scope", "").strip():
        return error_page("scope is required.")
    try:
        pkce = check_code_challenge(params.get("code_challenge"), params.get("code_challenge_method"))
    except OAuthError as error:
        return error_page(f"{error.error}: {error.description}")
    return consent_page(client_id, redirect_uri, params.get("scope", ""), params.get("state", ""),
                        runtime_of(request).store.tenant_names(), pkce)


@router.post("/identity/connect/authorize")
async def authorize_submit(request: Request) -> Response:
    form = await request.form()
    identity = runtime_of(request).identity
    client_id = str(form.get("client_id", ""))
    redirect_uri = str(form.get("redirect_uri", ""))
    state = str(form.get("state", ""))
    if not identity.client_known(client_id):
        return error_page(f"Unknown client_id {client_id!r}: this app is not registered with the sandbox.")
    if not _valid_redirect(redirect_uri):
        return error_page("redirect_uri must be an absolute http(s) URL.")
    answer: dict[str, str]
    if form.get("action", "allow") == "deny":
        answer = {"error": "access_denied"}
    else:
        tenant_ids = [str(value) for value in form.getlist("tenant_id")]
        scope = str(form.get("scope", ""))
        try:
            code = identity.consent(client_id, redirect_uri, scope, tenant_ids,
                                    _text(form.get("code_challenge")), _text(form.get("code_challenge_method")))
        except OAuthError as error:
            return error_page(error.description or error.error)
        answer = {"code": code, "scope": scope}
    if state:
        answer["state"] = state
    separator = "&" if urlsplit(redirect_uri).query else "?"
    return RedirectResponse(f"{redirect_uri}{separator}{urlencode(answer)}", status_code=302)


def _client_credentials(request: Request, form: Any) -> tuple[str | None, str | None]:
    """HTTP Basic (the documented way) or ``client_id``/``client_secret`` in the body (the Python SDK)."""
    scheme, _, encoded = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() == "basic" and encoded:
        try:
            client_id, _, secret = base64.b64decode(encoded.strip()).decode().partition(":")
            return client_id, secret
        except (binascii.Error, UnicodeDecodeError):
            return None, None
    return form.get("client_id"), form.get("client_secret")


def _oauth_error(error: OAuthError) -> JSONResponse:
    return JSONResponse(error.body(), status_code=400)


@router.post("/connect/token")
async def token(request: Request) -> Response:
    form = await request.form()
    identity = runtime_of(request).identity
    try:
        client_id = identity.authenticate_client(*_client_credentials(request, form))
        grant_type = form.get("grant_type")
        if grant_type == "authorization_code":
            issued = identity.exchange_code(client_id, _text(form.get("code")), _text(form.get("redirect_uri")),
                                            _issuer(request), _text(form.get("code_verifier")))
        elif grant_type == "refresh_token":
            issued = identity.refresh(client_id, _text(form.get("refresh_token")), _issuer(request))
        else:
            raise OAuthError("unsupported_grant_type")
    except OAuthError as error:
        return _oauth_error(error)
    return JSONResponse(issued, headers={"Cache-Control": "no-store", "Pragma": "no-cache"})


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) else None


@router.post("/connect/revocation")
async def revoke(request: Request) -> Response:
    form = await request.form()
    identity = runtime_of(request).identity
    try:
        client_id = identity.authenticate_client(*_client_credentials(request, form))
    except OAuthError as error:
        return _oauth_error(error)
    identity.revoke(client_id, _text(form.get("token")))
    return Response(status_code=200)


def _bearer_grant(request: Request) -> Any:
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    return runtime_of(request).identity.access(token.strip()) if scheme.lower() == "bearer" else None


_UNAUTHORIZED = {"Type": None, "Title": "Unauthorized", "Status": 401, "Detail": "AuthenticationUnsuccessful"}


@router.get("/connections")
@router.get("/Connections")
async def connections(request: Request, authEventId: str | None = None) -> Response:  # noqa: N803 - spec name
    grant = _bearer_grant(request)
    if grant is None:
        return JSONResponse(_UNAUTHORIZED, status_code=401)
    listed = runtime_of(request).identity.connections(grant.client_id, authEventId)
    return JSONResponse([
        {
            "id": c.id,
            "authEventId": c.auth_event_id,
            "tenantId": c.tenant_id,
            "tenantType": "ORGANISATION",
            "tenantName": c.tenant_name,
            "createdDateUtc": iso_timestamp(int(c.created * 1000)),
            "updatedDateUtc": iso_timestamp(int(c.updated * 1000)),
        }
        for c in listed
    ])


@router.delete("/connections/{connection_id}")
@router.delete("/Connections/{connection_id}")
async def disconnect(request: Request, connection_id: str) -> Response:
    grant = _bearer_grant(request)
    if grant is None:
        return JSONResponse(_UNAUTHORIZED, status_code=401)
    if not runtime_of(request).identity.disconnect(grant.client_id, connection_id.lower()):
        return Response(status_code=404)
    return Response(status_code=204)
