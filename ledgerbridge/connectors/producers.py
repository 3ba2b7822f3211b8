"""Who is making a connection's calls right now, in this process: what lets a package that polls us be handed
full messages.

The mailbox (``connectors.mailbox``) packs what is queued when the package asks. A run's calls are queued a few
at a time (a window of calls built by as many threads, the next window after the run has prepared it), so at the
moment of an ask part of them may still be on their way. A thread that makes the calls says so
(:func:`producing`: the exporter while it prepares a window, a connector while it builds a call's requests), and a
thread that waits for an answer says that it produces nothing meanwhile (:func:`waiting`, which the mailbox does
while a caller waits): while :func:`producers` is above 0, more is coming, and the session may hold the message
for it. Counted per process: a run in another process is simply not seen (the session then packs what is there).

A run that has queued the last of its calls says so (:func:`all_sent`, while it waits for their answers): with no
thread producing, nothing more is coming, and its tail goes at once rather than after the session's wait for
threads an answer may have woken (``queue.polled_session.SessionWork._gather``).
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager

__all__ = ["all_sent", "awaiting", "finished_runs", "producers", "producing", "waiting"]


class _Producers:
    """Threads of this process that are making a connection's calls and are not waiting for an answer (a run's
    main thread preparing the next window of calls, a call building its requests): while there are any, more of
    the run's calls are on their way, and a message below the bound is worth holding for them
    (``queue.polled_session.SessionWork``). A thread waiting in ``Mailbox.exchange`` is not counted."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._counts: dict[int, int] = {}
        self._finished: dict[int, int] = {}  # runs that queued their last call and wait for the answers
        self._awaiting: dict[int, int] = {}  # threads waiting for the package's answer (``waiting``)
        self._local = threading.local()

    def _mine(self) -> dict[int, int]:
        mine: dict[int, int] | None = getattr(self._local, "mine", None)
        if mine is None:
            mine = self._local.mine = {}
        return mine

    def count(self, connection_id: int) -> int:
        with self._lock:
            return self._counts.get(connection_id, 0)

    def _add(self, connection_id: int, n: int) -> None:
        with self._lock:
            self._counts[connection_id] = self._counts.get(connection_id, 0) + n

    def awaiting(self, connection_id: int) -> int:
        with self._lock:
            return self._awaiting.get(connection_id, 0)

    def finished(self, connection_id: int) -> int:
        with self._lock:
            return self._finished.get(connection_id, 0)

    @contextmanager
    def all_sent(self, connection_id: int) -> Iterator[None]:
        with self._lock:
            self._finished[connection_id] = self._finished.get(connection_id, 0) + 1
        try:
            yield
        finally:
            with self._lock:
                self._finished[connection_id] -= 1

    @contextmanager
    def producing(self, connection_id: int) -> Iterator[None]:
        mine = self._mine()
        mine[connection_id] = mine.get(connection_id, 0) + 1
        if mine[connection_id] == 1:
            self._add(connection_id, 1)
        try:
            yield
        finally:
            mine[connection_id] -= 1
            if mine[connection_id] == 0:
                self._add(connection_id, -1)

    @contextmanager
    def waiting(self, connection_id: int) -> Iterator[None]:
        counted = self._mine().get(connection_id, 0) > 0 and not getattr(self._local, "waiting", False)
        with self._lock:
            self._awaiting[connection_id] = self._awaiting.get(connection_id, 0) + 1
        if counted:
            self._local.waiting = True
            self._add(connection_id, -1)
        try:
            yield
        finally:
            if counted:
                self._local.waiting = False
                self._add(connection_id, 1)
            with self._lock:
                self._awaiting[connection_id] -= 1


_PRODUCERS = _Producers()


def producing(connection_id: int) -> AbstractContextManager[None]:
    """Mark this thread as making the connection's calls for the duration (see :class:`_Producers`)."""
    return _PRODUCERS.producing(connection_id)


def waiting(connection_id: int) -> AbstractContextManager[None]:
    """Mark this thread as waiting for the package for the duration (it produces nothing meanwhile)."""
    return _PRODUCERS.waiting(connection_id)


def producers(connection_id: int) -> int:
    """Threads of this process making the connection's calls right now (0 when the run is in another process)."""
    return _PRODUCERS.count(connection_id)


def all_sent(connection_id: int) -> AbstractContextManager[None]:
    """Mark a run of the connection as having queued its last call, while it waits for the answers."""
    return _PRODUCERS.all_sent(connection_id)


def finished_runs(connection_id: int) -> int:
    """Runs of this process that queued their last call for the connection and wait for the answers."""
    return _PRODUCERS.finished(connection_id)


def awaiting(connection_id: int) -> int:
    """Threads of this process waiting for the package's answer on the connection (:func:`waiting`): with none
    producing, nothing more comes from this process until an answer does."""
    return _PRODUCERS.awaiting(connection_id)
