"""Connecting to MYOB Business: OAuth 2.0 authorisation code with the 2025 ``sme-*`` scopes, the business
(company file) named in the redirect, disconnect and health.

As with Intuit's realm, MYOB's consent is for one business, and the redirect names it (``businessId``, sent when
the consent page is asked with ``prompt=consent``): :func:`complete_consent` keeps it as the pending choice and
returns it (with the company file's name) as the only :class:`Business`; :func:`choose_tenant` binds the connection
to it, and every call goes to ``{api}/{businessId}/...``. MYOB differs from Xero and Intuit in three ways here:

* the client id and secret go in the token request's form body (``client_secret_post``), not in HTTP Basic;
* access tokens live 20 minutes (``expires_in`` 1200); the client refreshes 60 s before expiry (as MYOB's SDK),
  through :func:`ledgerbridge.connectors.oauth.fresh_access_token`, which commits the rotated refresh token before
  the new access token is used;
* a spent refresh token is answered ``invalid_grant`` or ``invalid_request`` (MYOB SDK issue #192): both mark the
  connection "reconnect needed".

MYOB has no token revocation endpoint: disconnecting forgets the tokens here (the user removes the app's access in
my.MYOB), and keeps every binding (R-C2).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from functools import partial
from typing import Any
from urllib.parse import urlencode

import httpx
from sqlalchemy.orm import Session

from ledgerbridge.audit.trail import audit
from ledgerbridge.connectors import connection_auth, oauth
from ledgerbridge.connectors.company_in_redirect import ChosenCompany, CompanyInRedirect
from ledgerbridge.connectors.health import connection_health
from ledgerbridge.connectors.oauth import ConsentError, OAuthEndpoints
from ledgerbridge.packages.myob.limits import MYOB_LIMITS
from ledgerbridge.security.crypto import TokenCipher, default_cipher
from ledgerbridge.security.redact import redact_text
from ledgerbridge.store.db import utcnow
from ledgerbridge.store.models.sync import Connection

#: What the engine needs (myob.md §3): the company file and its preferences (whether transactions may be changed,
#: the lock date), customers and suppliers, sales, purchases, the ledger (accounts, tax codes, the financial year),
#: and items for Item-layout invoices.
DEFAULT_SCOPES = ("sme-company-file sme-company-settings sme-contacts-customer sme-contacts-supplier sme-sales "
                  "sme-purchases sme-general-ledger sme-inventory")
REAL_IDENTITY_HOST = "secure.myob.com"
REFUSED_REFRESH_MESSAGE = "MYOB refused the saved refresh token: reconnect needed (disconnect and connect again)"
API_VERSION = "v2"
HTTP_TIMEOUT = httpx.Timeout(15.0, connect=5.0)
#: MYOB's SDK refreshes an access token 60 s before it expires.
REFRESH_MARGIN_SECONDS = 60.0
#: MYOB publishes no refresh-token lifetime (one third party claims 365 days): warn after a long quiet spell.
REFRESH_WARNING_DAYS = 300
REFRESH_LIFETIME_DAYS = 365
PENDING_BUSINESS = "myob_pending_business"
BUSINESS_IN_REDIRECT = CompanyInRedirect("MYOB", "businessId", PENDING_BUSINESS, "business")
#: Both mean the refresh token is spent (MYOB answers ``invalid_request`` to a bad one).
RECONNECT_ERRORS = ("invalid_grant", "invalid_request")
#: The company file a consent allows: ``tenant_id`` is MYOB's businessId.
Business = ChosenCompany


def myob_endpoints(connection: Connection) -> OAuthEndpoints:
    identity = connection.identity_base_url.rstrip("/")
    settings = connection.settings or {}
    authorize = str(settings.get("authorize_url") or f"{identity}/oauth2/account/authorize")
    return OAuthEndpoints(authorize_url=authorize, token_url=f"{identity}/oauth2/v1/authorize",
                          client_auth="client_secret_post")


def business_url(connection: Connection, business_id: str) -> str:
    return f"{connection.api_base_url.rstrip('/')}/{business_id}"


def api_headers(connection: Connection, access_token: str) -> dict[str, str]:
    """The headers of every MYOB call: the token, the API key (= the OAuth client id) and the API version."""
    return {"Authorization": f"Bearer {access_token}", "x-myobapi-key": connection.client_id,
            "x-myobapi-version": API_VERSION, "Accept": "application/json"}


# -- consent ----------------------------------------------------------------------------------------

def begin_consent(session: Session, connection: Connection, *, cipher: TokenCipher | None = None,
                  now: datetime | None = None) -> str:
    """The URL to send the user to (the caller commits the pending ``state``). ``prompt=consent`` makes MYOB name
    the business in the redirect."""
    url = connection_auth.begin_consent(session, connection, myob_endpoints(connection), DEFAULT_SCOPES,
                                        cipher or default_cipher(), now or utcnow())
    return f"{url}{'&' if '?' in url else '?'}{urlencode({'prompt': 'consent'})}"


def complete_consent(session: Session, connection: Connection,
                     callback: str | Mapping[str, str] | tuple[str, str], *,
                     transport: httpx.BaseTransport | None = None, cipher: TokenCipher | None = None,
                     now: datetime | None = None) -> list[Business]:
    """Check the callback, store the tokens (encrypted) and return the business the user chose (caller commits)."""
    business_id, tokens = BUSINESS_IN_REDIRECT.complete_consent(
        session, connection, callback, myob_endpoints(connection), cipher=cipher or default_cipher(),
        transport=transport, now=now or utcnow())
    name = company_file_name(connection, business_id, tokens.access_token, transport=transport)
    audit(session, connection, "system", "myob_consent", outcome="ok", detail=f"business {name}")
    return [Business(business_id, name, business_id)]


def company_file_name(connection: Connection, business_id: str, access_token: str, *,
                      transport: httpx.BaseTransport | None = None) -> str:
    """The company file's name: ``GET {api}/{businessId}/`` answers ``{"CompanyFile": {"Name": ...}}``."""
    with httpx.Client(transport=transport, timeout=HTTP_TIMEOUT) as http:
        response = http.get(f"{business_url(connection, business_id)}/",
                            headers=api_headers(connection, access_token))
    if response.status_code != 200:
        raise ConsentError(f"MYOB did not show the business (HTTP {response.status_code}): "
                           f"{redact_text(response.text[:300])}")
    info = response.json().get("CompanyFile") or {}
    return str(info.get("Name") or business_id)


