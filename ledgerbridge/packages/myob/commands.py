"""``ledgerbridge sandbox myob``: serve the MYOB sandbox in the foreground (registered through the spec)."""

from __future__ import annotations

import importlib
from dataclasses import replace
from typing import Annotated

import typer

from ledgerbridge.cli.context import fail


def sandbox_command(host: Annotated[str, typer.Option()] = "127.0.0.1",
                    port: Annotated[int, typer.Option()] = 8767,
                    rate_limits: Annotated[bool, typer.Option(help="Apply MYOB's call limits")] = True,
                    nz: Annotated[bool, typer.Option("--nz", help="A New Zealand company file instead of an "
                                                                  "Australian one")] = False) -> None:
    """Serve a local MYOB Business sandbox: the AccountRight v2 API, OAuth and a books page, with MYOB's rules."""
    sandbox = importlib.import_module("ledgerbridge.packages.myob.sandbox")
    if host not in ("127.0.0.1", "localhost", "::1"):
        fail("the sandbox serves on loopback only")
    config = sandbox.SandboxConfig.nz() if nz else sandbox.SandboxConfig()
    sandbox.serve_myob_sandbox(replace(config, host=host, port=port, rate_limits_enabled=rate_limits))
