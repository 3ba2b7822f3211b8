"""Settings of a MYOB Business sandbox: the app that may connect, the businesses that exist, the limits.

Everything a test or a demo may vary lives in one frozen object, as in the other sandboxes. The default server holds
two businesses (MYOB calls a company file a business; its GUID is the ``businessId`` of every URL): an Australian
one (GST 10 %, financial year from 1 July) and a New Zealand one (GST 15 %, from 1 April), because the connector
must not assume one country's tax codes.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Literal

Country = Literal["AU", "NZ"]

#: Fixed GUIDs, so URLs survive restarts and resets.
AU_BUSINESS_ID = "3f2c8a9e-5b1d-4c7e-9a60-1d2e3f4a5b01"
NZ_BUSINESS_ID = "3f2c8a9e-5b1d-4c7e-9a60-1d2e3f4a5b02"

#: Where the API lives, as on ``https://api.myob.com/accountright/``.
API_PREFIX = "/accountright"


@dataclass(frozen=True, slots=True)
class BusinessSeed:
    """One business (company file) that exists when the sandbox starts, and again after a reset.

    ``financial_year_start``: transactions dated before it are refused (MYOB's 25008; assumed: MYOB refuses dates
    before the start of the earliest open financial year, so the default keeps the previous year open).
    ``transactions_cannot_be_changed``: Company/Preferences ``TransactionsCannotBeChangedMustBeReversed``, under
    which a transaction can be neither edited nor deleted, only reversed.
    """

    business_id: str = AU_BUSINESS_ID
    name: str = "Ledgerbridge Demo Pty Ltd"
    country: Country = "AU"
    financial_year_start: date | None = None
    transactions_cannot_be_changed: bool = False

    @property
    def currency(self) -> str:
        return "NZD" if self.country == "NZ" else "AUD"

    @property
    def year_start(self) -> date:
        if self.financial_year_start is not None:
            return self.financial_year_start
        return date(2025, 4, 1) if self.country == "NZ" else date(2025, 7, 1)


DEFAULT_BUSINESSES = (BusinessSeed(),
                      BusinessSeed(business_id=NZ_BUSINESS_ID, name="Ledgerbridge Demo NZ Ltd", country="NZ"))


@dataclass(frozen=True, slots=True)
class SandboxConfig:
    """How to run one MYOB sandbox.

    ``port=0`` asks the operating system for a free port. ``client_id`` is the app's API key: MYOB's OAuth client
    id and the ``x-myobapi-key`` header are the same string. The rate limit is MYOB's per API key (8 calls a
    second, 1,000,000 a day, counted across every business the key serves); tests and benchmarks switch it off
    with ``rate_limits_enabled=False`` and the admin API changes it at runtime. ``refresh_grace_seconds``: how long
    a rotated-out refresh token still works (MYOB documents none; assumed like Xero's 30 minutes).
    """

    host: str = "127.0.0.1"
    port: int = 0
    client_id: str = "ledgerbridge-myob-key"
    client_secret: str = "demo-secret"
    businesses: tuple[BusinessSeed, ...] = DEFAULT_BUSINESSES
    rate_limits_enabled: bool = True
    rate_limit_per_second: int = 8
    rate_limit_per_day: int = 1_000_000
    access_token_ttl: int = 1200
    refresh_token_ttl: int = 365 * 24 * 3600
    refresh_grace_seconds: int = 1800
    authorization_code_ttl: int = 300
    default_page_size: int = 400
    max_page_size: int = 1000
    log_level: str = "warning"

    @staticmethod
    def single(country: Country = "AU") -> SandboxConfig:
        """A server with one business of ``country``."""
        seed = DEFAULT_BUSINESSES[0] if country == "AU" else DEFAULT_BUSINESSES[1]
        return SandboxConfig(businesses=(seed,))
