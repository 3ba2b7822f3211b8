"""Xero's call limits per organisation, and how its answers tell what is left of them.

60 calls a minute, 5,000 a day and 5 at once per tenant. Every answer carries ``X-MinLimit-Remaining`` and
``X-DayLimit-Remaining``; a 429 says which limit was hit in ``X-Rate-Limit-Problem`` ("minute", "day",
"appminute") with a ``Retry-After``.

A GET's query string has a limit of its own. Xero answers **404** (its bare "The resource you're looking for
cannot be found") when the query string passes 2,048 bytes, the default ``maxQueryString`` of the IIS request
filter in front of the API (an old answer showed IIS's "404.15 query string too long" page,
github.com/XeroAPI/Xero-Net/issues/280). The reports agree on that figure: 52 invoice or contact ids pass and 53
fail with the commas encoded as ``%2C`` (github.com/XeroAPI/Xero-Java/issues/328, XeroAPI/xero-node#404), 55 pass
and 56 fail with bare commas (XeroAPI/Xero-NetStandard#413), and a URL past about 2,091 characters fails
whatever its parameters (XeroAPI/Xero-NetStandard#471). A Xero maintainer advises staying below 50 ids
(XeroAPI/Xero-Net#389), so an ``IDs=`` list carries at most :data:`MAX_IDS`, and every other list (numbers,
``where`` clauses) is cut by the encoded length (:mod:`.query_chunks`).
"""

from __future__ import annotations

from collections.abc import Mapping

from ledgerbridge.connectors.limits import BudgetLimits, LimitReading, TextLimits, int_header

XERO_LIMITS = BudgetLimits(per_minute=60, per_day=5000, concurrent=5)
#: InvoiceNumber/CreditNoteNumber and Reference at most 255, a line item's and an item's Description at most
#: 4,000, a contact's Name 255, an item's Name 50 (/work/shared/apis/xero.md; specs/xero).
XERO_TEXT_LIMITS = TextLimits(number=255, reference=255, description=4000, party_name=255, item_name=50)
BATCH_SIZE = 50  # elements of one PUT/POST (Xero's advice; larger batches time out)
READ_PAGE = 1000  # page size of the Invoices and CreditNotes lists
MAX_QUERY_STRING = 2048  # bytes of a GET's query string, as sent (percent-encoded); past it Xero answers 404
MAX_IDS = 50  # ids in one IDs= list (Xero's advice; 52 GUIDs is where the query string runs out)
MINUTE_HEADER = "X-MinLimit-Remaining"
DAY_HEADER = "X-DayLimit-Remaining"
PROBLEM_HEADER = "X-Rate-Limit-Problem"


def read_xero_limits(headers: Mapping[str, str]) -> LimitReading:
    problem = headers.get(PROBLEM_HEADER)
    return LimitReading(minute_left=int_header(headers, MINUTE_HEADER), day_left=int_header(headers, DAY_HEADER),
                        problem=problem.strip().lower() or None if problem is not None else None)
