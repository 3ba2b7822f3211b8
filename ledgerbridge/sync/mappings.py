"""Mappings from the host's codes to the package's, and the package's chart they point into (R-I5).

A ``MappingSet`` is loaded once per run and consulted by the pure pre-check rules and
mappers; it carries the refreshed chart so a mapping to an archived or unsuitable
account is caught before anything is sent.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from ledgerbridge.store.db import utcnow
from ledgerbridge.store.models.sync import ChartEntry, Connection, Mapping

if TYPE_CHECKING:
    from ledgerbridge.connectors.protocol import ChartSnapshot


class MappingKind(enum.StrEnum):
    NOMINAL = "nominal"
    TAX = "tax"  # on sales documents
    TAX_PURCHASES = "tax_purchases"  # packages keep separate rates for purchases (Xero: OUTPUT2 vs INPUT2)
    PAYMENT_METHOD = "payment_method"


@dataclass(frozen=True, slots=True)
class AccountInfo:
    code: str
    name: str
    category: str
    usable_for: tuple[str, ...]
    active: bool


@dataclass(frozen=True, slots=True)
class TaxRateInfo:
    code: str
    name: str
    rate: Decimal
    usable_for: tuple[str, ...]
    active: bool


@dataclass(slots=True)
class MappingSet:
    nominal: dict[str, str] = field(default_factory=dict)
    tax: dict[str, str] = field(default_factory=dict)
    tax_purchases: dict[str, str] = field(default_factory=dict)
    payment_method: dict[str, str] = field(default_factory=dict)
    accounts: dict[str, AccountInfo] = field(default_factory=dict)
    tax_rates: dict[str, TaxRateInfo] = field(default_factory=dict)
    currencies: frozenset[str] = frozenset()
    chart_loaded: bool = False

    def tax_for(self, side: str) -> dict[str, str]:
        """The tax mapping for one side of the ledger ("sales" or "purchases")."""
        return self.tax if side == "sales" else self.tax_purchases


def load_mapping_set(session: Session, connection_id: int) -> MappingSet:
    ms = MappingSet()
    for kind, local, external in session.execute(
        select(Mapping.kind, Mapping.local_code, Mapping.external_code).where(Mapping.connection_id == connection_id)
    ):
        getattr(ms, kind)[local] = external
    currencies: set[str] = set()
    for entry in session.scalars(select(ChartEntry).where(ChartEntry.connection_id == connection_id)):
        ms.chart_loaded = True
        usable = tuple(entry.usable_for or ())
        if entry.kind == "account":
            ms.accounts[entry.code] = AccountInfo(entry.code, entry.name, entry.category or "", usable, entry.active)
        elif entry.kind == "tax_rate":
            ms.tax_rates[entry.code] = TaxRateInfo(entry.code, entry.name, entry.rate or Decimal(0), usable,
                                                   entry.active)
        elif entry.kind == "currency":
            currencies.add(entry.code)
    ms.currencies = frozenset(currencies)
    return ms


def store_chart(session: Session, connection: Connection, chart: ChartSnapshot) -> dict[str, int]:
    """Replace the connection's copy of the package's chart with a fresh read."""
    session.execute(delete(ChartEntry).where(ChartEntry.connection_id == connection.id))
    now = utcnow()
    rows: list[ChartEntry] = []
    for acc in chart.accounts:
        rows.append(ChartEntry(connection_id=connection.id, kind="account", code=acc.code, external_id=acc.external_id,
                               name=acc.name, category=acc.category, active=acc.active,
                               usable_for=list(acc.usable_for), refreshed_at=now))
    for rate in chart.tax_rates:
        rows.append(ChartEntry(connection_id=connection.id, kind="tax_rate", code=rate.code, name=rate.name,
                               rate=rate.rate, active=rate.active, usable_for=list(rate.usable_for),
                               refreshed_at=now))
    for cur in chart.currencies:
        rows.append(ChartEntry(connection_id=connection.id, kind="currency", code=cur, name=cur,
                               category="base" if cur == chart.base_currency else None, refreshed_at=now))
    session.add_all(rows)
    settings = dict(connection.settings or {})
    settings["base_currency"] = chart.base_currency
    connection.settings = settings
    return {"accounts": len(chart.accounts), "tax_rates": len(chart.tax_rates), "currencies": len(chart.currencies)}


class MappingError(ValueError):
    pass


def set_mapping(session: Session, connection_id: int, kind: MappingKind, local_code: str, external_code: str,
                *, relax_restrictions: bool = False) -> Mapping:
    """Map one host code; refused when the package's chart does not offer a suitable target."""
    ms = load_mapping_set(session, connection_id)
    if ms.chart_loaded:
        if kind in (MappingKind.NOMINAL, MappingKind.PAYMENT_METHOD):
            acc = ms.accounts.get(external_code)
            if acc is None or not acc.active:
                raise MappingError(f"account {external_code!r} is not in the package's chart of accounts "
                                   "(refresh the chart if it was added recently)")
            if kind is MappingKind.PAYMENT_METHOD and "bank" not in acc.usable_for and not relax_restrictions:
                raise MappingError(f"account {external_code!r} ({acc.name}) is not a bank account; payment methods "
                                   "map to bank accounts (or turn on 'relax restrictions')")
        else:
            rate = ms.tax_rates.get(external_code)
            if rate is None or not rate.active:
                raise MappingError(f"tax rate {external_code!r} is not one of the package's active tax rates")
            side = "sales" if kind is MappingKind.TAX else "purchases"
            if side not in rate.usable_for and not relax_restrictions:
                raise MappingError(f"tax rate {external_code!r} ({rate.name}) does not apply to {side}; map the "
                                   f"{side} side to a {side} rate (or turn on 'relax restrictions')")
    existing = session.scalar(select(Mapping).where(
        Mapping.connection_id == connection_id, Mapping.kind == kind.value, Mapping.local_code == local_code))
    if existing is None:
        existing = Mapping(connection_id=connection_id, kind=kind.value, local_code=local_code,
                           external_code=external_code)
        session.add(existing)
    else:
        existing.external_code = external_code
    return existing
