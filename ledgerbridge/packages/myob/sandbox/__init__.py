"""A local MYOB Business (AccountRight Live API v2): the API and MYOB OAuth that ledgerbridge uses, with MYOB's
rules, error bodies and wire format.

Start one for a test or a demo::

    from ledgerbridge.packages.myob.sandbox import SandboxConfig, start_myob_sandbox

    with start_myob_sandbox(SandboxConfig(rate_limits_enabled=False)) as sandbox:
        ...  # point the MYOB connector at sandbox.api_url / sandbox.base_url

The admin API under ``/sandbox`` (faults, stats, reset, businesses, tokens, limits, clock, preferences,
deletions) and what a MYOB user does by hand (:mod:`.books`) are described there; the books page is at
``/sandbox/``; assumed MYOB behaviour is listed in README.md.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

from .config import AU_BUSINESS_ID, NZ_BUSINESS_ID, BusinessSeed, SandboxConfig

if TYPE_CHECKING:
    from .app import MyobSandboxApp, create_app
    from .server import RunningSandbox, serve_myob_sandbox, start_myob_sandbox

#: The app and its server are imported when first asked for (PEP 562): the package registry reaches this package
#: for the sandbox's command and endpoints, and importing the app (FastAPI and every resource) cost each start of
#: the command line some 0.3 s.
_LAZY = {"MyobSandboxApp": "app", "create_app": "app", "RunningSandbox": "server", "serve_myob_sandbox": "server",
         "start_myob_sandbox": "server"}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(import_module(f".{_LAZY[name]}", __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "AU_BUSINESS_ID",
    "NZ_BUSINESS_ID",
    "BusinessSeed",
    "MyobSandboxApp",
    "RunningSandbox",
    "SandboxConfig",
    "create_app",
    "serve_myob_sandbox",
    "start_myob_sandbox",
]
