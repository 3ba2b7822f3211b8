"""Running the sandbox: in a background thread (tests, demo, benchmarks) or in the foreground (the CLI)."""

from __future__ import annotations

import gc
import socket
import sys
import threading
import time
from dataclasses import dataclass, field
from types import TracebackType

import uvicorn

from .app import XeroSandboxApp, create_app
from .config import API_PREFIX, SandboxConfig
from .runtime import SandboxRuntime

STARTUP_TIMEOUT = 10.0


@dataclass
class RunningSandbox:
    """A sandbox serving on loopback until :meth:`stop` (or the end of a ``with`` block)."""

    config: SandboxConfig
    app: XeroSandboxApp
    host: str
    port: int
    _server: uvicorn.Server = field(repr=False)
    _thread: threading.Thread = field(repr=False)

    @property
    def base_url(self) -> str:
        """Stands in for ``https://api.xero.com`` (connections live at ``{base_url}/connections``)."""
        return f"http://{self.host}:{self.port}"

    @property
    def identity_url(self) -> str:
        """Stands in for ``https://identity.xero.com``/``login.xero.com/identity``: ``/connect/token``,
        ``/connect/authorize`` and ``/connect/revocation`` hang off it."""
        return f"{self.base_url}/identity"

    @property
    def api_url(self) -> str:
        """The accounting API root, ``https://api.xero.com/api.xro/2.0``."""
        return f"{self.base_url}{API_PREFIX}"

    @property
    def runtime(self) -> SandboxRuntime:
        return self.app.runtime

    def stop(self) -> None:
        self._server.should_exit = True
        self._thread.join(timeout=STARTUP_TIMEOUT)

    def __enter__(self) -> RunningSandbox:
        return self

    def __exit__(self, kind: type[BaseException] | None, value: BaseException | None,
                 traceback: TracebackType | None) -> None:
        self.stop()


def _uvicorn_config(app: XeroSandboxApp, config: SandboxConfig) -> uvicorn.Config:
    return uvicorn.Config(app, host=config.host, port=config.port, log_level=config.log_level,
                          access_log=False, lifespan="off", proxy_headers=False, server_header=False)


def make_listening_socket(host: str, port: int) -> socket.socket:
    """The server socket. IPPROTO_TCP explicitly: asyncio only sets TCP_NODELAY on sockets whose proto says TCP,
    and without it every small response waits out a 40 ms delayed ACK."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    listener = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind((host, port))
    listener.listen(128)
    return listener


def start_xero_sandbox(config: SandboxConfig | None = None) -> RunningSandbox:
    """Serve a fresh sandbox from a background thread; ``port=0`` picks a free port."""
    config = config or SandboxConfig()
    app = create_app(config)
    listener = make_listening_socket(config.host, config.port)
    port = listener.getsockname()[1]
    server = uvicorn.Server(_uvicorn_config(app, config))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [listener]}, name=f"xero-sandbox-{port}",
                              daemon=True)
    thread.start()
    deadline = time.monotonic() + STARTUP_TIMEOUT
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            server.should_exit = True
            listener.close()
            raise RuntimeError(f"Xero sandbox did not start on {config.host}:{port}")
        time.sleep(0.01)
    return RunningSandbox(config, app, config.host, port, server, thread)


def serve_xero_sandbox(config: SandboxConfig | None = None) -> None:
    """Serve in the foreground until interrupted (``ledgerbridge sandbox xero --port N``)."""
    config = config or SandboxConfig()
    app = create_app(config)
    base = f"http://{config.host}:{config.port}"
    print(
        f"Xero sandbox on {base}\n"
        f"  accounting API  {base}{API_PREFIX}\n"
        f"  identity        {base}/identity  (client_id {config.client_id!r}, secret {config.client_secret!r})\n"
        f"  books & payments {base}/sandbox/",
        file=sys.stderr,
    )
    host = "127.0.0.1" if config.host == "localhost" else config.host
    server = uvicorn.Server(_uvicorn_config(app, config))
    _tune_collector()
    server.run(sockets=[make_listening_socket(host, config.port)])


def _tune_collector() -> None:
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
