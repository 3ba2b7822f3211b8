"""The helpers a package's spec is built with (``connectors.spec``): the auth flow read from the package's ``auth``
module, the client's arguments taken from the connector options, and the registry that stays light to load."""

from __future__ import annotations

import subprocess
import sys
import types
from typing import Any

import httpx
import pytest

from ledgerbridge.clock import WALL, Clock
from ledgerbridge.connectors.budget import CallBudget
from ledgerbridge.connectors.limits import BudgetLimits
from ledgerbridge.connectors.spec import AuthFlow, ConnectorOptions, client_arguments
from ledgerbridge.packages.registry import PACKAGES

FLOW_FUNCTIONS = ("begin_consent", "complete_consent", "choose_tenant", "disconnect", "health")


def test_auth_flow_of_a_module_takes_its_five_functions_by_name() -> None:
    module = types.ModuleType("some_package_auth")
    for name in FLOW_FUNCTIONS:
        def function(*args: Any, _name: str = name, **kwargs: Any) -> str:
            return _name
        setattr(module, name, function)

    flow = AuthFlow.of(module)  # type: ignore[arg-type]  # a module built at run time has no static members

    assert [getattr(flow, name)() for name in FLOW_FUNCTIONS] == list(FLOW_FUNCTIONS)


@pytest.mark.parametrize("spec", PACKAGES, ids=lambda spec: spec.kind)
def test_each_registered_flow_is_its_own_packages_auth_module(spec: Any) -> None:
    flow = spec.auth()
    modules = {getattr(flow, name).__module__ for name in FLOW_FUNCTIONS}
    assert modules == {f"ledgerbridge.packages.{spec.kind}.auth"}


def test_client_arguments_carry_the_options_and_the_budget() -> None:
    transport = httpx.MockTransport(lambda request: httpx.Response(200))
    budget = CallBudget(None, BudgetLimits())
    fast = Clock(scale=60.0, origin=1_000.0)

    made = client_arguments(budget, ConnectorOptions(transport=transport, max_attempts=2, clock=fast))

    assert made["transport"] is transport and made["budget"] is budget and made["max_attempts"] == 2
    assert made["clock"] == fast.now and made["sleep"] == fast.sleep


def test_client_arguments_use_the_wall_clock_when_the_options_bring_none() -> None:
    budget = CallBudget(None, BudgetLimits())
    made = client_arguments(budget, ConnectorOptions())
    assert made["clock"] == WALL.now and made["sleep"] == WALL.sleep and made["transport"] is None


def test_loading_the_registry_imports_no_packages_auth_client_or_connector() -> None:
    """The specs import their heavy modules on first use: the command line's start-up reads the registry."""
    code = ("import sys, ledgerbridge.packages.registry as r\n"
            "print('\\n'.join(m for m in sys.modules if m.startswith('ledgerbridge.packages.')))")
    loaded = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True).stdout.split()
    heavy = [m for m in loaded if m.rsplit(".", 1)[-1] in {"auth", "client", "connector", "mapper"}]
    assert heavy == []
