"""Connecting a Connection to a Xero organisation: consent, tenant choice, refresh and disconnect (R-C1, R-C2).

The flow a user sees ("Allow Permission", then pick the company):

1. :func:`begin_consent` gives the URL of Xero's consent page (``state`` + PKCE S256, kept in ``OAuthState``);
2. :func:`complete_consent` checks the callback's ``state``, exchanges the code for tokens (stored
   encrypted) and lists the organisations the user allowed (``GET /connections``);
3. :func:`choose_tenant` binds the Connection to one of them and marks it ``connected``.

Reconnecting is the same three steps on the same Connection row, which is why bindings and sync records
survive a disconnect (R-C2): they belong to the row, and :func:`disconnect` only clears tokens. Choosing a
*different* organisation on a row that already has bindings is refused unless asked for explicitly,
because every external id on that row would then point into the wrong books.

URL layout. Real Xero splits its hosts: consent at ``login.xero.com/identity/connect/authorize``, tokens
at ``identity.xero.com/connect/token``, tenants at ``api.xero.com/connections``. A Connection stores
``identity_base_url`` and ``api_base_url`` (``.../api.xro/2.0``); the authorize URL comes from
``settings["authorize_url"]``, else is derived (the real host maps to login.xero.com; a sandbox, which stands in
for every host at one base, serves it at Xero's path ``/identity/connect/authorize`` under that base).

The protocol and the refresh lock are package-neutral and live in :mod:`ledgerbridge.connectors.oauth`, what is
kept on the row the same way for every package in :mod:`ledgerbridge.connectors.connection_auth`. :func:`health`
reads back what the client records on the row (token expiry, calls left, last success and error).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from functools import partial
from typing import Any
from urllib.parse import urlparse

import httpx
from sqlalchemy.orm import Session, sessionmaker

from ledgerbridge.audit.trail import audit
from ledgerbridge.connectors import connection_auth, oauth
from ledgerbridge.connectors.health import connection_health
from ledgerbridge.connectors.oauth import ConsentError, OAuthEndpoints
from ledgerbridge.packages.xero.limits import XERO_LIMITS
from ledgerbridge.security.crypto import TokenCipher, TokenDecryptionError, default_cipher
from ledgerbridge.security.redact import redact_text
from ledgerbridge.store.db import utcnow
from ledgerbridge.store.models.sync import Connection

__all__ = [
    "DEFAULT_SCOPES", "REFUSED_REFRESH_MESSAGE", "Tenant", "authorize_url_for", "begin_consent", "choose_tenant",
    "complete_consent", "connections_url", "disconnect", "ensure_fresh_access_token", "fresh_access_token",
    "health", "list_tenants", "xero_endpoints",
]

DEFAULT_SCOPES = "offline_access accounting.transactions accounting.contacts accounting.settings"
REAL_IDENTITY_HOST = "identity.xero.com"
REAL_AUTHORIZE_URL = "https://login.xero.com/identity/connect/authorize"
REFUSED_REFRESH_MESSAGE = "Xero refused the saved refresh token: disconnect and connect again"
API_PATH = "/api.xro/2.0"
HTTP_TIMEOUT = httpx.Timeout(15.0, connect=5.0)
#: Xero drops a refresh token unused for 60 days; warn well before.
REFRESH_WARNING_DAYS = 50
REFRESH_LIFETIME_DAYS = 60


@dataclass(frozen=True, slots=True)
class Tenant:
    """One organisation the user allowed: ``id`` is Xero's connection id (used to disconnect)."""

    id: str
    tenant_id: str
    tenant_name: str
    tenant_type: str = "ORGANISATION"
    auth_event_id: str | None = None

    @classmethod
    def from_json(cls, raw: Mapping[str, Any]) -> Tenant:
        return cls(id=str(raw.get("id", "")), tenant_id=str(raw["tenantId"]),
                   tenant_name=str(raw.get("tenantName") or ""), tenant_type=str(raw.get("tenantType") or ""),
                   auth_event_id=raw.get("authEventId"))


