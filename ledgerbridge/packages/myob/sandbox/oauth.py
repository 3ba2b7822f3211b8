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

from typing import Any

from ledgerbridge.sandboxes.oauth import Grant, OAuthError, RotatingGrants

__all__ = ["ALL_SCOPES", "LEGACY_SCOPES", "Grant", "OAuthError", "OAuthService", "parse_scopes"]

ALL_SCOPES = frozenset({"sme-company-file", "sme-company-settings", "sme-contacts-customer",
                        "sme-contacts-supplier", "sme-general-ledger", "sme-sales", "sme-purchases",
                        "sme-banking", "sme-inventory"})
LEGACY_SCOPES = frozenset({"CompanyFile", "la.global"})


def parse_scopes(text: str) -> frozenset[str]:
    """The granted scopes of a consent; unknown ones are ignored, legacy ones grant everything."""
    words = set(text.replace(",", " ").split())
    if not words or words & LEGACY_SCOPES:
        return ALL_SCOPES
    return frozenset(words & ALL_SCOPES)


class OAuthService(RotatingGrants):
    """MYOB's grants: a grant's ``company_id`` is the businessId; the token answer names the granted scopes."""

    def token_answer(self, grant: Grant, access_token: str) -> dict[str, Any]:
        return {"access_token": access_token, "token_type": "bearer", "expires_in": self.config.access_token_ttl,
                "refresh_token": grant.refresh_token, "scope": " ".join(sorted(grant.scopes))}

    def revoke_business(self, business_id: str) -> int:
        """The admin's "disconnect": every grant for the business ends (its tokens answer 401/invalid_grant)."""
        with self._lock:
            ended = [g for g in self.grants.values() if g.company_id == business_id and not g.revoked]
            for grant in ended:
                grant.revoked = True
            return len(ended)
