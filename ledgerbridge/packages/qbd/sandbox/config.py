"""Settings of a sandbox QuickBooks company: which edition (US, UK or Canadian, for its tax), which qbXML versions its
request processor announces, its clock, and where the qbXML schema is read from.

The edition decides the tax: a US company charges sales tax per invoice from one sales-tax item on the lines coded
``Tax``; a UK company charges VAT per line from the line's VAT code (``S`` 20 %, ``R`` 5 %, ``Z``, ``E``, ``O``);
a Canadian one GST or HST per line (``G`` 5 %, ``H`` 13 %, ``Z``, ``E``). QuickBooks writes times in the
workstation's time zone; the sandbox uses a fixed offset per edition, and a :class:`ManualClock` lets tests say
what time it is.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Literal

__all__ = ["SUPPORTED_VERSIONS", "CompanyConfig", "Flavour", "ManualClock"]

Flavour = Literal["US", "UK", "CA"]

#: The versions the sandbox can run (it has their schemas); QuickBooks 2014 brought 13.0, QuickBooks 2023 16.0.
SUPPORTED_VERSIONS = ("13.0", "16.0")
_PRODUCT = {"13.0": ("QuickBooks Pro 2014", "24"), "16.0": ("QuickBooks Pro 2023", "33")}
_OFFSET_HOURS = {"US": -8, "UK": 0, "CA": -5}


@dataclass(frozen=True, slots=True)
class CompanyConfig:
    """One sandbox company. ``max_qbxml_version`` is the newest version its request processor announces (13.0 or
    16.0); a message above it is refused. ``clock`` gives the current time (the workstation's); ``schema_dir``
    holds ``13.0/`` and ``16.0/`` (default: the repository's ``specs/qbxml``)."""

    flavour: Flavour = "US"
    name: str = "Ledgerbridge Demo Company"
    max_qbxml_version: str = "16.0"
    #: Multicurrency on (``currency.py``): a currency list, a currency per customer and vendor. QuickBooks cannot
    #: turn it off again, so it is fixed for the company's life.
    multi_currency: bool = False
    clock: Callable[[], datetime] | None = None
    schema_dir: Path | None = None
    #: The application name the Web Connector opens sessions under (the .qwc's AppName) when none is given.
    default_app_name: str = "ledgerbridge"
    #: Seeds the iterator GUIDs, so a test run is repeatable.
    random_seed: int = 13
    file_path: str = field(default="C:\\Users\\Public\\Documents\\Intuit\\QuickBooks\\Company Files\\Demo.QBW")

    def __post_init__(self) -> None:
        if self.max_qbxml_version not in SUPPORTED_VERSIONS:
            raise ValueError(f"max_qbxml_version must be one of {SUPPORTED_VERSIONS}, not {self.max_qbxml_version!r}")
        if self.flavour not in _OFFSET_HOURS:
            raise ValueError(f"flavour must be US, UK or CA, not {self.flavour!r}")

    @property
    def zone(self) -> timezone:
        return timezone(timedelta(hours=_OFFSET_HOURS[self.flavour]))

    @property
    def product_name(self) -> str:
        name = _PRODUCT[self.max_qbxml_version][0]
        return {"US": name, "UK": f"{name} (UK)", "CA": f"{name} (Canadian)"}[self.flavour]

    @property
    def major_version(self) -> str:
        return _PRODUCT[self.max_qbxml_version][1]

    @property
    def currency(self) -> str:
        return {"US": "USD", "UK": "GBP", "CA": "CAD"}[self.flavour]

    def now(self) -> datetime:
        current = self.clock() if self.clock is not None else datetime.now(self.zone)
        return current.astimezone(self.zone)


class ManualClock:
    """A clock that stands still until told to move: ``ManualClock(datetime(...))``, then ``advance(seconds)``."""

    def __init__(self, start: datetime) -> None:
        if start.tzinfo is None:
            raise ValueError("ManualClock needs an aware datetime (with its UTC offset)")
        self.current = start

    def __call__(self) -> datetime:
        return self.current

    def advance(self, seconds: float) -> datetime:
        self.current += timedelta(seconds=seconds)
        return self.current
