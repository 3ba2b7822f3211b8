"""A connection's accounting settings (R-C4), typed, with defaults a new user can live with."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, fields
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ledgerbridge.sync.mappings import AccountInfo

REFERENCE_FIELDS = ("order_number", "customer_po", "site_address", "work_order")


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
    # Seed 004's account settings (R-C4); each is checked against the refreshed chart (ACCOUNT_SETTINGS).
    credit_card_clearing_account: str | None = None
    default_supplier_invoice_account: str | None = None
    default_supplier_expense_account: str | None = None
    labour_income_account: str | None = None
    materials_income_account: str | None = None
    credit_note_account: str | None = None
    bad_debt_account: str | None = None

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
