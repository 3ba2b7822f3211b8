"""Xero's date formats: MS-JSON ``/Date(1551139200000+0000)/`` in responses, ISO dates in requests."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta

_MS = re.compile(r"^/Date\((-?\d+)([+-]\d{4})?\)/$")


def parse_xero_datetime(value: str) -> datetime:
    """Parse MS-JSON or ISO 8601 into an aware UTC datetime."""
    match = _MS.match(value)
    if match:
        return datetime(1970, 1, 1, tzinfo=UTC) + timedelta(milliseconds=int(match.group(1)))
    parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def parse_xero_date(value: str) -> date:
    return parse_xero_datetime(value).date()
