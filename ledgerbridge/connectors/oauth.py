"""OAuth 2.0 authorization-code flow and rotating refresh tokens, for any package (R-C1).

The protocol pieces come from Authlib (authorization URL, PKCE S256, the token requests and client
authentication), driven through our own ``httpx.Client`` so the transport stays the seam where a sandbox
or a test plugs in. We use Authlib's HTTP-library-neutral ``OAuth2Client`` rather than its httpx
integration, which is moving to ``httpx2`` and would hand us a second HTTP stack.

What Authlib does not do, and this module does, is keep tokens safe across processes:

* tokens are stored encrypted (:mod:`ledgerbridge.security.crypto`) and registered with
  :mod:`ledgerbridge.security.redact`;
* :func:`fresh_access_token` refreshes **one at a time per connection**: an in-process lock plus
  a database write lock (PostgreSQL ``SELECT ... FOR UPDATE``; SQLite ``BEGIN IMMEDIATE``), then a
  re-read of the row, because another worker may have refreshed already. The rotated refresh token is
  committed **before** the new access token is handed out, so a crash after the refresh can never leave
  the database holding a refresh token the package has already retired;
* a lost refresh answer (timeout, 5xx) is retried with the *same* old refresh token, which packages
  with rotation accept for a grace period (Xero: 30 minutes);
* ``invalid_grant`` marks the connection ``reauthorise`` with a message that tells the user what to do
  (the wording and the URLs come from the connector, e.g. :mod:`ledgerbridge.packages.xero.auth`).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Collection, Generator, Iterator, Mapping
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import parse_qsl, urlparse

import httpx
from authlib.common.errors import AuthlibBaseError
from authlib.common.security import generate_token
from authlib.oauth2.auth import ClientAuth
from authlib.oauth2.client import OAuth2Client as _AuthlibClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

import ledgerbridge.store.models  # noqa: F401  (every table, so that foreign keys resolve in any process)
from ledgerbridge.connectors.retry import RetryDecision, RetryPolicy, classify_exception, classify_response
from ledgerbridge.security.crypto import TokenCipher, TokenDecryptionError, default_cipher
from ledgerbridge.security.redact import forget_secret, redact_text, register_secret
from ledgerbridge.store.db import utcnow, write_locked_scope
from ledgerbridge.store.models.sync import Connection

__all__ = [
    "ConsentError", "ConsentRequest", "OAuthClientConfig", "OAuthEndpoints", "OAuthFlowError",
    "ReauthorisationRequired", "TokenEndpointUnreachable", "TokenRequestRefused", "TokenSet", "clear_tokens",
    "client_config_of", "decrypt_access_token", "exchange_code", "fresh_access_token", "locked_connection",
    "parse_callback", "refresh_tokens", "revoke_token", "save_tokens", "start_consent",
]

TOKEN_TIMEOUT = httpx.Timeout(10.0, connect=5.0)
REFRESH_POLICY = RetryPolicy(max_attempts=3, base_delay=0.5, max_delay=5.0, max_wait=30.0)


class OAuthFlowError(Exception):
    """Base class of every failure of the consent or token flow."""


class ConsentError(OAuthFlowError):
    """The consent callback cannot be trusted or was declined (bad state, ``access_denied``, no code)."""


class TokenRequestRefused(OAuthFlowError):
    """The token endpoint answered with an OAuth error such as ``invalid_grant``."""

    def __init__(self, error: str, description: str = "") -> None:
        super().__init__(f"{error}: {description}" if description else error)
        self.error = error
        self.description = description


class TokenEndpointUnreachable(OAuthFlowError):
    """No usable answer from the token endpoint after retries (timeouts, 5xx, 429)."""

    def __init__(self, decision: RetryDecision) -> None:
        super().__init__(decision.reason)
        self.decision = decision


class ReauthorisationRequired(OAuthFlowError):
    """The connection has no usable refresh token: the user must disconnect and connect again."""


@dataclass(frozen=True, slots=True)
class OAuthEndpoints:
    authorize_url: str
    token_url: str
    revocation_url: str | None = None
    #: How the client id and secret reach the token endpoint: HTTP Basic (RFC 6749's default: Xero, Intuit), or
    #: ``client_secret_post`` (in the form body, as MYOB wants them).
    client_auth: str = "client_secret_basic"


@dataclass(frozen=True, slots=True)
class OAuthClientConfig:
    client_id: str
    client_secret: str
    redirect_uri: str
    scope: str


@dataclass(frozen=True, slots=True)
class TokenSet:
    access_token: str
    refresh_token: str | None
    expires_at: datetime
    scope: str = ""

    @classmethod
    def from_payload(cls, payload: Mapping[str, Any], now: datetime) -> TokenSet:
        access = payload.get("access_token")
        if not isinstance(access, str) or not access:
            raise TokenRequestRefused("invalid_response", "the token endpoint returned no access_token")
        return cls(access_token=access, refresh_token=payload.get("refresh_token"),
                   expires_at=now + timedelta(seconds=int(payload.get("expires_in") or 1800)),
                   scope=str(payload.get("scope") or ""))


@dataclass(frozen=True, slots=True)
class ConsentRequest:
    url: str
    state: str
    code_verifier: str  # kept server-side (OAuthState); only its S256 challenge is in the URL


# -- Authlib, driven through httpx ------------------------------------------------------------------

class _HttpxClientAuth(httpx.Auth, ClientAuth):
    """Authlib's client authentication (Basic by default) as an ``httpx.Auth``."""

    requires_request_body = True

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        url, headers, body = self.prepare(  # type: ignore[no-untyped-call]  # unannotated in types-Authlib
            request.method, str(request.url), dict(request.headers), request.content.decode("utf-8"))
        # The body may have grown (``client_secret_post`` adds the client's id and secret to it): one length only.
        headers = {k: v for k, v in headers.items() if k.lower() != "content-length"}
        headers["Content-Length"] = str(len(body))
        yield httpx.Request(request.method, url, headers=headers, content=body, extensions=request.extensions)


