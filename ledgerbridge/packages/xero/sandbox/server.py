"""Running the sandbox: in a background thread (tests, demo, benchmarks) or in the foreground (the CLI)."""

from __future__ import annotations

import sys
from dataclasses import dataclass

from ledgerbridge.sandboxes.serving import ServedSandbox, serve_in_foreground, serve_in_thread

from .app import XeroSandboxApp, create_app
from .config import API_PREFIX, SandboxConfig
from .runtime import SandboxRuntime


@dataclass
class RunningSandbox(ServedSandbox):
    """A sandbox serving on loopback until :meth:`stop` (or the end of a ``with`` block).

    ``base_url`` stands in for ``https://api.xero.com`` (connections live at ``{base_url}/connections``)."""

    config: SandboxConfig
    app: XeroSandboxApp

    @property
    def identity_url(self) -> str:
        """Stands in for ``https://identity.xero.com``: ``/connect/token`` and ``/connect/revocation`` hang off it."""
        return self.base_url

    @property
    def login_url(self) -> str:
        """Stands in for ``https://login.xero.com/identity``: the consent page is ``/connect/authorize`` under it."""
        return f"{self.base_url}/identity"

    @property
    def api_url(self) -> str:
        """The accounting API root, ``https://api.xero.com/api.xro/2.0``."""
        return f"{self.base_url}{API_PREFIX}"

    @property
    def runtime(self) -> SandboxRuntime:
        return self.app.runtime


def start_xero_sandbox(config: SandboxConfig | None = None) -> RunningSandbox:
    """Serve a fresh sandbox from a background thread; ``port=0`` picks a free port."""
    config = config or SandboxConfig()
    app = create_app(config)
    server, thread, port = serve_in_thread(app, config.host, config.port, config.log_level, "xero-sandbox")
    return RunningSandbox(config, app, host=config.host, port=port, _server=server, _thread=thread)


def serve_xero_sandbox(config: SandboxConfig | None = None) -> None:
    """Serve in the foreground until interrupted (``ledgerbridge sandbox xero --port N``)."""
    config = config or SandboxConfig()
    app = create_app(config)
    base = f"http://{config.host}:{config.port}"
    print(
        f"Xero sandbox on {base}\n"
        f"  accounting API  {base}{API_PREFIX}\n"
        f"  token           {base}/connect/token  (client_id {config.client_id!r}, secret {config.client_secret!r})\n"
        f"  consent page    {base}/identity/connect/authorize\n"
        f"  books & payments {base}/sandbox/",
        file=sys.stderr,
    )
    serve_in_foreground(app, config.host, config.port, config.log_level)
