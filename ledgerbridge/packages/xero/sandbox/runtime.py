"""Everything one running sandbox shares between its routes: config, clock, books, identity, limits."""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from ledgerbridge.sandboxes.faults import FaultPlan

from .config import SandboxConfig
from .idempotency import IdempotencyCache
from .oauth import IdentityService
from .ratelimit import LimitSettings, RateLimiter
from .stats import CallStats
from .store import SandboxStore


@dataclass(slots=True)
class SandboxClock:
    """Wall-clock seconds plus an offset that the admin API can advance, so tests can see tokens expire
    and rate windows reset without waiting.  Record timestamps (``UpdatedDateUTC``) stay on real time.

    ``scale`` > 1 accelerates it from ``origin`` (ledgerbridge.clock): a benchmark gives the sandbox and the
    client's call budget the same two numbers, so an hour of Xero's limits passes in a minute."""

    offset: float = 0.0
    scale: float = 1.0
    origin: float = 0.0

    def __call__(self) -> float:
        now = time.time()
        if self.scale != 1.0:
            now = self.origin + (now - self.origin) * self.scale
        return now + self.offset

    def advance(self, seconds: float) -> None:
        self.offset += seconds


@dataclass(slots=True)
class SandboxRuntime:
    config: SandboxConfig
    clock: SandboxClock = field(default_factory=SandboxClock)
    store: SandboxStore = field(init=False)
    identity: IdentityService = field(init=False)
    limiter: RateLimiter = field(init=False)
    faults: FaultPlan = field(default_factory=FaultPlan)
    stats: CallStats = field(default_factory=CallStats)
    idempotency: IdempotencyCache = field(init=False)

    def __post_init__(self) -> None:
        self.store = SandboxStore(self.config)
        self.identity = IdentityService(self.config, self.store.tenant_names(), self.clock)
        self.limiter = RateLimiter(LimitSettings.from_config(self.config), self.clock)
        self.idempotency = IdempotencyCache(self.config.idempotency_ttl, self.clock)

    def reset(self, *, identity: bool = False) -> None:
        """Fresh books, counters, faults, idempotency keys and clock; tokens and connections survive unless
        asked (a reset between tests should not force a new consent)."""
        self.clock.offset = 0.0
        self.store.reset()
        self.faults.clear()
        self.stats.reset()
        self.limiter.reset()
        self.idempotency.clear()
        if identity:
            self.identity = IdentityService(self.config, self.store.tenant_names(), self.clock)
