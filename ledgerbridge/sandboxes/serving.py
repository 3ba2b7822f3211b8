"""Serving a sandbox, whichever package it imitates: on a loopback socket, in a thread or in the foreground.

Shared by every sandbox so that each keeps only what is its own (its app, its URLs, its banner): a package's
``RunningSandbox`` is a :class:`ServedSandbox` with its app and config added.
"""

from __future__ import annotations

import gc
import socket
import threading
import time
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any, Self

import uvicorn

STARTUP_TIMEOUT = 10.0


def uvicorn_config(app: Any, host: str, port: int, log_level: str) -> uvicorn.Config:
    return uvicorn.Config(app, host=host, port=port, log_level=log_level, access_log=False, lifespan="off",
                          proxy_headers=False, server_header=False)


def make_listening_socket(host: str, port: int) -> socket.socket:
    """The server socket. IPPROTO_TCP explicitly: asyncio only sets TCP_NODELAY on sockets whose proto says TCP,
    and without it every small response waits out a 40 ms delayed ACK."""
    host = "127.0.0.1" if host == "localhost" else host
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    listener = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind((host, port))
    listener.listen(128)
    return listener


def serve_in_thread(app: Any, host: str, port: int, log_level: str,
                    name: str) -> tuple[uvicorn.Server, threading.Thread, int]:
    """Start serving from a daemon thread; returns once the server accepts connections (or raises)."""
    listener = make_listening_socket(host, port)
    bound_port = int(listener.getsockname()[1])
    server = uvicorn.Server(uvicorn_config(app, host, port, log_level))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [listener]}, name=f"{name}-{bound_port}",
                              daemon=True)
    thread.start()
    deadline = time.monotonic() + STARTUP_TIMEOUT
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            server.should_exit = True
            listener.close()
            raise RuntimeError(f"{name} did not start on {host}:{bound_port}")
        time.sleep(0.01)
    return server, thread, bound_port


@dataclass(kw_only=True)
class ServedSandbox:
    """A sandbox serving on loopback from a thread of this process until :meth:`stop` (or the end of a ``with``
    block). Keyword-only, so that a package's subclass puts its own fields (config, app) first."""

    host: str
    port: int
    _server: uvicorn.Server = field(repr=False)
    _thread: threading.Thread = field(repr=False)

    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def stop(self) -> None:
        self._server.should_exit = True
        self._thread.join(timeout=STARTUP_TIMEOUT)

    def __enter__(self) -> Self:
        return self

    def __exit__(self, kind: type[BaseException] | None, value: BaseException | None,
                 traceback: TracebackType | None) -> None:
        self.stop()


def serve_in_foreground(app: Any, host: str, port: int, log_level: str) -> None:
    """Serve until interrupted, in a process that is the sandbox's alone (``ledgerbridge sandbox ...``)."""
    server = uvicorn.Server(uvicorn_config(app, host, port, log_level))
    tune_collector()
    server.run(sockets=[make_listening_socket(host, port)])


def tune_collector() -> None:
    """Garbage-collector settings for a process that is the sandbox's alone (never start_xero_sandbox's, whose
    process belongs to a test run or a demo).

    A batch write allocates thousands of short-lived containers, and with the default young-generation threshold
    (700) every few hundred of them set off a collection, whose survivors soon force full passes over every
    record in the books.  What importing and building the app made lives as long as the process, so it is
    frozen out of those passes, and the young generation is made larger: 200 x 50-invoice PUTs then spend about
    a fifth of the time they did in the collector.  Nothing the sandbox answers depends on this.
    """
    gc.collect()
    gc.freeze()
    gc.set_threshold(10_000, 10, 10)
