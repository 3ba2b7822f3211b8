"""MYOB's limits per API key: 8 calls a second and 1,000,000 a day, across every business the key serves.

The count is per ``x-myobapi-key``, not per business: two businesses connected through one key share one budget
(the research note's §8). A call is counted when it arrives: in the gateway, before the API reads it (where an API
gateway counts a key's calls; a refused call is not counted). The research note says "8 requests/second" and
nothing of how the second is kept, so the sandbox keeps the stricter of the two readings: a sliding second (no more
than 8 arrivals in any second, over the sandbox clock, so the admin API can move time on) rather than a calendar
second. A client that this sandbox never refuses is never refused by a calendar second either (8 in every second
means 8 in each calendar one), while a client tuned to a calendar second could send 16 in one second across its
boundary and be refused by a sliding one. The day is the clock's UTC day. Settings change at runtime through
``/sandbox/rate-limits`` and are off entirely with ``enabled=False`` (most tests, benchmarks).
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Callable
from dataclasses import asdict, dataclass, field

from .config import SandboxConfig


@dataclass
class LimitSettings:
    enabled: bool = True
    per_second: int = 8
    per_day: int = 1_000_000

    @staticmethod
    def from_config(config: SandboxConfig) -> LimitSettings:
        return LimitSettings(config.rate_limits_enabled, config.rate_limit_per_second, config.rate_limit_per_day)


@dataclass
class _Key:
    second: deque[float] = field(default_factory=deque)
    day: int = -1
    day_count: int = 0


class RateLimiter:
    def __init__(self, settings: LimitSettings, clock: Callable[[], float]) -> None:
        self.settings = settings
        self.clock = clock
        self._lock = threading.Lock()
        self._keys: dict[str, _Key] = {}
        self.refused = 0

    def snapshot(self) -> dict[str, object]:
        return {**asdict(self.settings), "refused": self.refused}

    def configure(self, **changes: object) -> None:
        with self._lock:
            for name, value in changes.items():
                if name not in ("enabled", "per_second", "per_day"):
                    raise ValueError(f"unknown limit {name!r}")
                setattr(self.settings, name, bool(value) if name == "enabled" else int(str(value)))

    def reset(self) -> None:
        with self._lock:
            self._keys.clear()
            self.refused = 0

    def acquire(self, api_key: str) -> str | None:
        """Count one call; the window it breaks (``per-second`` or ``daily``; then it is not counted), else None."""
        with self._lock:
            key = self._keys.setdefault(api_key, _Key())
            now = self.clock()
            while key.second and key.second[0] <= now - 1.0:
                key.second.popleft()
            today = int(now // 86400)
            if key.day != today:
                key.day, key.day_count = today, 0
            if self.settings.enabled:
                if len(key.second) >= self.settings.per_second:
                    self.refused += 1
                    return "per-second"
                if key.day_count >= self.settings.per_day:
                    self.refused += 1
                    return "daily"
            key.second.append(now)
            key.day_count += 1
            return None
