"""The web app served by uvicorn on a loopback port in a thread of this process: for a benchmark or a test that
talks to it over real HTTP (``ledgerbridge serve`` runs uvicorn itself, in the foreground)."""

from __future__ import annotations

import socket
import threading
import time
from dataclasses import dataclass
from typing import Any

import uvicorn

START_TIMEOUT = 15.0  # seconds: the app's lifespan (migrations checked, the worker started) on a loaded machine


@dataclass
class ServedApp:
    base_url: str
    server: uvicorn.Server
    thread: threading.Thread
    listener: socket.socket

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=30)
        self.listener.close()


def serve_in_thread(app: Any, name: str = "web-app", port: int = 0) -> ServedApp:
    """Serve ``app`` (an ASGI app) on a loopback port (``port``, or a free one) until :meth:`ServedApp.stop`;
    returns once it answers. A given port lets a test restart the server where its clients expect it."""
    # IPPROTO_TCP named explicitly: asyncio sets TCP_NODELAY only on sockets whose proto says TCP, and without it
    # every keep-alive response waits ~40 ms for the client's delayed ACK (uvicorn's own bind does the same).
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("127.0.0.1", port))
    port = listener.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="on"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [listener]}, daemon=True, name=name)
    thread.start()
    deadline = time.monotonic() + START_TIMEOUT
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            listener.close()
            raise RuntimeError("the web app did not start")
        time.sleep(0.02)
    return ServedApp(f"http://127.0.0.1:{port}", server, thread, listener)
