"""MYOB's OAuth 2.0 as the sandbox plays it: consent for one business, codes, 20-minute tokens, rotating refresh.

* Consent is given for a **single business** (the 2025 granular-scope flow); the redirect carries ``code``,
  ``state`` and ``businessId``, and every token of the grant works for that business only.
* A code is single-use and lives ``authorization_code_ttl`` seconds (MYOB: 2 to 5 minutes).
* An access token lives ``access_token_ttl`` (1200 s, MYOB's ``expires_in``).
* Every refresh returns a *new* refresh token. The previous one keeps working for ``refresh_grace_seconds``
  (assumed; MYOB documents none) and returns the grant's newest pair, so a retried refresh is harmless; after that,
  or for a token never issued, the answer is 400 ``invalid_grant`` (MYOB also answers ``invalid_request``: SDK issue
  #192; a connector must treat both as "reconnect needed").
* Scopes are the ``sme-*`` ones; a legacy ``CompanyFile`` or ``la.global`` grant covers everything.
"""

from __future__ import annotations

import secrets
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from .config import SandboxConfig

ALL_SCOPES = frozenset({"sme-company-file", "sme-company-settings", "sme-contacts-customer",
                        "sme-contacts-supplier", "sme-general-ledger", "sme-sales", "sme-purchases",
                        "sme-banking", "sme-inventory"})
LEGACY_SCOPES = frozenset({"CompanyFile", "la.global"})


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


def parse_scopes(text: str) -> frozenset[str]:
    """The granted scopes of a consent; unknown ones are ignored, legacy ones grant everything."""
    words = set(text.replace(",", " ").split())
    if not words or words & LEGACY_SCOPES:
        return ALL_SCOPES
    return frozenset(words & ALL_SCOPES)


@dataclass
class Grant:
    """One consent: the app connected to one business with some scopes."""

    grant_id: str
    client_id: str
    business_id: str
    scopes: frozenset[str]
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
    business_id: str
    scopes: frozenset[str]
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

    def check_client(self, client_id: str, client_secret: str | None) -> None:
        if client_id != self.config.client_id or (client_secret is not None
                                                  and client_secret != self.config.client_secret):
            raise OAuthError("invalid_client", status=401)

    def issue_code(self, client_id: str, redirect_uri: str, business_id: str, scopes: frozenset[str]) -> str:
        code = secrets.token_urlsafe(24)
        with self._lock:
            self._codes[code] = _Code(client_id, redirect_uri, business_id, scopes,
                                      self.clock() + self.config.authorization_code_ttl)
        return code

    def exchange_code(self, client_id: str, code: str, redirect_uri: str) -> dict[str, Any]:
        with self._lock:
            pending = self._codes.pop(code, None)
        if pending is None or pending.expires_at < self.clock() or pending.client_id != client_id:
            raise OAuthError("invalid_grant")
        if pending.redirect_uri != redirect_uri:
            raise OAuthError("invalid_grant", "redirect_uri does not match")  # exact match, trailing / included
        return self.new_grant(client_id, pending.business_id, pending.scopes)

    def new_grant(self, client_id: str, business_id: str, scopes: frozenset[str] = ALL_SCOPES) -> dict[str, Any]:
        grant = Grant(secrets.token_hex(8), client_id, business_id, scopes)
        with self._lock:
            self.grants[grant.grant_id] = grant
            return self._tokens(grant)

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

    def revoke_business(self, business_id: str) -> int:
        """The admin's "disconnect": every grant for the business ends (its tokens answer 401/invalid_grant)."""
        with self._lock:
            ended = [g for g in self.grants.values() if g.business_id == business_id and not g.revoked]
            for grant in ended:
                grant.revoked = True
            return len(ended)

    def access(self, token: str) -> Grant | None:
        """The live grant behind a bearer token, or None (unknown, expired or revoked)."""
        with self._lock:
            found = self._access.get(token)
            if found is None or found[1] < self.clock():
                return None
            grant = self.grants.get(found[0])
            return None if grant is None or grant.revoked else grant

    def _access_only(self, grant: Grant) -> dict[str, Any]:
        access = secrets.token_urlsafe(32)
        self._access[access] = (grant.grant_id, self.clock() + self.config.access_token_ttl)
        return {"access_token": access, "token_type": "bearer", "expires_in": self.config.access_token_ttl,
                "refresh_token": grant.refresh_token, "scope": " ".join(sorted(grant.scopes))}

    def _tokens(self, grant: Grant) -> dict[str, Any]:
        refresh = secrets.token_urlsafe(32)
        self._refresh[refresh] = _Refresh(grant.grant_id, self.clock() + self.config.refresh_token_ttl)
        grant.refresh_token = refresh
        return self._access_only(grant)
