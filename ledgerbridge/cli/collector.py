"""Garbage-collector settings for a process that is ledgerbridge's alone (the ``ledgerbridge`` command: uploads,
the worker, the API server, the benchmarks), never for a process that merely imports it (a test run, a host).

An upload allocates millions of short-lived containers (each batch answer and read-back page decoded from JSON,
each row bound for SQLite) and almost no reference cycles. With the default young-generation threshold (700)
those allocations set off a young collection every few hundred objects and, through them, full collections
that walk every object the process holds: in ``ledgerbridge bench --package qbo --documents 10000`` the
collector took 2.6 of the engine's 10 CPU seconds, 1.6 of them in 19 full passes. What importing made lives as
long as the process, so it is frozen out of those passes, and the young generation is made larger: the collector
then costs about 0.4 s of that run. Cycles are still collected, only in larger steps. Nothing the engine does or
answers depends on this (the sandboxes do the same in their own processes: ``sandboxes.serving``).
"""

from __future__ import annotations

import gc

YOUNG_THRESHOLD = 10_000


def tune_collector() -> None:
    """Freeze what exists now out of the collector's passes and collect the young generation less often."""
    gc.collect()
    gc.freeze()
    _, older, oldest = gc.get_threshold()
    gc.set_threshold(YOUNG_THRESHOLD, older, oldest)
