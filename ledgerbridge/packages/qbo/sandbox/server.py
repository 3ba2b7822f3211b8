"""Running the sandbox: in a background thread (tests, demo, benchmarks) or in the foreground (the CLI)."""

from __future__ import annotations

import sys
from dataclasses import dataclass

from ledgerbridge.sandboxes.serving import ServedSandbox, serve_in_foreground, serve_in_thread

from .app import QboSandboxApp, create_app
from .config import API_PREFIX, SandboxConfig
from .identity import AUTHORIZE_PATH, REVOKE_PATH, TOKEN_PATH
from .runtime import SandboxRuntime


@dataclass
class RunningSandbox(ServedSandbox):
    """A sandbox serving on loopback until :meth:`stop` (or the end of a ``with`` block).

    ``base_url`` stands in for every Intuit host: the API (``quickbooks.api.intuit.com``), OAuth
    (``oauth.platform.intuit.com``, ``appcenter.intuit.com``) and discovery all hang off it."""

    config: SandboxConfig
    app: QboSandboxApp

    @property
    def api_url(self) -> str:
        """``https://quickbooks.api.intuit.com/v3``: python-quickbooks' ``api_url_v3``."""
        return f"{self.base_url}/v3"

    @property
    def discovery_url(self) -> str:
        """What intuit-oauth's ``AuthClient(environment=...)`` takes for a custom environment."""
        return f"{self.base_url}/.well-known/openid_configuration"

    @property
    def token_url(self) -> str:
        return f"{self.base_url}{TOKEN_PATH}"

    @property
    def authorize_url(self) -> str:
        return f"{self.base_url}{AUTHORIZE_PATH}"

    @property
    def revoke_url(self) -> str:
        return f"{self.base_url}{REVOKE_PATH}"

    def company_url(self, realm_id: str) -> str:
        """``{api_url}/company/{realmId}``: prefix of every entity path."""
        return f"{self.base_url}{API_PREFIX}/{realm_id}"

    @property
    def runtime(self) -> SandboxRuntime:
        return self.app.runtime


def start_qbo_sandbox(config: SandboxConfig | None = None) -> RunningSandbox:
    """Serve a fresh sandbox from a background thread; ``port=0`` picks a free port."""
    config = config or SandboxConfig()
    app = create_app(config)
    server, thread, port = serve_in_thread(app, config.host, config.port, config.log_level, "qbo-sandbox")
    return RunningSandbox(config, app, host=config.host, port=port, _server=server, _thread=thread)


def serve_qbo_sandbox(config: SandboxConfig | None = None) -> None:
    """Serve in the foreground until interrupted (``ledgerbridge sandbox qbo --port N``)."""
    config = config or SandboxConfig()
    app = create_app(config)
    base = f"http://{config.host}:{config.port}"
    realms = ", ".join(c.realm_id for c in config.companies)
    print(
        f"QBO sandbox on {base}\n"
        f"  accounting API  {base}{API_PREFIX}/{{realmId}}  (realms: {realms})\n"
        f"  OAuth discovery {base}/.well-known/openid_configuration  (client_id {config.client_id!r}, "
        f"secret {config.client_secret!r})\n"
        f"  books & payments {base}/sandbox/",
        file=sys.stderr,
    )
    serve_in_foreground(app, config.host, config.port, config.log_level)
