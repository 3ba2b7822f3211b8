"""What Xero's validation messages mean for the user: a hint and a failure type per known message.

Xero's message is always shown verbatim (R-E10); this table only adds the way out.
"""

from __future__ import annotations

import re

# (pattern, failure type, hint)
KNOWN_MESSAGES: list[tuple[re.Pattern[str], str, str]] = [
    (re.compile(r"Account code or ID must be specified|Account code '.*' is not a valid code", re.I), "config",
     "Map every nominal code on the document to an active Xero account on the Mapping tab, then upload again."),
    (re.compile(r"TaxType code .* does not exist|Tax rate must be valid|TaxType field is mandatory", re.I), "config",
     "Map the tax code to an active Xero tax rate on the Mapping tab, then upload again."),
    (re.compile(r"Invoice # must be unique|Credit ?Note # must be unique|number .* must be unique", re.I), "data",
     "A document with this number already exists in Xero (perhaps entered there by hand). If it is the same "
     "document, use Mark as Exported with Xero's reference; otherwise renumber it in the host."),
    (re.compile(r"not of valid status for modification", re.I), "system",
     "Xero will not change this document because payments or credits are applied to it or it is paid. Remove "
     "them in Xero, or issue a credit note in the host for the difference."),
    (re.compile(r"payments? (allocated|applied)|cannot be voided|has payments", re.I), "system",
     "Xero will not void a document with payments applied: delete the payments in Xero first, or issue a credit "
     "note in the host instead."),
    (re.compile(r"period lock|lock date|locked period", re.I), "system",
     "The document's date falls in a period locked in Xero: ask the accountant to move the lock date, or date the "
     "document in an open period."),
    (re.compile(r"currency .* not (enabled|subscribed)|not a valid currency", re.I), "config",
     "Enable the currency in Xero (Settings > Currencies), refresh the chart of accounts, then upload again."),
    (re.compile(r"contact name .* already assigned", re.I), "data",
     "Another active Xero contact has this name: rename one of them, or archive the other contact in Xero."),
]


def explain(message: str) -> tuple[str, str | None]:
    """(failure type, hint) for a Xero validation message."""
    for pattern, failure_type, hint in KNOWN_MESSAGES:
        if pattern.search(message):
            return failure_type, hint
    return "data", "Correct the record in the host as Xero's message says, then upload again."
