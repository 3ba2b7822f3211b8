"""Everything one running sandbox shares between its routes: config, clock, books, identity, limits."""

from __future__ import annotations

from dataclasses import dataclass, field

from ledgerbridge.sandboxes.clock import SandboxClock
from ledgerbridge.sandboxes.faults import FaultPlan

from .config import SandboxConfig
from .idempotency import IdempotencyCache
from .oauth import IdentityService
from .ratelimit import LimitSettings, RateLimiter
from .stats import CallStats
from .store import SandboxStore


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
