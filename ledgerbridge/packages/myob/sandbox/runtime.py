"""Everything one running sandbox shares between its routes: config, clock, books, OAuth, limits, faults."""

from __future__ import annotations

import re
import threading
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

from ledgerbridge.sandboxes.clock import SandboxClock
from ledgerbridge.sandboxes.faults import FaultPlan

from .config import API_PREFIX, SandboxConfig
from .oauth import OAuthService
from .ratelimit import LimitSettings, RateLimiter
from .store import SandboxStore

_GUID = re.compile(r"/[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")


class CallStats:
    """Counts ``"POST /accountright/{businessId}/Sale/Invoice/Service"``-style keys, so benchmarks can report API
    calls (the first GUID of a path is the business, any later one a record)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._calls: Counter[str] = Counter()

    def count(self, method: str, path: str) -> None:
        path = path.rstrip("/") or "/"
        path = _GUID.sub("/{businessId}", path, count=1)
        path = _GUID.sub("/{uid}", path)
        with self._lock:
            self._calls[f"{method} {path}"] += 1

    def snapshot(self) -> dict[str, object]:
        with self._lock:
            calls = dict(sorted(self._calls.items()))
        api = sum(n for key, n in calls.items() if key.split(" ", 1)[1].startswith(API_PREFIX))
        return {"total": sum(calls.values()), "api_total": api, "calls": calls}

    def reset(self) -> None:
        with self._lock:
            self._calls.clear()


@dataclass(frozen=True, slots=True)
class Exchange:
    """One API request and its answer, as the gateway saw them (for taps: the tests' contract checker)."""

    method: str
    path: str
    request_body: bytes
    status: int
    content_type: str
    response_body: bytes


#: Called with every API exchange the sandbox answered (not the admin API, not OAuth).
Tap = Callable[[Exchange], None]


@dataclass(slots=True)
class SandboxRuntime:
    config: SandboxConfig
    clock: SandboxClock = field(default_factory=SandboxClock)
    store: SandboxStore = field(init=False)
    oauth: OAuthService = field(init=False)
    limiter: RateLimiter = field(init=False)
    faults: FaultPlan = field(default_factory=FaultPlan)
    stats: CallStats = field(default_factory=CallStats)
    taps: list[Tap] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.store = SandboxStore(self.config)
        self.oauth = OAuthService(self.config, self.clock)
        self.limiter = RateLimiter(LimitSettings.from_config(self.config), self.clock)

    def reset(self, *, tokens: bool = False) -> None:
        """Fresh books, counters, faults and clock; tokens survive unless asked, so a reset between tests does not
        force a new consent."""
        self.clock.offset = 0.0
        self.store.reset()
        self.faults.clear()
        self.stats.reset()
        self.limiter.reset()
        if tokens:
            self.oauth = OAuthService(self.config, self.clock)
