"""A connection's accounting settings (R-C4), typed, with defaults a new user can live with."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import asdict, dataclass, fields
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ledgerbridge.sync.mappings import AccountInfo

REFERENCE_FIELDS = ("order_number", "customer_po", "site_address", "work_order")
#: What a bill reference rule (``ConnectionSettings.bill_reference``) may name, and the document field each reads
#: (``DocumentView``'s): ``{po}`` is the number of the purchase order the invoice names (``purchase_order_host_id``).
BILL_REFERENCE_PLACEHOLDERS = {"number": "number", "po": "purchase_order_number", "order_number": "order_number",
                               "customer_po": "customer_po", "work_order": "work_order",
                               "site_address": "site_address"}
#: How each placeholder's value is named in messages.
PLACEHOLDER_WORDS = {"number": "the supplier's invoice number", "po": "the purchase order number",
                     "order_number": "the order number", "customer_po": "the customer PO number",
                     "work_order": "the work-order number", "site_address": "the site address"}
PLACEHOLDER = re.compile(r"\{([^{}]*)\}")


def bill_reference_problem(rule: str) -> str | None:
    """Why a bill reference rule cannot be used (None: it can): every ``{...}`` must be a known placeholder, the
    braces must pair up, and it must name at least one field (a constant would give every bill one number)."""
    names = PLACEHOLDER.findall(rule)
    unknown = [n for n in names if n not in BILL_REFERENCE_PLACEHOLDERS]
    allowed = ", ".join("{" + n + "}" for n in BILL_REFERENCE_PLACEHOLDERS)
    if unknown:
        return f"bill_reference {rule!r} names {{{unknown[0]}}}; it may use {allowed}"
    if "{" in PLACEHOLDER.sub("", rule) or "}" in PLACEHOLDER.sub("", rule):
        return f"bill_reference {rule!r} has a brace without its pair; write placeholders as {{number}}"
    if not names:
        return f"bill_reference {rule!r} names no field; it must use at least one of {allowed}"
    return None



@dataclass(frozen=True, slots=True)
class AccountSetting:
    label: str  # as the Settings screen names it (seed 004's words)
    needs: str | None  # the use the account must allow ("sales", "purchases", "bank"); None: any account


#: Every account setting, with the kind of account it must be unless "relax restrictions" is on. Payments
#: land in bank accounts (a card clearing account must take payments too); supplier defaults and bad debts are
#: costs; labour, materials and credit notes are income (seed 004); rounding may go anywhere.
ACCOUNT_SETTINGS: dict[str, AccountSetting] = {
    "receiving_account": AccountSetting("Account that receives payments", "bank"),
    "credit_card_clearing_account": AccountSetting("Credit card clearing account", "bank"),
    "default_supplier_invoice_account": AccountSetting("Default supplier invoice account", "purchases"),
    "default_supplier_expense_account": AccountSetting("Default supplier expense account", "purchases"),
    "rounding_account": AccountSetting("Rounding account", None),
    "labour_income_account": AccountSetting("Labour income account", "sales"),
    "materials_income_account": AccountSetting("Materials income account", "sales"),
    "credit_note_account": AccountSetting("Credit note account", "sales"),
    "bad_debt_account": AccountSetting("Bad debt account", "purchases"),
}


@dataclass(slots=True)
class ConnectionSettings:
    reference_field: str = "order_number"  # R-E13
    push_individual_lines: bool = True  # R-E12: False = one line per nominal and tax code
    push_lines_as_items: bool = False
    push_work_undertaken: bool = False  # send the long description
    relax_restrictions: bool = False  # R-I5
    item_sync: bool = False  # R-E1: off by default (seeds 000/001)
    payments_both_ways: bool = False  # seed 004
    allocation_sync: bool = False  # R-X1: credit-note, prepayment and overpayment allocations both ways (R-I3: off)
    rounding_account: str | None = None
    receiving_account: str | None = None
    default_payment_method: str | None = None
    auto_sync: bool = False
    # With automatic sync on, payments are imported every so many minutes (None: the worker's default, 15).
    auto_payments_minutes: float | None = None
    # Seed 004's account settings (R-C4); each is checked against the refreshed chart (ACCOUNT_SETTINGS).
    credit_card_clearing_account: str | None = None
    default_supplier_invoice_account: str | None = None
    default_supplier_expense_account: str | None = None
    labour_income_account: str | None = None
    materials_income_account: str | None = None
    credit_note_account: str | None = None
    bad_debt_account: str | None = None
    # Seed 003 (Komet): a purchase invoice's number in the package by a rule such as "{po}-{number}" (the purchase
    # order's number, then the supplier's invoice number); None: the invoice's own number. Read by the packages
    # that number bills by rule (their spec's ``own_settings``).
    bill_reference: str | None = None
    # Seed 003: suppliers must already exist in the package under exactly their name here (none is created there);
    # pre-check names both names and the package's suppliers of similar name.
    suppliers_must_exist: bool = False

    @classmethod
    def from_json(cls, raw: dict[str, Any] | None) -> ConnectionSettings:
        known = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in (raw or {}).items() if k in known})

    def merged_into(self, raw: dict[str, Any] | None) -> dict[str, Any]:
        out = dict(raw or {})
        out.update(asdict(self))
        return out

    def validate(self) -> list[str]:
        problems = []
        if self.reference_field not in REFERENCE_FIELDS:
            problems.append(f"reference_field must be one of {', '.join(REFERENCE_FIELDS)}")
        if self.auto_payments_minutes is not None and not 0 < self.auto_payments_minutes <= 24 * 60:
            problems.append("Payment import interval: a number of minutes above 0, at most 1440 (a day)")
        if self.bill_reference is not None:
            problem = bill_reference_problem(self.bill_reference)
            if problem is not None:
                problems.append(problem)
        return problems

    def check_accounts(self, accounts: Mapping[str, AccountInfo] | None) -> list[str]:
        """Every account setting against the package's chart (``None``: never refreshed).

        Saved settings are checked at save time rather than at upload, because the package only
        reports a wrong account when a document already failed on it.
        """
        problems = []
        for name, spec in ACCOUNT_SETTINGS.items():
            code = getattr(self, name)
            if not code:
                continue
            if accounts is None:
                problems.append(f"{spec.label}: refresh the chart of accounts first (Mapping tab)")
                continue
            account = accounts.get(code)
            if account is None or not account.active:
                problems.append(f"{spec.label}: account {code} is not in the package's chart of accounts "
                                "(or no longer active)")
            elif spec.needs and spec.needs not in account.usable_for and not self.relax_restrictions:
                problems.append(f"{spec.label}: account {code} ({account.name}, {account.category}) is not a "
                                f"{spec.needs} account; choose another or turn on 'relax restrictions'")
        return problems
