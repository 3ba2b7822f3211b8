"""What a new business holds: a small chart of accounts and the country's GST codes, with fixed UIDs.

UIDs are derived from the business and the record's code (uuid5), so a reset or a restart gives the same UIDs and
a test or the demo can name them. Australian files number accounts ``1-1110`` and use GST/FRE/N-T/ITS/EXP/CAP/INP;
New Zealand files use GST at 15 % and E/Z/N-T (the research note's §5; the NZ list is assumed from MYOB's NZ help).
"""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Any

from .config import BusinessSeed

Record = dict[str, Any]

#: (DisplayID, Name, Type, Classification, IsHeader, Level)
_ACCOUNTS: tuple[tuple[str, str, str, str, bool, int], ...] = (
    ("1-0000", "Assets", "OtherCurrentAsset", "Asset", True, 1),
    ("1-1110", "Business Bank Account", "Bank", "Asset", False, 3),
    ("1-1120", "Business Savings Account", "Bank", "Asset", False, 3),
    ("1-1200", "Trade Debtors", "AccountReceivable", "Asset", False, 2),
    ("1-1300", "Undeposited Funds", "OtherCurrentAsset", "Asset", False, 2),
    ("2-0000", "Liabilities", "OtherCurrentLiability", "Liability", True, 1),
    ("2-1200", "GST Collected", "OtherCurrentLiability", "Liability", False, 2),
    ("2-1330", "GST Paid", "OtherCurrentLiability", "Liability", False, 2),
    ("2-2000", "Trade Creditors", "AccountsPayable", "Liability", False, 2),
    ("4-0000", "Income", "Income", "Income", True, 1),
    ("4-1000", "Sales", "Income", "Income", False, 2),
    ("4-1010", "Services Income", "Income", "Income", False, 2),
    ("5-0000", "Cost of Sales", "CostOfSales", "CostOfSales", True, 1),
    ("5-1000", "Purchases", "CostOfSales", "CostOfSales", False, 2),
    ("6-0000", "Expenses", "Expense", "Expense", True, 1),
    ("6-1000", "General Expenses", "Expense", "Expense", False, 2),
    ("6-2000", "Office Supplies", "Expense", "Expense", False, 2),
)

#: (Code, Description, Type, Rate)
_TAX_CODES: dict[str, tuple[tuple[str, str, str, str], ...]] = {
    "AU": (("GST", "Goods & Services Tax", "GST_VAT", "10"), ("FRE", "GST Free", "GST_VAT", "0"),
           ("N-T", "Not Reportable", "GST_VAT", "0"), ("ITS", "Input Taxed Sales", "InputTaxed", "0"),
           ("EXP", "GST Free Exports", "GST_VAT", "0"), ("CAP", "Capital Acquisitions", "GST_VAT", "10"),
           ("INP", "Input Taxed Purchases", "InputTaxed", "0")),
    "NZ": (("GST", "Goods & Services Tax", "GST_VAT", "15"), ("E", "Exempt", "GST_VAT", "0"),
           ("Z", "Zero Rated", "GST_VAT", "0"), ("N-T", "Not Reportable", "GST_VAT", "0")),
}


def seed_uid(business_id: str, kind: str, key: str) -> str:
    return str(uuid.uuid5(uuid.UUID(business_id), f"{kind}:{key}"))


def seed_records(seed: BusinessSeed) -> dict[str, list[Record]]:
    """Records by kind, in MYOB's JSON shape (without UID-derived URIs, which are added on the way out)."""
    bid = seed.business_id
    accounts: dict[str, Record] = {}
    for display_id, name, acc_type, classification, is_header, level in _ACCOUNTS:
        accounts[display_id] = {
            "UID": seed_uid(bid, "Account", display_id), "DisplayID": display_id, "Name": name,
            "Classification": classification, "Number": int(display_id.replace("-", "")[1:]), "Description": "",
            "ParentAccount": None, "IsActive": True, "TaxCode": None, "Level": level, "Type": acc_type,
            "OpeningBalance": Decimal("0.00"), "CurrentBalance": Decimal("0.00"), "BankingDetails": None,
            "IsHeader": is_header, "ForeignCurrency": None, "CurrencyExchangeRate": None}
    collected, paid = accounts["2-1200"], accounts["2-1330"]
    tax_codes = []
    for code, description, tax_type, rate in _TAX_CODES[seed.country]:
        tax_codes.append({
            "UID": seed_uid(bid, "TaxCode", code), "Code": code, "Description": description, "Type": tax_type,
            "Rate": Decimal(rate), "IsRateNegative": False,
            "TaxCollectedAccount": _link(collected), "TaxPaidAccount": _link(paid),
            "WithholdingCreditAccount": None, "WithholdingPayableAccount": None, "ImportDutyPayableAccount": None,
            "LinkedSupplier": None, "LuxuryCarTaxThreshold": Decimal("0.00")})
    return {"Account": list(accounts.values()), "TaxCode": tax_codes}


def _link(account: Record) -> Record:
    return {"UID": account["UID"], "Name": account["Name"], "DisplayID": account["DisplayID"]}


def account_uid(seed: BusinessSeed, display_id: str) -> str:
    return seed_uid(seed.business_id, "Account", display_id)


def tax_code_uid(seed: BusinessSeed, code: str) -> str:
    return seed_uid(seed.business_id, "TaxCode", code)


def preferences(seed: BusinessSeed) -> Record:
    """Company/Preferences: only the system part matters to the API's rules; the rest is left empty."""
    return {"System": {"CategoryTracking": "Off",
                       "TransactionsCannotBeChangedMustBeReversed": seed.transactions_cannot_be_changed,
                       "LockPeriodPriorTo": None, "UseAlphaAccountIdentifier": False},
            "ReportsAndForms": None, "Banking": None, "Sales": None, "Purchases": None, "Timesheets": None,
            "RowVersion": "1"}


def accounting_properties(seed: BusinessSeed) -> Record:
    """GeneralLedger/AccountingProperties: the current financial year, as the year it ends in and its last month
    (AU from 1 July 2025: 2026 and 6), and the conversion date (the file's first day; kept at the year's start)."""
    start = seed.year_start
    last_month = (start.month - 2) % 12 + 1
    return {"ConversionDate": f"{start.isoformat()}T00:00:00",
            "CurrentFinancialYear": start.year + (1 if start.month > 1 else 0), "LastMonthFinancialYear": last_month}
