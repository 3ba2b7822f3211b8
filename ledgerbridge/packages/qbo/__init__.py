"""The QuickBooks Online connector: OAuth (``auth``), HTTP (``client``), payloads (``mapper``), errors, and the
connector in three parts: ``calls`` (requests, query pages, batch writes), ``reads`` (chart, look-ups, read-back,
payments made in QuickBooks) and ``connector`` (the writes, and the class the core uses).

What a QuickBooks user should know, because QuickBooks Online differs from Xero here:

* Voids. QuickBooks Online's API voids invoices (amounts zeroed, "Voided" in the memo) but has no void for credit
  memos, bills and vendor credits: a host void of one of those deletes it in QuickBooks. The upload report's
  ``notes`` and the document's sync history say so ("deleted in QuickBooks: QuickBooks Online has no void for
  credit memos"). Payments applied to a bill block the delete, and QuickBooks' refusal is shown as it gave it.
* Customers and suppliers are separate records (Customer, Vendor) whose DisplayName must be unique across both
  (Fault 6240). A clash is sent again as ``Name (CODE)`` and that name is kept in the binding; a party that is
  both customer and supplier becomes a Customer and a Vendor, each with a binding of its own (the supplier
  role's is a sync record of type ``supplier``), and its purchase documents name the Vendor.
* Writes go 30 at a time through the batch endpoint with a ``requestid``; DocNumber is at most 21 characters.
"""