class _AuthlibRefusal(AuthlibBaseError):
    """Raised by Authlib when the token response carries ``error``."""


class _HttpFailure(Exception):
    """A token-endpoint answer that is not an OAuth error (5xx, 429, an HTML page): classified by retry.py."""

    def __init__(self, response: httpx.Response) -> None:
        super().__init__(f"HTTP {response.status_code}")
        self.response = response


def _reject_non_oauth_failures(response: httpx.Response) -> httpx.Response:
    """Authlib would read a 429 or a gateway's JSON page as a token; classify those ourselves."""
    status = response.status_code
    if status >= 400:
        response.read()
        try:
            oauth_error = isinstance(body := response.json(), dict) and "error" in body
        except ValueError:
            oauth_error = False
        if not oauth_error or status >= 500 or status == 429:
            raise _HttpFailure(response)
    return response


class _ProtocolClient(_AuthlibClient):
    client_auth_class = _HttpxClientAuth
    # The stubs ask for an OAuth2Error; Authlib only raises it as ``cls(error=..., description=...)``, which
    # AuthlibBaseError takes as well (and ``_token_request`` reads only those two).
    oauth_error_class = _AuthlibRefusal  # type: ignore[assignment]


@contextmanager
def _protocol_client(config: OAuthClientConfig, transport: httpx.BaseTransport | None,
                     client_auth: str = "client_secret_basic") -> Iterator[_ProtocolClient]:
    with httpx.Client(transport=transport, timeout=TOKEN_TIMEOUT) as http:
        client = _ProtocolClient(http, client_id=config.client_id, client_secret=config.client_secret,
                                 token_endpoint_auth_method=client_auth, redirect_uri=config.redirect_uri,
                                 code_challenge_method="S256")
        client.register_compliance_hook("access_token_response", _reject_non_oauth_failures)
        client.register_compliance_hook("refresh_token_response", _reject_non_oauth_failures)
        yield client


def _token_request(call: Callable[[], Mapping[str, Any]], attempt: int) -> Mapping[str, Any] | RetryDecision:
    try:
        return call()
    except _AuthlibRefusal as exc:
        raise TokenRequestRefused(str(exc.error), redact_text(str(exc.description or ""))) from None
    except _HttpFailure as exc:
        resp = exc.response
        decision = classify_response(resp.status_code, resp.headers, resp.text, attempt=attempt,
                                     policy=REFRESH_POLICY)
        if decision.failure_type == "retriable":
            return decision
        raise TokenRequestRefused(f"http_{resp.status_code}", redact_text(resp.text[:500])) from None
    except httpx.HTTPError as exc:
        decision = classify_exception(exc, attempt=attempt, policy=REFRESH_POLICY)
        if decision.failure_type == "retriable":
            return decision
        raise TokenEndpointUnreachable(decision) from exc


# -- the consent flow --------------------------------------------------------------------------------

def start_consent(endpoints: OAuthEndpoints, config: OAuthClientConfig) -> ConsentRequest:
    """An authorization URL with a fresh ``state`` and a PKCE (S256) verifier."""
    state, verifier = generate_token(32), generate_token(64)
    client = _ProtocolClient(None, client_id=config.client_id, client_secret=config.client_secret,
                             scope=config.scope, redirect_uri=config.redirect_uri, code_challenge_method="S256")
    url, _ = client.create_authorization_url(endpoints.authorize_url, state=state, code_verifier=verifier)
    return ConsentRequest(url=url, state=state, code_verifier=verifier)


