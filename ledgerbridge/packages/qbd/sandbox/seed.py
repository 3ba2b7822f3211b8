"""The lists a fresh sandbox company has: chart of accounts, tax items and codes for its edition, a few items,
terms and payment methods, and the tax agency. Deterministic: made at :data:`SEED_TIME`, in this order, so their
ListIDs are the same in every run (tests and demo mappings may name them; names are the stable handle).

The seed runs through the same Add handlers as any request (:meth:`.company.QuickBooksCompany.run_as_user`), as
qbXML elements, so it obeys the rules it seeds.

- US: sales-tax codes ``Tax`` and ``Non``; sales-tax item ``CA Sales Tax`` (7.25 %, the default on invoices) and
  ``Out of State`` (0 %); tax agency State Board of Equalization.
- UK: VAT codes ``S`` (20 %), ``R`` (5 %), ``Z`` (0 %), ``E`` (exempt), ``O`` (outside the scope), each pointing at
  its sales and purchase VAT items; HM Revenue & Customs.
- CA: ``G`` (GST 5 %), ``H`` (HST Ontario 13 %), ``Z``, ``E``; Receiver General.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta, timezone

from lxml import etree

from .config import Flavour
from .elements import Element

__all__ = ["ACCOUNTS", "SEED_TIME", "seed_requests"]

#: When the seed's objects were "created": 2024-01-01 09:00 at UTC-8 (their ListIDs carry it).
SEED_TIME = datetime(2024, 1, 1, 9, 0, 0, tzinfo=timezone(timedelta(hours=-8)))

# (name per edition US/UK/CA, AccountType, AccountNumber)
ACCOUNTS: tuple[tuple[tuple[str, str, str], str, str], ...] = (
    (("Checking", "Current Account", "Chequing"), "Bank", "1000"),
    (("Accounts Receivable", "Trade Debtors", "Accounts Receivable"), "AccountsReceivable", "1200"),
    (("Undeposited Funds", "Undeposited Funds", "Undeposited Funds"), "OtherCurrentAsset", "1499"),
    (("Accounts Payable", "Trade Creditors", "Accounts Payable"), "AccountsPayable", "2000"),
    (("Credit Card", "Credit Card", "Credit Card"), "CreditCard", "2100"),
    (("Sales Tax Payable", "VAT Liability", "GST/HST Payable"), "OtherCurrentLiability", "2200"),
    (("Sales", "Sales", "Sales"), "Income", "4000"),
    (("Services", "Services", "Services"), "Income", "4100"),
    (("Cost of Goods Sold", "Cost of Sales", "Cost of Goods Sold"), "CostOfGoodsSold", "5000"),
    (("Office Supplies", "Office Costs", "Office Supplies"), "Expense", "6000"),
    (("Professional Fees", "Professional Fees", "Professional Fees"), "Expense", "6100"),
    (("Freight", "Carriage", "Freight"), "Expense", "6200"),
)
_COLUMN = {"US": 0, "UK": 1, "CA": 2}

# Tax items (name, rate) and codes (name, taxable, description, sales item, purchase item) per edition.
_TAX_ITEMS = {
    "US": (("CA Sales Tax", "7.25"), ("Out of State", "0")),
    "UK": (("VAT 20% (Sales)", "20"), ("VAT 20% (Purchases)", "20"), ("VAT 5% (Sales)", "5"),
           ("VAT 5% (Purchases)", "5"), ("VAT 0%", "0"), ("VAT Exempt", "0")),
    "CA": (("GST 5% (Sales)", "5"), ("GST 5% (Purchases)", "5"), ("HST ON 13% (Sales)", "13"),
           ("HST ON 13% (Purchases)", "13"), ("GST/HST 0%", "0"), ("GST/HST Exempt", "0")),
}
_TAX_CODES: dict[str, tuple[tuple[str, bool, str, str | None, str | None], ...]] = {
    "US": (("Tax", True, "Taxable Sales", None, None), ("Non", False, "Non-Taxable Sales", None, None)),
    "UK": (("S", True, "Standard", "VAT 20% (Sales)", "VAT 20% (Purchases)"),
           ("R", True, "Reduced", "VAT 5% (Sales)", "VAT 5% (Purchases)"),
           ("Z", True, "Zero Rated", "VAT 0%", "VAT 0%"),
           ("E", False, "Exempt", "VAT Exempt", "VAT Exempt"),
           ("O", False, "Outside the Scope of VAT", None, None)),
    "CA": (("G", True, "GST", "GST 5% (Sales)", "GST 5% (Purchases)"),
           ("H", True, "HST Ontario", "HST ON 13% (Sales)", "HST ON 13% (Purchases)"),
           ("Z", True, "Zero-rated", "GST/HST 0%", "GST/HST 0%"),
           ("E", False, "Exempt", "GST/HST Exempt", "GST/HST Exempt")),
}
_AGENCY = {"US": "State Board of Equalization", "UK": "HM Revenue & Customs", "CA": "Receiver General"}
#: The tax code of taxable sales and of non-taxable ones, per edition.
_TAXABLE = {"US": ("Tax", "Non"), "UK": ("S", "E"), "CA": ("H", "E")}
_METHODS = {
    "US": (("Cash", "Cash"), ("Check", "Check"), ("Visa", "Visa"), ("MasterCard", "MasterCard"),
           ("American Express", "AmericanExpress"), ("E-Check", "ECheck")),
    "UK": (("Cash", "Cash"), ("Cheque", "Check"), ("BACS", "Other"), ("Visa", "Visa"), ("MasterCard", "MasterCard")),
    "CA": (("Cash", "Cash"), ("Cheque", "Check"), ("Visa", "Visa"), ("MasterCard", "MasterCard"),
           ("Interac Debit", "DebitCard")),
}


def _el(tag: str, *content: str | Element) -> Element:
    """``_el("Name", "Acme")`` or ``_el("SalesOrPurchase", child, ...)``: the seed's small element builder."""
    node = etree.Element(tag)
    for part in content:
        if isinstance(part, str):
            node.text = part
        else:
            node.append(part)
    return node


