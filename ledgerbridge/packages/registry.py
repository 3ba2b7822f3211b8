"""The packages ledgerbridge speaks to: one line each. Everything else reads them from here.

Adding a package is a folder (``ledgerbridge/packages/<kind>/`` with its ``spec.py``) and one line below;
``tests/architecture`` fails when a folder is not listed or when a module outside the folders names a package.
The first package listed is the default where a command or a form must offer one.
"""

from __future__ import annotations

from ledgerbridge.connectors.spec import PackageSpec
from ledgerbridge.packages.myob.spec import SPEC as MYOB
from ledgerbridge.packages.qbd.spec import SPEC as QUICKBOOKS_DESKTOP
from ledgerbridge.packages.qbo.spec import SPEC as QUICKBOOKS_ONLINE
from ledgerbridge.packages.xero.spec import SPEC as XERO

PACKAGES: tuple[PackageSpec, ...] = (
    XERO,
    QUICKBOOKS_ONLINE,
    QUICKBOOKS_DESKTOP,
    MYOB,
)

_BY_KIND = {spec.kind: spec for spec in PACKAGES}
DEFAULT = PACKAGES[0]


class UnknownPackage(ValueError):
    """A kind no registered package has (a typo on the command line, a connection from a newer version)."""


def kinds() -> tuple[str, ...]:
    return tuple(_BY_KIND)


def spec_for(kind: str) -> PackageSpec:
    try:
        return _BY_KIND[kind]
    except KeyError:
        raise UnknownPackage(f"unknown package {kind!r}; choose one of {', '.join(_BY_KIND)}") from None


def package_name(kind: str) -> str:
    """The package in words ("QuickBooks Online"); an unknown kind as it is, so old rows still display."""
    spec = _BY_KIND.get(kind)
    return spec.name if spec else kind
