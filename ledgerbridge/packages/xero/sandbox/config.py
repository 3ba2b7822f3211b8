"""Settings of a Xero sandbox: who may connect, which organisations exist, and how strict the limits are.

Everything a test or a demo may want to vary lives here, so that the server modules read one frozen object
instead of growing keyword arguments.  Rate limits are the exception: they are also adjustable at runtime
through the admin API, so the server copies them into a mutable :class:`~.ratelimit.RateLimiter`.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from decimal import Decimal

#: Namespace for the sandbox's deterministic ids (tenants, accounts), so that they survive restarts and resets.
SANDBOX_NAMESPACE = uuid.UUID("5c0d3a6e-2b7f-4f1e-9a41-6c2f8e1d7b30")


def stable_id(*parts: str) -> str:
    """A uuid that is the same on every run for the same parts (used for seed data, never for user records)."""
    return str(uuid.uuid5(SANDBOX_NAMESPACE, "/".join(parts)))


#: Where the accounting API lives on the sandbox, as on ``https://api.xero.com``.
API_PREFIX = "/api.xro/2.0"

#: The longest query string (bytes, as sent: percent-encoded) Xero's API accepts; a longer one gets 404 with
#: Xero's bare "not found" text, which reads like an unknown record. 2,048 is the IIS request filter's default
#: ``maxQueryString`` (an old answer was IIS's "404.15 query string too long" page, XeroAPI/Xero-Net#280), and
#: it fits every report: 52 GUIDs in ``IDs=`` pass and 53 fail with ``%2C`` commas (XeroAPI/Xero-Java#328,
#: XeroAPI/xero-node#404), 55 pass and 56 fail with bare commas (XeroAPI/Xero-NetStandard#413), and a
#: ``/Contacts`` URL past about 2,091 characters fails whatever fills it (XeroAPI/Xero-NetStandard#471).
#: The spec cannot say it (XeroAPI/Xero-OpenAPI#534, "API not Specification"). The connector's own, safer
#: figures are in ``packages/xero/limits.py``.
MAX_QUERY_STRING = 2048

DEFAULT_TENANT_NAME = "Demo Company (UK)"
DEFAULT_TENANT_ID = stable_id("tenant", DEFAULT_TENANT_NAME)


@dataclass(frozen=True, slots=True)
class TenantSeed:
    """One organisation that exists when the sandbox starts (and again after a reset)."""

    name: str = DEFAULT_TENANT_NAME
    tenant_id: str = DEFAULT_TENANT_ID
    base_currency: str = "GBP"
    enabled_currencies: tuple[str, ...] = ("GBP", "EUR", "USD")
    short_code: str = "!LBdem"


@dataclass(frozen=True, slots=True)
class SandboxConfig:
    """How to run one Xero sandbox.

    ``port=0`` asks the operating system for a free port; :func:`~.server.start_xero_sandbox` reports the
    one it got.  The rate limits are Xero's per-tenant call budget
    (developer.xero.com/documentation/oauth2/limits); benchmarks switch them off with
    ``rate_limits_enabled=False``, and the admin API can change them while the server runs.
    ``fx_rates`` stands in for the XE.com day rate that Xero uses when a document names a foreign currency
    without a ``CurrencyRate``: units of that currency per one unit of the base currency.
    """

    host: str = "127.0.0.1"
    port: int = 0
    client_id: str = "ledgerbridge-demo"
    client_secret: str = "demo-secret"
    tenants: tuple[TenantSeed, ...] = (TenantSeed(),)
    rate_limits_enabled: bool = True
    rate_limit_per_minute: int = 60
    rate_limit_per_day: int = 5000
    rate_limit_concurrent: int = 5
    app_rate_limit_per_minute: int = 10_000
    access_token_ttl: int = 1800
    refresh_grace_seconds: int = 1800
    refresh_token_ttl: int = 60 * 24 * 3600
    authorization_code_ttl: int = 600
    idempotency_ttl: int = 24 * 3600
    provider_name: str = "ledgerbridge sandbox"
    fx_rates: dict[str, Decimal] = field(
        default_factory=lambda: {"EUR": Decimal("1.170000"), "USD": Decimal("1.270000")}
    )
    log_level: str = "warning"
