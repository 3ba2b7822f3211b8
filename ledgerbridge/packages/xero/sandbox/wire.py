"""Xero's wire format: MS-JSON dates, 2-dp JSON numbers, the response envelope, and lenient request parsing.

Xero speaks a .NET dialect of JSON.  Dates go out as ``/Date(1551139200000+0000)/`` and come in as
``YYYY-MM-DD``, ``YYYY-MM-DDThh:mm:ss`` or the MS form (the official SDK sends the latter).  Amounts go out
as JSON numbers with a fixed number of decimals (``40.00``, ``1.0000``, ``1.000000``), never as floats, so
the sandbox keeps every amount a :class:`~decimal.Decimal` and writes it with its own exponent.
"""

from __future__ import annotations

import json
import random
import re
import time
from datetime import UTC, date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from email.utils import parsedate_to_datetime
from functools import lru_cache
from typing import Any

from .errors import PostDataInvalid

ZERO_ID = "00000000-0000-0000-0000-000000000000"

_CENT = Decimal("0.01")
_QTY = Decimal("0.0001")
_RATE = Decimal("0.000001")
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_EPOCH_DATE = date(1970, 1, 1)
_MS_DATE = re.compile(r"^/Date\((-?\d+)([+-]\d{4})?\)/$")


_UUID4_MASK = ~(0xF000 << 64) & ~(0xC000 << 48) & ((1 << 128) - 1)
_UUID4_BITS = (0x4000 << 64) | (0x8000 << 48)


def new_id() -> str:
    """A random (version 4) uuid string.  Record ids need uniqueness, not secrecy, and ``uuid.uuid4()``
    costs a measurable share of a 50-invoice batch; tokens use :mod:`secrets` instead."""
    digits = ((random.getrandbits(128) & _UUID4_MASK) | _UUID4_BITS).to_bytes(16, "big").hex()
    return f"{digits[:8]}-{digits[8:12]}-{digits[12:16]}-{digits[16:20]}-{digits[20:]}"


# ----------------------------------------------------------------------------------------------- numbers


# ``quantize(step, ROUND_HALF_UP)`` rather than ``rounding=ROUND_HALF_UP``: the C implementation parses a
# keyword argument slowly enough (about 3x the whole call) to matter on every line of a batch.


def money(value: Decimal) -> Decimal:
    """Round to cents the way Xero does (half away from zero), keeping the 2-dp exponent for output."""
    return value.quantize(_CENT, ROUND_HALF_UP)


_UNIT_STEPS = {2: _CENT, 4: Decimal("0.0001")}


def unit_amount(value: Decimal, unit_dp: int) -> Decimal:
    """Unit amounts carry 2 decimals, or 4 when the request says ``unitdp=4``."""
    return value.quantize(_UNIT_STEPS.get(unit_dp, _CENT), ROUND_HALF_UP)


def quantity(value: Decimal) -> Decimal:
    return value.quantize(_QTY, ROUND_HALF_UP)


def rate(value: Decimal) -> Decimal:
    return value.quantize(_RATE, ROUND_HALF_UP)


def to_decimal(value: Any) -> Decimal:
    """A JSON number (already a Decimal or an int after :func:`decode_json`) or a numeric string."""
    if isinstance(value, bool):
        raise ValueError("boolean is not a number")
    if isinstance(value, Decimal):
        return value
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, str):
        try:
            result = Decimal(value.strip())
        except InvalidOperation:
            raise ValueError(value) from None
        if not result.is_finite():
            raise ValueError(value)
        return result
    raise ValueError(repr(value))


# ------------------------------------------------------------------------------------------------- dates


def now_ms() -> int:
    return time.time_ns() // 1_000_000


def ms_timestamp(ms: int) -> str:
    """An UpdatedDateUTC-style timestamp: ``/Date(1551213567813+0000)/``."""
    return f"/Date({ms}+0000)/"


def ms_date(value: date) -> str:
    """A calendar date at midnight UTC in MS-JSON form, as Xero writes ``Date`` and ``DueDate``."""
    return f"/Date({(value - _EPOCH_DATE).days * 86_400_000}+0000)/"


def envelope_timestamp(ms: int) -> str:
    """The envelope's ``DateTimeUTC`` has no offset in Xero's responses: ``/Date(1552327126164)/``."""
    return f"/Date({ms})/"


