"""Time for the call budget and the sandboxes: the wall clock, or an accelerated one for benchmarks.

Why: Xero allows 60 calls a minute and 5,000 a day, so 10,000 invoices need over three minutes of real time
and 100,000 over half an hour. The benchmark instead runs the sandbox's rate limiter and the client's budget on
one *accelerated* clock: simulated time runs ``scale`` times faster than real time from a common ``origin``
(epoch seconds), so every process that is given the same two numbers agrees on "now" without talking to the
others, and a wait of 60 simulated seconds takes 60/scale real ones. Local work is accelerated too (it costs
``scale`` times more simulated time), so the figures are if anything pessimistic.

Worker processes take the two numbers from the settings ``clock_scale`` / ``clock_origin`` (the variables
``LEDGERBRIDGE_CLOCK_SCALE`` / ``LEDGERBRIDGE_CLOCK_ORIGIN``, see :func:`configured_clock`), which
:meth:`Clock.env` writes for a child process.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Protocol

from ledgerbridge.config import AppSettings, env_name, get_settings

__all__ = ["SCALE_ENV", "ORIGIN_ENV", "Clock", "Now", "configured_clock"]

SCALE_ENV = env_name("clock_scale")
ORIGIN_ENV = env_name("clock_origin")


class Now(Protocol):
    """What reads the time and never waits (the sign-in throttle): a :class:`Clock`, or a test's own."""

    def now(self) -> float: ...


@dataclass(frozen=True, slots=True)
class Clock:
    """``now()`` in (possibly simulated) epoch seconds and a ``sleep`` of simulated seconds."""

    scale: float = 1.0
    origin: float = 0.0

    def now(self) -> float:
        real = time.time()
        if self.scale == 1.0:
            return real
        return self.origin + (real - self.origin) * self.scale

    def sleep(self, seconds: float) -> None:
        if seconds > 0:
            time.sleep(seconds / self.scale)

    def real_seconds(self, simulated: float) -> float:
        return simulated / self.scale

    def env(self) -> dict[str, str]:
        """The variables that give a child process this same clock."""
        return {SCALE_ENV: repr(self.scale), ORIGIN_ENV: repr(self.origin)}


WALL = Clock()


def configured_clock(settings: AppSettings | None = None) -> Clock:
    """The wall clock, or the accelerated one the settings describe (a positive scale; origin: now if unset)."""
    settings = settings or get_settings()
    if settings.clock_scale is None:
        return WALL
    origin = settings.clock_origin if settings.clock_origin is not None else time.time()
    return Clock(settings.clock_scale, origin)
