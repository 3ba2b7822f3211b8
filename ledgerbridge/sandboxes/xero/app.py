"""Assembling the sandbox's ASGI application."""

from __future__ import annotations

import functools
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import Response

from . import admin, identity, ui
from .accounting import accounting_router, route_templates
from .config import SandboxConfig
from .endpoint import error_response
from .errors import XeroApiError
from .gateway import SandboxGateway
from .runtime import SandboxRuntime


class XeroSandboxApp(FastAPI):
    """A FastAPI app whose outermost layer is the :class:`~.gateway.SandboxGateway`.

    The gateway wraps the whole app rather than being added as middleware, because it needs the server's
    own ``send`` to drop a connection (see :func:`~.gateway._drop_connection`).
    """

    def __init__(self, runtime: SandboxRuntime, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.state.runtime = runtime
        self._gateway = SandboxGateway(functools.partial(FastAPI.__call__, self), runtime)

    @property
    def runtime(self) -> SandboxRuntime:
        return self.state.runtime  # type: ignore[no-any-return]

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        await self._gateway(scope, receive, send)


async def _xero_error(_request: Request, error: Exception) -> Response:
    assert isinstance(error, XeroApiError)
    return error_response(error)


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
    app.include_router(accounting_router())
    app.include_router(identity.router)
    app.include_router(admin.router)
    app.include_router(ui.router)
    runtime.stats.add_templates(route_templates())
    return app
