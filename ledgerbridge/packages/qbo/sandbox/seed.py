"""The reference data a fresh company has: chart of accounts, tax codes and rates, payment methods, two items,
company info and preferences. UK companies get VAT codes; US companies get ``TAX``/``NON`` and a sales-tax code.

Ids are fixed so tests and demo mappings can name them; user-created records start at :data:`FIRST_USER_ID`.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from .config import CompanySeed

FIRST_USER_ID = 100

# (Id, Name, AccountType, AccountSubType, AcctNum, Classification)
_ACCOUNTS = (
    ("1", "Sales", "Income", "SalesOfProductIncome", "4000", "Revenue"),
    ("2", "Services", "Income", "ServiceFeeIncome", "4010", "Revenue"),
    ("3", "Cost of sales", "Cost of Goods Sold", "SuppliesMaterialsCogs", "5000", "Expense"),
    ("4", "Office expenses", "Expense", "OfficeGeneralAdministrativeExpenses", "7000", "Expense"),
    ("5", "Current account", "Bank", "Checking", "1200", "Asset"),
    ("6", "Undeposited Funds", "Other Current Asset", "UndepositedFunds", "1210", "Asset"),
    ("7", "Trade debtors", "Accounts Receivable", "AccountsReceivable", "1100", "Asset"),
    ("8", "Trade creditors", "Accounts Payable", "AccountsPayable", "2100", "Liability"),
    ("9", "Tax control", "Other Current Liability", "GlobalTaxPayable", "2200", "Liability"),
)
UNDEPOSITED_FUNDS = "6"
BANK_ACCOUNT = "5"

# UK: (TaxRate Id, Name, RateValue)
_UK_RATES = (("1", "20.0% S (sales)", "20"), ("2", "20.0% S (purchases)", "20"), ("3", "5.0% R (sales)", "5"),
             ("4", "5.0% R (purchases)", "5"), ("5", "0.0% Z", "0"), ("6", "Exempt", "0"))
# UK: (TaxCode Id, Name, Description, sales rate ids, purchase rate ids)
_UK_CODES = (("2", "20.0% S", "Standard rated", ("1",), ("2",)), ("4", "5.0% R", "Reduced rate", ("3",), ("4",)),
             ("6", "0.0% Z", "Zero rated", ("5",), ("5",)), ("8", "Exempt", "Exempt", ("6",), ("6",)),
             ("10", "No VAT", "Outside the scope of VAT", (), ()))
_US_RATES = (("1", "California", "7.25"), ("2", "San Francisco", "1"))
_US_CODES = (("TAX", "TAX", "Taxable", (), ()), ("NON", "NON", "Non-taxable", (), ()),
             ("2", "San Francisco", "San Francisco sales tax", ("1", "2"), ()))


def _ref(value: str, name: str | None = None) -> dict[str, str]:
    return {"value": value, "name": name} if name is not None else {"value": value}


def _rate_list(rate_ids: tuple[str, ...], rates: dict[str, str]) -> dict[str, Any]:
    return {"TaxRateDetail": [{"TaxRateRef": _ref(rid, rates[rid]), "TaxTypeApplicable": "TaxOnAmount",
                               "TaxOrder": 0} for rid in rate_ids]}


def seed_records(company: CompanySeed) -> dict[str, list[dict[str, Any]]]:
    """Records by entity name, without ``SyncToken``/``MetaData`` (the store adds them)."""
    us = company.country == "US"
    rates_src = _US_RATES if us else _UK_RATES
    codes_src = _US_CODES if us else _UK_CODES
    rate_names = {rid: name for rid, name, _ in rates_src}
    accounts = [{"Id": i, "Name": n, "AccountType": t, "AccountSubType": st, "AcctNum": num,
                 "Classification": c, "FullyQualifiedName": n, "SubAccount": False, "Active": True,
                 "CurrentBalance": Decimal("0"), "CurrencyRef": _ref(company.currency)}
                for i, n, t, st, num, c in _ACCOUNTS]
    tax_rates = [{"Id": i, "Name": n, "Description": n, "RateValue": Decimal(v), "Active": True,
                  "SpecialTaxType": "NONE", "DisplayType": "ReadOnly"} for i, n, v in rates_src]
    tax_codes = []
    for code_id, name, description, sales, purchases in codes_src:
        code: dict[str, Any] = {"Id": code_id, "Name": name, "Description": description, "Active": True,
                                "Taxable": code_id != "NON" and name != "No VAT", "TaxGroup": len(sales) > 1,
                                "SalesTaxRateList": _rate_list(sales, rate_names),
                                "PurchaseTaxRateList": _rate_list(purchases, rate_names)}
        tax_codes.append(code)
    methods: list[dict[str, Any]] = [
        {"Id": "1", "Name": "Cash", "Type": "NON_CREDIT_CARD", "Active": True},
        {"Id": "2", "Name": "Cheque" if not us else "Check", "Type": "NON_CREDIT_CARD", "Active": True},
        {"Id": "3", "Name": "Bank transfer", "Type": "NON_CREDIT_CARD", "Active": True}]
    sales_tax = {} if us else {"SalesTaxCodeRef": _ref("2", "20.0% S"), "PurchaseTaxCodeRef": _ref("2", "20.0% S")}
    items = [{"Id": "1", "Name": "Services", "FullyQualifiedName": "Services", "Type": "Service", "Active": True,
              "IncomeAccountRef": _ref("2", "Services"), "UnitPrice": Decimal("0"), "Taxable": us, **sales_tax},
             {"Id": "2", "Name": "Goods", "FullyQualifiedName": "Goods", "Type": "NonInventory", "Active": True,
              "IncomeAccountRef": _ref("1", "Sales"), "ExpenseAccountRef": _ref("3", "Cost of sales"),
              "UnitPrice": Decimal("0"), "Taxable": us, **sales_tax}]
    address = ({"Line1": "2700 Coast Ave", "City": "Mountain View", "CountrySubDivisionCode": "CA",
                "PostalCode": "94043", "Country": "USA"} if us else
               {"Line1": "1 Ledger Street", "City": "London", "PostalCode": "EC1A 1BB", "Country": "GBR"})
    info = {"Id": "1", "CompanyName": company.name, "LegalName": company.name, "CompanyAddr": address,
            "LegalAddr": address, "Country": company.country, "FiscalYearStartMonth": "April" if not us else
            "January", "SupportedLanguages": "en", "CompanyStartDate": "2024-01-01",
            "NameValue": [{"Name": "NeoEnabled", "Value": "true"}]}
    preferences = {"Id": "1",
                   "SalesFormsPrefs": {"CustomTxnNumbers": False, "AutoApplyCredit": False,
                                       "AllowDiscount": False, "AllowShipping": False},
                   "TaxPrefs": {"UsingSalesTax": True, "PartnerTaxEnabled": False},
                   "CurrencyPrefs": {"MultiCurrencyEnabled": False,
                                     "HomeCurrency": _ref(company.currency)}}
    return {"Account": accounts, "TaxRate": tax_rates, "TaxCode": tax_codes, "PaymentMethod": methods,
            "Item": items, "CompanyInfo": [info], "Preferences": [preferences]}
