"""What a sandbox organisation stores: plain, typed records with no behaviour and no wire format.

Rules live in the modules that change records (:mod:`.contacts`, :mod:`.documents`, :mod:`.settlements`,
:mod:`.banking`); the wire shape lives in :mod:`.views`.  Timestamps are epoch milliseconds (UTC), which is
what Xero's ``/Date(ms+0000)/`` carries and what ``If-Modified-Since`` is compared against.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Literal

ZERO = Decimal("0.00")

SALES_TYPES = frozenset({"ACCREC", "ACCRECCREDIT", "RECEIVE-PREPAYMENT", "RECEIVE-OVERPAYMENT", "RECEIVE"})

CreditKind = Literal["creditnote", "prepayment", "overpayment"]


@dataclass(slots=True)
class Account:
    account_id: str
    code: str
    name: str
    type: str
    tax_type: str
    account_class: str
    system_account: str = ""
    status: str = "ACTIVE"
    enable_payments: bool = False
    bank_account_number: str = ""
    currency_code: str = ""
    description: str = ""
    updated: int = 0

    @property
    def is_bank(self) -> bool:
        return self.type == "BANK"


@dataclass(slots=True)
class TaxRate:
    tax_type: str
    name: str
    rate: Decimal
    report_tax_type: str
    can_apply: dict[str, bool]
    status: str = "ACTIVE"


@dataclass(slots=True)
class Contact:
    contact_id: str
    name: str
    number: str | None
    status: str
    details: dict[str, Any]
    updated: int
    is_customer: bool = False
    is_supplier: bool = False


@dataclass(slots=True)
class Item:
    item_id: str
    code: str
    details: dict[str, Any]
    updated: int


@dataclass(slots=True)
class Line:
    line_item_id: str
    description: str | None
    quantity: Decimal | None
    unit_amount: Decimal | None
    item_code: str | None
    account_code: str | None
    account_id: str | None
    tax_type: str | None
    tax_amount: Decimal
    line_amount: Decimal
    discount_rate: Decimal | None = None
    discount_amount: Decimal | None = None
    #: Never mutated in place; an empty tuple (shared, and invisible to the garbage collector) when untracked.
    tracking: Sequence[dict[str, Any]] = ()


@dataclass(slots=True)
class Totals:
    sub_total: Decimal = ZERO
    total_tax: Decimal = ZERO
    total: Decimal = ZERO


@dataclass(slots=True)
class Allocation:
    """Credit (a credit note, prepayment or overpayment) applied to an invoice."""

    allocation_id: str
    source_kind: CreditKind
    source_id: str
    invoice_id: str
    amount: Decimal
    date: dt.date
    updated: int
    is_deleted: bool = False


@dataclass(slots=True)
class Document:
    """An invoice or bill (``kind="invoice"``) or a credit note (``kind="creditnote"``): same shape in Xero."""

    doc_id: str
    kind: Literal["invoice", "creditnote"]
    type: str
    contact_id: str
    number: str
    reference: str | None
    date: dt.date
    due_date: dt.date | None
    status: str
    line_amount_types: str
    lines: list[Line]
    totals: Totals
    currency_code: str
    currency_rate: Decimal
    created: int
    updated: int
    url: str | None = None
    sent_to_contact: bool = False
    branding_theme_id: str | None = None
    expected_payment_date: dt.date | None = None
    planned_payment_date: dt.date | None = None
    amount_paid: Decimal = ZERO
    amount_credited: Decimal = ZERO
    fully_paid_on: dt.date | None = None
    #: Tuples, replaced when one is added: most documents never get any, and an empty (or string-only) tuple
    #: is invisible to the garbage collector, whose full passes over large books are a large share of a batch's time.
    payment_ids: tuple[str, ...] = ()
    allocation_ids: tuple[str, ...] = ()

    @property
    def outstanding(self) -> Decimal:
        """AmountDue for an invoice, RemainingCredit for a credit note."""
        return self.totals.total - self.amount_paid - self.amount_credited


@dataclass(slots=True)
class Credit:
    """A prepayment or overpayment: money received (or paid) before there was an invoice to pay."""

    credit_id: str
    kind: Literal["prepayment", "overpayment"]
    type: str
    contact_id: str
    date: dt.date
    status: str
    line_amount_types: str
    lines: list[Line]
    totals: Totals
    currency_code: str
    currency_rate: Decimal
    reference: str | None
    bank_transaction_id: str
    created: int
    updated: int
    amount_paid: Decimal = ZERO
    amount_credited: Decimal = ZERO
    #: Tuples, as on :class:`Document`.
    payment_ids: tuple[str, ...] = ()
    allocation_ids: tuple[str, ...] = ()

    @property
    def outstanding(self) -> Decimal:
        """RemainingCredit: what is left to allocate or refund."""
        return self.totals.total - self.amount_paid - self.amount_credited


PaymentTarget = Literal["invoice", "creditnote", "prepayment", "overpayment"]


@dataclass(slots=True)
class Payment:
    payment_id: str
    target_kind: PaymentTarget
    target_id: str
    account_id: str
    date: dt.date
    amount: Decimal
    currency_rate: Decimal
    payment_type: str
    created: int
    updated: int
    reference: str | None = None
    is_reconciled: bool = False
    status: str = "AUTHORISED"
    bank_amount: Decimal | None = None


@dataclass(slots=True)
class BankTransaction:
    bank_transaction_id: str
    type: str
    contact_id: str
    bank_account_id: str
    date: dt.date
    status: str
    line_amount_types: str
    lines: list[Line]
    totals: Totals
    currency_code: str
    currency_rate: Decimal
    created: int
    updated: int
    reference: str | None = None
    url: str | None = None
    is_reconciled: bool = False
    prepayment_id: str | None = None
    overpayment_id: str | None = None
