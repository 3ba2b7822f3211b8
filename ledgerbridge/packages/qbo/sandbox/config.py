"""Settings of a QuickBooks Online sandbox: who may connect, which company exists, how strict the limits are.

Everything a test or a demo may vary lives in one frozen object, as in the Xero sandbox. The default company is a
UK one with VAT codes, because the demo data is British; ``country="US"`` gives a US company whose lines use the
``TAX``/``NON`` pseudo-codes and whose sales tax comes from ``TxnTaxDetail.TxnTaxCodeRef``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Country = Literal["GB", "US"]

#: A realmId looks like a long number; this one is fixed so URLs survive restarts and resets.
DEFAULT_REALM_ID = "9341453172164938"
US_REALM_ID = "9341453172164939"

#: Where the accounting API lives, as on ``https://quickbooks.api.intuit.com``.
API_PREFIX = "/v3/company"


@dataclass(frozen=True, slots=True)
class CompanySeed:
    """One company (realm) that exists when the sandbox starts (and again after a reset)."""

    realm_id: str = DEFAULT_REALM_ID
    name: str = "Ledgerbridge Demo Ltd"
    country: Country = "GB"

    @property
    def currency(self) -> str:
        return "USD" if self.country == "US" else "GBP"


@dataclass(frozen=True, slots=True)
class SandboxConfig:
    """How to run one QBO sandbox.

    ``port=0`` asks the operating system for a free port. Rate limits are Intuit's per-realm throttles
    (500/minute, 10/second, 10 concurrent, 40 batch calls/minute); benchmarks switch them off with
    ``rate_limits_enabled=False`` and the admin API can change them at runtime. ``refresh_grace_seconds`` is how
    long a rotated-out refresh token keeps working (assumed like Xero's 30 minutes; Intuit does not document one).
    ``retry_after_seconds``: QBO sends no ``Retry-After`` on 429 as far as is known; set a number to add one.
    """

    host: str = "127.0.0.1"
    port: int = 0
    client_id: str = "ledgerbridge-demo"
    client_secret: str = "demo-secret"
    companies: tuple[CompanySeed, ...] = (CompanySeed(),)
    rate_limits_enabled: bool = True
    rate_limit_per_minute: int = 500
    rate_limit_per_second: int = 10
    rate_limit_concurrent: int = 10
    batch_limit_per_minute: int = 40
    retry_after_seconds: int | None = None
    access_token_ttl: int = 3600
    refresh_token_ttl: int = 100 * 24 * 3600
    refresh_grace_seconds: int = 1800
    authorization_code_ttl: int = 300
    cdc_window_days: int = 30
    #: The offset QBO-style timestamps are written in (the docs' examples use Pacific time).
    utc_offset_hours: int = -8
    log_level: str = "warning"

    @staticmethod
    def us() -> SandboxConfig:
        """A US company (sales tax via ``TAX``/``NON`` and ``TxnTaxDetail``) instead of the UK default."""
        return SandboxConfig(companies=(CompanySeed(realm_id=US_REALM_ID, name="Ledgerbridge Demo Inc",
                                                    country="US"),))
