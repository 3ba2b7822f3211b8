"""MYOB's JSON: money as exact decimals both ways, dates as ``YYYY-MM-DDTHH:MM:SS`` with no zone.

Amounts are parsed into :class:`~decimal.Decimal` and written back as JSON numbers with exactly their digits, so
``10.10`` never turns into ``10.1000000001``. Floats never appear in the sandbox.
"""

from __future__ import annotations

import json
import re
import secrets
from datetime import UTC, date, datetime
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

CENT = Decimal("0.01")

# Decimals leave the C encoder's ``default`` as a string carrying a per-process random mark, whose quotes are then
# removed: the standard encoder has no hook for writing a number's text verbatim (same trick as the QBO sandbox).
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