# -- where things are ---------------------------------------------------------------------------------

def authorize_url_for(connection: Connection) -> str:
    configured = (connection.settings or {}).get("authorize_url")
    if configured:
        return str(configured)
    identity = connection.identity_base_url.rstrip("/")
    if urlparse(identity).hostname == REAL_IDENTITY_HOST:
        return REAL_AUTHORIZE_URL
    return f"{identity}/identity/connect/authorize"


def xero_endpoints(connection: Connection) -> OAuthEndpoints:
    identity = connection.identity_base_url.rstrip("/")
    return OAuthEndpoints(authorize_url=authorize_url_for(connection), token_url=f"{identity}/connect/token",
                          revocation_url=f"{identity}/connect/revocation")


def connections_url(connection: Connection) -> str:
    """``/connections`` lives at the API host's root, beside ``/api.xro/2.0``."""
    base = connection.api_base_url.rstrip("/")
    return f"{base.removesuffix(API_PATH)}/connections"


# -- consent ----------------------------------------------------------------------------------------

def begin_consent(session: Session, connection: Connection, *, cipher: TokenCipher | None = None,
                  now: datetime | None = None) -> str:
    """The URL to send the user to; the pending ``state`` is added to the session (the caller commits)."""
    return connection_auth.begin_consent(session, connection, xero_endpoints(connection), DEFAULT_SCOPES,
                                         cipher or default_cipher(), now or utcnow())


def complete_consent(session: Session, connection: Connection,
                     callback: str | Mapping[str, str] | tuple[str, str], *,
                     transport: httpx.BaseTransport | None = None, cipher: TokenCipher | None = None,
                     now: datetime | None = None) -> list[Tenant]:
    """Check the callback, store the tokens (encrypted) and list the organisations allowed (caller commits)."""
    now = now or utcnow()
    cipher = cipher or default_cipher()
    code, state = oauth.parse_callback(callback)
    pending = connection_auth.take_pending_state(session, connection, state, now)
    tokens = connection_auth.store_tokens(connection, xero_endpoints(connection), code, pending, cipher, transport,
                                          now)
    if connection.status != "connected" or connection.package_connection_id is None:
        connection.status = "authorised"  # tokens held, organisation not chosen yet
    session.flush()
    tenants = list_tenants(connection, tokens.access_token, transport=transport)
    audit(session, connection, "system", "xero_consent", outcome="ok",
          detail=f"{len(tenants)} organisation(s) allowed: " + ", ".join(t.tenant_name for t in tenants))
    return tenants


def list_tenants(connection: Connection, access_token: str, *,
                 transport: httpx.BaseTransport | None = None) -> list[Tenant]:
    with httpx.Client(transport=transport, timeout=HTTP_TIMEOUT) as http:
        response = http.get(connections_url(connection), headers={"Authorization": f"Bearer {access_token}",
                                                                  "Accept": "application/json"})
    if response.status_code != 200:
        raise ConsentError(f"Xero did not list the organisations (HTTP {response.status_code}): "
                           f"{redact_text(response.text[:300])}")
    return [Tenant.from_json(raw) for raw in response.json() if raw.get("tenantType", "ORGANISATION") != "PRACTICE"]


def choose_tenant(session: Session, connection: Connection, tenant_id: str, *,
                  transport: httpx.BaseTransport | None = None, cipher: TokenCipher | None = None,
                  allow_other_organisation: bool = False, now: datetime | None = None) -> Tenant:
    """Bind the connection to one allowed organisation and mark it connected (the caller commits)."""
    access = connection_auth.consent_access_token(connection, cipher or default_cipher(), now or utcnow())
    tenant = next((t for t in list_tenants(connection, access, transport=transport) if t.tenant_id == tenant_id),
                  None)
    if tenant is None:
        raise ConsentError("that organisation was not allowed in this consent: choose one from the list")
    connection_auth.refuse_other_books(session, connection, tenant_id, tenant.tenant_name,
                                       allow_other_organisation=allow_other_organisation, noun="organisation")
    connection_auth.bind_company(connection, tenant.tenant_id, tenant.tenant_name, tenant.id)
    audit(session, connection, "system", "xero_choose_tenant", outcome="ok", detail=tenant.tenant_name)
    return tenant


