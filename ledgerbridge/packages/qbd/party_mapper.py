"""Customers, vendors and items to the qbXML builders' inputs: pure functions, no I/O.

A party goes out as a Customer or a Vendor by its role (the core hands a party in both roles over twice, once as
each: ``Connector.separate_party_roles``), under its name or, after QuickBooks said the name is taken, the clash
name (``names``). Its address is the first that is not a delivery address (a customer's ``BillAddress``, a
vendor's ``VendorAddress``), its delivery address the ``ShipAddress``. Its tax number goes where the edition keeps
it: a VAT or GST registration number (UK, CA), a US vendor's 1099 tax id. Currency is set on an Add only (a
multi-currency company fixes a name's currency once it has transactions).

Items: a host item (item sync on) is a non-inventory part named by its code (QuickBooks shows the item's name on
every line, and ledgerbridge keeps no stock); the items ledgerbridge makes for income accounts and rounding are
service items.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ledgerbridge.connectors.protocol import ExportContext, ItemExport, PartyExport
from ledgerbridge.packages.qbd.limits import ITEM_NAME_MAX
from ledgerbridge.packages.qbd.mapper import CompanyLookups, MappingError, country_of
from ledgerbridge.packages.qbd.names import ROUNDING_ITEM, account_item_name, name_problem, party_name
from ledgerbridge.packages.qbd.qbxml.common import Address
from ledgerbridge.packages.qbd.qbxml.items import (
    ItemFields,
    SalesAndPurchase,
    SalesOrPurchase,
    item_non_inventory_add,
    item_non_inventory_mod,
    item_service_add,
)
from ledgerbridge.packages.qbd.qbxml.nodes import Element
from ledgerbridge.packages.qbd.qbxml.parties import PartyFields, customer_add, customer_mod, vendor_add, vendor_mod
from ledgerbridge.packages.qbd.qbxml.values import ListTarget, QbxmlValueError, Ref, external_guid

__all__ = ["account_item_request", "item_fields", "item_request", "party_fields", "party_request",
           "rounding_item_request"]

_DELIVERY = {"delivery", "shipping", "ship", "ship_to"}


def _address(raw: Mapping[str, Any]) -> Address:
    def part(key: str) -> str | None:
        value = raw.get(key)
        return str(value).strip() or None if value is not None else None

    return Address(addr1=part("line1"), addr2=part("line2"), addr3=part("line3"), addr4=part("line4"),
                   city=part("city"), state=part("region"), postal_code=part("postcode"), country=part("country"))


def party_fields(item: PartyExport, name: str, country: str, currency: Ref | None = None) -> PartyFields:
    """``name``: the party's name or its clash name (``names.party_name`` / ``names.clash_name``)."""
    party = item.party
    problem = name_problem(party)
    if problem is not None:
        raise MappingError(problem)
    addresses = [a for a in party.addresses if isinstance(a, Mapping)]
    billing = next((a for a in addresses if str(a.get("kind") or "").lower() not in _DELIVERY), None)
    delivery = next((a for a in addresses if str(a.get("kind") or "").lower() in _DELIVERY), None)
    vendor = not party.is_customer
    tax_number = party.tax_number or None
    return PartyFields(
        name=name, company_name=party_name(party), address=_address(billing) if billing else None,
        ship_address=_address(delivery) if delivery else None, email=party.email or None,
        account_number=party.code, currency=currency,
        tax_registration_number=tax_number if country != "US" else None,
        vendor_tax_ident=tax_number if country == "US" and vendor else None)


def party_request(item: PartyExport, ctx: ExportContext, *, name: str, request_id: str,
                  target: ListTarget | None = None, currency: Ref | None = None) -> Element:
    """CustomerAdd/VendorAdd, or the Mod of the record bound (``target``: its ListID and current EditSequence)."""
    fields = party_fields(item, name, country_of(ctx.settings), None if target else currency)
    try:
        if item.party.is_customer:
            return (customer_mod(target, fields, request_id=request_id) if target else
                    customer_add(fields, external_guid=external_guid(item.idempotency_key), request_id=request_id))
        return (vendor_mod(target, fields, request_id=request_id) if target else
                vendor_add(fields, external_guid=external_guid(item.idempotency_key), request_id=request_id))
    except QbxmlValueError as exc:
        raise MappingError(f"{item.party.name} ({item.party.code}): {exc}") from exc


def item_fields(item: ItemExport, ctx: ExportContext, lookups: CompanyLookups) -> ItemFields:
    """A host item: named by its code, posting to the mapped income and expense accounts."""
    view = item.item
    if len(view.code) > ITEM_NAME_MAX or ":" in view.code:
        raise MappingError(f"item {view.code}: QuickBooks Desktop item names are at most {ITEM_NAME_MAX} characters "
                           "without a colon; use a shorter item code")
    nominal = ctx.mappings.nominal
    income = nominal.get(view.sales_nominal or "")
    expense = nominal.get(view.purchase_nominal or "")
    description = view.description or view.name
    posting: SalesOrPurchase | SalesAndPurchase
    if income and expense:
        posting = SalesAndPurchase(lookups.account(income), lookups.account(expense), sales_desc=description,
                                   sales_price=view.unit_price, purchase_desc=description)
    elif income or expense:
        posting = SalesOrPurchase(lookups.account(str(income or expense)), desc=description, price=view.unit_price)
    else:
        raise MappingError(f"item {view.code}: neither its sales nor its purchase nominal code is mapped", "config")
    return ItemFields(name=view.code, posting=posting)


def item_request(item: ItemExport, ctx: ExportContext, lookups: CompanyLookups, *, request_id: str,
                 target: ListTarget | None = None) -> Element:
    fields = item_fields(item, ctx, lookups)
    try:
        if target is not None:
            return item_non_inventory_mod(target, fields, request_id=request_id)
        return item_non_inventory_add(fields, external_guid=external_guid(item.idempotency_key),
                                      request_id=request_id)
    except QbxmlValueError as exc:
        raise MappingError(f"item {item.item.code}: {exc}") from exc


def account_item_request(account_code: str, lookups: CompanyLookups, *, key: str, request_id: str) -> Element:
    """The service item sales lines name to post to ``account_code`` (``names.account_item_name``)."""
    fields = ItemFields(name=account_item_name(account_code),
                        posting=SalesOrPurchase(lookups.account(account_code), desc=f"Sales to account {account_code}"))
    return item_service_add(fields, external_guid=external_guid(key), request_id=request_id)


def rounding_item_request(account_code: str, lookups: CompanyLookups, *, key: str, request_id: str,
                          name: str = ROUNDING_ITEM) -> Element:
    """The service item "Rounding" posting to the rounding account (``name``: another when the company's own
    "Rounding" posts elsewhere, e.g. ``Rounding 8600``)."""
    fields = ItemFields(name=name, posting=SalesOrPurchase(lookups.account(account_code), desc="Rounding"))
    return item_service_add(fields, external_guid=external_guid(key), request_id=request_id)
