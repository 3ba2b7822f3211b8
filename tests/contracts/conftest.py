"""Fixtures for the contract-checker tests: the process-wide cached Xero contracts."""

from __future__ import annotations

import time

import pytest
from contract_checks.openapi import OpenApiContract
from contract_checks.pytest_support import load_xero_contracts
from contract_checks.pytest_support import xero_contract as xero_contract  # re-export the fixture


@pytest.fixture(scope="session")
def contracts() -> tuple[OpenApiContract, OpenApiContract]:
    started = time.perf_counter()
    pair = load_xero_contracts()
    print(f"\n[contracts] Xero specs ready in {time.perf_counter() - started:.3f}s "
          f"(accounting load {pair[0].load_seconds:.3f}s, identity {pair[1].load_seconds:.3f}s)")
    return pair


@pytest.fixture(scope="session")
def accounting(contracts: tuple[OpenApiContract, OpenApiContract]) -> OpenApiContract:
    return contracts[0]


@pytest.fixture(scope="session")
def identity(contracts: tuple[OpenApiContract, OpenApiContract]) -> OpenApiContract:
    return contracts[1]
