"""A local QuickBooks Online: the v3 Accounting API and Intuit OAuth that ledgerbridge uses, with QBO's rules,
error codes and wire format.

Start one for a test or a demo::

    from ledgerbridge.packages.qbo.sandbox import SandboxConfig, start_qbo_sandbox

    with start_qbo_sandbox(SandboxConfig(rate_limits_enabled=False)) as sandbox:
        ...  # point the QBO connector at sandbox.api_url / sandbox.discovery_url

The admin API under ``/sandbox`` (faults, stats, reset, companies, payments, tokens, limits, clock) and the books
page at ``/sandbox/`` are described in :mod:`.admin` and :mod:`.ui`; assumed QBO behaviour is listed in README.md.
"""

from __future__ import annotations

from .app import QboSandboxApp, create_app
from .config import DEFAULT_REALM_ID, US_REALM_ID, CompanySeed, SandboxConfig
from .server import RunningSandbox, serve_qbo_sandbox, start_qbo_sandbox

__all__ = [
    "DEFAULT_REALM_ID",
    "US_REALM_ID",
    "CompanySeed",
    "QboSandboxApp",
    "RunningSandbox",
    "SandboxConfig",
    "create_app",
    "serve_qbo_sandbox",
    "start_qbo_sandbox",
]