class _Maker:
    """``E.Name("Acme")`` reads like the qbXML it makes (lxml.builder's E has no type stubs)."""

    def __getattr__(self, tag: str) -> Callable[..., Element]:
        return lambda *content: _el(tag, *content)


E = _Maker()


def _ref(tag: str, name: str) -> Element:
    return _el(tag, E.FullName(name))


def _add(kind: str, *children: Element) -> Element:
    return _el(f"{kind}AddRq", _el(f"{kind}Add", *children))


def account_name(flavour: Flavour, number: str) -> str:
    """The seeded account with ``number`` in this edition (e.g. ``1200`` -> Accounts Receivable / Trade Debtors)."""
    return next(names[_COLUMN[flavour]] for names, _, num in ACCOUNTS if num == number)


def seed_requests(flavour: Flavour) -> list[Element]:

    def account(number: str) -> str:
        return account_name(flavour, number)

    taxable, exempt = _TAXABLE[flavour]
    requests = [_add("Account", E.Name(names[_COLUMN[flavour]]), E.AccountType(kind), E.AccountNumber(number))
                for names, kind, number in ACCOUNTS]
    requests.append(_add("Vendor", E.Name(_AGENCY[flavour]), E.CompanyName(_AGENCY[flavour])))
    requests += [_add("ItemSalesTax", E.Name(name), E.ItemDesc(name), E.TaxRate(rate),
                      _ref("TaxVendorRef", _AGENCY[flavour])) for name, rate in _TAX_ITEMS[flavour]]
    for name, is_taxable, desc, sales_item, purchase_item in _TAX_CODES[flavour]:
        parts = [E.Name(name), E.IsTaxable("true" if is_taxable else "false"), E.Desc(desc)]
        if purchase_item:
            parts.append(_ref("ItemPurchaseTaxRef", purchase_item))
        if sales_item:
            parts.append(_ref("ItemSalesTaxRef", sales_item))
        requests.append(_add("SalesTaxCode", *parts))
    purchase_code = [] if flavour == "US" else [_ref("PurchaseTaxCodeRef", taxable)]
    requests += [
        _add("ItemService", E.Name("Consulting"), _ref("SalesTaxCodeRef", exempt if flavour == "US" else taxable),
             E.SalesOrPurchase(E.Desc("Consulting services"), E.Price("150.00"), _ref("AccountRef", account("4100")))),
        _add("ItemNonInventory", E.Name("Widget"), _ref("SalesTaxCodeRef", taxable),
             E.SalesAndPurchase(E.SalesDesc("Widget"), E.SalesPrice("25.00"), _ref("IncomeAccountRef", account("4000")),
                                E.PurchaseDesc("Widget"), E.PurchaseCost("10.00"), *purchase_code,
                                _ref("ExpenseAccountRef", account("5000")))),
        _add("ItemNonInventory", E.Name("Supplies"), _ref("SalesTaxCodeRef", taxable),
             E.SalesOrPurchase(E.Desc("Office supplies"), _ref("AccountRef", account("6000")))),
        _add("ItemOtherCharge", E.Name("Freight"), _ref("SalesTaxCodeRef", taxable),
             E.SalesOrPurchase(E.Desc("Freight and delivery"), _ref("AccountRef", account("6200")))),
        _add("StandardTerms", E.Name("Net 30"), E.StdDueDays("30")),
        _add("StandardTerms", E.Name("Net 15"), E.StdDueDays("15")),
        _add("StandardTerms", E.Name("Due on receipt"), E.StdDueDays("0")),
        _add("StandardTerms", E.Name("2% 10 Net 30"), E.StdDueDays("30"), E.StdDiscountDays("10"),
             E.DiscountPct("2")),
        _add("DateDrivenTerms", E.Name("15th of month"), E.DayOfMonthDue("15")),
    ]
    requests += [_add("PaymentMethod", E.Name(name), E.PaymentMethodType(kind)) for name, kind in _METHODS[flavour]]
    return requests


def default_codes(flavour: Flavour) -> tuple[str, str]:
    """The tax code the edition uses for taxable sales and for non-taxable ones (``Tax``/``Non``, ``S``/``E``)."""
    return _TAXABLE[flavour]
