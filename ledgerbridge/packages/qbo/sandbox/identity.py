"""Intuit's OAuth endpoints on the sandbox: discovery, consent page, token and revoke.

Paths mirror Intuit's hosts collapsed onto one origin: ``/.well-known/openid_configuration`` (discovery),
``/connect/oauth2`` (appcenter.intuit.com), ``/oauth2/v1/tokens/bearer`` (oauth.platform.intuit.com) and
``/oauth2/v1/tokens/revoke`` (developer.api.intuit.com). The consent page is self-contained HTML.
"""

from __future__ import annotations

import base64
import html
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response

from .oauth import SCOPE, OAuthError
from .runtime import SandboxRuntime
from .wire import loads

router = APIRouter()
TOKEN_PATH = "/oauth2/v1/tokens/bearer"
REVOKE_PATH = "/oauth2/v1/tokens/revoke"
AUTHORIZE_PATH = "/connect/oauth2"
_STYLE = ("body{font-family:system-ui,sans-serif;background:#f4f5f8;margin:0}main{max-width:420px;margin:60px auto;"
          "background:#fff;border-radius:8px;padding:28px;box-shadow:0 2px 8px #0002}h1{font-size:20px;color:#2ca01c}"
          "select,button{width:100%;padding:10px;margin-top:12px;font-size:15px}button{background:#2ca01c;"
          "color:#fff;border:0;border-radius:4px;cursor:pointer}")


def _runtime(request: Request) -> SandboxRuntime:
    return request.app.state.runtime  # type: ignore[no-any-return]


@router.get("/.well-known/openid_configuration")
async def discovery(request: Request) -> JSONResponse:
    """What intuit-oauth's ``AuthClient(environment=<this URL>)`` reads at construction."""
    base = str(request.base_url).rstrip("/")
    return JSONResponse({"issuer": base, "authorization_endpoint": base + AUTHORIZE_PATH,
                         "token_endpoint": base + TOKEN_PATH, "revocation_endpoint": base + REVOKE_PATH,
                         "userinfo_endpoint": base + "/v1/openid_connect/userinfo",
                         "jwks_uri": base + "/oauth2/v1/keys", "response_types_supported": ["code"],
                         "scopes_supported": ["openid", "email", "profile", "address", "phone", SCOPE],
                         "token_endpoint_auth_methods_supported": ["client_secret_post", "client_secret_basic"]})


@router.get(AUTHORIZE_PATH)
async def authorize_page(request: Request) -> Response:
    params = request.query_params
    runtime = _runtime(request)
    if params.get("client_id") != runtime.config.client_id or not params.get("redirect_uri"):
        return HTMLResponse("<h1>Invalid client_id or redirect_uri</h1>", status_code=400)
    if params.get("response_type") != "code":
        query = urlencode({"error": "unsupported_response_type", "state": params.get("state", "")})
        return RedirectResponse(f"{params['redirect_uri']}?{query}", status_code=302)
    options = "".join(f'<option value="{html.escape(c.realm_id)}">{html.escape(c.seed.name)} '
                      f'({c.seed.country})</option>' for c in runtime.store.companies.values())
    hidden = "".join(f'<input type="hidden" name="{k}" value="{html.escape(params.get(k, ""))}">'
                     for k in ("client_id", "redirect_uri", "state", "scope"))
    page = (f"<!doctype html><html><head><meta charset='utf-8'><title>Connect to QuickBooks</title>"
            f"<style>{_STYLE}</style></head><body><main><h1>intuit quickbooks (sandbox)</h1>"
            f"<p><b>{html.escape(params.get('client_id', ''))}</b> wants to connect to your company.</p>"
            f"<form method='post' action='{AUTHORIZE_PATH}'>{hidden}<label>Company<select name='realmId'>"
            f"{options}</select></label><button type='submit'>Connect</button></form></main></body></html>")
    return HTMLResponse(page)


@router.post(AUTHORIZE_PATH)
async def authorize_submit(request: Request) -> Response:
    form = await request.form()
    runtime = _runtime(request)
    client_id, redirect_uri = str(form.get("client_id", "")), str(form.get("redirect_uri", ""))
    realm_id, state = str(form.get("realmId", "")), str(form.get("state", ""))
    if client_id != runtime.config.client_id or not redirect_uri or runtime.store.company(realm_id) is None:
        return HTMLResponse("<h1>Invalid consent request</h1>", status_code=400)
    code = runtime.oauth.issue_code(client_id, redirect_uri, realm_id)
    query = urlencode({"code": code, "state": state, "realmId": realm_id})
    return RedirectResponse(f"{redirect_uri}?{query}", status_code=302)


def _client(request: Request, form_client: str | None, form_secret: str | None) -> str:
    """HTTP Basic client auth (Intuit's way); the client_secret_post form fields are accepted too."""
    scheme, _, value = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() == "basic":
        try:
            client_id, _, secret = base64.b64decode(value).decode().partition(":")
        except ValueError:
            raise OAuthError("invalid_client", status=401) from None
    else:
        client_id, secret = form_client or "", form_secret or ""
    _runtime(request).oauth.check_client(client_id, secret)
    return client_id


@router.post(TOKEN_PATH)
async def token(request: Request) -> Response:
    form = await request.form()
    oauth = _runtime(request).oauth
    try:
        client_id = _client(request, _s(form.get("client_id")), _s(form.get("client_secret")))
        body = oauth.grant_tokens(client_id, form)
    except OAuthError as error:
        return JSONResponse(error.body(), status_code=error.status)
    return JSONResponse(body, headers={"cache-control": "no-store"})


@router.post(REVOKE_PATH)
async def revoke(request: Request) -> Response:
    """Body ``{"token": "..."}`` (JSON, as Intuit documents); either token of a grant ends the grant."""
    try:
        _client(request, None, None)
        payload = loads(await request.body() or b"{}")
    except OAuthError as error:
        return JSONResponse(error.body(), status_code=error.status)
    except ValueError:
        return JSONResponse({"error": "invalid_request"}, status_code=400)
    token_value = payload.get("token") if isinstance(payload, dict) else None
    if not token_value:
        return JSONResponse({"error": "invalid_request"}, status_code=400)
    _runtime(request).oauth.revoke(str(token_value))
    return Response(status_code=200)


def _s(value: object) -> str | None:
    return value if isinstance(value, str) else None
