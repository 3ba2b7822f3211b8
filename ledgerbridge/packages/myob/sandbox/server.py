"""Running the sandbox: in a background thread (tests, demo, benchmarks) or in the foreground (the CLI)."""

from __future__ import annotations

import sys
from dataclasses import dataclass

from ledgerbridge.sandboxes.serving import ServedSandbox, serve_in_foreground, serve_in_thread

from .app import MyobSandboxApp, create_app
from .config import API_PREFIX, SandboxConfig
from .identity import AUTHORIZE_PATH, TOKEN_PATH
from .runtime import SandboxRuntime


@dataclass
class RunningSandbox(ServedSandbox):
    """A sandbox serving on loopback until :meth:`stop` (or the end of a ``with`` block).

    ``base_url`` stands in for both MYOB hosts: the API (``api.myob.com``) and OAuth (``secure.myob.com``)."""

    config: SandboxConfig
    app: MyobSandboxApp

    @property
    def api_url(self) -> str:
        """``https://api.myob.com/accountright``: pymyob's ``MYOB_BASE_URL`` (with a trailing ``/``)."""
        return f"{self.base_url}{API_PREFIX}"

    @property
    def oauth_url(self) -> str:
        """``https://secure.myob.com/oauth2``: pymyob's ``MYOB_PARTNER_BASE_URL`` (with a trailing ``/``)."""
        return f"{self.base_url}/oauth2"

    @property
    def token_url(self) -> str:
        return f"{self.base_url}{TOKEN_PATH}"

    @property
    def authorize_url(self) -> str:
        return f"{self.base_url}{AUTHORIZE_PATH}"

    def business_url(self, business_id: str) -> str:
        """``{api_url}/{businessId}``: prefix of every resource path."""
        return f"{self.api_url}/{business_id}"

    @property
    def runtime(self) -> SandboxRuntime:
        return self.app.runtime


def start_myob_sandbox(config: SandboxConfig | None = None) -> RunningSandbox:
    """Serve a fresh sandbox from a background thread; ``port=0`` picks a free port."""
    config = config or SandboxConfig()
    app = create_app(config)
    server, thread, port = serve_in_thread(app, config.host, config.port, config.log_level, "myob-sandbox")
    return RunningSandbox(config, app, host=config.host, port=port, _server=server, _thread=thread)


def serve_myob_sandbox(config: SandboxConfig | None = None) -> None:
    """Serve in the foreground until interrupted (``ledgerbridge sandbox myob --port N``)."""
    config = config or SandboxConfig()
    app = create_app(config)
    base = f"http://{config.host}:{config.port}"
    businesses = ", ".join(f"{b.business_id} ({b.country})" for b in config.businesses)
    print(
        f"MYOB sandbox on {base}\n"
        f"  API        {base}{API_PREFIX}/{{businessId}}  (businesses: {businesses})\n"
        f"  OAuth      {base}{AUTHORIZE_PATH} and {base}{TOKEN_PATH}  (API key {config.client_id!r}, "
        f"secret {config.client_secret!r})\n"
        f"  books      {base}/sandbox/",
        file=sys.stderr,
    )
    serve_in_foreground(app, config.host, config.port, config.log_level)
