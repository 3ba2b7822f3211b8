"""MYOB's JSON: money as exact decimals both ways, dates as ``YYYY-MM-DDTHH:MM:SS`` with no zone.

Amounts are parsed into :class:`~decimal.Decimal` and written back as JSON numbers with exactly their digits, so
``10.10`` never turns into ``10.1000000001`` (:mod:`ledgerbridge.sandboxes.exact_json`). Floats never appear in
the sandbox.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from ledgerbridge.sandboxes.exact_json import dumps as dumps  # re-exported: every sandbox module reads JSON here
from ledgerbridge.sandboxes.exact_json import loads as loads

CENT = Decimal("0.01")


def money(value: Decimal) -> Decimal:
    """A 2-dp amount rounded half-up (assumed MYOB's rounding for line tax)."""
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def to_decimal(value: Any) -> Decimal | None:
    """A JSON number (or numeric string, which Json.NET also reads) as a Decimal; None if it is not one."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int | Decimal):
        return Decimal(value)
    if isinstance(value, str):
        try:
            return Decimal(value.strip())
        except InvalidOperation:
            return None
    return None


def utcnow() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None, microsecond=0)


def myob_time(moment: datetime | date) -> str:
    """MYOB's wire form of a date or time: ``2026-11-01T00:00:00``."""
    if not isinstance(moment, datetime):
        moment = datetime(moment.year, moment.month, moment.day)
    return moment.replace(microsecond=0).strftime("%Y-%m-%dT%H:%M:%S")


_DATETIME = re.compile(r"^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,7})?)?)?$")


def parse_time(text: str) -> datetime | None:
    """What Json.NET reads into a DateTime: ``YYYY-MM-DD`` with an optional time (and fraction); None otherwise."""
    match = _DATETIME.match(text.strip())
    if match is None:
        return None
    year, month, day, hour, minute, second = (int(p) if p else 0 for p in match.groups())
    try:
        return datetime(year, month, day, hour, minute, second)
    except ValueError:
        return None
