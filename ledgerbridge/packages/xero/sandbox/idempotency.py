"""``Idempotency-Key`` replay for writes.

Assumption (research note section 11; Xero's idempotency guide is not in the stored corpus): a key repeated
on the same tenant, method and path within 24 hours replays the first response's status and body exactly,
without running the request again, whatever the new body says.  A key reused while its first request is
still running is refused with 409 so that the two cannot both write.  Keys longer than 128 characters are
refused with 400, as the spec's parameter description implies.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass

MAX_KEY_LENGTH = 128

Key = tuple[str, str, str, str]


@dataclass(frozen=True, slots=True)
class StoredResponse:
    status: int
    content_type: bytes
    body: bytes
    expires_at: float


_IN_PROGRESS = object()


class IdempotencyCache:
    def __init__(self, ttl_seconds: float, clock: Callable[[], float]) -> None:
        self._ttl = ttl_seconds
        self._clock = clock
        self._lock = threading.Lock()
        self._entries: dict[Key, StoredResponse | object] = {}

    def begin(self, key: Key) -> StoredResponse | bool:
        """The stored response to replay, True if the caller may run the request, False if it is running."""
        with self._lock:
            now = self._clock()
            entry = self._entries.get(key)
            if isinstance(entry, StoredResponse) and entry.expires_at < now:
                entry = None
            if entry is _IN_PROGRESS:
                return False
            if isinstance(entry, StoredResponse):
                return entry
            self._entries[key] = _IN_PROGRESS
            if len(self._entries) % 1000 == 0:
                self._prune(now)
            return True

    def complete(self, key: Key, status: int, content_type: bytes, body: bytes) -> None:
        with self._lock:
            self._entries[key] = StoredResponse(status, content_type, body, self._clock() + self._ttl)

    def abandon(self, key: Key) -> None:
        """The request failed before it could decide anything (5xx); a retry with the key runs again."""
        with self._lock:
            if self._entries.get(key) is _IN_PROGRESS:
                del self._entries[key]

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()

    def _prune(self, now: float) -> None:
        self._entries = {
            k: v for k, v in self._entries.items() if not isinstance(v, StoredResponse) or v.expires_at >= now
        }
