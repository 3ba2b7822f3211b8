"""OAuth 2.0 as a sandbox plays it where one consent is for one company (Intuit's realm, MYOB's business):
single-use codes, bearer tokens, and refresh tokens rotated at every refresh with a grace period.

* A code is single-use and lives ``authorization_code_ttl`` seconds; the redirect URI must match exactly.
* An access token lives ``access_token_ttl``.
* Every refresh returns a *new* refresh token (the stricter case a connector must handle). The previous one keeps
  working for ``refresh_grace_seconds`` and returns a new access token with the grant's newest refresh token, so
  a retried refresh is harmless; after that, or for a token never issued, the answer is ``invalid_grant``.

Written by hand, not with an OAuth server library: what the sandbox is for is the packages' own behaviour (the
grace period, the answer's fields, how a grant ends), which such libraries leave to the application anyway. Each
package's ``sandbox/oauth.py`` subclasses :class:`RotatingGrants` with what is its own: its token answer, its code
and token formats, how its grants end. Xero's identity service (JWTs, tenant connections) is its own and shares
only :class:`OAuthError`.
"""

from __future__ import annotations

import secrets
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar, Protocol


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


class OAuthSettings(Protocol):
    """The parts of a sandbox's config its OAuth reads (seconds for the lifetimes)."""

    @property
    def client_id(self) -> str: ...
    @property
    def client_secret(self) -> str: ...
    @property
    def authorization_code_ttl(self) -> int: ...
    @property
    def access_token_ttl(self) -> int: ...
    @property
    def refresh_token_ttl(self) -> int: ...
    @property
    def refresh_grace_seconds(self) -> int: ...


@dataclass
class Grant:
    """One consent: the app connected to one company (``company_id``: the realmId or businessId), with scopes
    where the package has them."""

    grant_id: str
    client_id: str
    company_id: str
    scopes: frozenset[str] = frozenset()
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
    company_id: str
    scopes: frozenset[str]
    expires_at: float


@dataclass
class RotatingGrants:
    """The grants of one sandbox and their codes and tokens; thread-safe."""

    config: OAuthSettings
    clock: Callable[[], float]
    grants: dict[str, Grant] = field(default_factory=dict)
    _codes: dict[str, _Code] = field(default_factory=dict)
    _access: dict[str, tuple[str, float]] = field(default_factory=dict)
    _refresh: dict[str, _Refresh] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    #: What the package's codes and refresh tokens start with (Intuit's ``AB...`` and ``RT1-...``).
    code_prefix: ClassVar[str] = ""
    refresh_prefix: ClassVar[str] = ""

    def token_answer(self, grant: Grant, access_token: str) -> dict[str, Any]:
        """The token endpoint's JSON for a new access token (called under the lock): the package's own fields."""
        raise NotImplementedError

    def check_client(self, client_id: str, client_secret: str | None) -> None:
        if client_id != self.config.client_id or (client_secret is not None
                                                  and client_secret != self.config.client_secret):
            raise OAuthError("invalid_client", status=401)

    def issue_code(self, client_id: str, redirect_uri: str, company_id: str,
                   scopes: frozenset[str] = frozenset()) -> str:
        code = self.code_prefix + secrets.token_urlsafe(24)
        with self._lock:
            self._codes[code] = _Code(client_id, redirect_uri, company_id, scopes,
                                      self.clock() + self.config.authorization_code_ttl)
        return code

    def exchange_code(self, client_id: str, code: str, redirect_uri: str) -> dict[str, Any]:
        with self._lock:
            pending = self._codes.pop(code, None)
        if pending is None or pending.expires_at < self.clock() or pending.client_id != client_id:
            raise OAuthError("invalid_grant")
        if pending.redirect_uri != redirect_uri:
            raise OAuthError("invalid_grant", "redirect_uri does not match")  # exact match, trailing / included
        return self.new_grant(client_id, pending.company_id, pending.scopes)

    def grant_tokens(self, client_id: str, form: Mapping[str, Any]) -> dict[str, Any]:
        """The token endpoint's work once the client is known: an ``authorization_code`` or a ``refresh_token``
        grant (the form's fields), else ``unsupported_grant_type``."""
        grant_type = form.get("grant_type")
        if grant_type == "authorization_code":
            return self.exchange_code(client_id, str(form.get("code", "")), str(form.get("redirect_uri", "")))
        if grant_type == "refresh_token":
            return self.refresh(client_id, str(form.get("refresh_token", "")))
        raise OAuthError("unsupported_grant_type")

    def new_grant(self, client_id: str, company_id: str, scopes: frozenset[str] = frozenset()) -> dict[str, Any]:
        grant = Grant(secrets.token_hex(8), client_id, company_id, scopes)
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

    def access(self, token: str) -> Grant | None:
        """The live grant behind a bearer token, or None (unknown, expired or revoked)."""
        with self._lock:
            found = self._access.get(token)
            if found is None or found[1] < self.clock():
                return None
            grant = self.grants.get(found[0])
            return None if grant is None or grant.revoked else grant

    def refresh_expires_at(self, grant: Grant) -> float:
        """When the grant's newest refresh token lapses (called under the lock, from :meth:`token_answer`)."""
        return self._refresh[grant.refresh_token].expires_at

    def _access_only(self, grant: Grant) -> dict[str, Any]:
        access = secrets.token_urlsafe(32)
        self._access[access] = (grant.grant_id, self.clock() + self.config.access_token_ttl)
        return self.token_answer(grant, access)

    def _tokens(self, grant: Grant) -> dict[str, Any]:
        refresh = self.refresh_prefix + secrets.token_urlsafe(32)
        self._refresh[refresh] = _Refresh(grant.grant_id, self.clock() + self.config.refresh_token_ttl)
        grant.refresh_token = refresh
        return self._access_only(grant)
