"""The longest text QuickBooks Desktop takes in each field ledgerbridge sends it, for pre-check.

Figures are the qbXML 13.0 and 16.0 schemas' ``maxLength`` (identical in both, ``specs/qbxml``), which Intuit's
onscreen reference repeats for QuickBooks Desktop ("max length = 11" for an invoice's RefNumber; its larger
figures are QuickBooks Online Edition's, which qbXML once also served):

* RefNumber: invoice and credit memo 11; bill and vendor credit 20 (the vendor's invoice number; with Komet's
  rule the PO number and the vendor's number together, ``mapper.bill_ref_number``); received payment 20; bill
  payment cheque 11.
* Names: customer, vendor, employee, other name 41 (one name space across the four); items 31.
* A line's description (``Desc``, an expense line's ``Memo``) and a transaction's ``Memo``: 4,095.
* The reference (``reference_field``: order number, customer PO...) goes to an invoice's or credit memo's
  ``PONumber``, at most 25, and to a bill's ``Memo``.

``QBD_TEXT_LIMITS.number`` is the most any document type takes (20, a bill's): the core checks every number
against it, and the mapper's pre-check (``mapper.precheck_problems``) holds each type to its own figure.
"""

from __future__ import annotations

from ledgerbridge.connectors.limits import TextLimits
from ledgerbridge.store.models.host import DocumentType

#: RefNumber's limit per document type.
REF_NUMBER_LIMITS = {
    DocumentType.SALES_INVOICE.value: 11,
    DocumentType.SALES_CREDIT_NOTE.value: 11,
    DocumentType.PURCHASE_INVOICE.value: 20,
    DocumentType.PURCHASE_CREDIT_NOTE.value: 20,
}
RECEIVE_PAYMENT_REF_MAX = 20
BILL_PAYMENT_REF_MAX = 11
NAME_MAX = 41  # customers, vendors, employees, other names
ITEM_NAME_MAX = 31
PO_NUMBER_MAX = 25
DESCRIPTION_MAX = 4095

QBD_TEXT_LIMITS = TextLimits(number=max(REF_NUMBER_LIMITS.values()), reference=PO_NUMBER_MAX,
                             description=DESCRIPTION_MAX, party_name=NAME_MAX, item_name=ITEM_NAME_MAX)

#: The most request bytes one qbXML message carries (the mailbox packs queued calls up to it; a single call larger
#: than this still goes, alone). QuickBooks runs a whole message while its user waits, and the Web Connector waits
#: for it on one HTTP call: a megabyte (some 600 five-line invoices) keeps a message short on an ordinary PC while
#: costing few round trips. Our choice, not Intuit's: Intuit documents no limit.
MESSAGE_BYTES = 1_048_576
