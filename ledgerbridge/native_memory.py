"""The C allocator's share of a process's memory: fewer arenas, and freed memory given back to the system, so a
process's peak does not grow with the work it did.

Why this is written by hand: Python frees its objects, but the memory under lxml's trees (libxml2 allocates every
node with ``malloc``), SQLite's pages and the large strings of a message goes through glibc's allocator, which keeps
what was freed in the heap of the thread's arena for reuse instead of returning it. A Web Connector answer of a few
MB parsed in the SOAP service's thread and again in the export thread leaves its trees' memory in both arenas: the
bench process at 10,000 invoices ended its upload some 50 MB above the same run at 2,000, and the next session's
password check (argon2, 64 MiB of its own, always mapped and unmapped) then came on top of that. No library offers
this: ``malloc_trim`` and ``mallopt`` (glibc) are reached through ``ctypes``; elsewhere (musl, macOS) they are
no-ops, and nothing depends on them for correctness, only the process's size.

Where it is used, and why there:

* :func:`limit_arenas` where a ``ledgerbridge`` process starts (``cli.main.run``, the setting
  ``LEDGERBRIDGE_MALLOC_ARENAS``), before any thread: see its docstring;
* :func:`release_free_memory` after a job (``queue.worker``): a job's transient memory (an upload's windows, its
  read-back, an import's pages) is garbage once it ends, and the worker's next job or a session's argon2 would
  otherwise start from its high mark;
* after a large answer is delivered (``queue.polled_session``, :data:`LARGE_ANSWER_BYTES`): the SOAP service's
  thread parsed and cut it, and the connector parses it next in its own thread;
* after a large intake batch is applied (``api.intake``, :data:`LARGE_BATCH_BYTES`): its JSON, models and rows
  are garbage once committed, and a Web Connector session may start next (argon2 on top of what is kept);
* and before argon2 checks a Web Connector password (``webconnector.credentials``): a session may start while a
  job's freed memory still waits for the worker's trim.

A trim costs CPU in proportion to what it gives back (some 60 ms for 60 MB of freed trees, 0.05 ms with nothing to
give back), so it is made after work measured in MB, never per small message.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import functools
import threading
from collections.abc import Callable

__all__ = ["LARGE_ANSWER_BYTES", "LARGE_BATCH_BYTES", "limit_arenas", "release_free_memory"]

#: An answer at least this large is followed by a trim (a read-back of 1,000 documents is some 300 KB; an answer
#: to a message of 1,000 invoices some 400 KB).
LARGE_ANSWER_BYTES = 256 * 1024

#: glibc's ``mallopt`` parameter for the most arenas (``M_ARENA_MAX`` in ``malloc.h``).
_M_ARENA_MAX = -8

#: An intake batch at least this large is followed by a trim (1,000 of the bench's invoices are some 700 KB of JSON;
#: their models and rows some 15 MB, of which the process kept half once freed, without it).
LARGE_BATCH_BYTES = 256 * 1024

_lock = threading.Lock()


@functools.cache
def _libc() -> ctypes.CDLL | None:
    name = ctypes.util.find_library("c")
    if name is None:
        return None
    try:
        return ctypes.CDLL(name)
    except OSError:
        return None


@functools.cache
def _function(name: str, *argtypes: type[ctypes.c_int] | type[ctypes.c_size_t]) -> Callable[..., int] | None:
    libc = _libc()
    function = getattr(libc, name, None) if libc is not None else None
    if function is None:  # not glibc (musl, macOS): no such call, and nothing to do
        return None
    function.argtypes = list(argtypes)
    function.restype = ctypes.c_int
    result: Callable[..., int] = function
    return result


def limit_arenas(count: int) -> bool:
    """At most ``count`` malloc arenas in this process (0: leave the C library's default); whether it was set.

    glibc gives each thread that allocates while another holds the lock an arena of its own, up to eight per
    core, and an arena keeps its freed memory for the threads that use it: with an export pool of ten threads, the
    SOAP service's threads and the worker, a process held the high mark of each. Two arenas share that memory
    (``MALLOC_ARENA_MAX=2`` in the environment does the same): in the QuickBooks Desktop bench the peak at 10,000
    invoices fell from some 347 to 237 MB (``docs/benchmarks.md``, session 7). Threads then wait on an arena's lock
    now and then; Python's own objects do not go through it (pymalloc, under the GIL), so the cost is small.

    Must run before the process starts its threads: the limit is read when the second arena is made."""
    if count <= 0:
        return False
    mallopt = _function("mallopt", ctypes.c_int, ctypes.c_int)
    return mallopt is not None and mallopt(_M_ARENA_MAX, count) == 1


def release_free_memory() -> bool:
    """Return the C heap's free pages to the system (every arena's); whether the allocator could be asked.

    One trim at a time: it walks every arena, taking each one's lock in turn, and two at once would only wait on
    each other there."""
    trim = _function("malloc_trim", ctypes.c_size_t)
    if trim is None:
        return False
    with _lock:
        trim(0)
    return True
