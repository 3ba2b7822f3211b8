"""Xero's call budget: per tenant per minute and per day, concurrent calls per tenant, and an app-wide minute.

Windows are fixed and start at a tenant's first call, so each tenant's window "resets at different times"
as Xero documents (developer.xero.com/documentation/oauth2/limits).  Refused calls do not count.  When
limits are disabled (benchmarks) calls are still counted, so the remaining-calls headers stay meaningful.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Callable
from dataclasses import dataclass, field

from .config import SandboxConfig

MINUTE = 60.0
DAY = 86_400.0


@dataclass(slots=True)
class _Window:
    length: float
    started: float = -math.inf
    used: int = 0

    def roll(self, now: float) -> None:
        if now >= self.started + self.length:
            self.started, self.used = now, 0

    def retry_after(self, now: float) -> int:
        return max(1, math.ceil(self.started + self.length - now))


@dataclass(slots=True)
class _TenantBudget:
    minute: _Window = field(default_factory=lambda: _Window(MINUTE))
    day: _Window = field(default_factory=lambda: _Window(DAY))
    in_flight: int = 0


@dataclass(frozen=True, slots=True)
class Decision:
    """The outcome of asking for one call; ``problem`` is None when the call may go ahead."""

    problem: str | None
    retry_after: int
    day_remaining: int
    minute_remaining: int
    app_minute_remaining: int

    def headers(self) -> list[tuple[bytes, bytes]]:
        headers = [
            (b"x-daylimit-remaining", str(self.day_remaining).encode()),
            (b"x-minlimit-remaining", str(self.minute_remaining).encode()),
            (b"x-appminlimit-remaining", str(self.app_minute_remaining).encode()),
        ]
        if self.problem:
            headers += [(b"retry-after", str(self.retry_after).encode()),
                        (b"x-rate-limit-problem", self.problem.encode())]
        return headers


@dataclass(slots=True)
class LimitSettings:
    enabled: bool
    per_minute: int
    per_day: int
    concurrent: int
    app_per_minute: int

    @classmethod
    def from_config(cls, config: SandboxConfig) -> LimitSettings:
        return cls(config.rate_limits_enabled, config.rate_limit_per_minute, config.rate_limit_per_day,
                   config.rate_limit_concurrent, config.app_rate_limit_per_minute)


class RateLimiter:
    def __init__(self, settings: LimitSettings, clock: Callable[[], float]) -> None:
        self.settings = settings
        self._clock = clock
        self._lock = threading.Lock()
        self._tenants: dict[str, _TenantBudget] = {}
        self._app_minute = _Window(MINUTE)

    def configure(self, **changes: int | bool) -> LimitSettings:
        """Change limits at runtime (admin API); unknown names raise ``TypeError``."""
        with self._lock:
            for name, value in changes.items():
                if not hasattr(self.settings, name):
                    raise TypeError(f"unknown rate limit setting {name!r}")
                setattr(self.settings, name, value)
            return self.settings

    def reset(self) -> None:
        with self._lock:
            self._tenants.clear()
            self._app_minute = _Window(MINUTE)

    def acquire(self, tenant_id: str) -> Decision:
        """Count a call against ``tenant_id``, or refuse it; a granted call must be :meth:`release`-d."""
        with self._lock:
            now = self._clock()
            budget = self._tenants.setdefault(tenant_id, _TenantBudget())
            budget.minute.roll(now)
            budget.day.roll(now)
            self._app_minute.roll(now)
            s = self.settings
            problem, retry_after = None, 0
            if s.enabled:
                if budget.day.used >= s.per_day:
                    problem, retry_after = "day", budget.day.retry_after(now)
                elif budget.minute.used >= s.per_minute:
                    problem, retry_after = "minute", budget.minute.retry_after(now)
                elif self._app_minute.used >= s.app_per_minute:
                    problem, retry_after = "appminute", self._app_minute.retry_after(now)
                elif budget.in_flight >= s.concurrent:
                    problem, retry_after = "concurrent", 1
            if problem is None:
                budget.minute.used += 1
                budget.day.used += 1
                self._app_minute.used += 1
                budget.in_flight += 1
            return Decision(
                problem,
                retry_after,
                max(0, s.per_day - budget.day.used),
                max(0, s.per_minute - budget.minute.used),
                max(0, s.app_per_minute - self._app_minute.used),
            )

    def release(self, tenant_id: str) -> None:
        with self._lock:
            budget = self._tenants.get(tenant_id)
            if budget is not None and budget.in_flight > 0:
                budget.in_flight -= 1

    def storm_decision(self, tenant_id: str | None) -> Decision:
        """A refusal for the ``rate_limit_storm`` fault: like a minute limit, retry after one second."""
        with self._lock:
            budget = self._tenants.get(tenant_id or "") or _TenantBudget()
            s = self.settings
            return Decision("minute", 1, max(0, s.per_day - budget.day.used), 0,
                            max(0, s.app_per_minute - self._app_minute.used))
