"""Error recovery state (``newMessageSetID`` / ``oldMessageSetID``), kept per application as QuickBooks keeps it.

A message set sent with ``newMessageSetID="N"`` makes QuickBooks save the status of each of its requests as they
run (for a write, the ID of what it wrote, its EditSequence and ExternalGUID), replacing what it kept for that
application before. Asking with ``oldMessageSetID="N"`` (Intuit: an otherwise empty message set) returns those
statuses with an ``ErrorRecovery`` element per write, and ``messageSetStatusCode="0"``; asking about any other ID
returns ``messageSetStatusCode="600"`` ("no cleared state to return") and nothing else.
``oldMessageSetID="ClearAllMessageSets"`` forgets the application's state. What the sandbox chooses where Intuit
is silent (README.md): requests sent together with an ``oldMessageSetID`` status check are not run, and the state
survives sessions and the check itself until replaced or cleared.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

__all__ = ["CLEAR_ALL", "RecoveryStore", "SavedSet", "SavedStatus"]

CLEAR_ALL = "ClearAllMessageSets"


@dataclass(frozen=True, slots=True)
class SavedStatus:
    """One request's saved outcome: its ``…Rs`` tag, requestID, status, and for a write what it wrote."""

    response_tag: str
    request_id: str | None
    code: int
    message: str
    recovery: dict[str, str] | None


@dataclass(slots=True)
class SavedSet:
    message_set_id: str
    statuses: list[SavedStatus] = field(default_factory=list)


class RecoveryStore:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._saved: dict[str, SavedSet] = {}

    def start(self, app_name: str, message_set_id: str) -> SavedSet:
        """Begin saving a new message set for ``app_name`` (what was kept before is replaced at once)."""
        saved = SavedSet(message_set_id)
        with self._lock:
            self._saved[app_name] = saved
        return saved

    def lookup(self, app_name: str, message_set_id: str) -> SavedSet | None:
        with self._lock:
            saved = self._saved.get(app_name)
        return saved if saved is not None and saved.message_set_id == message_set_id else None

    def clear(self, app_name: str) -> None:
        with self._lock:
            self._saved.pop(app_name, None)

    def snapshot(self) -> dict[str, str]:
        """Application -> the message set ID kept for it (for the admin API)."""
        with self._lock:
            return {app: saved.message_set_id for app, saved in self._saved.items()}
