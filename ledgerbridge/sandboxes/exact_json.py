"""JSON with money as exact decimals both ways, for the sandboxes whose packages speak plain JSON numbers
(QuickBooks Online, MYOB): amounts are parsed into :class:`~decimal.Decimal` and written back as JSON numbers with
exactly their digits, so ``10.10`` never turns into ``10.1000000001``. Floats never appear in a sandbox.

Written by hand because the standard encoder has no hook for writing a number's text verbatim: Decimals leave
``default`` as a string carrying a per-process random mark, and the mark and its quotes are then removed. No stored
text can forge the mark. The C encoder does this about five times faster than a recursive encoder of our own,
which mattered: encoding answers was the QBO sandbox's largest cost in the 10,000-invoice benchmark. (Xero's
sandbox writes ASCII with its own markers, :mod:`ledgerbridge.packages.xero.sandbox.wire`.)
"""

from __future__ import annotations

import json
import secrets
from decimal import Decimal
from typing import Any

__all__ = ["dumps", "loads"]

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
