"""Name lists: Customer, Vendor, Item, Account, PaymentMethod. Builders turn a request body into the stored
record; read-only fields (``Balance``, ``FullyQualifiedName``, ``Classification``) are computed, never copied.

Unknown or read-only fields in a request are ignored rather than refused, as QBO does with python-quickbooks'
habit of sending every attribute.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from . import errors
from .common import check_length, ref_id, ref_to, resolve, text
from .store import Company, Record
from .wire import money

_PERSON = ("Title", "GivenName", "MiddleName", "FamilyName", "Suffix", "CompanyName", "DisplayName",
           "PrintOnCheckName", "Active", "PrimaryPhone", "Mobile", "Fax", "PrimaryEmailAddr", "WebAddr", "BillAddr",
           "Notes", "AcctNum", "CurrencyRef", "OtherContactInfo")
WRITABLE: dict[str, tuple[str, ...]] = {
    "Customer": _PERSON + ("ShipAddr", "Taxable", "DefaultTaxCodeRef", "SalesTermRef", "PaymentMethodRef",
                           "ParentRef", "Job", "BillWithParent", "ResaleNum", "PreferredDeliveryMethod"),
    "Vendor": _PERSON + ("TermRef", "Vendor1099", "TaxIdentifier", "APAccountRef"),
    "Item": ("Name", "Description", "Active", "Type", "IncomeAccountRef", "ExpenseAccountRef", "AssetAccountRef",
             "UnitPrice", "PurchaseCost", "PurchaseDesc", "Sku", "Taxable", "SalesTaxCodeRef", "PurchaseTaxCodeRef",
             "TrackQtyOnHand", "QtyOnHand", "InvStartDate", "ParentRef", "SubItem"),
    "Account": ("Name", "AccountType", "AccountSubType", "AcctNum", "Description", "Active", "SubAccount",
                "ParentRef", "CurrencyRef"),
    "PaymentMethod": ("Name", "Type", "Active"),
}
ACCOUNT_CLASSIFICATION = {
    "Bank": "Asset", "Accounts Receivable": "Asset", "Other Current Asset": "Asset", "Fixed Asset": "Asset",
    "Other Asset": "Asset", "Accounts Payable": "Liability", "Credit Card": "Liability",
    "Other Current Liability": "Liability", "Long Term Liability": "Liability", "Equity": "Equity",
    "Income": "Revenue", "Other Income": "Revenue", "Cost of Goods Sold": "Expense", "Expense": "Expense",
    "Other Expense": "Expense",
}
ITEM_TYPES = ("Service", "Inventory", "NonInventory", "Group", "Category")
_NEEDS_INCOME = ("Service", "Inventory", "NonInventory")


def _writable(entity: str, body: dict[str, Any]) -> Record:
    return {key: body[key] for key in WRITABLE[entity] if key in body and body[key] not in (None, "")}


def build_name(company: Company, entity: str, body: dict[str, Any], record_id: str) -> Record:
    """The stored form of a Customer/Vendor/Item/Account/PaymentMethod after create or update."""
    record = {"Id": record_id, **_writable(entity, body)}
    record.setdefault("Active", True)
    if entity in ("Customer", "Vendor"):
        _person(company, entity, record)
    elif entity == "Item":
        _item(company, record)
    elif entity == "Account":
        _account(company, record)
    else:
        name = text(record, "Name")
        if name is None:
            raise errors.required("Name")
        _unique_name(company, (entity,), "Name", name, record_id, errors.duplicate_item_name(name))
    return record


def _person(company: Company, entity: str, record: Record) -> None:
    display = text(record, "DisplayName")
    if display is None:
        parts = [text(record, key) for key in ("Title", "GivenName", "MiddleName", "FamilyName", "Suffix")]
        display = " ".join(part for part in parts if part) or text(record, "CompanyName")
    if display is None:
        raise errors.required(f"{entity}.DisplayName")
    display = display.strip()
    if ":" in display:
        raise errors.business("A name cannot contain a colon (:).", "DisplayName")
    check_length(display, 500, "DisplayName")
    record["DisplayName"] = display
    record["FullyQualifiedName"] = display
    record.setdefault("PrintOnCheckName", display)
    _unique_name(company, ("Customer", "Vendor", "Employee"), "DisplayName", display, record["Id"],
                 errors.duplicate_name())
    currency = ref_id(record, "CurrencyRef") or company.seed.currency
    if currency != company.seed.currency:
        raise errors.business(f"Multicurrency is off: {currency} is not the home currency.", "CurrencyRef")
    record["CurrencyRef"] = {"value": currency}
    # Computed from the party's transactions (payments.settle keeps it), never taken from the body.
    record["Balance"] = money(company.party_owed.get(record["Id"], Decimal("0.00")))
    if entity == "Customer":
        record["BalanceWithJobs"] = record["Balance"]
        record.setdefault("Taxable", company.is_us)
        record.setdefault("Job", False)
        record.setdefault("BillWithParent", False)
        for key, target in (("DefaultTaxCodeRef", "TaxCode"), ("PaymentMethodRef", "PaymentMethod")):
            if ref_id(record, key):
                record[key] = ref_to(target, resolve(company, target, ref_id(record, key) or "", key))
    elif ref_id(record, "APAccountRef"):
        record["APAccountRef"] = ref_to("Account", resolve(company, "Account", ref_id(record, "APAccountRef")
                                                           or "", "APAccountRef"))


def _item(company: Company, record: Record) -> None:
    name = text(record, "Name")
    if name is None:
        raise errors.required("Item.Name")
    check_length(name, 100, "Name")
    _unique_name(company, ("Item",), "Name", name, record["Id"], errors.duplicate_item_name(name))
    record["FullyQualifiedName"] = name
    kind = record.setdefault("Type", "Service")
    if kind not in ITEM_TYPES:
        raise errors.invalid_enum("Type", kind)
    if kind in _NEEDS_INCOME and ref_id(record, "IncomeAccountRef") is None:
        raise errors.required("IncomeAccountRef")
    if (record.get("PurchaseCost") is not None or record.get("PurchaseDesc")) \
            and ref_id(record, "ExpenseAccountRef") is None:
        raise errors.required("ExpenseAccountRef")
    if kind == "Inventory" and ref_id(record, "AssetAccountRef") is None:
        raise errors.required("AssetAccountRef")
    for key in ("IncomeAccountRef", "ExpenseAccountRef", "AssetAccountRef"):
        account_id = ref_id(record, key)
        if account_id:
            account = resolve(company, "Account", account_id, key)
            if account["AccountType"] in ("Accounts Receivable", "Accounts Payable"):
                raise errors.QboFault("6430", "Invalid account type",
                                      "Invalid account type : You need to select a different type of account "
                                      "for this transaction.", key)
            record[key] = ref_to("Account", account)
    for key in ("SalesTaxCodeRef", "PurchaseTaxCodeRef"):
        code_id = ref_id(record, key)
        if code_id:
            record[key] = ref_to("TaxCode", resolve(company, "TaxCode", code_id, key))
    record.setdefault("Taxable", False)
    for key in ("UnitPrice", "PurchaseCost", "QtyOnHand"):
        if key in record:
            record[key] = Decimal(str(record[key]))


def _account(company: Company, record: Record) -> None:
    name = text(record, "Name")
    if name is None:
        raise errors.required("Account.Name")
    if ":" in name or '"' in name:
        raise errors.business('An account name cannot contain ":" or a double quote.', "Name")
    check_length(name, 100, "Name")
    kind = text(record, "AccountType")
    if kind is None:
        raise errors.required("AccountType")
    if kind not in ACCOUNT_CLASSIFICATION:
        raise errors.invalid_enum("AccountType", kind)
    _unique_name(company, ("Account",), "Name", name, record["Id"],
                 errors.QboFault("6240", "Duplicate Name Exists Error",
                                 "The name supplied already exists. : Another account is already using this name.",
                                 "Name"))
    number = text(record, "AcctNum")
    if number is not None:
        for other in company.all("Account"):
            if other["Id"] != record["Id"] and other.get("AcctNum") == number:
                raise errors.QboFault("6140", "Duplicate Account Number",
                                      f"Another account is already using this number: {number}", "AcctNum")
    record["Classification"] = ACCOUNT_CLASSIFICATION[kind]
    record["FullyQualifiedName"] = name
    record.setdefault("SubAccount", False)
    record["CurrentBalance"] = Decimal("0")
    record["CurrencyRef"] = {"value": company.seed.currency}


def _unique_name(company: Company, entities: tuple[str, ...], field: str, name: str, own_id: str,
                 fault: errors.QboFault) -> None:
    """Names are compared case-insensitively and ignoring surrounding blanks (assumed, as in the QBO UI)."""
    wanted = name.strip().casefold()
    for entity in entities:
        for other in company.all(entity):
            if other["Id"] != own_id and str(other.get(field, "")).strip().casefold() == wanted:
                raise fault
