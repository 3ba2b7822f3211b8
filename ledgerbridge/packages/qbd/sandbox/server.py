"""Serving the sandbox's books page and admin API: from a background thread (tests, demo) or in the foreground."""

from __future__ import annotations

import sys
from dataclasses import dataclass

from starlette.applications import Starlette

from ledgerbridge.sandboxes.serving import ServedSandbox, serve_in_foreground, serve_in_thread

from .app import create_app
from .company import QuickBooksCompany

__all__ = ["RunningSandbox", "serve_qbd_sandbox", "start_qbd_sandbox"]


@dataclass
class RunningSandbox(ServedSandbox):
    """The books page and admin API serving on loopback until :meth:`stop` (or the end of a ``with`` block)."""

    company: QuickBooksCompany
    app: Starlette


def start_qbd_sandbox(company: QuickBooksCompany | None = None, host: str = "127.0.0.1", port: int = 0,
                      log_level: str = "warning") -> RunningSandbox:
    """Serve ``company`` (a fresh US company by default) from a thread; ``port=0`` picks a free port."""
    app = create_app(company)
    server, thread, bound = serve_in_thread(app, host, port, log_level, "qbd-sandbox")
    return RunningSandbox(app.state.company, app, host=host, port=bound, _server=server, _thread=thread)


def serve_qbd_sandbox(company: QuickBooksCompany | None = None, host: str = "127.0.0.1", port: int = 8788,
                      log_level: str = "warning") -> None:
    """Serve in the foreground until interrupted."""
    app = create_app(company)
    config = app.state.company.config
    print(f"QuickBooks Desktop sandbox ({config.product_name}, {config.flavour}"
          f"{', multicurrency' if config.multi_currency else ''}) on http://{host}:{port}\n"
          f"  books & payments http://{host}:{port}/sandbox/\n  admin API        http://{host}:{port}/sandbox/books",
          file=sys.stderr)
    serve_in_foreground(app, host, port, log_level)
