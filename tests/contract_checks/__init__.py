"""Wire-format contract checking for the accounting APIs we integrate with.

Public API (see each module's docstring for the why):

* :class:`OpenApiContract` - a cached, strict OpenAPI 3.0 contract (``openapi.py``).
* :class:`ContractCheckingTransport` / :class:`AsyncContractCheckingTransport` -
  httpx transports that check every exchange in passing (``transport.py``).
* :class:`Violation`, :class:`ContractViolations` - findings and their collector.
* :data:`XERO_QUIRKS` - every place where Xero's wire format departs from its spec.
* ``contract_checks.pytest_support.xero_contract_checker`` - test helper
  (kept out of this namespace so production code never imports pytest).
"""

from __future__ import annotations

from contract_checks.openapi import OpenApiContract
from contract_checks.quirks import XERO_QUIRKS, WireQuirk
from contract_checks.transport import AsyncContractCheckingTransport, ContractCheckingTransport
from contract_checks.violations import ContractViolations, Violation

__all__ = [
    "XERO_QUIRKS",
    "AsyncContractCheckingTransport",
    "ContractCheckingTransport",
    "ContractViolations",
    "OpenApiContract",
    "Violation",
    "WireQuirk",
]
