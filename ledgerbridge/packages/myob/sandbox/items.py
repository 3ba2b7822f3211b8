"""Inventory/Item, and the lines of the Item layouts (``Sale/Invoice/Item``, ``Purchase/Bill/Item``).

An item (developer.myob.com's Inventory/Item page): ``Number`` (30, required) and ``Name`` (30, required); a sold
item needs its ``IncomeAccount``, a bought one its ``ExpenseAccount`` (or, inventoried, ``CostOfSalesAccount``),
an inventoried one its ``AssetAccount``. Quantities and values are MYOB's to keep; the sandbox keeps no stock, so
they stay zero (listed in README.md). An item used on a document cannot be deleted.

An item line names the ``Item`` (sold for a sale, bought for a bill), its quantity (``ShipQuantity`` on sales,
``BillQuantity`` on bills), ``UnitPrice``, ``DiscountPercent`` and ``TaxCode``; the account comes from the item.
``Total`` is taken as sent, else quantity x price less the discount (assumed MYOB's arithmetic, rounded to cents).
"""

from __future__ import annotations

from decimal import Decimal

from . import errors
from .common import amount, link, text
from .store import Business, Record
from .wire import money

ZERO = Decimal("0.00")
_ACCOUNTS = ("IncomeAccount", "ExpenseAccount", "CostOfSalesAccount", "AssetAccount")


def write(business: Business, body: Record, existing: Record | None) -> Record:
    record: Record = {k: v for k, v in body.items() if v is not None and k not in ("URI", "Created", "LastModified")}
    text(body, "Number", 30, required=True)
    text(body, "Name", 30, required=True)
    for name in _ACCOUNTS:
        record[name] = link(business, body, name, ("Account",), required=False)
    inventoried = bool(body.get("IsInventoried"))
    needs = [("IsSold", "IncomeAccount"), ("IsBought", "CostOfSalesAccount" if inventoried else "ExpenseAccount")]
    if inventoried:
        needs.append(("IsInventoried", "AssetAccount"))
    for flag, account in needs:
        if body.get(flag) and record[account] is None:
            raise errors.required(f"{account}.UID")
    for details_name in ("SellingDetails", "BuyingDetails"):
        details = dict(body.get(details_name) or {})
        details["TaxCode"] = link(business, details, "TaxCode", ("TaxCode",), required=False,
                                  where=f"{details_name}.")
        record[details_name] = details
    for flag in ("IsActive",):
        record[flag] = bool(body.get(flag, True))
    for flag in ("IsSold", "IsBought", "IsInventoried", "UseDescription"):
        record[flag] = bool(body.get(flag, False))
    for name in ("QuantityOnHand", "QuantityCommitted", "QuantityOnOrder", "QuantityAvailable", "AverageCost",
                 "CurrentValue"):
        record[name] = ZERO
    record["BaseSellingPrice"] = money(Decimal(record["SellingDetails"].get("BaseSellingPrice") or ZERO))
    if existing is not None:
        record["UID"] = existing["UID"]
    return business.save("Item", record)


def line(business: Business, kind: str, row: Record, stored: Record, where: str) -> None:
    """Fill ``stored`` (a Transaction line of an Item layout) from the request's ``row``."""
    item_link = link(business, row, "Item", ("Item",), where=where)
    assert item_link is not None
    item = business.get("Item", item_link["UID"])
    assert item is not None
    sold = kind == "Invoice"
    if not item.get("IsSold" if sold else "IsBought"):
        raise errors.validation("ItemNotSold" if sold else "ItemNotBought",
                                f"Item {item['Number']} is not {'sold' if sold else 'bought'}", f"{where}Item")
    quantity_name = "ShipQuantity" if sold else "BillQuantity"
    quantity = amount(row, quantity_name, required=True, where=where)
    price = amount(row, "UnitPrice", where=where)
    discount = amount(row, "DiscountPercent", where=where)
    total = amount(row, "Total", where=where) if row.get("Total") is not None else \
        money(quantity * price * (Decimal(100) - discount) / Decimal(100))
    account_name = "IncomeAccount" if sold else ("CostOfSalesAccount" if item.get("IsInventoried")
                                                  else "ExpenseAccount")
    stored.update({"Item": {"UID": item["UID"], "Number": item["Number"], "Name": item["Name"]},
                   quantity_name: quantity, "UnitPrice": price, "DiscountPercent": discount, "Total": total,
                   "Account": item.get(account_name),
                   "TaxCode": link(business, row, "TaxCode", ("TaxCode",), where=where)})
    if not stored["Description"]:
        stored["Description"] = item.get("Description") or item["Name"]
    if not sold and row.get("ReceivedQuantity") is not None:
        stored["ReceivedQuantity"] = amount(row, "ReceivedQuantity", where=where)


def delete(business: Business, record: Record) -> None:
    uid = record["UID"]
    for kind in ("Invoice", "Bill"):
        for document in business.all(kind):
            if any((ln.get("Item") or {}).get("UID") == uid for ln in document.get("Lines", [])):
                raise errors.validation("ItemInUse", f"Item {record['Number']} is used on {document['Number']}",
                                        "UID")
    business.delete("Item", uid)
