"""R-C4: every account setting is saved explicitly and checked against the package's chart."""

from __future__ import annotations

from dataclasses import fields

from ledgerbridge.domain.accounting_settings import ACCOUNT_SETTINGS, ConnectionSettings
from ledgerbridge.sync.mappings import AccountInfo

CHART = {
    "090": AccountInfo("090", "Business Bank Account", "BANK", ("bank",), True),
    "200": AccountInfo("200", "Sales", "REVENUE", ("sales",), True),
    "300": AccountInfo("300", "Purchases", "DIRECTCOSTS", ("purchases",), True),
    "429": AccountInfo("429", "General Expenses", "OVERHEADS", ("purchases",), True),
    "860": AccountInfo("860", "Rounding", "CURRLIAB", (), True),
    "old": AccountInfo("old", "Archived", "REVENUE", ("sales",), False),
}


def test_seed_004_accounts_are_settings_with_their_kind() -> None:
    names = {f.name for f in fields(ConnectionSettings)}
    expected = {"receiving_account": "bank", "credit_card_clearing_account": "bank",
                "default_supplier_invoice_account": "purchases", "default_supplier_expense_account": "purchases",
                "rounding_account": None, "labour_income_account": "sales", "materials_income_account": "sales",
                "credit_note_account": "sales", "bad_debt_account": "purchases"}
    assert {name: spec.needs for name, spec in ACCOUNT_SETTINGS.items()} == expected
    assert set(expected) <= names
    assert ConnectionSettings().payments_both_ways is False  # seed 000: one way unless chosen


def test_suitable_accounts_pass_and_survive_a_round_trip() -> None:
    settings = ConnectionSettings(receiving_account="090", credit_card_clearing_account="090",
                                  default_supplier_invoice_account="300", default_supplier_expense_account="429",
                                  rounding_account="860", labour_income_account="200",
                                  materials_income_account="200", credit_note_account="200", bad_debt_account="429")
    assert settings.check_accounts(CHART) == []
    stored = settings.merged_into({"something_else": 1})
    assert stored["something_else"] == 1
    assert ConnectionSettings.from_json(stored) == settings


def test_each_unsuitable_account_is_named_with_the_kind_it_needs() -> None:
    settings = ConnectionSettings(credit_card_clearing_account="200", labour_income_account="300",
                                  bad_debt_account="200", credit_note_account="old", materials_income_account="999")
    problems = settings.check_accounts(CHART)
    assert problems == [
        "Credit card clearing account: account 200 (Sales, REVENUE) is not a bank account; choose another or turn "
        "on 'relax restrictions'",
        "Labour income account: account 300 (Purchases, DIRECTCOSTS) is not a sales account; choose another or "
        "turn on 'relax restrictions'",
        "Materials income account: account 999 is not in the package's chart of accounts (or no longer active)",
        "Credit note account: account old is not in the package's chart of accounts (or no longer active)",
        "Bad debt account: account 200 (Sales, REVENUE) is not a purchases account; choose another or turn on "
        "'relax restrictions'",
    ]


def test_relax_restrictions_allows_any_active_account_but_not_a_missing_one() -> None:
    relaxed = ConnectionSettings(relax_restrictions=True, credit_card_clearing_account="200",
                                 bad_debt_account="200", credit_note_account="999")
    assert relaxed.check_accounts(CHART) == [
        "Credit note account: account 999 is not in the package's chart of accounts (or no longer active)"]


def test_accounts_need_a_refreshed_chart() -> None:
    assert ConnectionSettings(labour_income_account="200").check_accounts(None) == [
        "Labour income account: refresh the chart of accounts first (Mapping tab)"]
    assert ConnectionSettings().check_accounts(None) == []
