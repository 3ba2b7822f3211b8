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

from typing import Any

from ledgerbridge.sandboxes.oauth import Grant, OAuthError, RotatingGrants

__all__ = ["SCOPE", "Grant", "OAuthError", "OAuthService"]

SCOPE = "com.intuit.quickbooks.accounting"


class OAuthService(RotatingGrants):
    """Intuit's grants: a grant's ``company_id`` is the realmId; codes and refresh tokens look like Intuit's, and
    the token answer says when the refresh token lapses."""

    code_prefix = "AB"
    refresh_prefix = "RT1-"

    def token_answer(self, grant: Grant, access_token: str) -> dict[str, Any]:
        remaining = self.refresh_expires_at(grant) - self.clock()
        return {"token_type": "bearer", "access_token": access_token, "expires_in": self.config.access_token_ttl,
                "refresh_token": grant.refresh_token, "x_refresh_token_expires_in": int(remaining)}

    def revoke(self, token: str) -> None:
        with self._lock:
            grant_id = self._access.get(token, ("", 0.0))[0] or getattr(self._refresh.get(token), "grant_id", "")
            if grant_id and grant_id in self.grants:
                self.grants[grant_id].revoked = True
