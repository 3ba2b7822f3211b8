"""The plain-ASGI front door every HTTP sandbox puts before its FastAPI app, and the pieces its checks answer with.

Plain ASGI outside FastAPI, for one reason: to simulate an answer lost after the write committed, a gateway must
close the client's connection without sending anything, and only the server's own ``send`` knows the connection.
:class:`SandboxGateway` lets the admin API (``/sandbox``) through untouched, counts every other request, and hands
the package's API paths to the package's own checks (:meth:`SandboxGateway.api`: faults, authentication, rate
limits, replay, in the package's order and with its answers); the rest (OAuth, books pages) goes to the app, a
:class:`GatewayApp`.
"""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Awaitable, Callable, MutableMapping
from dataclasses import dataclass
from typing import Any, ClassVar, Generic, Protocol, TypeVar

from fastapi import FastAPI

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]
HeaderList = list[tuple[bytes, bytes]]

JSON = b"application/json; charset=utf-8"
TEXT = b"text/plain; charset=utf-8"


class _CallCounter(Protocol):
    def count(self, method: str, path: str) -> None: ...


class _CountingRuntime(Protocol):
    @property
    def stats(self) -> _CallCounter: ...


RuntimeT = TypeVar("RuntimeT", bound=_CountingRuntime)


class SandboxGateway(Generic[RuntimeT]):
    """Wraps the sandbox's app; a package's gateway names its API's path prefix and implements :meth:`api`."""

    #: Requests whose path starts with this are the package's API (counted, then checked by :meth:`api`).
    api_prefix: ClassVar[str]

    def __init__(self, app: ASGIApp, runtime: RuntimeT) -> None:
        self.app = app
        self.runtime = runtime

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"].startswith("/sandbox"):
            await self.app(scope, receive, send)
            return
        self.runtime.stats.count(scope["method"], scope["path"])
        if not scope["path"].startswith(self.api_prefix):
            await self.app(scope, receive, send)
            return
        await self.api(scope, receive, send)

    async def api(self, scope: Scope, receive: Receive, send: Send) -> None:
        raise NotImplementedError


class GatewayApp(FastAPI, Generic[RuntimeT]):
    """A sandbox's FastAPI app whose outermost layer is its package's gateway (``gateway_class``): it wraps the
    whole app rather than being added as middleware, because it needs the server's own ``send`` to drop a
    connection (see :func:`drop_connection`). The runtime is on ``app.state`` for the routes."""

    gateway_class: ClassVar[type[SandboxGateway[Any]]]

    def __init__(self, runtime: RuntimeT, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.state.runtime = runtime
        self._gateway = self.gateway_class(functools.partial(FastAPI.__call__, self), runtime)

    @property
    def runtime(self) -> RuntimeT:
        return self.state.runtime  # type: ignore[no-any-return]

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        await self._gateway(scope, receive, send)


async def respond(send: Send, status: int, body: bytes, headers: HeaderList | None = None,
                  content_type: bytes = JSON) -> None:
    """A whole answer the gateway makes itself (a refusal, a replay), with its length."""
    all_headers = [(b"content-type", content_type), (b"content-length", str(len(body)).encode())]
    await send({"type": "http.response.start", "status": status, "headers": all_headers + (headers or [])})
    await send({"type": "http.response.body", "body": body})


@dataclass(frozen=True, slots=True)
class Captured:
    """A route's answer, kept instead of sent (to store it for replay, or to withhold it)."""

    status: int
    headers: HeaderList
    body: bytes

    @property
    def content_type(self) -> bytes:
        """The route's ``content-type`` (the last one it set), plain text if it set none."""
        found = [value for name, value in self.headers if name.lower() == b"content-type"]
        return found[-1] if found else TEXT


async def run_captured(app: ASGIApp, scope: Scope, receive: Receive) -> Captured:
    """Run the route and keep its answer (500 with no body if it never started one)."""
    status = 500
    headers: HeaderList = []
    chunks: list[bytes] = []

    async def capture(message: Message) -> None:
        nonlocal status, headers
        if message["type"] == "http.response.start":
            status, headers = message["status"], list(message.get("headers", []))
        elif message["type"] == "http.response.body":
            chunks.append(message.get("body", b""))

    await app(scope, receive, capture)
    return Captured(status, headers, b"".join(chunks))


def adding_headers(send: Send, extra: HeaderList) -> Send:
    """``send`` with ``extra`` headers added to the answer's start (limit headers, request ids)."""
    async def wrapped(message: Message) -> None:
        if message["type"] == "http.response.start":
            message = dict(message)
            message["headers"] = list(message.get("headers", [])) + extra
        await send(message)

    return wrapped


async def drop_connection(send: Send) -> None:
    """Close the client's connection with no response at all, as a network failure would.

    uvicorn's ``send`` is a bound method of the request cycle, which holds the transport.  Yielding to the
    loop lets uvicorn notice the disconnect, so it neither logs nor tries to send a 500.  Under a server
    without that (a test client), fall back to a truncated response, which clients also see as an error.
    """
    transport = getattr(getattr(send, "__self__", None), "transport", None)
    if transport is not None:
        transport.close()
        for _ in range(3):
            await asyncio.sleep(0)
        return
    await send({"type": "http.response.start", "status": 200, "headers": [(b"content-length", b"1")]})
    raise ConnectionAbortedError("sandbox fault: response dropped after commit")
