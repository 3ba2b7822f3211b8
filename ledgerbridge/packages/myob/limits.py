"""MYOB Business's call limits, write sizes and text limits.

MYOB counts 8 calls a second and 1,000,000 a day per **API key**, across every business an install serves
(/work/shared/apis/myob.md §8): those are the app's limits (:data:`MYOB_APP_LIMITS`, ``PackageSpec.app_limits``),
one window that every MYOB connection of the key counts against (``connectors.app_budget``), in this process or
shared by every worker through the database. A refusal is a 403 ``RateLimitError`` with a JSON body (not a 429):
``myob.client`` reads it as the app's limit, so every connection of the key waits. Answers carry no calls-left
headers.

A connection's own :data:`MYOB_LIMITS` pace nothing the app's window does not: no per-second window of its own
(two windows of 8 over the same calls would only count twice), a minute of 480 (8 a second: what one connection
alone may reach, and the rate the plan assumes) and a day of 1,000,000 that the app's window reaches first; it
keeps the 8 calls in flight at once.
"""

from __future__ import annotations

from ledgerbridge.connectors.limits import AppLimits, BudgetLimits, TextLimits
from ledgerbridge.store.models.host import DocumentType

#: MYOB has no batch endpoint: one record a call.
BATCH_SIZE = 1
#: ``$top`` of a page (MYOB's maximum; its default is 400).
READ_PAGE = 1000
#: UIDs one ``$filter`` of ``UID eq guid'…' or …`` carries: the URL stays short (a gateway's 8 kB line limit).
IDS_PER_READ = 20
#: Number 13 (sales, order, receipt and payment numbers), DisplayID 15 (the card ID: the host's party code),
#: CompanyName 50, JournalMemo 255 (the reference goes there), a line's Description 255, an item's Name 30.
NUMBER_MAX = 13
MYOB_TEXT_LIMITS = TextLimits(number=NUMBER_MAX, reference=255, description=255, party_name=50, item_name=30)
DISPLAY_ID_MAX = 15
JOURNAL_MEMO_MAX = 255
MYOB_LIMITS = BudgetLimits(per_minute=480, per_day=1_000_000, concurrent=8, per_second=None)
#: Counted from each call's answer (``second_from_answer``): never a 403 however busy the machine (MYOB counts
#: arrivals, and every arrival comes before its answer).
MYOB_APP_LIMITS = AppLimits(per_second=8, per_day=1_000_000, second_from_answer=True)

#: Windows of the exporter's calls left in flight while it binds older ones and checks the next chunk
#: (``Exporter.windows_ahead``): 6 windows of 4 calls are 3 seconds of MYOB's 8 a second, longer than checking a
#: chunk of 500 invoices takes on a busy machine (1-2.3 s measured, when the calls stopped with one window left).
EXPORT_WINDOWS_AHEAD = 6
#: The route each host document type is written to (credit notes are sales and bills with negative lines).
WRITE_ROUTES = {DocumentType.SALES_INVOICE.value: "Sale/Invoice/Service",
                DocumentType.SALES_CREDIT_NOTE.value: "Sale/Invoice/Service",
                DocumentType.PURCHASE_INVOICE.value: "Purchase/Bill/Service",
                DocumentType.PURCHASE_CREDIT_NOTE.value: "Purchase/Bill/Service"}
#: The list each is read back from (every layout: ``GET Sale/Invoice`` is read-only and holds them all).
READ_ROUTES = {DocumentType.SALES_INVOICE.value: "Sale/Invoice", DocumentType.SALES_CREDIT_NOTE.value: "Sale/Invoice",
               DocumentType.PURCHASE_INVOICE.value: "Purchase/Bill",
               DocumentType.PURCHASE_CREDIT_NOTE.value: "Purchase/Bill"}
CREDIT_TYPES = {DocumentType.SALES_CREDIT_NOTE.value, DocumentType.PURCHASE_CREDIT_NOTE.value}
SALES_TYPES = {DocumentType.SALES_INVOICE.value, DocumentType.SALES_CREDIT_NOTE.value}
