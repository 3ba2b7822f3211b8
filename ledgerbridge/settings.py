"""A connection's accounting settings (R-C4), typed, with defaults a new user can live with."""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields
from typing import Any

REFERENCE_FIELDS = ("order_number", "customer_po", "site_address", "work_order")


@dataclass(slots=True)
class ConnectionSettings:
    reference_field: str = "order_number"  # R-E13
    push_individual_lines: bool = True  # R-E12: False = one line per nominal and tax code
    push_lines_as_items: bool = False
    push_work_undertaken: bool = False  # send the long description
    relax_restrictions: bool = False  # R-I5
    item_sync: bool = False  # R-E1: off by default (seeds 000/001)
    payments_both_ways: bool = False  # seed 004
    allocation_sync: bool = False  # R-X1: credit-note, prepayment and overpayment allocations both ways (R-I3: off)
    rounding_account: str | None = None
    receiving_account: str | None = None
    default_payment_method: str | None = None
    auto_sync: bool = False

    @classmethod
    def from_json(cls, raw: dict[str, Any] | None) -> ConnectionSettings:
        known = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in (raw or {}).items() if k in known})

    def merged_into(self, raw: dict[str, Any] | None) -> dict[str, Any]:
        out = dict(raw or {})
        out.update(asdict(self))
        return out

    def validate(self) -> list[str]:
        problems = []
        if self.reference_field not in REFERENCE_FIELDS:
            problems.append(f"reference_field must be one of {', '.join(REFERENCE_FIELDS)}")
        return problems
