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

from .app import MyobSandboxApp, create_app
from .config import AU_BUSINESS_ID, NZ_BUSINESS_ID, BusinessSeed, SandboxConfig
from .server import RunningSandbox, serve_myob_sandbox, start_myob_sandbox

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
