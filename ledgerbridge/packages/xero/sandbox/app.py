"""Assembling the sandbox's ASGI application."""

from __future__ import annotations

from fastapi import Request
from fastapi.exception_handlers import http_exception_handler
from fastapi.responses import Response
from starlette.exceptions import HTTPException

from ledgerbridge.sandboxes.gateway import GatewayApp

from . import admin, identity, ui
from .accounting import accounting_router, route_templates
from .config import API_PREFIX, SandboxConfig
from .endpoint import error_response
from .errors import NotFound, XeroApiError
from .gateway import SandboxGateway
from .runtime import SandboxRuntime


class XeroSandboxApp(GatewayApp[SandboxRuntime]):
    """The sandbox's app, with :class:`~.gateway.SandboxGateway` as its outermost layer."""

    gateway_class = SandboxGateway


async def _xero_error(_request: Request, error: Exception) -> Response:
    assert isinstance(error, XeroApiError)
    return error_response(error)


async def _unknown_route(request: Request, error: Exception) -> Response:
    """Unknown accounting paths answer like unknown ids do in Xero: a bare-text 404."""
    assert isinstance(error, HTTPException)
    if error.status_code == 404 and request.url.path.startswith(API_PREFIX):
        return error_response(NotFound())
    return await http_exception_handler(request, error)


def create_app(config: SandboxConfig | None = None) -> XeroSandboxApp:
    """A fresh sandbox (its own books, tokens and counters) as an ASGI app, for uvicorn or a test client."""
    runtime = SandboxRuntime(config or SandboxConfig())
    app = XeroSandboxApp(
        runtime,
        title="ledgerbridge Xero sandbox",
        docs_url=None,
        redoc_url=None,
        openapi_url=None,
    )
    app.add_exception_handler(XeroApiError, _xero_error)
    app.add_exception_handler(HTTPException, _unknown_route)
    app.include_router(accounting_router())
    app.include_router(identity.router)
    app.include_router(admin.router)
    app.include_router(ui.router)
    runtime.stats.add_templates(route_templates())
    return app
