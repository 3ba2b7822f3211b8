"""Everything one running sandbox shares between its routes: config, clock, books, OAuth, limits, faults."""

from __future__ import annotations

import re
import threading
from collections import Counter
from dataclasses import dataclass, field

from ledgerbridge.sandboxes.clock import SandboxClock
from ledgerbridge.sandboxes.faults import FaultPlan

from .config import SandboxConfig
from .oauth import OAuthService
from .ratelimit import LimitSettings, RateLimiter
from .store import SandboxStore

_ID_SEGMENT = re.compile(r"^(/v3/company/)[^/]+(/[a-z]+)(/[^/]+)?$")


class CallStats:
    """Counts ``"POST /v3/company/{realmId}/invoice"``-style keys, so benchmarks can report API calls."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._calls: Counter[str] = Counter()

    def count(self, method: str, path: str) -> None:
        match = _ID_SEGMENT.match(path)
        if match:
            path = f"{match.group(1)}{{realmId}}{match.group(2)}" + ("/{id}" if match.group(3) else "")
        with self._lock:
            self._calls[f"{method} {path}"] += 1

    def snapshot(self) -> dict[str, object]:
        with self._lock:
            calls = dict(sorted(self._calls.items()))
        api = sum(n for key, n in calls.items() if key.split(" ", 1)[1].startswith("/v3/"))
        return {"total": sum(calls.values()), "api_total": api, "calls": calls}

    def reset(self) -> None:
        with self._lock:
            self._calls.clear()


@dataclass(slots=True)
class SandboxRuntime:
    config: SandboxConfig
    clock: SandboxClock = field(default_factory=SandboxClock)
    store: SandboxStore = field(init=False)
    oauth: OAuthService = field(init=False)
    limiter: RateLimiter = field(init=False)
    faults: FaultPlan = field(default_factory=FaultPlan)
    stats: CallStats = field(default_factory=CallStats)

    def __post_init__(self) -> None:
        self.store = SandboxStore(self.config)
        self.oauth = OAuthService(self.config, self.clock)
        self.limiter = RateLimiter(LimitSettings.from_config(self.config), self.clock)

    def reset(self, *, tokens: bool = False) -> None:
        """Fresh books (and requestid caches), counters, faults and clock; tokens survive unless asked, so a
        reset between tests does not force a new consent."""
        self.clock.offset = 0.0
        self.store.reset()
        self.faults.clear()
        self.stats.reset()
        self.limiter.reset()
        if tokens:
            self.oauth = OAuthService(self.config, self.clock)
