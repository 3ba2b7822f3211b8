"""Connecting to QuickBooks Online: Intuit's authorization-code flow, the company (realm), disconnect, health.

Unlike Xero, Intuit names the one company the user chose in the consent redirect (``realmId``); there is no list
of tenants to fetch. :func:`complete_consent` keeps that realm as the pending choice and returns it (with the
company's name) as the only :class:`Realm`; :func:`choose_tenant` binds the connection to it. Token refresh goes
through :func:`ledgerbridge.connectors.oauth.fresh_access_token`: Intuit rolls refresh tokens, and the new one is
committed before the new access token is used.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from functools import partial
from typing import Any
from urllib.parse import urlparse

import httpx
from sqlalchemy.orm import Session

from ledgerbridge.audit.trail import audit
from ledgerbridge.connectors import connection_auth, oauth
from ledgerbridge.connectors.company_in_redirect import ChosenCompany, CompanyInRedirect
from ledgerbridge.connectors.health import connection_health
from ledgerbridge.connectors.oauth import ConsentError, OAuthEndpoints
from ledgerbridge.packages.qbo.limits import QBO_LIMITS
from ledgerbridge.security.crypto import TokenCipher, TokenDecryptionError, default_cipher
from ledgerbridge.security.redact import redact_text
from ledgerbridge.store.db import utcnow
from ledgerbridge.store.models.sync import Connection

DEFAULT_SCOPES = "com.intuit.quickbooks.accounting"
REAL_IDENTITY_HOST = "oauth.platform.intuit.com"
REAL_AUTHORIZE_URL = "https://appcenter.intuit.com/connect/oauth2"
REAL_REVOKE_URL = "https://developer.api.intuit.com/v2/oauth2/tokens/revoke"
REFUSED_REFRESH_MESSAGE = "QuickBooks refused the saved refresh token: disconnect and connect again"
MINOR_VERSION = "75"
HTTP_TIMEOUT = httpx.Timeout(15.0, connect=5.0)
#: Intuit's refresh tokens lapse 100 days after their last use; warn well before.
REFRESH_WARNING_DAYS = 80
REFRESH_LIFETIME_DAYS = 100
PENDING_REALM = "qbo_pending_realm"
REALM_IN_REDIRECT = CompanyInRedirect("QuickBooks", "realmId", PENDING_REALM, "company")
#: The company a consent allows: ``tenant_id`` is Intuit's realmId.
Realm = ChosenCompany


def qbo_endpoints(connection: Connection) -> OAuthEndpoints:
    identity = connection.identity_base_url.rstrip("/")
    settings = connection.settings or {}
    real = urlparse(identity).hostname == REAL_IDENTITY_HOST
    authorize = str(settings.get("authorize_url") or (REAL_AUTHORIZE_URL if real else f"{identity}/connect/oauth2"))
    return OAuthEndpoints(authorize_url=authorize, token_url=f"{identity}/oauth2/v1/tokens/bearer",
                          revocation_url=REAL_REVOKE_URL if real else f"{identity}/oauth2/v1/tokens/revoke")


def company_url(connection: Connection, realm_id: str) -> str:
    return f"{connection.api_base_url.rstrip('/')}/{realm_id}"


# -- consent ----------------------------------------------------------------------------------------

def begin_consent(session: Session, connection: Connection, *, cipher: TokenCipher | None = None,
                  now: datetime | None = None) -> str:
    """The URL to send the user to; the pending ``state`` is added to the session (the caller commits)."""
    return connection_auth.begin_consent(session, connection, qbo_endpoints(connection), DEFAULT_SCOPES,
                                         cipher or default_cipher(), now or utcnow())


def complete_consent(session: Session, connection: Connection,
                     callback: str | Mapping[str, str] | tuple[str, str], *,
                     transport: httpx.BaseTransport | None = None, cipher: TokenCipher | None = None,
                     now: datetime | None = None) -> list[Realm]:
    """Check the callback, store the tokens (encrypted) and return the company the user chose (caller commits)."""
    realm_id, tokens = REALM_IN_REDIRECT.complete_consent(
        session, connection, callback, qbo_endpoints(connection), cipher=cipher or default_cipher(),
        transport=transport, now=now or utcnow())
    realm = Realm(realm_id, company_name(connection, realm_id, tokens.access_token, transport=transport), realm_id)
    audit(session, connection, "system", "qbo_consent", outcome="ok", detail=f"company {realm.tenant_name}")
    return [realm]


def company_name(connection: Connection, realm_id: str, access_token: str, *,
                 transport: httpx.BaseTransport | None = None) -> str:
    with httpx.Client(transport=transport, timeout=HTTP_TIMEOUT) as http:
        response = http.get(f"{company_url(connection, realm_id)}/companyinfo/{realm_id}",
                            params={"minorversion": MINOR_VERSION},
                            headers={"Authorization": f"Bearer {access_token}", "Accept": "application/json"})
    if response.status_code != 200:
        raise ConsentError(f"QuickBooks did not show the company (HTTP {response.status_code}): "
                           f"{redact_text(response.text[:300])}")
    info = response.json().get("CompanyInfo") or {}
    return str(info.get("CompanyName") or realm_id)


def choose_tenant(session: Session, connection: Connection, tenant_id: str, *,
                  transport: httpx.BaseTransport | None = None, cipher: TokenCipher | None = None,
                  allow_other_organisation: bool = False, now: datetime | None = None) -> Realm:
    """Bind the connection to the company of the consent and mark it connected (the caller commits)."""
    name = REALM_IN_REDIRECT.choose(
        session, connection, tenant_id,
        lambda realm_id, access: company_name(connection, realm_id, access, transport=transport),
        cipher=cipher or default_cipher(), allow_other_organisation=allow_other_organisation, now=now or utcnow())
    audit(session, connection, "system", "qbo_choose_company", outcome="ok", detail=name)
    return Realm(tenant_id, name, tenant_id)


def disconnect(session: Session, connection: Connection, *, transport: httpx.BaseTransport | None = None,
               cipher: TokenCipher | None = None) -> list[str]:
    """Revoke and forget the tokens; keep every binding and sync record. Returns what Intuit refused."""
    cipher = cipher or default_cipher()
    problems: list[str] = []
    try:
        refresh = cipher.decrypt_optional(connection.refresh_token_enc)
        if refresh:
            try:
                if not revoke(connection, refresh, cipher, transport=transport):
                    problems.append("QuickBooks did not confirm that the refresh token was revoked")
            except httpx.HTTPError as exc:
                problems.append(f"could not reach QuickBooks to revoke the token: {type(exc).__name__}")
    except TokenDecryptionError:
        problems.append("the stored tokens could not be decrypted (was the secret key changed?): QuickBooks was "
                        "not told")
    return connection_auth.forget_tokens(session, connection, cipher, "qbo_disconnect", problems)


def revoke(connection: Connection, token: str, cipher: TokenCipher, *,
           transport: httpx.BaseTransport | None = None) -> bool:
    """Intuit's revoke takes JSON ``{"token"}`` with HTTP Basic client auth (not RFC 7009's form body)."""
    config = oauth.client_config_of(connection, cipher)
    url = qbo_endpoints(connection).revocation_url or ""
    with httpx.Client(transport=transport, timeout=HTTP_TIMEOUT) as http:
        response = http.post(url, json={"token": token}, auth=(config.client_id, config.client_secret),
                             headers={"Accept": "application/json"})
    return response.is_success


#: ``(access token, expiry)`` for ``(sessions, connection_id, **options)``: a rolled refresh token is committed
#: before the access token is returned.
fresh_access_token = partial(oauth.fresh_access_token, endpoints_for=qbo_endpoints,
                             refused_message=REFUSED_REFRESH_MESSAGE)


def health(session: Session, connection: Connection, *, now: datetime | None = None) -> dict[str, Any]:
    """What the connection-health panel shows (R-C3)."""
    return connection_health(connection, package="QuickBooks", limits=QBO_LIMITS, warning_days=REFRESH_WARNING_DAYS,
                             lifetime_days=REFRESH_LIFETIME_DAYS, has_day_limit=False, now=now)
