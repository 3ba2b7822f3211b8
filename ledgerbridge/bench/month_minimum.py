"""The fewest API calls a package's limits allow for a month's work (``ledgerbridge bench month``).

Worked out from first principles, from the work itself (what was exported, paid, imported and compared) and the
package's own facts (``PackageSpec.batch_size``, ``read_page`` and ``bench``: which documents share a write
call and a paged list, how many ids a read-by-id call carries, where an import finds each kind of payment,
whether a list's answers tell their page count, whether a prepayment can be created allocated). Nothing in it
looks at how ledgerbridge's engine does the work: a call the engine spends beyond these terms is the engine's
waste, and shows as a ratio above 1.

Every term is a call any client must make, whatever its design; see :func:`month_minimum` for each one. What is
deliberately left out (so the ratio errs against the engine): the chart refresh and the connection (before the
month, as in ``ledgerbridge bench``), an item or a contact the package's company lacked before the month, and
any read a crash or a refusal would add.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field

from ledgerbridge.connectors.spec import PackageSpec


@dataclass(frozen=True, slots=True)
class MonthWork:
    """What the month did, counted by the bench (not by the engine's reports)."""

    parties: int  # customers and suppliers the documents name, each a record of the package
    documents: Mapping[str, int]  # exported, by document type
    prepayments: int  # deposits sent as the package's prepayments and split over their orders' invoices
    prepaid_invoices: int  # the invoices of those orders (the split reads what each still owes)
    #: Payments an import finds in the package, by kind ("receipt", "bill_payment", "prepayment"): made there by
    #: the bookkeeper, and the prepayments sent from here (read back by the import and skipped as ours).
    payments: Mapping[str, int] = field(default_factory=dict)
    credits_applied: int = 0  # credit notes the bookkeeper allocated to invoices in the package


def _pages(count: int, page: int, count_known: bool) -> int:
    """Reads of a paged list of ``count`` rows: at least one (an empty list is a call too); where the answers
    do not say how many pages there are, a list whose last page is full takes one more read to learn it ended."""
    if count_known:
        return max(1, math.ceil(count / page))
    return count // page + 1


def _by_group(counts: Mapping[str, int], groups: Mapping[str, str]) -> Counter[str]:
    out: Counter[str] = Counter()
    for doc_type, n in counts.items():
        out[groups.get(doc_type, doc_type)] += n
    return out


def month_minimum(spec: PackageSpec, work: MonthWork) -> dict[str, int]:
    """The fewest calls for ``work`` on the package ``spec`` describes, by kind of work (the bench's stages).

    * ``documents``: the writes. Customers and suppliers first (a document must name its party's record):
      ``ceil(parties / batch_size)``, one collection for both roles (Xero's Contacts; QuickBooks' batch takes
      Customer and Vendor operations alike). Then the documents: for each group of types one write call can
      carry (``bench.write_groups``), ``ceil(documents of the group / batch_size)``. Plus ``bench.setup_reads``,
      the reads any exporter makes before the first document (QuickBooks: the query for each income account's
      item, a sales line naming an item, never an account).
    * ``read_back``: the seen tick (R-E7) reads every exported document back. Per paged list
      (``bench.read_lists``), ``ceil(documents of the list / read_page)``: the reader knows how many it awaits,
      so it stops once every one is found, even where the answers give no page count.
    * ``prepayments``: creating them, ``ceil(prepayments / batch_size)``; reading what each invoice of their
      orders still owes, ``ceil(prepaid invoices / bench.ids_per_read)`` (R-E6: the split must offer an invoice
      no more than the package says it owes when it allocates, or a payment made there and not yet imported gets
      the allocation refused on every upload: issue 12); and, unless the package creates a prepayment with its
      allocations (``bench.allocations_in_create``), one call per prepayment for its allocations (Xero's path
      names the prepayment, so two prepayments cannot share a call).
    * ``import``: the first import pages through each list where payments made in the package are found
      (``bench.payment_lists``), at least one read each, even empty: ``ceil(payments / read_page)`` where the
      answers give a page count, ``floor(payments / read_page) + 1`` where they do not (the importer cannot know
      how many there are).
    * ``reconciliation``: the package's side of every exported document, read again now (payments and
      allocations have changed it): per paged list, ``ceil(documents / read_page)``, as for the read-back. Where
      the documents do not say how much of what was settled on them was credit (``bench.credit_split_by_payments``:
      QuickBooks applies a credit memo through a Payment linking both), the payments that apply a credit are read
      too, by id: ``ceil(credits applied / bench.ids_per_read)``; the credits' own links name them (the credit
      notes are read in the same pass), so a payment of cash only is never read.
    """
    page = spec.read_page
    facts = spec.bench
    writes = math.ceil(work.parties / spec.batch_size) + sum(
        math.ceil(n / spec.batch_size) for n in _by_group(work.documents, facts.write_groups).values())
    lists = _by_group(work.documents, facts.read_lists)
    read_back = sum(math.ceil(n / page) for n in lists.values() if n)
    prepayments = 0
    if work.prepayments:
        prepayments = (math.ceil(work.prepayments / spec.batch_size)
                       + math.ceil(work.prepaid_invoices / facts.ids_per_read)
                       + (0 if facts.allocations_in_create else work.prepayments))
    payment_lists: Counter[str] = Counter({name: 0 for name in facts.payment_lists.values()})
    for kind, n in work.payments.items():
        payment_lists[facts.payment_lists[kind]] += n
    imports = sum(_pages(n, page, facts.page_count_known) for n in payment_lists.values())
    reconciliation = read_back
    if facts.credit_split_by_payments:
        reconciliation += math.ceil(work.credits_applied / facts.ids_per_read)
    return {"documents": writes + facts.setup_reads, "read_back": read_back, "prepayments": prepayments,
            "import": imports, "reconciliation": reconciliation}
