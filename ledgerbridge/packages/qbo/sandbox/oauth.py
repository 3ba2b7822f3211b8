"""Intuit's OAuth 2.0 as the sandbox plays it: authorization codes, bearer tokens, rolling refresh tokens.

* An authorization code is single-use and lives ``authorization_code_ttl`` seconds.
* An access token lives ``access_token_ttl`` (one hour, as at Intuit).
* Every refresh returns a *new* refresh token (Intuit rotates "roughly every 24 hours"; the sandbox rotates
  every time, the stricter case a connector must handle). The previous one keeps working for
  ``refresh_grace_seconds`` (assumed, like Xero's grace) and then answers ``invalid_grant``; a refresh with it inside
  the grace returns a new access token and the grant's newest refresh token, so a retried refresh is harmless.
* Revoking any token of a grant (access or refresh) ends the whole grant.
"""

from __future__ import annotations

import secrets
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from .config import SandboxConfig

SCOPE = "com.intuit.quickbooks.accounting"


class OAuthError(Exception):
    """An RFC 6749 error: ``error`` is the code, ``status`` the HTTP status."""

    def __init__(self, error: str, description: str = "", status: int = 400) -> None:
        super().__init__(error)
        self.error = error
        self.description = description
        self.status = status

    def body(self) -> dict[str, str]:
        body = {"error": self.error}
        if self.description:
            body["error_description"] = self.description
        return body


@dataclass
class Grant:
    """One consent: a client connected to one company."""

    grant_id: str
    client_id: str
    realm_id: str
    refresh_token: str = ""
    revoked: bool = False


@dataclass
class _Refresh:
    grant_id: str
    expires_at: float
    superseded_at: float | None = None


@dataclass
class _Code:
    client_id: str
    redirect_uri: str
    realm_id: str
    expires_at: float


@dataclass
class OAuthService:
    config: SandboxConfig
    clock: Callable[[], float]
    grants: dict[str, Grant] = field(default_factory=dict)
    _codes: dict[str, _Code] = field(default_factory=dict)
    _access: dict[str, tuple[str, float]] = field(default_factory=dict)
    _refresh: dict[str, _Refresh] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    # ------------------------------------------------------------------ clients and codes
    def check_client(self, client_id: str, client_secret: str | None) -> None:
        if client_id != self.config.client_id or (client_secret is not None
                                                  and client_secret != self.config.client_secret):
            raise OAuthError("invalid_client", status=401)

    def issue_code(self, client_id: str, redirect_uri: str, realm_id: str) -> str:
        code = "AB" + secrets.token_urlsafe(24)
        with self._lock:
            self._codes[code] = _Code(client_id, redirect_uri, realm_id,
                                      self.clock() + self.config.authorization_code_ttl)
        return code

    def exchange_code(self, client_id: str, code: str, redirect_uri: str) -> dict[str, Any]:
        with self._lock:
            pending = self._codes.pop(code, None)
        if pending is None or pending.expires_at < self.clock() or pending.client_id != client_id:
            raise OAuthError("invalid_grant")
        if pending.redirect_uri != redirect_uri:
            raise OAuthError("invalid_grant", "redirect_uri does not match")
        return self.new_grant(client_id, pending.realm_id)

    def new_grant(self, client_id: str, realm_id: str) -> dict[str, Any]:
        grant = Grant(secrets.token_hex(8), client_id, realm_id)
        with self._lock:
            self.grants[grant.grant_id] = grant
            return self._tokens(grant)

    # ------------------------------------------------------------------ refresh and revoke
    def refresh(self, client_id: str, refresh_token: str) -> dict[str, Any]:
        now = self.clock()
        with self._lock:
            record = self._refresh.get(refresh_token)
            grant = self.grants.get(record.grant_id) if record else None
            if record is None or grant is None or grant.revoked or grant.client_id != client_id \
                    or record.expires_at < now:
                raise OAuthError("invalid_grant")
            if record.superseded_at is not None:
                if now - record.superseded_at > self.config.refresh_grace_seconds:
                    raise OAuthError("invalid_grant")
                return self._access_only(grant)
            record.superseded_at = now
            return self._tokens(grant)

    def revoke(self, token: str) -> None:
        with self._lock:
            grant_id = self._access.get(token, ("", 0.0))[0] or getattr(self._refresh.get(token), "grant_id", "")
            if grant_id and grant_id in self.grants:
                self.grants[grant_id].revoked = True

    def access(self, token: str) -> Grant | None:
        """The live grant behind a bearer token, or None (unknown, expired or revoked)."""
        with self._lock:
            found = self._access.get(token)
            if found is None or found[1] < self.clock():
                return None
            grant = self.grants.get(found[0])
            return None if grant is None or grant.revoked else grant

    # ------------------------------------------------------------------ internals
    def _access_only(self, grant: Grant) -> dict[str, Any]:
        access = secrets.token_urlsafe(32)
        self._access[access] = (grant.grant_id, self.clock() + self.config.access_token_ttl)
        remaining = self._refresh[grant.refresh_token].expires_at - self.clock()
        return {"token_type": "bearer", "access_token": access, "expires_in": self.config.access_token_ttl,
                "refresh_token": grant.refresh_token, "x_refresh_token_expires_in": int(remaining)}

    def _tokens(self, grant: Grant) -> dict[str, Any]:
        refresh = "RT1-" + secrets.token_urlsafe(32)
        self._refresh[refresh] = _Refresh(grant.grant_id, self.clock() + self.config.refresh_token_ttl)
        grant.refresh_token = refresh
        return self._access_only(grant)
