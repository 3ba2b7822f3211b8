"""A wall clock for the package clients' tests: time moves only when the client sleeps, so a wait for a rate limit
or a back-off is taken at once and can be read back (``sleeps``)."""

from __future__ import annotations

import time


class FakeClock:
    """Wall time that only moves when someone sleeps."""

    def __init__(self) -> None:
        self.now = time.time()
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds
