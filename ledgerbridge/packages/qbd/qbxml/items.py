"""Items ledgerbridge makes (item sync on, or one item per income account): ``ItemServiceAdd`` and
``ItemNonInventoryAdd``.

The two requests differ in order where it is easy to miss: ItemService has ``ClassRef, ParentRef``,
ItemNonInventory ``ParentRef, ClassRef`` (then ManufacturerPartNumber). An item posts either one way (sold *or*
bought: ``SalesOrPurchase`` with one account) or both (``SalesAndPurchase``: income and expense accounts).
Names are at most 31 characters (41 for customers and vendors). The Mods differ again: both take ``ClassRef,
ParentRef`` (a non-inventory item's Add has them the other way round) and the posting block is
``SalesOrPurchaseMod``/``SalesAndPurchaseMod``.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from ledgerbridge.packages.qbd.qbxml.nodes import Element, Node, request_node
from ledgerbridge.packages.qbd.qbxml.values import ListTarget, QbxmlValueError, Ref

__all__ = ["ITEM_NAME_MAX", "ItemFields", "SalesAndPurchase", "SalesOrPurchase", "item_non_inventory_add",
           "item_non_inventory_mod", "item_service_add", "item_service_mod"]

ITEM_NAME_MAX = 31
DESC_MAX = 4095


@dataclass(frozen=True, slots=True)
class SalesOrPurchase:
    """An item used on one side only: its account is the income account (sold) or the expense account."""

    account: Ref
    desc: str | None = None
    price: Decimal | None = None


@dataclass(frozen=True, slots=True)
class SalesAndPurchase:
    """An item bought and sold: both accounts."""

    income_account: Ref
    expense_account: Ref
    sales_desc: str | None = None
    sales_price: Decimal | None = None
    purchase_desc: str | None = None
    purchase_cost: Decimal | None = None
    purchase_tax_code: Ref | None = None


@dataclass(frozen=True, slots=True)
class ItemFields:
    name: str
    posting: SalesOrPurchase | SalesAndPurchase
    is_active: bool | None = None
    parent: Ref | None = None  # makes the item ``Parent:Name``
    class_ref: Ref | None = None
    is_tax_included: bool | None = None  # UK and Canadian editions
    sales_tax_code: Ref | None = None
    manufacturer_part_number: str | None = None  # a non-inventory item's only


def _posting(node: Node, posting: SalesOrPurchase | SalesAndPurchase, mod: bool = False) -> None:
    suffix = "Mod" if mod else ""
    if isinstance(posting, SalesOrPurchase):
        block = node.child(f"SalesOrPurchase{suffix}")
        block.text("Desc", posting.desc, DESC_MAX)
        block.quantity("Price", posting.price)
        block.ref("AccountRef", posting.account)
        return
    block = node.child(f"SalesAndPurchase{suffix}")
    block.text("SalesDesc", posting.sales_desc, DESC_MAX)
    block.quantity("SalesPrice", posting.sales_price)
    block.ref("IncomeAccountRef", posting.income_account)
    block.text("PurchaseDesc", posting.purchase_desc, DESC_MAX)
    block.quantity("PurchaseCost", posting.purchase_cost)
    block.ref("PurchaseTaxCodeRef", posting.purchase_tax_code)
    block.ref("ExpenseAccountRef", posting.expense_account)


def item_service_add(fields: ItemFields, *, external_guid: str, request_id: str) -> Element:
    if fields.manufacturer_part_number is not None:
        raise QbxmlValueError("ItemServiceAdd", "a service item has no manufacturer part number")
    rq = request_node("ItemServiceAddRq", request_id)
    add = rq.child("ItemServiceAdd")
    add.text("Name", fields.name, ITEM_NAME_MAX)
    add.flag("IsActive", fields.is_active)
    add.ref("ClassRef", fields.class_ref)  # ClassRef, then ParentRef (the other way round from non-inventory)
    add.ref("ParentRef", fields.parent)
    add.flag("IsTaxIncluded", fields.is_tax_included)
    add.ref("SalesTaxCodeRef", fields.sales_tax_code)
    _posting(add, fields.posting)
    add.guid("ExternalGUID", external_guid)
    return rq.element


def item_non_inventory_add(fields: ItemFields, *, external_guid: str, request_id: str) -> Element:
    rq = request_node("ItemNonInventoryAddRq", request_id)
    add = rq.child("ItemNonInventoryAdd")
    add.text("Name", fields.name, ITEM_NAME_MAX)
    add.flag("IsActive", fields.is_active)
    add.ref("ParentRef", fields.parent)  # ParentRef, then ClassRef
    add.ref("ClassRef", fields.class_ref)
    add.text("ManufacturerPartNumber", fields.manufacturer_part_number, 31)
    add.flag("IsTaxIncluded", fields.is_tax_included)
    add.ref("SalesTaxCodeRef", fields.sales_tax_code)
    _posting(add, fields.posting)
    add.guid("ExternalGUID", external_guid)
    return rq.element


def _mod(tag: str, target: ListTarget, fields: ItemFields, request_id: str) -> Element:
    rq = request_node(f"{tag}Rq", request_id)
    mod = rq.child(tag)
    mod.ident("ListID", target.list_id)
    mod.text("EditSequence", target.edit_sequence)
    mod.text("Name", fields.name, ITEM_NAME_MAX)
    mod.flag("IsActive", fields.is_active)
    mod.ref("ClassRef", fields.class_ref)  # ClassRef, then ParentRef in both Mods
    mod.ref("ParentRef", fields.parent)
    if tag == "ItemNonInventoryMod":
        mod.text("ManufacturerPartNumber", fields.manufacturer_part_number, 31)
    elif fields.manufacturer_part_number is not None:
        raise QbxmlValueError(tag, "a service item has no manufacturer part number")
    mod.flag("IsTaxIncluded", fields.is_tax_included)
    mod.ref("SalesTaxCodeRef", fields.sales_tax_code)
    _posting(mod, fields.posting, mod=True)
    return rq.element


def item_service_mod(target: ListTarget, fields: ItemFields, *, request_id: str) -> Element:
    return _mod("ItemServiceMod", target, fields, request_id)


def item_non_inventory_mod(target: ListTarget, fields: ItemFields, *, request_id: str) -> Element:
    return _mod("ItemNonInventoryMod", target, fields, request_id)
