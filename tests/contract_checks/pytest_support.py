"""Pytest glue: one call gives a test a contract-checking transport and a verdict.

    from contract_checks.pytest_support import xero_contract_checker

    def test_export(sandbox_transport):
        checker = xero_contract_checker()
        client = httpx.Client(transport=checker.transport(sandbox_transport), base_url=...)
        ...                                  # drive the connector
        assert checker.exchanges_checked > 0  # the checker really saw traffic
        checker.assert_clean()               # AssertionError listing every violation

Or use the ``xero_contract`` fixture, which asserts cleanliness at teardown: import
it into a conftest (``from contract_checks.pytest_support import xero_contract
as xero_contract``) or list this module in the *root* conftest's ``pytest_plugins``.
Specs load once per process (about 0.3 s); a missing spec folder fails, never skips.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

import httpx
import pytest

from contract_checks import quirks as q
from contract_checks.openapi import OpenApiContract
from contract_checks.routing import DEFAULT_RECORD_ONLY_PREFIXES, DEFAULT_TOKEN_PATHS
from contract_checks.spec_files import vendored_spec_dir
from contract_checks.transport import AsyncContractCheckingTransport, ContractCheckingTransport
from contract_checks.violations import ContractViolations, Violation

ACCOUNTING_SPEC = "xero_accounting.yaml"
IDENTITY_SPEC = "xero-identity.yaml"
#: identity responses are bare JSON (no Id/Status/ProviderName envelope).
IDENTITY_QUIRKS = q.ALL_QUIRK_KEYS - {q.ENVELOPE}


def spec_dir() -> Path:
    """The repository's ``specs/xero`` (Xero's OpenAPI files, vendored)."""
    return vendored_spec_dir("xero", ACCOUNTING_SPEC)


def load_xero_contracts(
    directory: str | os.PathLike[str] | None = None, *, quirks: Iterable[str] = q.ALL_QUIRK_KEYS
) -> tuple[OpenApiContract, OpenApiContract]:
    """(accounting, identity) contracts, cached per process."""
    base = Path(directory) if directory is not None else spec_dir()
    if not (base / ACCOUNTING_SPEC).exists():
        # Fail, never skip: a contract suite that silently skips proves nothing.
        raise FileNotFoundError(f"Xero OpenAPI specs not found in {base} (the folder holding {ACCOUNTING_SPEC} "
                                f"and {IDENTITY_SPEC})")
    enabled = frozenset(quirks)
    accounting = OpenApiContract.load(base / ACCOUNTING_SPEC, "/api.xro/2.0", quirks=enabled)
    identity = OpenApiContract.load(base / IDENTITY_SPEC, "", quirks=enabled & IDENTITY_QUIRKS,
                                    case_insensitive_paths=q.IDENTITY_PATH_CASE in enabled)
    return accounting, identity


class XeroContractChecker:
    """A violations collector plus factories for transports that feed it."""

    def __init__(
        self,
        accounting: OpenApiContract,
        identity: OpenApiContract | None,
        *,
        path_prefix: str = "/api.xro/2.0",
        identity_prefix: str = "",
        token_paths: Sequence[str] = DEFAULT_TOKEN_PATHS,
        record_only_prefixes: Sequence[str] = DEFAULT_RECORD_ONLY_PREFIXES,
    ) -> None:
        self.accounting = accounting
        self.identity = identity
        self.collector = ContractViolations()
        self._options: dict[str, Any] = dict(
            path_prefix=path_prefix, identity=identity, identity_prefix=identity_prefix,
            token_paths=tuple(token_paths), record_only_prefixes=tuple(record_only_prefixes),
        )

    def transport(self, inner: httpx.BaseTransport | None = None) -> ContractCheckingTransport:
        """Wrap ``inner`` (default: a real ``httpx.HTTPTransport``)."""
        return ContractCheckingTransport(inner or httpx.HTTPTransport(), self.accounting,
                                         violations=self.collector, **self._options)

    def async_transport(self, inner: httpx.AsyncBaseTransport | None = None) -> AsyncContractCheckingTransport:
        return AsyncContractCheckingTransport(inner or httpx.AsyncHTTPTransport(), self.accounting,
                                              violations=self.collector, **self._options)

    @property
    def exchanges_checked(self) -> int:
        return self.collector.exchanges_checked

    @property
    def violations(self) -> list[Violation]:
        return self.collector.violations

    def assert_clean(self, *, require_traffic: bool = False) -> None:
        """Raise AssertionError listing all violations (and, if asked, when nothing was checked)."""
        if require_traffic and self.collector.exchanges_checked == 0:
            raise AssertionError("the Xero contract checker saw no traffic: is the transport wired in?")
        self.collector.assert_clean()


def xero_contract_checker(
    spec_directory: str | os.PathLike[str] | None = None,
    *,
    quirks: Iterable[str] = q.ALL_QUIRK_KEYS,
    path_prefix: str = "/api.xro/2.0",
    identity_prefix: str = "",
    token_paths: Sequence[str] = DEFAULT_TOKEN_PATHS,
    record_only_prefixes: Sequence[str] = DEFAULT_RECORD_ONLY_PREFIXES,
) -> XeroContractChecker:
    """A fresh checker (own collector) over the process-wide cached contracts."""
    accounting, identity = load_xero_contracts(spec_directory, quirks=quirks)
    return XeroContractChecker(accounting, identity, path_prefix=path_prefix, identity_prefix=identity_prefix,
                               token_paths=token_paths, record_only_prefixes=record_only_prefixes)


@pytest.fixture
def xero_contract() -> Iterator[XeroContractChecker]:
    """Checker that fails the test at teardown if any exchange broke the contract."""
    checker = xero_contract_checker()
    yield checker
    checker.assert_clean()
