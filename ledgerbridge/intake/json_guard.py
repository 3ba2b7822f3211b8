"""What a host's JSON may not be, checked before and after ``json.loads``: too deep, or text no store keeps.

Why a module of its own: ``json.loads`` recurses once per nested array or object, so 5,000 nested brackets
raise ``RecursionError`` (a 500) before any model sees the body; the depth is therefore measured on the raw
bytes first, at C speed (strings cut out by one regular expression, brackets summed by ``accumulate``).
And JSON may carry text no store can keep: a lone UTF-16 surrogate (``"\\ud800"``) cannot be encoded for
either database, and a NUL (``"\\u0000"``) is refused by PostgreSQL while SQLite keeps it and sends it on to
the package. Both only ever arrive as ``\\u`` escapes (raw bytes that decoded to them would not be UTF-8
or not be JSON), so the parsed values are walked for them only when the raw body holds such an escape.

The schemas (``intake.schemas``) turn what these functions find into refusals naming record and field; the API's
guard (``api.text_guard``) applies them to every other body, form and query string the app takes.
"""

from __future__ import annotations

import re
from array import array
from itertools import accumulate
from typing import Any

__all__ = ["MAX_DEPTH", "bad_text", "escape_bad_text", "may_hold_bad_text", "nesting_depth", "text_problem"]

#: Arrays and objects inside each other: a batch needs five (batch, list, record, lines, line); the rest is slack.
MAX_DEPTH = 32

_STRING = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"', re.DOTALL)
# '[' and '{' become +1, ']' and '}' become -1 (0xff as a signed byte); everything else is deleted.
_BRACKETS = bytes.maketrans(b"[{]}", b"\x01\x01\xff\xff")
_NOT_BRACKETS = bytes(b for b in range(256) if b not in b"[{]}")
_SUSPECT_ESCAPE = re.compile(rb"\\u(?:0000|[dD][89a-fA-F][0-9a-fA-F]{2})")
_BAD_CHAR = re.compile("[\x00\ud800-\udfff]")


def _as_bytes(raw: bytes | str) -> bytes:
    return raw if isinstance(raw, bytes) else raw.encode("utf-8", "surrogatepass")


def nesting_depth(raw: bytes | str) -> int:
    """How deep arrays and objects nest in ``raw`` (brackets inside strings do not count)."""
    brackets = _STRING.sub(b"", _as_bytes(raw)).translate(_BRACKETS, _NOT_BRACKETS)
    return max(accumulate(array("b", brackets)), default=0)


def may_hold_bad_text(raw: bytes | str) -> bool:
    """Whether ``raw`` has an escape that could decode to NUL or a surrogate (cheap; false alarms allowed)."""
    return _SUSPECT_ESCAPE.search(_as_bytes(raw)) is not None


def text_problem(text: str) -> str | None:
    """Why ``text`` cannot be kept (it holds a NUL or a lone surrogate), or None."""
    found = _BAD_CHAR.search(text)
    if found is None:
        return None
    if found.group() == "\x00":
        return f"must not contain a NUL character (at position {found.start()})"
    return f"must not contain a lone UTF-16 surrogate (\\u{ord(found.group()):04x} at position {found.start()})"


def escape_bad_text(text: str) -> str:
    """``text`` fit to quote in an error: NUL and surrogates written as ``\\uXXXX`` (an answer holding a lone
    surrogate could not even be encoded)."""
    return _BAD_CHAR.sub(lambda found: f"\\u{ord(found.group()):04x}", text)


def bad_text(data: Any) -> list[tuple[tuple[str | int, ...], str]]:
    """Every string (value or key) in parsed JSON holding a NUL or a lone surrogate: (location, message).

    Iterative, so it is safe at any depth; the location is pydantic's (keys and list positions)."""
    found: list[tuple[tuple[str | int, ...], str]] = []
    stack: list[tuple[tuple[str | int, ...], Any]] = [((), data)]
    while stack:
        loc, value = stack.pop()
        if isinstance(value, str):
            message = text_problem(value)
            if message:
                found.append((loc, message))
        elif isinstance(value, dict):
            for key, item in value.items():
                message = text_problem(key)
                if message:
                    found.append(((*loc, key), f"the field name {message}"))
                stack.append(((*loc, key), item))
        elif isinstance(value, list):
            stack.extend(((*loc, n), item) for n, item in enumerate(value))
    return sorted(found, key=lambda item: str(item[0]))
