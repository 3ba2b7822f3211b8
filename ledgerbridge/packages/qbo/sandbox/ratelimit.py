"""Intuit's throttles: 500 requests a minute per realm; 10 a second, 10 at once and 40 batch calls a minute per
realm *and app* (qbo.md section 16). So the calls of another app on the same company (the sandbox's stand-in
for a person working in QuickBooks, ``user.QboUser``) share the realm's minute but not the app's second: counted
together, the bookkeeper's two calls beside the connector's paced eight broke "10 a second" and cost the demo a
60-second back-off that QuickBooks would not have asked for.

Sliding windows over the sandbox clock (so the admin API can move time on). Settings are mutable at runtime
through ``/sandbox/rate-limits`` and are off entirely with ``enabled=False`` (benchmarks).
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
    per_minute: int = 500
    per_second: int = 10
    concurrent: int = 10
    batch_per_minute: int = 40

    @staticmethod
    def from_config(config: SandboxConfig) -> LimitSettings:
        return LimitSettings(config.rate_limits_enabled, config.rate_limit_per_minute, config.rate_limit_per_second,
                             config.rate_limit_concurrent, config.batch_limit_per_minute)


@dataclass
class _App:
    """One app's windows on one realm."""

    second: deque[float] = field(default_factory=deque)
    batch: deque[float] = field(default_factory=deque)
    in_flight: int = 0


class RateLimiter:
    def __init__(self, settings: LimitSettings, clock: Callable[[], float]) -> None:
        self.settings = settings
        self.clock = clock
        self._lock = threading.Lock()
        self._minutes: dict[str, deque[float]] = {}  # per realm
        self._apps: dict[tuple[str, str], _App] = {}  # per realm and app

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
            self._minutes.clear()
            self._apps.clear()

    def acquire(self, realm_id: str, app: str, is_batch: bool) -> str | None:
        """Count one request of ``app`` (its OAuth client id) on the realm; the name of the limit it breaks (then
        it is not admitted), else None."""
        with self._lock:
            minute = self._minutes.setdefault(realm_id, deque())
            mine = self._apps.setdefault((realm_id, app), _App())
            now = self.clock()
            for window, span in ((minute, 60.0), (mine.second, 1.0), (mine.batch, 60.0)):
                while window and window[0] <= now - span:
                    window.popleft()
            limits = self.settings
            if limits.enabled:
                if len(mine.second) >= limits.per_second:
                    return "per-second"
                if len(minute) >= limits.per_minute:
                    return "per-minute"
                if mine.in_flight >= limits.concurrent:
                    return "concurrent"
                if is_batch and len(mine.batch) >= limits.batch_per_minute:
                    return "batch per-minute"
            minute.append(now)
            mine.second.append(now)
            if is_batch:
                mine.batch.append(now)
            mine.in_flight += 1
            return None

    def release(self, realm_id: str, app: str) -> None:
        with self._lock:
            mine = self._apps.get((realm_id, app))
            if mine is not None and mine.in_flight > 0:
                mine.in_flight -= 1