def choose_tenant(session: Session, connection: Connection, tenant_id: str, *,
                  transport: httpx.BaseTransport | None = None, cipher: TokenCipher | None = None,
                  allow_other_organisation: bool = False, now: datetime | None = None) -> Business:
    """Bind the connection to the business of the consent and mark it connected (the caller commits)."""
    name = BUSINESS_IN_REDIRECT.choose(
        session, connection, tenant_id,
        lambda business_id, access: company_file_name(connection, business_id, access, transport=transport),
        cipher=cipher or default_cipher(), allow_other_organisation=allow_other_organisation, now=now or utcnow())
    audit(session, connection, "system", "myob_choose_business", outcome="ok", detail=name)
    return Business(tenant_id, name, tenant_id)


def disconnect(session: Session, connection: Connection, *, transport: httpx.BaseTransport | None = None,
               cipher: TokenCipher | None = None) -> list[str]:
    """Forget the tokens; keep every binding and sync record. MYOB has no revocation endpoint, so nothing is
    refused: the user removes the app in my.MYOB if they want MYOB to forget it too."""
    return connection_auth.forget_tokens(session, connection, cipher or default_cipher(), "myob_disconnect", [])


#: ``(access token, expiry)`` for ``(sessions, connection_id, **options)``: a rotated refresh token is committed
#: before the access token is returned; ``invalid_grant`` and ``invalid_request`` mean "reconnect needed".
fresh_access_token = partial(oauth.fresh_access_token, endpoints_for=myob_endpoints,
                             refused_message=REFUSED_REFRESH_MESSAGE, reconnect_errors=RECONNECT_ERRORS)


def health(session: Session, connection: Connection, *, now: datetime | None = None) -> dict[str, Any]:
    """What the connection-health panel shows (R-C3)."""
    return connection_health(connection, package="MYOB", limits=MYOB_LIMITS, warning_days=REFRESH_WARNING_DAYS,
                             lifetime_days=REFRESH_LIFETIME_DAYS, has_day_limit=True, now=now)
