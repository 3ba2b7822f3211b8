"""Intuit's throttles per realm: 500 requests a minute, 10 a second, 10 at once, 40 batch calls a minute.

Sliding windows over the sandbox clock (so the admin API can move time on). Settings are mutable at runtime
through ``/sandbox/rate-limits`` and are off entirely with ``enabled=False`` (benchmarks).
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Callable
from dataclasses import asdict, dataclass

from .config import SandboxConfig


@dataclass
class LimitSettings:
    enabled: bool = True
    per_minute: int = 500
    per_second: int = 10
    concurrent: int = 10
    batch_per_minute: int = 40

    @staticmethod
    def from_config(config: SandboxConfig) -> LimitSettings:
        return LimitSettings(config.rate_limits_enabled, config.rate_limit_per_minute, config.rate_limit_per_second,
                             config.rate_limit_concurrent, config.batch_limit_per_minute)


@dataclass
class _Realm:
    minute: deque[float]
    second: deque[float]
    batch: deque[float]
    in_flight: int = 0


class RateLimiter:
    def __init__(self, settings: LimitSettings, clock: Callable[[], float]) -> None:
        self.settings = settings
        self.clock = clock
        self._lock = threading.Lock()
        self._realms: dict[str, _Realm] = {}

    def snapshot(self) -> dict[str, object]:
        return asdict(self.settings)

    def configure(self, **changes: object) -> None:
        with self._lock:
            for name, value in changes.items():
                if not hasattr(self.settings, name):
                    raise ValueError(f"unknown limit {name!r}")
                setattr(self.settings, name, bool(value) if name == "enabled" else int(str(value)))

    def reset(self) -> None:
        with self._lock:
            self._realms.clear()

    def acquire(self, realm_id: str, is_batch: bool) -> str | None:
        """Count one request; the name of the limit it breaks (then it is not admitted), else None."""
        with self._lock:
            realm = self._realms.setdefault(realm_id, _Realm(deque(), deque(), deque()))
            now = self.clock()
            for window, span in ((realm.minute, 60.0), (realm.second, 1.0), (realm.batch, 60.0)):
                while window and window[0] <= now - span:
                    window.popleft()
            limits = self.settings
            if limits.enabled:
                if len(realm.second) >= limits.per_second:
                    return "per-second"
                if len(realm.minute) >= limits.per_minute:
                    return "per-minute"
                if realm.in_flight >= limits.concurrent:
                    return "concurrent"
                if is_batch and len(realm.batch) >= limits.batch_per_minute:
                    return "batch per-minute"
            realm.minute.append(now)
            realm.second.append(now)
            if is_batch:
                realm.batch.append(now)
            realm.in_flight += 1
            return None

    def release(self, realm_id: str) -> None:
        with self._lock:
            realm = self._realms.get(realm_id)
            if realm is not None and realm.in_flight > 0:
                realm.in_flight -= 1
