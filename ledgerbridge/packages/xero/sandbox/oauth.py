"""Xero's identity service without HTTP: consent, codes, tokens, refresh rotation and connections.

The behaviours that trip real integrations are reproduced on purpose (developer.xero.com/faq/oauth2):

* access tokens live 30 minutes;
* a refresh token is single-use: each refresh returns a new one.  The previous token may be replayed for a
  grace period (30 minutes) and then returns the *same* new pair, so a client that lost a response can
  recover; after that, or for an unknown token, the answer is ``invalid_grant``;
* refresh tokens unused for 60 days expire; only the ``offline_access`` scope gets one at all;
* connections belong to the app: disconnecting a tenant makes it unreachable for every token of the app
  until the user consents again, but the organisation's books are untouched.

Tokens are HS256 JWTs (as Xero's are JWTs) so that clients which peek into them find the usual claims, but
the sandbox validates them by look-up, never by signature alone.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from ledgerbridge.sandboxes.oauth import OAuthError as OAuthError  # re-exported; Xero's are all HTTP 400, the default

from .config import SandboxConfig
from .wire import new_id

SANDBOX_USER_ID = "0c8d2c5e-7a4e-4f8c-9f3e-1a2b3c4d5e6f"


#: RFC 7636: a verifier (and a plain challenge) is 43 to 128 of these characters; an S256 challenge is the
#: unpadded base64url SHA-256 of the verifier, 43 characters.
_PKCE_TEXT = re.compile(r"[A-Za-z0-9\-._~]{43,128}")
PKCE_METHODS = ("S256", "plain")


def check_code_challenge(challenge: str | None, method: str | None) -> tuple[str, str] | None:
    """The authorize request's PKCE parameters as (challenge, method), None without PKCE, or ``invalid_request``.

    As RFC 7636 says, a challenge without a method is ``plain``.
    """
    challenge, method = challenge or None, method or None
    if challenge is None:
        if method is not None:
            raise OAuthError("invalid_request", "code_challenge_method was given without a code_challenge")
        return None
    method = method or "plain"
    if method not in PKCE_METHODS:
        raise OAuthError("invalid_request", "code_challenge_method must be S256 or plain")
    if not _PKCE_TEXT.fullmatch(challenge) or (method == "S256" and len(challenge) != 43):
        raise OAuthError("invalid_request", "code_challenge is not a valid PKCE challenge")
    return challenge, method


def _pkce_challenge(verifier: str, method: str) -> str:
    if method == "plain":
        return verifier
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


@dataclass(slots=True)
class _Code:
    client_id: str
    redirect_uri: str
    scopes: tuple[str, ...]
    auth_event_id: str
    expires_at: float
    used: bool = False
    #: (code_challenge, code_challenge_method) when the authorize request used PKCE.
    pkce: tuple[str, str] | None = None


@dataclass(slots=True)
class AccessGrant:
    """What a valid access token stands for."""

    client_id: str
    auth_event_id: str
    scopes: tuple[str, ...]
    expires_at: float


@dataclass(slots=True)
class _Refresh:
    client_id: str
    auth_event_id: str
    scopes: tuple[str, ...]
    expires_at: float
    rotated_at: float | None = None
    successor: dict[str, Any] | None = None


@dataclass(slots=True)
class Connection:
    id: str
    client_id: str
    tenant_id: str
    tenant_name: str
    auth_event_id: str
    created: float
    updated: float


@dataclass(slots=True)
class IdentityService:
    """Thread-safe only under the caller's lock; the server calls it from its event loop."""

    config: SandboxConfig
    tenants: dict[str, str]
    clock: Callable[[], float]
    _signing_key: bytes = field(default_factory=lambda: secrets.token_bytes(32))
    _codes: dict[str, _Code] = field(default_factory=dict)
    _access: dict[str, AccessGrant] = field(default_factory=dict)
    _refresh: dict[str, _Refresh] = field(default_factory=dict)
    _connections: dict[tuple[str, str], Connection] = field(default_factory=dict)

    # ---------------------------------------------------------------------------------------- clients

    def client_known(self, client_id: str | None) -> bool:
        return client_id == self.config.client_id

    def authenticate_client(self, client_id: str | None, client_secret: str | None) -> str:
        if not self.client_known(client_id) or not hmac.compare_digest(
            (client_secret or "").encode(), self.config.client_secret.encode()
        ):
            raise OAuthError("invalid_client")
        return self.config.client_id

    # ---------------------------------------------------------------------------------------- consent

    def consent(self, client_id: str, redirect_uri: str, scope: str, tenant_ids: list[str],
                code_challenge: str | None = None, code_challenge_method: str | None = None) -> str:
        """The user allowed access: connect the chosen tenants and return a single-use code.

        A PKCE challenge from the authorize request is kept with the code, and the code exchange must then
        present its verifier.
        """
        pkce = check_code_challenge(code_challenge, code_challenge_method)
        chosen = [t for t in tenant_ids if t in self.tenants]
        if not chosen:
            raise OAuthError("invalid_request", "At least one organisation must be selected")
        auth_event_id = new_id()
        now = self.clock()
        for tenant_id in chosen:
            self._connect(client_id, tenant_id, auth_event_id, now)
        code = secrets.token_urlsafe(32)
        self._codes[code] = _Code(client_id, redirect_uri, tuple(scope.split()), auth_event_id,
                                  now + self.config.authorization_code_ttl, pkce=pkce)
        return code

    def _connect(self, client_id: str, tenant_id: str, auth_event_id: str, now: float) -> None:
        existing = self._connections.get((client_id, tenant_id))
        if existing is not None:
            existing.auth_event_id, existing.updated = auth_event_id, now
            return
        self._connections[(client_id, tenant_id)] = Connection(
            new_id(), client_id, tenant_id, self.tenants[tenant_id], auth_event_id, now, now
        )

    # ----------------------------------------------------------------------------------------- tokens

    def exchange_code(self, client_id: str, code: str | None, redirect_uri: str | None,
                      issuer: str, code_verifier: str | None = None) -> dict[str, Any]:
        if not code:
            raise OAuthError("invalid_request", "code is required")
        record = self._codes.get(code)
        if record is None or record.used or record.client_id != client_id or record.expires_at < self.clock():
            raise OAuthError("invalid_grant")
        if redirect_uri != record.redirect_uri:
            raise OAuthError("invalid_grant", "redirect_uri does not match the authorization request")
        if record.pkce is not None:
            # Like a wrong redirect_uri, a missing or wrong verifier leaves the code usable until it expires.
            challenge, method = record.pkce
            if not code_verifier or not _PKCE_TEXT.fullmatch(code_verifier) or not hmac.compare_digest(
                _pkce_challenge(code_verifier, method).encode("ascii"), challenge.encode("ascii")
            ):
                raise OAuthError("invalid_grant", "code_verifier does not match the code_challenge")
        # Assumption: a verifier sent for a code issued without a challenge is ignored (Xero's answer is not
        # documented).
        record.used = True
        return self._issue(client_id, record.auth_event_id, record.scopes, issuer)

    def refresh(self, client_id: str, refresh_token: str | None, issuer: str) -> dict[str, Any]:
        now = self.clock()
        record = self._refresh.get(refresh_token or "")
        if record is None or record.client_id != client_id or record.expires_at < now:
            raise OAuthError("invalid_grant")
        if record.rotated_at is not None:
            if now - record.rotated_at <= self.config.refresh_grace_seconds and record.successor is not None:
                return dict(record.successor)
            raise OAuthError("invalid_grant")
        issued = self._issue(client_id, record.auth_event_id, record.scopes, issuer)
        record.rotated_at = now
        record.successor = dict(issued)
        return issued

    def issue_direct(self, scope: str, tenant_ids: list[str], issuer: str) -> dict[str, Any]:
        """Consent and code exchange in one step, for scripts and tests that need no browser."""
        code = self.consent(self.config.client_id, "urn:ietf:wg:oauth:2.0:oob", scope, tenant_ids)
        return self.exchange_code(self.config.client_id, code, "urn:ietf:wg:oauth:2.0:oob", issuer)

    def revoke(self, client_id: str, token: str | None) -> None:
        """Revoking a refresh token ends its grant: its tokens and the connections it made (RFC 7009: an
        unknown token is not an error)."""
        record = self._refresh.get(token or "")
        if record is None or record.client_id != client_id:
            grant = self._access.pop(token or "", None)
            if grant is None or grant.client_id != client_id:
                return
            event = grant.auth_event_id
        else:
            event = record.auth_event_id
        self._refresh = {k: v for k, v in self._refresh.items() if v.auth_event_id != event}
        self._access = {k: v for k, v in self._access.items() if v.auth_event_id != event}
        self._connections = {k: v for k, v in self._connections.items() if v.auth_event_id != event}

    def _issue(self, client_id: str, auth_event_id: str, scopes: tuple[str, ...], issuer: str) -> dict[str, Any]:
        now = self.clock()
        self._prune(now)
        ttl = self.config.access_token_ttl
        access_token = self._jwt({
            "nbf": int(now), "exp": int(now + ttl), "iss": issuer, "aud": f"{issuer}/resources",
            "client_id": client_id, "sub": SANDBOX_USER_ID, "auth_time": int(now), "xero_userid": SANDBOX_USER_ID,
            "global_session_id": auth_event_id, "jti": new_id(), "authentication_event_id": auth_event_id,
            "scope": list(scopes),
        })
        self._access[access_token] = AccessGrant(client_id, auth_event_id, scopes, now + ttl)
        issued: dict[str, Any] = {
            "id_token": self._jwt({
                "nbf": int(now), "exp": int(now + 300), "iss": issuer, "aud": client_id, "iat": int(now),
                "sub": SANDBOX_USER_ID, "auth_time": int(now), "xero_userid": SANDBOX_USER_ID,
                "global_session_id": auth_event_id, "preferred_username": "demo@ledgerbridge.invalid",
                "email": "demo@ledgerbridge.invalid", "given_name": "Demo", "family_name": "User",
            }, self.config.client_secret.encode()),
            "access_token": access_token,
            "expires_in": ttl,
            "token_type": "Bearer",
            "scope": " ".join(scopes),
        }
        if "offline_access" in scopes:
            refresh_token = secrets.token_urlsafe(32)
            self._refresh[refresh_token] = _Refresh(client_id, auth_event_id, scopes,
                                                    now + self.config.refresh_token_ttl)
            issued["refresh_token"] = refresh_token
        return issued

    def _jwt(self, claims: dict[str, Any], key: bytes | None = None) -> str:
        def segment(data: dict[str, Any]) -> str:
            raw = json.dumps(data, separators=(",", ":")).encode()
            return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()

        signing_input = f"{segment({'alg': 'HS256', 'typ': 'JWT'})}.{segment(claims)}"
        signature = hmac.new(key or self._signing_key, signing_input.encode(), hashlib.sha256).digest()
        return f"{signing_input}.{base64.urlsafe_b64encode(signature).rstrip(b'=').decode()}"

    def _prune(self, now: float) -> None:
        if len(self._access) > 1000:
            self._access = {k: v for k, v in self._access.items() if v.expires_at >= now}
        if len(self._codes) > 1000:
            self._codes = {k: v for k, v in self._codes.items() if v.expires_at >= now and not v.used}

    # ------------------------------------------------------------------------------------ access checks

    def access(self, token: str | None) -> AccessGrant | None:
        grant = self._access.get(token or "")
        if grant is None or grant.expires_at < self.clock():
            return None
        return grant

    def can_reach(self, grant: AccessGrant, tenant_id: str) -> bool:
        return (grant.client_id, tenant_id) in self._connections

    def connections(self, client_id: str, auth_event_id: str | None = None) -> list[Connection]:
        return sorted(
            (c for c in self._connections.values()
             if c.client_id == client_id and (auth_event_id is None or c.auth_event_id == auth_event_id)),
            key=lambda c: c.created,
        )

    def disconnect(self, client_id: str, connection_id: str) -> bool:
        for key, connection in list(self._connections.items()):
            if connection.id == connection_id and connection.client_id == client_id:
                del self._connections[key]
                return True
        return False
