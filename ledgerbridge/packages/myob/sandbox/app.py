"""Assembling the sandbox's ASGI application."""

from __future__ import annotations

import functools
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exception_handlers import http_exception_handler
from fastapi.responses import Response
from starlette.exceptions import HTTPException

from . import admin, api, identity, ui
from .config import API_PREFIX, SandboxConfig
from .errors import MyobError, method_not_allowed, route_missing
from .gateway import SandboxGateway
from .runtime import SandboxRuntime


class MyobSandboxApp(FastAPI):
    """A FastAPI app whose outermost layer is the :class:`~.gateway.SandboxGateway` (it wraps the whole app,
    not as middleware, because it needs the server's own ``send`` to drop a connection)."""

    def __init__(self, runtime: SandboxRuntime, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.state.runtime = runtime
        self._gateway = SandboxGateway(functools.partial(FastAPI.__call__, self), runtime)

    @property
    def runtime(self) -> SandboxRuntime:
        return self.state.runtime  # type: ignore[no-any-return]

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        await self._gateway(scope, receive, send)


async def _myob_error(request: Request, error: Exception) -> Response:
    assert isinstance(error, MyobError)
    return api.error_response(error)


async def _unknown_route(request: Request, error: Exception) -> Response:
    """Unknown API paths answer with MYOB's error body rather than FastAPI's ``{"detail"}``."""
    assert isinstance(error, HTTPException)
    if request.url.path.startswith(API_PREFIX) and error.status_code in (404, 405):
        if error.status_code == 405:
            return api.error_response(method_not_allowed(request.method, request.url.path))
        return api.error_response(route_missing(request.url.path))
    return await http_exception_handler(request, error)


def create_app(config: SandboxConfig | None = None) -> MyobSandboxApp:
    """A fresh sandbox (its own books, tokens and counters) as an ASGI app, for uvicorn or a test client."""
    runtime = SandboxRuntime(config or SandboxConfig())
    app = MyobSandboxApp(runtime, title="ledgerbridge MYOB Business sandbox", docs_url=None, redoc_url=None,
                         openapi_url=None, redirect_slashes=False)
    app.add_exception_handler(MyobError, _myob_error)
    app.add_exception_handler(HTTPException, _unknown_route)
    app.include_router(api.router)
    app.include_router(identity.router)
    app.include_router(admin.router)
    app.include_router(ui.router)
    return app
