"""The MYOB Business connector (MYOB Business, AccountRight and the New Essentials: one API since 2020): OAuth
(``auth``), HTTP (``client``), payloads (``mapper``), errors, the company file's rules (``rules``), and the connector
in parts: ``calls`` (requests, pages by NextPageLink), ``reads`` (chart, look-ups, read-back, payments made in MYOB),
``payments`` (money out, credit settlements), ``deposits`` (prepayments), ``party_reads`` (the cards the import of
customers reads) and ``connector`` (the writes, and the class the core uses).

What a MYOB user should know, because MYOB differs from Xero and QuickBooks here:

* One record a call: MYOB has no batch endpoint and no idempotency key. Each attempt is recorded before the call;
  after a lost answer the record is looked up (card ID, number, or the ``[lb <host id>]`` stamp at the start of the
  journal memo) before it is created again.
* Credit notes are sales with negative lines (they read back with status Credit); supplier credits are negative
  bills. Their allocations are credit (debit) settlements.
* Voids delete the document in MYOB; where the company file does not allow changing transactions, the document is
  reversed instead (a document of the opposite sign, settled against it, as MYOB's own Reverse), and its history
  says so.
* A customer card and a supplier card of the same name are told apart by the code: the second is ``Name (CODE)``.
* The import of parties (``sync.party_import``) reads the customer and supplier cards: a card whose card ID is a
  host code, or whose name is a host party's in that role, is bound to it and never created again; the others
  become host parties. A card without a card ID (``*None``) is imported without a code.
* MYOB's lists show no deleted payments: payments imported in the last 90 days are asked for by UID after each
  import, and those gone are reversed here.
* Prepayments: MYOB's API records a customer's money only against a sale (an invoice or an order), so a deposit
  goes out once its order's invoices are in MYOB, as a ``Sale/CustomerPayment`` applied to them as it is created
  (``allocates_in_create``), and what they do not take is held as a deposit on a sale order made for it
  (``Sale/Order/Service``, the host's order number; ``myob.deposits``). A held deposit is not moved onto an invoice
  made later (MYOB does that by converting the order): such an allocation is refused with what to do in MYOB.
"""
