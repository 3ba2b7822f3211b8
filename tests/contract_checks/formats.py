"""Value formats used by Xero's OpenAPI specs, checked the way Xero puts them on the wire.

Why our own checkers instead of jsonschema's built-in ``FormatChecker``:

* jsonschema only checks ``uuid``/``date`` out of the box and silently *passes*
  every format it does not know (``date-time`` needs an optional dependency), so a
  strict contract test would quietly lose coverage depending on what is installed.
* Xero dates are not RFC 3339. The accounting spec marks most dates as plain
  ``type: string`` with the vendor flag ``x-is-msdate`` / ``x-is-msdate-time``, and
  Xero (and the official SDK) send Microsoft JSON dates such as
  ``/Date(1539993600000+0000)/`` while the docs ask for ``YYYY-MM-DD``. All of these
  must pass, while ``"2026-13-45"`` or ``12`` must fail.

Format names registered here are private (``xero-*``) so that the converted
schemas never depend on jsonschema's optional format support.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import re
from collections.abc import Callable

from jsonschema import FormatChecker

UUID_RE = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
_MS_DATE_RE = re.compile(r"^/Date\((-?\d{1,15})([+-]\d{4})?\)/$")
_ISO_DATE_RE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")
_ISO_DATETIME_RE = re.compile(
    r"^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,7}))?)?"
    r"(Z|[+-]\d{2}:?\d{2})?$"
)

#: format name used in converted schemas -> human description (for messages).
FORMAT_DESCRIPTIONS: dict[str, str] = {
    "uuid": "UUID (8-4-4-4-12 hex)",
    "xero-date": "date (YYYY-MM-DD)",
    "xero-datetime": "Xero date (YYYY-MM-DD, YYYY-MM-DDThh:mm:ss[.fff][zone] or /Date(ms[+hhmm])/)",
    "int32": "32-bit integer",
    "int64": "64-bit integer",
    "byte": "base64 string",
}


def is_uuid(value: str) -> bool:
    return bool(UUID_RE.match(value))


def is_iso_date(value: str) -> bool:
    m = _ISO_DATE_RE.match(value)
    if not m:
        return False
    try:
        dt.date(int(m[1]), int(m[2]), int(m[3]))
    except ValueError:
        return False
    return True


def is_xero_datetime(value: str) -> bool:
    """Accept every date shape Xero or its SDK puts on the wire, reject anything else.

    ``YYYY-MM-DD``; ``YYYY-MM-DDThh:mm[:ss[.fffffff]]`` optionally with ``Z``/offset
    (a space instead of ``T`` too, as in Xero's ``DateString`` echoes); and MS-JSON
    ``/Date(ms)/`` or ``/Date(ms+hhmm)/``. Calendar validity is checked.
    """
    if _MS_DATE_RE.match(value):
        offset = _MS_DATE_RE.match(value)[2]  # type: ignore[index]
        return offset is None or (int(offset[1:3]) <= 23 and int(offset[3:5]) <= 59)
    if is_iso_date(value):
        return True
    m = _ISO_DATETIME_RE.match(value)
    if not m:
        return False
    try:
        dt.datetime(int(m[1]), int(m[2]), int(m[3]), int(m[4]), int(m[5]), int(m[6] or 0))
    except ValueError:
        return False
    zone = m[8]
    if zone and zone != "Z":
        digits = zone[1:].replace(":", "")
        if int(digits[:2]) > 23 or int(digits[2:]) > 59:
            return False
    return True


def is_http_date(value: str) -> bool:
    """RFC 7231 IMF-fixdate, e.g. ``Sun, 06 Nov 1994 08:49:37 GMT``."""
    try:
        dt.datetime.strptime(value, "%a, %d %b %Y %H:%M:%S GMT")
    except ValueError:
        return False
    return True


def _string_check(pred: Callable[[str], bool]) -> Callable[[object], bool]:
    def check(instance: object) -> bool:
        # Non-strings are the "type" keyword's business, not the format's.
        return not isinstance(instance, str) or pred(instance)

    return check


def _int_range(bits: int) -> Callable[[object], bool]:
    lo, hi = -(2 ** (bits - 1)), 2 ** (bits - 1) - 1

    def check(instance: object) -> bool:
        if isinstance(instance, bool) or not isinstance(instance, int | float):
            return True
        return bool(lo <= instance <= hi)

    return check


def _is_base64(value: str) -> bool:
    try:
        base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        return False
    return True


def make_format_checker() -> FormatChecker:
    """A FormatChecker that knows exactly the formats our converted schemas use."""
    checker = FormatChecker(formats=())
    checker.checks("uuid")(_string_check(is_uuid))
    checker.checks("xero-date")(_string_check(is_iso_date))
    checker.checks("xero-datetime")(_string_check(is_xero_datetime))
    checker.checks("int32")(_int_range(32))
    checker.checks("int64")(_int_range(64))
    checker.checks("byte")(_string_check(_is_base64))
    return checker
