"""Xero's batch write semantics, shared by every collection endpoint.

A PUT or POST carries many elements and is not transactional: each element is validated and saved on its
own, in request order.  The caller then chooses how failures are reported:

* ``summarizeErrors=false``: HTTP 200, every element echoed in order with ``StatusAttributeString`` ``OK`` or
  ``ERROR``, its ``ValidationErrors``, and ``HasErrors`` / ``HasValidationErrors`` where the schema has one;
* otherwise (Xero's behaviour when the parameter is omitted): HTTP 200 if all succeeded, else HTTP 400 with a
  ``ValidationException`` listing only the failed elements, while the valid ones stay saved.

The 400 body's ``Elements`` echo each failed element as it was submitted, as Xero's do (the spec's own 400
examples for ``PUT /Contacts`` and ``PUT /Accounts``): the record's fields (the same typed echo a
``summarizeErrors=false`` answer carries, limited to the spec's fields), its id slot (the zero id when it has
none), the error flag the echo carries (``HasErrors`` on documents) and ``ValidationErrors``. The spec's
``Element`` schema declares only the id slots and ``ValidationErrors``; the contract checker allows the echo as
the ``error-element-echo`` quirk.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .errors import ValidationFailed
from .wire import ZERO_ID


@dataclass(frozen=True, slots=True)
class BatchStyle:
    """How one collection reports per-element outcomes."""

    collection: str
    #: ``HasErrors`` (invoices, credit notes), ``HasValidationErrors`` (contacts, payments) or None.
    error_flag: str | None
    #: The ``Element`` id slot used in a 400 body, when the schema has one for this collection.
    element_id: str | None


INVOICES = BatchStyle("Invoices", "HasErrors", "InvoiceID")
CREDIT_NOTES = BatchStyle("CreditNotes", "HasErrors", "CreditNoteID")
CONTACTS = BatchStyle("Contacts", "HasValidationErrors", "ContactID")
ITEMS = BatchStyle("Items", None, "ItemID")
PAYMENTS = BatchStyle("Payments", "HasValidationErrors", None)
BANK_TRANSACTIONS = BatchStyle("BankTransactions", None, "BankTransactionID")
ALLOCATIONS = BatchStyle("Allocations", None, None)


@dataclass(slots=True)
class Outcome:
    """One element's result: the saved record's view, or the echo of what was sent plus why it failed."""

    view: dict[str, Any]
    errors: list[str]


def batch_result(style: BatchStyle, outcomes: list[Outcome], summarize: bool) -> dict[str, Any]:
    """The collection for a 200 response, or raise :class:`ValidationFailed` for a summarised 400."""
    if summarize:
        failed = [o for o in outcomes if o.errors]
        if failed:
            raise ValidationFailed([_element(style, o) for o in failed])
        return {style.collection: [o.view for o in outcomes]}
    for outcome in outcomes:
        outcome.view["StatusAttributeString"] = "ERROR" if outcome.errors else "OK"
        if style.error_flag:
            outcome.view[style.error_flag] = bool(outcome.errors)
        if outcome.errors:
            outcome.view["ValidationErrors"] = [{"Message": message} for message in outcome.errors]
    return {style.collection: [o.view for o in outcomes]}


def _element(style: BatchStyle, outcome: Outcome) -> dict[str, Any]:
    """The failed element as submitted (``outcome.view`` is its echo), with why it failed."""
    element: dict[str, Any] = dict(outcome.view)
    element.pop("StatusAttributeString", None)
    if style.element_id:
        element[style.element_id] = outcome.view.get(style.element_id) or ZERO_ID
    element["ValidationErrors"] = [{"Message": message} for message in outcome.errors]
    return element