def parse_callback(callback: str | Mapping[str, str] | tuple[str, str]) -> tuple[str, str]:
    """``(code, state)`` from the redirect URL, its query string, its parameters, or the pair itself."""
    params: Mapping[str, str]
    if isinstance(callback, tuple):
        params = {"code": callback[0], "state": callback[1]}
    elif isinstance(callback, str):
        query = urlparse(callback).query if "://" in callback else callback.lstrip("?")
        params = dict(parse_qsl(query))
    else:
        params = callback
    if params.get("error"):
        raise ConsentError(f"consent was not given: {params['error']} {params.get('error_description', '')}".strip())
    code, state = params.get("code"), params.get("state")
    if not code or not state:
        raise ConsentError("the consent callback carries no code or no state")
    return code, state


def exchange_code(endpoints: OAuthEndpoints, config: OAuthClientConfig, code: str, code_verifier: str, *,
                  transport: httpx.BaseTransport | None = None, now: datetime | None = None) -> TokenSet:
    """Trade an authorization code for tokens (once: a code cannot be replayed, so no retry)."""
    with _protocol_client(config, transport, endpoints.client_auth) as client:
        result = _token_request(lambda: client.fetch_token(endpoints.token_url, grant_type="authorization_code",
                                                           code=code, code_verifier=code_verifier,
                                                           redirect_uri=config.redirect_uri),
                                 attempt=REFRESH_POLICY.max_attempts)
    if isinstance(result, RetryDecision):
        raise TokenEndpointUnreachable(result)
    return TokenSet.from_payload(result, now or utcnow())


def refresh_tokens(endpoints: OAuthEndpoints, config: OAuthClientConfig, refresh_token: str, *,
                   transport: httpx.BaseTransport | None = None, now: Callable[[], datetime] = utcnow,
                   sleep: Callable[[float], None] = time.sleep) -> TokenSet:
    """Refresh, retrying a lost answer with the same refresh token (the package's grace period allows it)."""
    with _protocol_client(config, transport, endpoints.client_auth) as client:
        attempt = 0
        while True:
            attempt += 1
            result = _token_request(lambda: client.refresh_token(endpoints.token_url, refresh_token=refresh_token),
                                    attempt)
            if not isinstance(result, RetryDecision):
                tokens = TokenSet.from_payload(result, now())
                if tokens.refresh_token is None:  # no rotation: keep using the one we have
                    tokens = TokenSet(tokens.access_token, refresh_token, tokens.expires_at, tokens.scope)
                return tokens
            if not result.retry or result.exceeds(REFRESH_POLICY.max_wait):
                raise TokenEndpointUnreachable(result)
            sleep(result.delay_seconds)


def revoke_token(endpoints: OAuthEndpoints, config: OAuthClientConfig, token: str, *,
                 token_type_hint: str = "refresh_token", transport: httpx.BaseTransport | None = None) -> bool:
    """Ask the package to revoke ``token``; True when it said yes (2xx)."""
    if not endpoints.revocation_url:
        return False
    with _protocol_client(config, transport, endpoints.client_auth) as client:
        answer = client.revoke_token(  # type: ignore[no-untyped-call]  # unannotated in types-Authlib
            endpoints.revocation_url, token=token, token_type_hint=token_type_hint)
        return bool(answer.is_success)


# -- tokens on the connection row -------------------------------------------------------------------

def client_config_of(connection: Connection, cipher: TokenCipher) -> OAuthClientConfig:
    secret = cipher.decrypt(connection.client_secret_enc)
    register_secret(secret)
    return OAuthClientConfig(connection.client_id, secret, connection.redirect_uri, connection.scopes)


def save_tokens(connection: Connection, tokens: TokenSet, cipher: TokenCipher, now: datetime) -> None:
    """Store a token set encrypted and bump the generation (the caller commits)."""
    register_secret(tokens.access_token)
    register_secret(tokens.refresh_token)
    old_refresh = connection.refresh_token_enc
    connection.access_token_enc = cipher.encrypt(tokens.access_token)
    connection.access_expires_at = tokens.expires_at
    if tokens.refresh_token is not None:
        connection.refresh_token_enc = cipher.encrypt(tokens.refresh_token)
        if old_refresh is None or cipher.decrypt(old_refresh) != tokens.refresh_token:
            connection.refresh_obtained_at = now
    connection.token_generation = (connection.token_generation or 0) + 1


def clear_tokens(connection: Connection, cipher: TokenCipher) -> None:
    for enc in (connection.access_token_enc, connection.refresh_token_enc):
        with suppress(TokenDecryptionError):  # a changed key must not stop a user from disconnecting
            forget_secret(cipher.decrypt_optional(enc))
    connection.access_token_enc = connection.refresh_token_enc = None
    connection.access_expires_at = connection.refresh_obtained_at = None
    connection.token_generation = (connection.token_generation or 0) + 1


