"""QBO's JSON: money as exact decimals both ways, QBO-style timestamps, ``time`` on every envelope.

Amounts are parsed into :class:`~decimal.Decimal` and written back as JSON numbers with exactly their digits, so
``10.10`` never turns into ``10.1000000001``. Floats never appear in the sandbox.
"""

from __future__ import annotations

import json
import secrets
from datetime import UTC, datetime, timedelta, timezone
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

CENT = Decimal("0.01")


# The standard encoder has no hook for writing a number's text verbatim: Decimals leave ``default`` as a string
# carrying a per-process random mark, and the mark and its quotes are then removed. No stored text can forge the
# mark. The C encoder does this about five times faster than a recursive encoder of our own, which mattered:
# encoding answers was the sandbox's largest cost in the 10,000-invoice benchmark.
_MARK = "\ue000" + secrets.token_hex(8) + ":"
_QUOTED_MARK = '"' + _MARK


def _default(value: Any) -> Any:
    if isinstance(value, Decimal):
        return _MARK + format(value, "f")
    raise TypeError(f"{type(value).__name__} cannot go on the wire")


_ENCODER = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), allow_nan=False, default=_default)


def dumps(payload: Any) -> bytes:
    """JSON bytes with every Decimal written as an exact JSON number."""
    text = _ENCODER.encode(payload)
    if _QUOTED_MARK in text:
        head, *pieces = text.split(_QUOTED_MARK)
        text = head + "".join([piece.replace('"', "", 1) for piece in pieces])
    return text.encode()


def loads(body: bytes | str) -> Any:
    """Decode JSON keeping every non-integer number as a Decimal."""
    return json.loads(body, parse_float=Decimal)


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