def iso_timestamp(ms: int) -> str:
    """Identity API style (``2019-12-07T18:46:19.5165400``): seven fractional digits, no offset."""
    moment = _EPOCH + timedelta(milliseconds=ms)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond:06d}0"


def date_of_ms(ms: int) -> date:
    return (_EPOCH + timedelta(milliseconds=ms)).date()


def parse_request_date(value: Any) -> date:
    """Accept every date form Xero accepts in a request body; raise ValueError otherwise."""
    if not isinstance(value, str):
        raise ValueError(repr(value))
    return _parse_date_text(value)


@lru_cache(maxsize=4096)
def _parse_date_text(value: str) -> date:
    """A batch repeats the same few dates; ``date`` is immutable, so parsed ones are shared (errors are not
    cached, so a bad value costs the same each time)."""
    text = value.strip()
    match = _MS_DATE.match(text)
    if match:
        return date_of_ms(int(match.group(1)))
    if len(text) == 10:
        return date.fromisoformat(text)
    if len(text) > 10 and text[10] in "T ":
        return datetime.fromisoformat(text.replace("Z", "+00:00")).date()
    raise ValueError(text)


def parse_modified_since(value: str | None) -> int | None:
    """The ``If-Modified-Since`` header as epoch ms.

    The spec says ``format: date-time`` (the SDK sends ``2026-07-01T12:00:00+00:00``); Xero also takes the
    header's RFC 1123 HTTP-date, which pyxero has always sent it (freakboy3742/pyxero#305 kept it for want of
    any report that Xero refused one), so both are accepted, and a value without an offset is taken as UTC.
    Unparseable values are ignored, as a cache validator would be.
    """
    if not value:
        return None
    text = value.strip()
    moment: datetime | None = None
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        try:
            moment = parsedate_to_datetime(text)
        except (TypeError, ValueError):
            match = _MS_DATE.match(text)
            return int(match.group(1)) if match else None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return int(moment.timestamp() * 1000)


def parse_bool(value: str | None, default: bool) -> bool:
    """Query booleans arrive as ``true``, ``false`` or Python's ``False`` (the SDK); compare case-blind."""
    if value is None or value == "":
        return default
    return value.strip().lower() not in ("false", "0", "no")


# -------------------------------------------------------------------------------------------------- JSON

# Decimals are written through a NUL-wrapped string whose quotes and NULs are stripped after encoding: the C
# encoder is fast but can only write floats, and a float would lose both precision and the trailing zeros
# Xero always sends.  ``str(Decimal)`` is always a valid JSON number (possibly with an exponent).  Request
# text never contains NUL (:class:`~.inputs.Reader` strips it), so the markers cannot occur otherwise.


def _encode_default(value: Any) -> Any:
    if isinstance(value, Decimal):
        return f"\x00{value}\x00"
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


# One encoder for every response.  Responses are trees built fresh for each request (never cyclic), so the
# circular-reference bookkeeping the encoder would do for every dict, list and Decimal is skipped: it was a
# fifth of the time spent encoding a batch echo.
_ENCODER = json.JSONEncoder(default=_encode_default, separators=(",", ":"), ensure_ascii=True, check_circular=False)


def encode_json(payload: Any) -> bytes:
    text = _ENCODER.encode(payload)
    return text.replace('"\\u0000', "").replace('\\u0000"', "").encode("ascii")


def decode_json(body: bytes) -> Any:
    """Parse a request body, keeping every non-integer number a Decimal."""
    try:
        return json.loads(body, parse_float=Decimal)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise PostDataInvalid(f"JSON for post data was invalid,{exc}") from None


def envelope(provider_name: str, now: int, **collections: Any) -> dict[str, Any]:
    """Xero's response wrapper; ``collections`` holds e.g. ``Invoices=[...]`` and optionally ``pagination``."""
    body: dict[str, Any] = {
        "Id": new_id(),
        "Status": "OK",
        "ProviderName": provider_name,
        "DateTimeUTC": envelope_timestamp(now),
    }
    body.update(collections)
    return body


def pagination(page: int, page_size: int, item_count: int) -> dict[str, int]:
    page_count = (item_count + page_size - 1) // page_size
    return {"page": page, "pageSize": page_size, "pageCount": page_count, "itemCount": item_count}
