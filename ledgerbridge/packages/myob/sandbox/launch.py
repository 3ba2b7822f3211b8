"""What the MYOB spec wires for the sandbox: start it (demo, tests), serve it (``ledgerbridge sandbox myob``), and
where its endpoints are, shaped like QuickBooks Online's ``demo.start_sandbox``, ``commands.sandbox_command`` and
``spec._sandbox_endpoints``."""

from __future__ import annotations

from contextlib import AbstractContextManager
from dataclasses import replace
from typing import Annotated

import typer

from ledgerbridge.cli.context import fail
from ledgerbridge.config import get_settings
from ledgerbridge.connectors.spec import PackageEndpoints, RunningSandbox

from .config import API_PREFIX, SandboxConfig


def start_sandbox() -> AbstractContextManager[RunningSandbox]:
    """The default sandbox (an AU and an NZ business) in a thread of this process."""
    from .server import start_myob_sandbox

    return start_myob_sandbox(SandboxConfig())


def sandbox_endpoints(base_url: str) -> PackageEndpoints:
    """A sandbox's base URL -> (API base ``…/accountright``, OAuth base ``…`` (token at ``/oauth2/v1/authorize``),
    consent page ``…/oauth2/account/authorize``)."""
    from .identity import AUTHORIZE_PATH  # the consent routes' module imports FastAPI: not at every command's start

    base = base_url.rstrip("/")
    return PackageEndpoints(f"{base}{API_PREFIX}", base, f"{base}{AUTHORIZE_PATH}")


def sandbox_command(host: Annotated[str, typer.Option()] = "127.0.0.1",
                    port: Annotated[int, typer.Option()] = 8767,
                    rate_limits: Annotated[bool, typer.Option(help="Apply MYOB's 8 calls a second per API "
                                                                   "key")] = True,
                    country: Annotated[str, typer.Option(help="AU, NZ, or both (one business each)")] = "both",
                    ) -> None:
    """Serve a local MYOB Business sandbox: the AccountRight API v2, OAuth and a books page, with MYOB's rules."""
    from .server import serve_myob_sandbox

    if host not in ("127.0.0.1", "localhost", "::1"):
        fail("the sandbox serves on loopback only")
    if country.upper() not in ("AU", "NZ", "BOTH"):
        fail("--country is AU, NZ or both")
    config = SandboxConfig() if country.upper() == "BOTH" else SandboxConfig.single(country.upper())  # type: ignore[arg-type]
    # The app the command line connects as by default (the setting ``client_id``: ledgerbridge-demo, as every other
    # sandbox registers), so that ``ledgerbridge connect``, the bench and ``bench-scale`` reach it unconfigured.
    settings = get_settings()
    serve_myob_sandbox(replace(config, host=host, port=port, rate_limits_enabled=rate_limits,
                               client_id=settings.client_id,
                               client_secret=settings.client_secret.get_secret_value()))
