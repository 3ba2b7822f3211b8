"""The Accounts Integration screens as a web app, served by ``ledgerbridge serve`` beside the REST API.

Plain server-rendered HTML (Jinja2), one CSS file and one small JS file served from
here: nothing is fetched from the internet, so it works on a closed network.
"""

from __future__ import annotations

from fastapi import APIRouter, FastAPI, Request
from fastapi.exception_handlers import http_exception_handler
from fastapi.responses import Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException

from ledgerbridge.web import (
    routes_auth,
    routes_connection,
    routes_documents,
    routes_export,
    routes_import,
    routes_mapping,
    routes_numbering,
    routes_parties,
    routes_reconcile,
    routes_settings,
    routes_workflow,
)
from ledgerbridge.web.auth import create_admin
from ledgerbridge.web.common import STATIC_DIR, templates

router = APIRouter(include_in_schema=False)
for _module in (routes_auth, routes_connection, routes_export, routes_import, routes_parties, routes_mapping,
                routes_settings, routes_numbering, routes_documents, routes_reconcile, routes_workflow):
    router.include_router(_module.router)


def _wants_page(request: Request) -> bool:
    """A person's browser on a screen (not the REST API, whose clients keep their JSON errors)."""
    return not request.url.path.startswith(("/v1", "/docs", "/openapi")) and \
        "text/html" in request.headers.get("accept", "")


async def _error_page(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, StarletteHTTPException)
    if exc.status_code < 400 or not _wants_page(request):
        return await http_exception_handler(request, exc)
    return templates.TemplateResponse(request, "error.html", {"status": exc.status_code, "detail": exc.detail,
                                                              "user": None, "tab": ""}, status_code=exc.status_code)


def install(app: FastAPI) -> None:
    """Serve the CSS and JS, and show refusals (403, 404) to a browser as a page rather than JSON."""
    app.mount("/static", StaticFiles(directory=str(STATIC_DIR)), name="static")
    app.add_exception_handler(StarletteHTTPException, _error_page)


__all__ = ["router", "install", "create_admin"]
