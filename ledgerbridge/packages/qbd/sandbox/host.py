"""HostQuery, CompanyQuery and PreferencesQuery: what the Web Connector asks QuickBooks first in every session and
hands to the web service as ``strHCPResponse`` (qbwc.md §4), and what an application reads to choose its qbXML
version (``SupportedQBXMLVersion``), its country's tax rules and whether the company charges sales tax.
"""

from __future__ import annotations

from lxml import etree

from . import currency
from .context import Answer, Context, Handler
from .elements import Element, Value, bool_text
from .refs import ref_element

__all__ = ["HANDLERS", "supported_versions"]

_ALL_VERSIONS = ("1.0", "1.1", "2.0", "2.1", "3.0", "4.0", "4.1", "5.0", "6.0", "7.0", "8.0", "9.0", "10.0", "11.0",
                 "12.0", "13.0", "14.0", "15.0", "16.0")


def supported_versions(max_version: str) -> list[str]:
    """Every version up to the company's newest, as QuickBooks lists them (QuickBooks 2023: 1.0 .. 16.0)."""
    return list(_ALL_VERSIONS[:_ALL_VERSIONS.index(max_version) + 1])


def _host(ctx: Context, request: Element) -> Answer:
    config = ctx.config
    versions = [etree.Element("SupportedQBXMLVersion") for _ in supported_versions(config.max_qbxml_version)]
    for node, version in zip(versions, supported_versions(config.max_qbxml_version), strict=True):
        node.text = version
    fields: dict[str, Value | None] = {
        "ProductName": config.product_name, "MajorVersion": config.major_version, "MinorVersion": "0",
        "Country": config.flavour, "SupportedQBXMLVersion": versions, "IsAutomaticLogin": "false",
        "QBFileMode": "SingleUser"}
    return Answer([ctx.ret("HostRet", fields, owned={"SupportedQBXMLVersion"})])


_ADDRESSES = {
    "US": {"Addr1": "2700 Coast Ave", "City": "Mountain View", "State": "CA", "PostalCode": "94043",
           "Country": "US"},
    "UK": {"Addr1": "1 Ledger Street", "City": "London", "PostalCode": "EC1A 1BB", "Country": "UK"},
    "CA": {"Addr1": "100 King Street West", "City": "Toronto", "State": "ON", "PostalCode": "M5X 1A9",
           "Country": "Canada"},
}


def _company(ctx: Context, request: Element) -> Answer:
    address = _ADDRESSES[ctx.config.flavour]
    fields: dict[str, Value | None] = {
        "IsSampleCompany": "false", "CompanyName": ctx.config.name, "LegalCompanyName": ctx.config.name,
        "Address": ctx.build("CompanyRet/Address", dict(address)),
        "LegalAddress": ctx.build("CompanyRet/LegalAddress", dict(address)),
        "Phone": "555-0100", "Email": "books@example.com",
        "FirstMonthFiscalYear": "April" if ctx.config.flavour == "UK" else "January",
        "FirstMonthIncomeTaxYear": "April" if ctx.config.flavour == "UK" else "January",
    }
    return Answer([ctx.ret("CompanyRet", fields, owned={"Address", "LegalAddress"})])


def _section(ctx: Context, name: str, fields: dict[str, Value | None]) -> Element:
    return ctx.build(f"PreferencesRet/{name}", fields, owned=set(fields))


def _preferences(ctx: Context, request: Element) -> Answer:
    false, true = bool_text(False), bool_text(True)
    fields: dict[str, Value | None] = {
        "AccountingPreferences": _section(ctx, "AccountingPreferences", {
            "IsUsingAccountNumbers": true, "IsRequiringAccounts": true, "IsUsingClassTracking": false,
            "IsUsingAuditTrail": true, "IsAssigningJournalEntryNumbers": true}),
        "FinanceChargePreferences": _section(ctx, "FinanceChargePreferences", {
            "GracePeriod": "0", "IsAssessingForOverdueCharges": false, "CalculateChargesFrom": "DueDate",
            "IsMarkedToBePrinted": false}),
        "JobsAndEstimatesPreferences": _section(ctx, "JobsAndEstimatesPreferences", {
            "IsUsingEstimates": false, "IsUsingProgressInvoicing": false, "IsPrintingItemsWithZeroAmounts": false}),
        "MultiCurrencyPreferences": _section(ctx, "MultiCurrencyPreferences", currency.preferences(ctx)),
        "PurchasesAndVendorsPreferences": _section(ctx, "PurchasesAndVendorsPreferences", {
            "IsUsingInventory": false, "DaysBillsAreDue": "10", "IsAutomaticallyUsingDiscounts": false}),
        "ReportsPreferences": _section(ctx, "ReportsPreferences", {
            "AgingReportBasis": "AgeFromDueDate", "SummaryReportBasis": "Accrual"}),
        "SalesAndCustomersPreferences": _section(ctx, "SalesAndCustomersPreferences", {
            "IsTrackingReimbursedExpensesAsIncome": false, "IsAutoApplyingPayments": false}),
        "TimeTrackingPreferences": _section(ctx, "TimeTrackingPreferences", {"FirstDayOfWeek": "Monday"}),
        "CurrentAppAccessRights": _section(ctx, "CurrentAppAccessRights", {
            "IsAutomaticLoginAllowed": true, "IsPersonalDataAccessAllowed": false}),
    }
    if ctx.config.flavour == "US":
        tax_item = ctx.books.find(("ItemSalesTax",), None, "CA Sales Tax")
        taxable = ctx.books.find(("SalesTaxCode",), None, "Tax")
        exempt = ctx.books.find(("SalesTaxCode",), None, "Non")
        if tax_item is not None and taxable is not None and exempt is not None:
            fields["SalesTaxPreferences"] = _section(ctx, "SalesTaxPreferences", {
                "DefaultItemSalesTaxRef": ref_element("DefaultItemSalesTaxRef", tax_item), "PaySalesTax": "Monthly",
                "DefaultTaxableSalesTaxCodeRef": ref_element("DefaultTaxableSalesTaxCodeRef", taxable),
                "DefaultNonTaxableSalesTaxCodeRef": ref_element("DefaultNonTaxableSalesTaxCodeRef", exempt)})
    return Answer([ctx.ret("PreferencesRet", fields, owned=set(fields))])


HANDLERS: dict[str, Handler] = {"HostQueryRq": _host, "CompanyQueryRq": _company, "PreferencesQueryRq": _preferences}
