"""Call counts by method and route, so benchmarks can report how many API calls a run cost."""

from __future__ import annotations

import threading
from collections import Counter


class CallStats:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._calls: Counter[str] = Counter()

    def count(self, method: str, route: str) -> None:
        with self._lock:
            self._calls[f"{method} {route}"] += 1

    def snapshot(self) -> dict[str, object]:
        with self._lock:
            calls = dict(sorted(self._calls.items()))
        accounting = sum(n for key, n in calls.items() if " /api.xro/" in key)
        return {"total": sum(calls.values()), "accounting_total": accounting, "calls": calls}

    def reset(self) -> None:
        with self._lock:
            self._calls.clear()
