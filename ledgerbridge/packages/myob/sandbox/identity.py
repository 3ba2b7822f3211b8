"""MYOB's OAuth endpoints on the sandbox: the consent page and the token endpoint.

Paths are secure.myob.com's: ``GET /oauth2/account/authorize`` (the consent page; pymyob adds a trailing ``/``),
``POST /oauth2/v1/authorize`` (form-encoded, ``authorization_code`` and ``refresh_token``; trailing ``/`` too).
The consent page lists the server's businesses; the redirect carries ``code``, ``state`` and ``businessId``
(MYOB adds ``businessId`` when ``prompt=consent`` is asked, as pymyob does; the sandbox always adds it).
"""

from __future__ import annotations

import base64
import html
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response

from .oauth import OAuthError, parse_scopes
from .runtime import SandboxRuntime

router = APIRouter()
AUTHORIZE_PATH = "/oauth2/account/authorize"
TOKEN_PATH = "/oauth2/v1/authorize"
_STYLE = ("body{font-family:system-ui,sans-serif;background:#f1f0f5;margin:0}main{max-width:440px;margin:60px auto;"
          "background:#fff;border-radius:8px;padding:28px;box-shadow:0 2px 8px #0002}h1{font-size:20px;color:#6100a5}"
          "select,button{width:100%;padding:10px;margin-top:12px;font-size:15px}button{background:#6100a5;"
          "color:#fff;border:0;border-radius:4px;cursor:pointer}")


def _runtime(request: Request) -> SandboxRuntime:
    return request.app.state.runtime  # type: ignore[no-any-return]


@router.get(AUTHORIZE_PATH)
@router.get(AUTHORIZE_PATH + "/")
async def authorize_page(request: Request) -> Response:
    params = request.query_params
    runtime = _runtime(request)
    if params.get("client_id") != runtime.config.client_id or not params.get("redirect_uri"):
        return HTMLResponse("<h1>Invalid client_id or redirect_uri</h1>", status_code=400)
    if params.get("response_type") != "code":
        query = urlencode({"error": "unsupported_response_type", "state": params.get("state", "")})
        return RedirectResponse(f"{params['redirect_uri']}?{query}", status_code=302)
    options = "".join(f'<option value="{html.escape(b.business_id)}">{html.escape(b.seed.name)} '
                      f'({b.seed.country})</option>' for b in runtime.store.businesses.values())
    hidden = "".join(f'<input type="hidden" name="{k}" value="{html.escape(params.get(k, ""))}">'
                     for k in ("client_id", "redirect_uri", "state", "scope"))
    scopes = html.escape(params.get("scope", "") or "(legacy: everything)")
    page = (f"<!doctype html><html><head><meta charset='utf-8'><title>Connect to MYOB</title>"
            f"<style>{_STYLE}</style></head><body><main><h1>MYOB (sandbox)</h1>"
            f"<p><b>{html.escape(params.get('client_id', ''))}</b> wants access to one business: {scopes}</p>"
            f"<form method='post' action='{AUTHORIZE_PATH}'>{hidden}<label>Business<select name='businessId'>"
            f"{options}</select></label><button type='submit'>Allow access</button></form></main></body></html>")
    return HTMLResponse(page)


@router.post(AUTHORIZE_PATH)
@router.post(AUTHORIZE_PATH + "/")
async def authorize_submit(request: Request) -> Response:
    form = await request.form()
    runtime = _runtime(request)
    client_id, redirect_uri = str(form.get("client_id", "")), str(form.get("redirect_uri", ""))
    business_id, state = str(form.get("businessId", "")), str(form.get("state", ""))
    business = runtime.store.business(business_id)
    if client_id != runtime.config.client_id or not redirect_uri or business is None:
        return HTMLResponse("<h1>Invalid consent request</h1>", status_code=400)
    code = runtime.oauth.issue_code(client_id, redirect_uri, business.business_id,
                                    parse_scopes(str(form.get("scope", ""))))
    query = urlencode({"code": code, "state": state, "businessId": business.business_id})
    separator = "&" if "?" in redirect_uri else "?"
    return RedirectResponse(f"{redirect_uri}{separator}{query}", status_code=302)


@router.post(TOKEN_PATH)
@router.post(TOKEN_PATH + "/")
async def token(request: Request) -> Response:
    form = await request.form()
    oauth = _runtime(request).oauth
    try:
        client_id, secret = _client(request, _s(form.get("client_id")), _s(form.get("client_secret")))
        oauth.check_client(client_id, secret)
        body = oauth.grant_tokens(client_id, form)
    except OAuthError as error:
        return JSONResponse(error.body(), status_code=error.status)
    return JSONResponse(body, headers={"cache-control": "no-store"})


def _client(request: Request, form_client: str | None, form_secret: str | None) -> tuple[str, str]:
    """Form fields (MYOB's and the SDK's way); HTTP Basic is accepted too, as OAuth libraries default to it."""
    scheme, _, value = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() == "basic" and not form_secret:
        try:
            client_id, _, secret = base64.b64decode(value).decode().partition(":")
        except ValueError:
            raise OAuthError("invalid_client", status=401) from None
        return client_id, secret
    return form_client or "", form_secret or ""


def _s(value: object) -> str | None:
    return value if isinstance(value, str) else None