def decrypt_access_token(connection: Connection, cipher: TokenCipher) -> str | None:
    register_secret(token := cipher.decrypt_optional(connection.access_token_enc))
    return token


# -- one refresh at a time --------------------------------------------------------------------------

_process_locks: dict[tuple[str, int], threading.Lock] = {}
_process_locks_guard = threading.Lock()


def _process_lock(sessions: sessionmaker[Session], connection_id: int) -> threading.Lock:
    """One lock per database and connection, so threads queue here instead of busy-waiting on the database."""
    bind = sessions.kw.get("bind")
    key = (bind.url.render_as_string(hide_password=True) if bind is not None else str(id(sessions)), connection_id)
    with _process_locks_guard:
        return _process_locks.setdefault(key, threading.Lock())


@contextmanager
def locked_connection(sessions: sessionmaker[Session], connection_id: int) -> Iterator[tuple[Session, Connection]]:
    """The connection row under a write lock, in a transaction committed on a clean exit."""
    with _process_lock(sessions, connection_id), write_locked_scope(sessions) as session:
        query = select(Connection).where(Connection.id == connection_id)
        if session.get_bind().dialect.name != "sqlite":  # SQLite's whole database is locked already
            query = query.with_for_update()
        yield session, session.execute(query.execution_options(populate_existing=True)).scalar_one()


#: OAuth errors only a person can fix; ``invalid_grant`` gets the connector's own wording.
_NEEDS_USER = {"invalid_client": "the package refused the app's client id or secret: check them",
               "unauthorized_client": "the package does not allow this app to refresh: check the app's settings"}


def _usable_access_token(connection: Connection, cipher: TokenCipher, now: datetime, min_valid: float,
                         rejected: str | None) -> str | None:
    expires = connection.access_expires_at
    if connection.access_token_enc is None or expires is None or (expires - now).total_seconds() <= min_valid:
        return None
    token = decrypt_access_token(connection, cipher)
    return None if token == rejected else token


def fresh_access_token(sessions: sessionmaker[Session], connection_id: int, *,
                       endpoints_for: Callable[[Connection], OAuthEndpoints], refused_message: str,
                       cipher: TokenCipher | None = None, transport: httpx.BaseTransport | None = None,
                       min_valid_seconds: float = 120.0, rejected_access_token: str | None = None,
                       now: Callable[[], datetime] = utcnow, sleep: Callable[[float], None] = time.sleep,
                       reconnect_errors: Collection[str] = ("invalid_grant",)) -> tuple[str, datetime]:
    """``(access token, expiry)``, refreshing (once, for every worker) when it expires within ``min_valid_seconds``.

    ``rejected_access_token`` is the token a package just answered 401 to: it is never handed back.
    ``reconnect_errors``: the OAuth errors by which the package says the refresh token is spent (``invalid_grant``;
    MYOB also answers ``invalid_request``): the connection is then marked for reconnecting, with ``refused_message``.
    """
    cipher = cipher or default_cipher()
    with sessions() as session:
        row = session.get(Connection, connection_id)
        if row is None:
            raise ReauthorisationRequired(f"connection {connection_id} does not exist")
        if (token := _usable_access_token(row, cipher, now(), min_valid_seconds, rejected_access_token)) is not None:
            return token, row.access_expires_at  # type: ignore[return-value]  # set when a token is usable
    with locked_connection(sessions, connection_id) as (session, connection):
        # Another worker may have refreshed while we waited for the lock: use its token.
        token = _usable_access_token(connection, cipher, now(), min_valid_seconds, rejected_access_token)
        if token is not None:
            return token, connection.access_expires_at  # type: ignore[return-value]
        if connection.refresh_token_enc is None or connection.status in ("disconnected", "reauthorise"):
            raise ReauthorisationRequired(connection.last_error or "the connection is not connected: connect it")
        old_refresh = cipher.decrypt(connection.refresh_token_enc)
        register_secret(old_refresh)
        try:
            tokens = refresh_tokens(endpoints_for(connection), client_config_of(connection, cipher), old_refresh,
                                    transport=transport, now=now, sleep=sleep)
        except TokenRequestRefused as exc:
            if exc.error not in reconnect_errors and exc.error not in _NEEDS_USER:
                raise
            connection.status = "reauthorise"
            connection.last_error = f"{_NEEDS_USER.get(exc.error, refused_message)} ({exc.error})"
            connection.last_error_at = now()
            session.commit()
            raise ReauthorisationRequired(connection.last_error) from exc
        save_tokens(connection, tokens, cipher, now())
        # Leaving the block commits: the rotated refresh token is durable before anyone uses the new access token.
    return tokens.access_token, tokens.expires_at
