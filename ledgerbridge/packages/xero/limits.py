"""Xero's call limits per organisation, and how its answers tell what is left of them.

60 calls a minute, 5,000 a day and 5 at once per tenant. Every answer carries ``X-MinLimit-Remaining`` and
``X-DayLimit-Remaining``; a 429 says which limit was hit in ``X-Rate-Limit-Problem`` ("minute", "day",
"appminute") with a ``Retry-After``.
"""

from __future__ import annotations

from collections.abc import Mapping

from ledgerbridge.connectors.limits import BudgetLimits, LimitReading, TextLimits, int_header

XERO_LIMITS = BudgetLimits(per_minute=60, per_day=5000, concurrent=5)
#: InvoiceNumber/CreditNoteNumber and Reference at most 255, a line item's Description at most 4,000
#: (/work/shared/apis/xero.md; specs/xero).
XERO_TEXT_LIMITS = TextLimits(number=255, reference=255, description=4000)
BATCH_SIZE = 50  # elements of one PUT/POST (Xero's advice; larger batches time out)
READ_PAGE = 1000  # page size of the Invoices and CreditNotes lists
MINUTE_HEADER = "X-MinLimit-Remaining"
DAY_HEADER = "X-DayLimit-Remaining"
PROBLEM_HEADER = "X-Rate-Limit-Problem"


def read_xero_limits(headers: Mapping[str, str]) -> LimitReading:
    problem = headers.get(PROBLEM_HEADER)
    return LimitReading(minute_left=int_header(headers, MINUTE_HEADER), day_left=int_header(headers, DAY_HEADER),
                        problem=problem.strip().lower() or None if problem is not None else None)
