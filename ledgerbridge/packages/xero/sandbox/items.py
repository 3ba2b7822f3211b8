"""Items (Xero's "products and services"): a unique code with sales and purchase defaults for lines.

The sandbox keeps untracked items only; inventory tracking (``IsTrackedAsInventory``) needs stock
movements that ledgerbridge never asks Xero to do (stock stays in the host, seed 002).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .books import TenantBooks, name_key
from .lines import invalid_account, invalid_tax_type
from .reader import Reader
from .records import Item
from .wire import new_id

# Assumption: Xero's wording for a missing item code is not documented; this is the sandbox's.
CODE_REQUIRED = "Item code must be specified"
ITEM_NOT_FOUND = "The item with the supplied ItemID could not be found."


def duplicate_code(code: str) -> str:
    return f"Price List Item with Code '{code}' already exists"


@dataclass(slots=True)
class ItemInput:
    present: frozenset[str]
    item_id: str | None
    code: str | None
    details: dict[str, Any]


def _trade_details(reader: Reader | None) -> dict[str, Any] | None:
    if reader is None:
        return None
    details: dict[str, Any] = {}
    price = reader.decimal("UnitPrice")
    if price is not None:
        details["UnitPrice"] = price
    for key in ("AccountCode", "COGSAccountCode", "TaxType"):
        value = reader.text(key)
        if value:
            details[key] = value.strip()
    return details


def read_item(reader: Reader) -> ItemInput:
    details: dict[str, Any] = {}
    for key in ("Name", "Description", "PurchaseDescription"):
        value = reader.text(key)
        if value is not None:
            details[key] = value
    for key in ("IsSold", "IsPurchased"):
        flag = reader.boolean(key)
        if flag is not None:
            details[key] = flag
    for key in ("SalesDetails", "PurchaseDetails"):
        trade = _trade_details(reader.child(key))
        if trade is not None:
            details[key] = trade
    return ItemInput(reader.present(), reader.ident("ItemID"), reader.text("Code"), details)


def find_item_for_update(books: TenantBooks, given: ItemInput) -> tuple[Item | None, str | None]:
    """POST /Items matches by ItemID, else by Code; (None, None) means "create"."""
    if given.item_id:
        found = books.items.get(given.item_id)
        return (found, None) if found else (None, ITEM_NOT_FOUND)
    if given.code:
        item_id = books.item_by_code.get(name_key(given.code))
        if item_id:
            return books.items[item_id], None
    return None, None


def _check_trade(books: TenantBooks, details: dict[str, Any], key: str, flag: str) -> list[str]:
    trade = details.get(key) or {}
    errors: list[str] = []
    code = trade.get("AccountCode")
    if code and books.find_account(None, code) is None:
        errors.append(invalid_account(code))
    tax_type = trade.get("TaxType")
    if tax_type:
        rate = books.tax_rates.get(tax_type.upper())
        if rate is None or not rate.can_apply[flag]:
            errors.append(invalid_tax_type(tax_type))
        else:
            trade["TaxType"] = rate.tax_type
    return errors


def save_item(books: TenantBooks, given: ItemInput, existing: Item | None) -> tuple[Item | None, list[str]]:
    code = (given.code or "").strip() or (existing.code if existing else "")
    errors: list[str] = []
    if not code:
        errors.append(CODE_REQUIRED)
    else:
        holder = books.item_by_code.get(name_key(code))
        if holder is not None and (existing is None or holder != existing.item_id):
            errors.append(duplicate_code(code))
    errors += _check_trade(books, given.details, "SalesDetails", "Revenue")
    errors += _check_trade(books, given.details, "PurchaseDetails", "Expenses")
    if errors:
        return None, errors
    now = books.tick()
    if existing is None:
        item = Item(new_id(), code, {"IsSold": True, "IsPurchased": True, **given.details}, now)
        books.items[item.item_id] = item
        books.item_by_code[name_key(code)] = item.item_id
        return item, []
    if name_key(existing.code) != name_key(code):
        del books.item_by_code[name_key(existing.code)]
        books.item_by_code[name_key(code)] = existing.item_id
    existing.code = code
    existing.details.update(given.details)
    existing.updated = now
    return existing, []
