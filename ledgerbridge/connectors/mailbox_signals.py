"""Wake-ups of the mailbox's waiters in this process (``connectors.mailbox``): a generation counter and a condition
per connection, one set for messages queued (what a package's session waits for, to hand them out) and one for
messages settled (what a connector waits for, its answer). Two, because a run keeps some 15 exchanges waiting:
when every queued part woke them all, each looked at the database for nothing.
"""

from __future__ import annotations

import threading

__all__ = ["QUEUED", "SETTLED", "Signals"]


class Signals:
    """One condition per connection, woken when this process changes one of its messages (as this set counts)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._conditions: dict[int, threading.Condition] = {}
        self._generations: dict[int, int] = {}

    def generation(self, connection_id: int) -> int:
        """How many times the connection's messages changed in this process: a waiter that read it before its
        last look at the database misses no change made in between."""
        with self._lock:
            return self._generations.get(connection_id, 0)

    def of(self, connection_id: int) -> threading.Condition:
        with self._lock:
            return self._conditions.setdefault(connection_id, threading.Condition())

    def wake(self, connection_id: int) -> None:
        condition = self.of(connection_id)
        with condition:
            with self._lock:
                self._generations[connection_id] = self._generations.get(connection_id, 0) + 1
            condition.notify_all()

    def wait(self, connection_id: int, seen: int, seconds: float) -> None:
        condition = self.of(connection_id)
        with condition:
            if self.generation(connection_id) == seen:
                condition.wait(seconds)


#: Woken when this process queues a message (the package's session hands it out).
QUEUED = Signals()
#: Woken when this process settles a message: answered, failed, in doubt, withdrawn (its connector reads it).
SETTLED = Signals()
