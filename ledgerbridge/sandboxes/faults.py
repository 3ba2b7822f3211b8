"""Injected failures, so that ledgerbridge's retry and recovery paths can be tested against real HTTP.

Shared by every sandbox; each arms the next N API calls and disarms itself:

* ``fail_with_status``: answer 5xx before doing anything (an outage; Xero's 503 "Organisation offline");
* ``rate_limit_storm``: answer 429 the way the package does (a burst that blows the minute limit);
* ``drop_response_after_commit``: perform the write, then close the connection without a response, the
  crash window every exporter must survive (the record exists in the package, the client never heard);
* ``latency_ms``: slow every API call down (not self-disarming), to make concurrency observable.
"""

from __future__ import annotations

import threading
from dataclasses import asdict, dataclass
from typing import Any

_KNOWN = frozenset({"fail_with_status", "count", "rate_limit_storm", "drop_response_after_commit", "latency_ms"})


@dataclass(slots=True)
class FaultState:
    fail_status: int = 503
    fail_count: int = 0
    rate_limit_storm: int = 0
    drop_response_after_commit: int = 0
    latency_ms: int = 0


class FaultPlan:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._state = FaultState()

    def arm(self, request: dict[str, Any]) -> None:
        """Apply an admin request such as ``{"fail_with_status": 503, "count": 2}``; counts add up."""
        unknown = set(request) - _KNOWN
        if unknown:
            raise ValueError(f"unknown fault(s): {', '.join(sorted(unknown))}")
        with self._lock:
            state = self._state
            if "fail_with_status" in request:
                status = int(request["fail_with_status"])
                if not 500 <= status <= 599:
                    raise ValueError("fail_with_status must be a 5xx status")
                state.fail_status = status
                state.fail_count += int(request.get("count", 1))
            if "rate_limit_storm" in request:
                state.rate_limit_storm += int(request["rate_limit_storm"])
            if "drop_response_after_commit" in request:
                state.drop_response_after_commit += int(request["drop_response_after_commit"])
            if "latency_ms" in request:
                state.latency_ms = max(0, int(request["latency_ms"]))

    def clear(self) -> None:
        with self._lock:
            self._state = FaultState()

    def snapshot(self) -> dict[str, int]:
        with self._lock:
            return asdict(self._state)

    @property
    def latency_seconds(self) -> float:
        return self._state.latency_ms / 1000

    def take_failure(self) -> int | None:
        with self._lock:
            if self._state.fail_count <= 0:
                return None
            self._state.fail_count -= 1
            return self._state.fail_status

    def take_storm(self) -> bool:
        with self._lock:
            if self._state.rate_limit_storm <= 0:
                return False
            self._state.rate_limit_storm -= 1
            return True

    def take_drop(self) -> bool:
        with self._lock:
            if self._state.drop_response_after_commit <= 0:
                return False
            self._state.drop_response_after_commit -= 1
            return True
