"""QuickBooks Online's call limits per company.

500 calls a minute, 10 a second and 10 at once per company, of which 40 a minute may be batch calls; no daily
limit. We start at most 8 a second: the consent, token and company-info calls of the same company go around this
budget, and a 429 from QuickBooks means waiting a whole minute. Its answers carry no calls-left headers.
"""

from __future__ import annotations

from ledgerbridge.connectors.limits import BudgetLimits, TextLimits
from ledgerbridge.store.models.host import DocumentType

BATCH_SIZE = 30  # operations of one batch request
READ_PAGE = 1000  # MAXRESULTS of a query
#: DocNumber at most 21 (the xsd), PrivateNote (where the reference goes) and a line's or an item's Description at
#: most 4,000, an item's Name 100 (/work/shared/apis/qbo.md; specs/qbo). A party's name goes out as its
#: DisplayName (at most 500) and its CompanyName, which Intuit's API reference caps at 100: the stricter counts.
QBO_TEXT_LIMITS = TextLimits(number=21, reference=4000, description=4000, party_name=100, item_name=100)
QBO_LIMITS = BudgetLimits(per_minute=500, per_day=1_000_000_000, concurrent=10, per_second=8, batch_per_minute=40)

#: The QuickBooks entity of each host document type (the spec's write groups and read lists name them too).
ENTITIES = {DocumentType.SALES_INVOICE.value: "Invoice", DocumentType.SALES_CREDIT_NOTE.value: "CreditMemo",
            DocumentType.PURCHASE_INVOICE.value: "Bill", DocumentType.PURCHASE_CREDIT_NOTE.value: "VendorCredit"}
#: Ids a query's ``IN (...)`` takes at once.
IN_CHUNK = 50
