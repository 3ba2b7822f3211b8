"""A sandbox's clock for tokens and rate windows, which the admin API can move on or speed up.

Wall-clock seconds plus an offset the admin API can advance, so tests see tokens expire and rate windows pass
without waiting. Record timestamps stay on real time (each package's own ``UpdatedDateUTC``, ``MetaData``,
``LastModified``). ``scale`` > 1 accelerates it from ``origin`` (:mod:`ledgerbridge.clock`): a benchmark gives the
sandbox's rate limiter and the client's call budget the same two numbers (``bench-scale limits``), so an hour of
the package's limits passes in minutes.
"""

from __future__ import annotations

import time
from dataclasses import dataclass


@dataclass(slots=True)
class SandboxClock:
    """Seconds since the epoch as the sandbox's tokens and rate windows see them (call it)."""

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
