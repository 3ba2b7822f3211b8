"""Every name the client tier exports exists (the ``__all__`` is the public surface other modules rely on)."""

from __future__ import annotations

import importlib

import pytest

MODULES = ["ledgerbridge.security.crypto", "ledgerbridge.security.redact", "ledgerbridge.connectors.retry",
           "ledgerbridge.connectors.budget",
           "ledgerbridge.connectors.oauth", "ledgerbridge.packages.xero.auth", "ledgerbridge.packages.xero.client",
           "ledgerbridge.connectors.package_client", "ledgerbridge.packages.qbo.client"]


@pytest.mark.parametrize("name", MODULES)
def test_all_names_exist(name: str) -> None:
    module = importlib.import_module(name)
    missing = [n for n in module.__all__ if not hasattr(module, n)]
    assert missing == [] and len(set(module.__all__)) == len(module.__all__)
