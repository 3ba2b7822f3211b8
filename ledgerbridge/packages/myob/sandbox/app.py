"""Assembling the sandbox's ASGI application."""

from __future__ import annotations

from fastapi import Request
from fastapi.exception_handlers import http_exception_handler
from fastapi.responses import Response
from starlette.exceptions import HTTPException

from ledgerbridge.sandboxes.gateway import GatewayApp

from . import admin, api, identity, ui
from .config import API_PREFIX, SandboxConfig
from .errors import MyobError, method_not_allowed, route_missing
from .gateway import SandboxGateway
from .runtime import SandboxRuntime


class MyobSandboxApp(GatewayApp[SandboxRuntime]):
    """The sandbox's app, with :class:`~.gateway.SandboxGateway` as its outermost layer."""

    gateway_class = SandboxGateway


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
