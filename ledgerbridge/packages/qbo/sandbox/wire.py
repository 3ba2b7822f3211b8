"""QBO's JSON: money as exact decimals both ways, QBO-style timestamps, ``time`` on every envelope.

Amounts are parsed into :class:`~decimal.Decimal` and written back as JSON numbers with exactly their digits, so
``10.10`` never turns into ``10.1000000001`` (:mod:`ledgerbridge.sandboxes.exact_json`). Floats never appear in
the sandbox.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from ledgerbridge.sandboxes.exact_json import dumps as dumps  # re-exported: every sandbox module reads JSON here
from ledgerbridge.sandboxes.exact_json import loads as loads

CENT = Decimal("0.01")


def money(value: Any) -> Decimal:
    """A 2-dp amount rounded half-up, QuickBooks' rounding for line tax and totals."""
    return to_decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


def to_decimal(value: Any) -> Decimal:
    """Numbers, numeric strings and python-quickbooks' empty strings (as zero) into a Decimal."""
    if isinstance(value, Decimal):
        return value
    if isinstance(value, bool) or value is None:
        raise ValueError(f"not a number: {value!r}")
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):
        return Decimal(repr(value))
    if isinstance(value, str):
        return Decimal(value.strip() or "0")
    raise ValueError(f"not a number: {value!r}")


def qbo_time(moment: datetime, offset_hours: int) -> str:
    """``2025-01-16T15:08:12.419-08:00``: milliseconds and a fixed offset, as QBO writes them."""
    local = moment.astimezone(timezone(timedelta(hours=offset_hours)))
    return local.isoformat(timespec="milliseconds")


def parse_time(text: str) -> datetime:
    """An ISO timestamp or date (a date means midnight UTC) as an aware datetime; ``ValueError`` if malformed."""
    value = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def utcnow() -> datetime:
    return datetime.now(UTC)
