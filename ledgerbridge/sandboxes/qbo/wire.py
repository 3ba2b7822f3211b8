"""QBO's JSON: money as exact decimals both ways, QBO-style timestamps, ``time`` on every envelope.

Amounts are parsed into :class:`~decimal.Decimal` and written back as JSON numbers with exactly their digits, so
``10.10`` never turns into ``10.1000000001``. Floats never appear in the sandbox.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta, timezone
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

CENT = Decimal("0.01")


def _encode(value: Any, out: list[str]) -> None:
    if isinstance(value, Decimal):
        out.append(format(value, "f"))
    elif isinstance(value, dict):
        out.append("{")
        for index, (key, item) in enumerate(value.items()):
            if index:
                out.append(",")
            out.append(json.dumps(str(key), ensure_ascii=False))
            out.append(":")
            _encode(item, out)
        out.append("}")
    elif isinstance(value, list | tuple):
        out.append("[")
        for index, item in enumerate(value):
            if index:
                out.append(",")
            _encode(item, out)
        out.append("]")
    elif isinstance(value, float):
        raise TypeError("floats never reach the wire; use Decimal")
    else:
        out.append(json.dumps(value, ensure_ascii=False))


def dumps(payload: Any) -> bytes:
    """JSON bytes with every Decimal written as an exact JSON number (a small encoder of our own, because the
    standard one has no hook for writing a number's text verbatim)."""
    out: list[str] = []
    _encode(payload, out)
    return "".join(out).encode()


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