def disconnect(session: Session, connection: Connection, *, transport: httpx.BaseTransport | None = None,
               cipher: TokenCipher | None = None) -> list[str]:
    """Revoke and forget the tokens; keep every binding and sync record (R-C2). Returns what Xero refused.

    The local disconnect always happens: a user who cannot reach Xero must still be able to reset.
    """
    cipher = cipher or default_cipher()
    try:
        problems = _tell_xero_we_are_leaving(connection, cipher, transport)
    except TokenDecryptionError:
        problems = ["the stored tokens could not be decrypted (was the secret key changed?): Xero was not told"]
    return connection_auth.forget_tokens(session, connection, cipher, "xero_disconnect", problems)


def _tell_xero_we_are_leaving(connection: Connection, cipher: TokenCipher,
                              transport: httpx.BaseTransport | None) -> list[str]:
    """Remove the tenant connection and revoke the refresh token; what Xero refused, as messages."""
    problems: list[str] = []
    config = oauth.client_config_of(connection, cipher)
    access = oauth.decrypt_access_token(connection, cipher)
    refresh = cipher.decrypt_optional(connection.refresh_token_enc)
    if access and connection.package_connection_id:
        url = f"{connections_url(connection)}/{connection.package_connection_id}"
        try:
            with httpx.Client(transport=transport, timeout=HTTP_TIMEOUT) as http:
                response = http.delete(url, headers={"Authorization": f"Bearer {access}"})
            # A 401 (access token expired) is fine when we revoke next: revoking ends the tenant connections too.
            if response.status_code not in (200, 204, 404) and not (response.status_code == 401 and refresh):
                problems.append(f"Xero did not remove the connection (HTTP {response.status_code})")
        except httpx.HTTPError as exc:
            problems.append(f"could not reach Xero to remove the connection: {type(exc).__name__}")
    if refresh:
        try:
            if not oauth.revoke_token(xero_endpoints(connection), config, refresh, transport=transport):
                problems.append("Xero did not confirm that the refresh token was revoked")
        except httpx.HTTPError as exc:
            problems.append(f"could not reach Xero to revoke the token: {type(exc).__name__}")
    return problems


# -- the access token for API calls -------------------------------------------------------------------

def ensure_fresh_access_token(sessions: sessionmaker[Session], connection_id: int, *,
                              transport: httpx.BaseTransport | None = None, cipher: TokenCipher | None = None,
                              min_valid_seconds: float = 120.0, rejected_access_token: str | None = None,
                              now: Callable[[], datetime] = utcnow,
                              sleep: Callable[[float], None] = time.sleep) -> str:
    """A Xero access token valid for at least ``min_valid_seconds`` (see :func:`oauth.fresh_access_token`)."""
    return fresh_access_token(sessions, connection_id, transport=transport, cipher=cipher,
                              min_valid_seconds=min_valid_seconds, rejected_access_token=rejected_access_token,
                              now=now, sleep=sleep)[0]


#: Like :func:`ensure_fresh_access_token`, with the token's expiry (so a client can cache it).
fresh_access_token = partial(oauth.fresh_access_token, endpoints_for=xero_endpoints,
                             refused_message=REFUSED_REFRESH_MESSAGE)


# -- connection health (R-C3) -------------------------------------------------------------------------

def health(session: Session, connection: Connection, *, now: datetime | None = None) -> dict[str, Any]:
    """What the connection-health panel shows (R-C3)."""
    return connection_health(connection, package="Xero", limits=XERO_LIMITS, warning_days=REFRESH_WARNING_DAYS,
                             lifetime_days=REFRESH_LIFETIME_DAYS, has_day_limit=True, now=now)
