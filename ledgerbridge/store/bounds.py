"""The largest integers a request may carry, from what the store can hold.

Why: an integer from a URL or a body reaches SQL as a bound parameter. Past 2**63-1 SQLite's driver raises
``OverflowError`` and PostgreSQL answers "bigint out of range", both as a 500; a negative LIMIT means "no limit"
on SQLite. Every integer a caller sends is therefore bounded at the edge (the API's ``Query``/``Path``/``Field``
constraints, the screens' parameter parsing) by these numbers, and refused with a 422 naming it.

Row ids are INTEGER columns (32-bit on PostgreSQL), so no id above 2**31-1 can exist; an offset past that many
rows can never find one either. A page is at most :data:`MAX_PAGE` rows.
"""

from __future__ import annotations

__all__ = ["MAX_ID", "MAX_OFFSET", "MAX_PAGE", "MAX_SELECTED_IDS", "parse_bounded"]

#: The largest row id (INTEGER columns: 32-bit signed on PostgreSQL).
MAX_ID = 2**31 - 1
#: The largest offset into a list: past this many rows no store here keeps any.
MAX_OFFSET = 2**31 - 1
#: The most rows one page of a list or grid answers.
MAX_PAGE = 1000
#: The most ids one request may name (an upload's or a mark-exported's selection): a batch's documents.
MAX_SELECTED_IDS = 10_000


def parse_bounded(value: str | None, *, low: int, high: int) -> int | None:
    """``value`` as an int in ``low..high``, or None when it is missing, not plain ASCII digits or out of range.

    For the screens, which ignore a bad parameter rather than refuse the page: ``str.isdigit`` alone is not
    enough ("²" is a digit to it and not to ``int``, and a 30-digit id overflows the store)."""
    if not value or not value.isascii() or not value.isdigit() or len(value) > 19:
        return None
    number = int(value)
    return number if low <= number <= high else None
