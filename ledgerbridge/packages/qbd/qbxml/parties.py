"""Customers and vendors: ``CustomerAdd``/``CustomerMod``, ``VendorAdd``/``VendorMod``.

Names are at most 41 characters and live in one name space with employees and other names: a name used by any
of them answers 3100 ("The name ... of the list element is already in use"); ``status.py`` says what follows
and the mapper's clash rule makes the second name. The two requests order their common fields differently (a
vendor has no ParentRef; its address is ``VendorAddress``; its ExternalGUID comes after BillingRateRef, a
customer's after PriceLevelRef), so each has its writer. A Mod starts with ListID and EditSequence and has no
ExternalGUID (QuickBooks keeps the Add's).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from ledgerbridge.packages.qbd.qbxml.common import Address, write_address
from ledgerbridge.packages.qbd.qbxml.nodes import Element, Node, request_node
from ledgerbridge.packages.qbd.qbxml.values import ListTarget, Ref

__all__ = ["NAME_MAX", "PartyFields", "customer_add", "customer_mod", "vendor_add", "vendor_mod"]

NAME_MAX = 41


@dataclass(frozen=True, slots=True)
class PartyFields:
    """What ledgerbridge says of a customer or vendor. ``vendor_tax_ident`` (the US 1099 id) is a vendor's only;
    ``tax_registration_number`` (a VAT or GST number) is for the UK and Canadian editions."""

    name: str
    is_active: bool | None = None
    company_name: str | None = None
    first_name: str | None = None
    last_name: str | None = None
    address: Address | None = None
    ship_address: Address | None = None
    phone: str | None = None
    email: str | None = None
    contact: str | None = None
    account_number: str | None = None
    terms: Ref | None = None
    credit_limit: Decimal | None = None
    notes: str | None = None
    sales_tax_code: Ref | None = None
    vendor_tax_ident: str | None = None
    tax_registration_number: str | None = None
    currency: Ref | None = None


def _names(node: Node, fields: PartyFields) -> None:
    node.text("CompanyName", fields.company_name, 41)
    node.text("FirstName", fields.first_name, 25)
    node.text("LastName", fields.last_name, 25)


def _contact(node: Node, fields: PartyFields) -> None:
    node.text("Phone", fields.phone, 21)
    node.text("Email", fields.email, 1023)
    node.text("Contact", fields.contact, 41)


def _customer(node: Node, fields: PartyFields, external_guid: str | None) -> None:
    node.text("Name", fields.name, NAME_MAX)
    node.flag("IsActive", fields.is_active)
    _names(node, fields)
    write_address(node, "BillAddress", fields.address)
    write_address(node, "ShipAddress", fields.ship_address)
    _contact(node, fields)
    node.ref("TermsRef", fields.terms)
    node.ref("SalesTaxCodeRef", fields.sales_tax_code)
    node.text("AccountNumber", fields.account_number, 99)
    node.amount("CreditLimit", fields.credit_limit)
    node.text("Notes", fields.notes, 4095)
    node.guid("ExternalGUID", external_guid)
    node.text("TaxRegistrationNumber", fields.tax_registration_number, 30)
    node.ref("CurrencyRef", fields.currency)


def _vendor(node: Node, fields: PartyFields, external_guid: str | None) -> None:
    node.text("Name", fields.name, NAME_MAX)
    node.flag("IsActive", fields.is_active)
    _names(node, fields)
    write_address(node, "VendorAddress", fields.address)
    write_address(node, "ShipAddress", fields.ship_address)
    _contact(node, fields)
    node.text("AccountNumber", fields.account_number, 99)
    node.text("Notes", fields.notes, 4095)
    node.ref("TermsRef", fields.terms)
    node.amount("CreditLimit", fields.credit_limit)
    node.text("VendorTaxIdent", fields.vendor_tax_ident, 15)
    node.guid("ExternalGUID", external_guid)
    node.ref("SalesTaxCodeRef", fields.sales_tax_code)
    node.text("TaxRegistrationNumber", fields.tax_registration_number, 30)
    node.ref("CurrencyRef", fields.currency)


def customer_add(fields: PartyFields, *, external_guid: str, request_id: str) -> Element:
    rq = request_node("CustomerAddRq", request_id)
    _customer(rq.child("CustomerAdd"), fields, external_guid)
    return rq.element


def customer_mod(target: ListTarget, fields: PartyFields, *, request_id: str) -> Element:
    rq = request_node("CustomerModRq", request_id)
    mod = rq.child("CustomerMod")
    mod.ident("ListID", target.list_id)
    mod.text("EditSequence", target.edit_sequence)
    _customer(mod, fields, None)
    return rq.element


def vendor_add(fields: PartyFields, *, external_guid: str, request_id: str) -> Element:
    rq = request_node("VendorAddRq", request_id)
    _vendor(rq.child("VendorAdd"), fields, external_guid)
    return rq.element


def vendor_mod(target: ListTarget, fields: PartyFields, *, request_id: str) -> Element:
    rq = request_node("VendorModRq", request_id)
    mod = rq.child("VendorMod")
    mod.ident("ListID", target.list_id)
    mod.text("EditSequence", target.edit_sequence)
    _vendor(mod, fields, None)
    return rq.element
