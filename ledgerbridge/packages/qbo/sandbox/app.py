"""Assembling the sandbox's ASGI application."""

from __future__ import annotations

from fastapi import Request
from fastapi.exception_handlers import http_exception_handler
from fastapi.responses import Response
from starlette.exceptions import HTTPException

from ledgerbridge.sandboxes.gateway import GatewayApp

from . import admin, api, identity, ui
from .config import API_PREFIX, SandboxConfig
from .errors import QboFault, unsupported_entity
from .gateway import SandboxGateway
from .runtime import SandboxRuntime


class QboSandboxApp(GatewayApp[SandboxRuntime]):
    """The sandbox's app, with :class:`~.gateway.SandboxGateway` as its outermost layer."""

    gateway_class = SandboxGateway


async def _qbo_fault(request: Request, error: Exception) -> Response:
    assert isinstance(error, QboFault)
    return api.fault_response(request, error)


async def _unknown_route(request: Request, error: Exception) -> Response:
    """Unknown API paths answer with a QBO fault rather than FastAPI's ``{"detail"}``."""
    assert isinstance(error, HTTPException)
    if request.url.path.startswith(API_PREFIX + "/") and error.status_code in (404, 405):
        fault = unsupported_entity(request.url.path)
        fault.status = error.status_code
        return api.fault_response(request, fault)
    return await http_exception_handler(request, error)


def create_app(config: SandboxConfig | None = None) -> QboSandboxApp:
    """A fresh sandbox (its own books, tokens and counters) as an ASGI app, for uvicorn or a test client."""
    runtime = SandboxRuntime(config or SandboxConfig())
    app = QboSandboxApp(runtime, title="ledgerbridge QuickBooks Online sandbox", docs_url=None, redoc_url=None,
                        openapi_url=None)
    app.add_exception_handler(QboFault, _qbo_fault)
    app.add_exception_handler(HTTPException, _unknown_route)
    app.include_router(api.router)
    app.include_router(identity.router)
    app.include_router(admin.router)
    app.include_router(ui.router)
    return app
