"""The sandbox's web app: the books page and the admin API over one company, served on loopback.

``create_app(company)`` takes the company the Web Connector simulator drives, so the page shows what the
simulator's sessions wrote and a payment recorded on the page is there for the next ``ReceivePaymentQuery``. The
Web Connector's SOAP endpoint is ledgerbridge's, not the sandbox's: QuickBooks has no web server.
"""

from __future__ import annotations

from starlette.applications import Starlette
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from . import admin, ui
from .company import QuickBooksCompany
from .config import CompanyConfig

__all__ = ["create_app"]


async def _home(_: object) -> Response:
    return RedirectResponse("/sandbox/", status_code=307)


def create_app(company: QuickBooksCompany | None = None, config: CompanyConfig | None = None) -> Starlette:
    """An ASGI app over ``company`` (a fresh one from ``config`` when not given); ``app.state.company``."""
    app = Starlette(routes=[Route("/", _home, methods=["GET"]), *ui.routes(), *admin.routes()])
    app.state.company = company or QuickBooksCompany(config)
    return app
