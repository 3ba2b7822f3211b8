"""A local Xero: the Accounting and Identity APIs that ledgerbridge uses, with Xero's rules and wire format.

Start one for a test or a demo::

    from ledgerbridge.packages.xero.sandbox import SandboxConfig, start_xero_sandbox

    with start_xero_sandbox(SandboxConfig(rate_limits_enabled=False)) as sandbox:
        ...  # point the Xero connector at sandbox.base_url / sandbox.identity_url

The admin API under ``/sandbox`` (faults, stats, reset, rate limits, clock, tokens) and the books page at
``/sandbox/`` are described in :mod:`.admin` and :mod:`.ui`.
"""

from __future__ import annotations

from .app import XeroSandboxApp, create_app
from .config import DEFAULT_TENANT_ID, DEFAULT_TENANT_NAME, SandboxConfig, TenantSeed
from .server import RunningSandbox, serve_xero_sandbox, start_xero_sandbox

__all__ = [
    "DEFAULT_TENANT_ID",
    "DEFAULT_TENANT_NAME",
    "RunningSandbox",
    "SandboxConfig",
    "TenantSeed",
    "XeroSandboxApp",
    "create_app",
    "serve_xero_sandbox",
    "start_xero_sandbox",
]
