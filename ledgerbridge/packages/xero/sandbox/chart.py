"""The seed books of a new sandbox organisation: a UK demo company's chart of accounts, VAT rates, currencies.

Codes, names and tax defaults follow the chart that Xero gives a new UK organisation, trimmed to the accounts
an integration touches.  System accounts (receivables, payables, VAT, rounding, ...) are included because
real organisations have them and because Xero refuses them as line accounts, which the sandbox must mirror.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from .config import stable_id


@dataclass(frozen=True, slots=True)
class AccountSeed:
    code: str
    name: str
    type: str
    tax_type: str
    system_account: str = ""
    bank_account_number: str = ""
    enable_payments: bool = False


@dataclass(frozen=True, slots=True)
class TaxRateSeed:
    tax_type: str
    name: str
    rate: Decimal
    report_tax_type: str
    revenue: bool
    expenses: bool
    assets: bool = False
    liabilities: bool = False
    equity: bool = False


ACCOUNT_SEEDS: tuple[AccountSeed, ...] = (
    AccountSeed("090", "Business Bank Account", "BANK", "NONE", bank_account_number="20-40-60 12345678"),
    AccountSeed("091", "Business Savings Account", "BANK", "NONE", bank_account_number="20-40-60 87654321"),
    AccountSeed("200", "Sales", "REVENUE", "OUTPUT2"),
    AccountSeed("260", "Other Revenue", "REVENUE", "OUTPUT2"),
    AccountSeed("270", "Interest Income", "REVENUE", "EXEMPTOUTPUT"),
    AccountSeed("300", "Purchases", "DIRECTCOSTS", "INPUT2"),
    AccountSeed("310", "Cost of Goods Sold", "DIRECTCOSTS", "INPUT2"),
    AccountSeed("400", "Advertising", "OVERHEADS", "INPUT2"),
    AccountSeed("404", "Bank Fees", "OVERHEADS", "EXEMPTINPUT"),
    AccountSeed("429", "General Expenses", "OVERHEADS", "INPUT2"),
    AccountSeed("610", "Accounts Receivable", "CURRENT", "NONE", system_account="DEBTORS"),
    AccountSeed("630", "Inventory", "INVENTORY", "NONE"),
    AccountSeed("800", "Accounts Payable", "CURRLIAB", "NONE", system_account="CREDITORS"),
    AccountSeed("820", "VAT", "CURRLIAB", "NONE", system_account="GST"),
    AccountSeed("840", "Historical Adjustment", "CURRLIAB", "NONE", system_account="HISTORICAL"),
    AccountSeed("860", "Rounding", "CURRLIAB", "NONE", system_account="ROUNDING"),
    AccountSeed("877", "Tracking Transfers", "CURRLIAB", "NONE", system_account="TRACKINGTRANSFERS"),
    AccountSeed("960", "Retained Earnings", "EQUITY", "NONE", system_account="RETAINEDEARNINGS"),
)

TAX_RATE_SEEDS: tuple[TaxRateSeed, ...] = (
    TaxRateSeed("OUTPUT2", "20% (VAT on Income)", Decimal("20"), "OUTPUT", revenue=True, expenses=False,
                assets=True, liabilities=True),
    TaxRateSeed("INPUT2", "20% (VAT on Expenses)", Decimal("20"), "INPUT", revenue=False, expenses=True,
                assets=True, liabilities=True),
    TaxRateSeed("RROUTPUT", "5% (VAT on Income)", Decimal("5"), "OUTPUT", revenue=True, expenses=False,
                assets=True, liabilities=True),
    TaxRateSeed("RRINPUT", "5% (VAT on Expenses)", Decimal("5"), "INPUT", revenue=False, expenses=True,
                assets=True, liabilities=True),
    TaxRateSeed("ZERORATEDOUTPUT", "Zero Rated Income", Decimal("0"), "ZERORATEDOUTPUT", revenue=True,
                expenses=False, assets=True),
    TaxRateSeed("ZERORATEDINPUT", "Zero Rated Expenses", Decimal("0"), "ZERORATEDINPUT", revenue=False,
                expenses=True, assets=True),
    TaxRateSeed("EXEMPTOUTPUT", "Exempt Income", Decimal("0"), "EXEMPTOUTPUT", revenue=True, expenses=False),
    TaxRateSeed("EXEMPTINPUT", "Exempt Expenses", Decimal("0"), "EXEMPTINPUT", revenue=False, expenses=True),
    TaxRateSeed("NONE", "No VAT", Decimal("0"), "NONE", revenue=True, expenses=True, assets=True,
                liabilities=True, equity=True),
)

CURRENCY_NAMES: dict[str, str] = {
    "GBP": "British Pound",
    "EUR": "Euro",
    "USD": "United States Dollar",
    "AUD": "Australian Dollar",
    "NZD": "New Zealand Dollar",
    "CAD": "Canadian Dollar",
}

#: Xero's account ``Class`` is derived from its ``Type``.
ACCOUNT_CLASS_BY_TYPE: dict[str, str] = {
    "BANK": "ASSET",
    "CURRENT": "ASSET",
    "FIXED": "ASSET",
    "INVENTORY": "ASSET",
    "NONCURRENT": "ASSET",
    "PREPAYMENT": "ASSET",
    "CURRLIAB": "LIABILITY",
    "LIABILITY": "LIABILITY",
    "TERMLIAB": "LIABILITY",
    "EQUITY": "EQUITY",
    "DIRECTCOSTS": "EXPENSE",
    "EXPENSE": "EXPENSE",
    "OVERHEADS": "EXPENSE",
    "DEPRECIATN": "EXPENSE",
    "REVENUE": "REVENUE",
    "SALES": "REVENUE",
    "OTHERINCOME": "REVENUE",
}


def seed_account_id(tenant_id: str, code: str) -> str:
    """Seed accounts keep their ids across resets, so a mapping made in a demo survives ``/sandbox/reset``."""
    return stable_id("account", tenant_id, code)
