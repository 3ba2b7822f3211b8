"""Contacts: create, update, archive, and find-or-create from a document's ``Contact`` reference.

Xero's rules kept here: a name is unique among *active* contacts, a ``ContactNumber`` is unique, a document
may name its contact by id, number or name, and a name that matches nobody creates the contact.
``IsCustomer`` / ``IsSupplier`` are never taken from a request; :func:`mark_trading` sets them when an
accounts-receivable or accounts-payable document is raised.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .books import TenantBooks, name_key
from .inputs import ContactRef
from .reader import Reader
from .records import Contact
from .wire import new_id

CONTACT_IDENTIFICATION = (
    "The Contact must contain at least 1 of the following elements to identify the contact: "
    "Name, ContactID, ContactNumber"
)
# Assumption: the sandbox's wording for a missing name and for references that match nothing.
NAME_REQUIRED = "The contact name must be specified."
CONTACT_NOT_FOUND = "The contact with the supplied ContactID could not be found."

_TEXT_FIELDS = (
    "AccountNumber", "FirstName", "LastName", "CompanyNumber", "EmailAddress", "BankAccountDetails", "TaxNumber",
    "AccountsReceivableTaxType", "AccountsPayableTaxType", "DefaultCurrency", "SalesDefaultAccountCode",
    "PurchasesDefaultAccountCode",
)
_ENUM_FIELDS: dict[str, tuple[frozenset[str], str]] = {
    "SalesDefaultLineAmountType": (frozenset({"INCLUSIVE", "EXCLUSIVE", "NONE"}), "LineAmountType"),
    "PurchasesDefaultLineAmountType": (frozenset({"INCLUSIVE", "EXCLUSIVE", "NONE"}), "LineAmountType"),
    "TaxNumberType": (frozenset({"SSN", "EIN", "ITIN", "ATIN"}), "TaxNumberType"),
}
_ADDRESS_FIELDS = ("AddressLine1", "AddressLine2", "AddressLine3", "AddressLine4", "City", "Region",
                   "PostalCode", "Country", "AttentionTo")
_PHONE_FIELDS = ("PhoneNumber", "PhoneAreaCode", "PhoneCountryCode")
_TERM_TYPES = frozenset({"DAYSAFTERBILLDATE", "DAYSAFTERBILLMONTH", "OFCURRENTMONTH", "OFFOLLOWINGMONTH"})


def duplicate_name(name: str) -> str:
    return (
        f"The contact name {name} is already assigned to another contact. "
        "The contact name must be unique across all active contacts."
    )


def duplicate_number(number: str) -> str:
    # Third-party wording (research note section 2), unverified against Xero.
    return f"The contact number {number} is already assigned to another contact."


@dataclass(slots=True)
class ContactInput:
    present: frozenset[str]
    contact_id: str | None
    name: str | None
    number: str | None
    status: str | None
    details: dict[str, Any]


def read_contact(reader: Reader) -> ContactInput:
    """Keep only the fields the spec's ``Contact`` defines, typed, so that views can echo them safely."""
    details: dict[str, Any] = {}
    for key in _TEXT_FIELDS:
        value = reader.text(key)
        if value is not None:
            details[key] = value
    for key, (allowed, type_name) in _ENUM_FIELDS.items():
        value = reader.enum(key, allowed, type_name)
        if value is not None:
            details[key] = value
    addresses = reader.children("Addresses")
    if addresses is not None:
        details["Addresses"] = [_address(entry) for entry in addresses]
    phones = reader.children("Phones")
    if phones is not None:
        details["Phones"] = [_phone(entry) for entry in phones]
    persons = reader.children("ContactPersons")
    if persons is not None:
        details["ContactPersons"] = [_person(entry) for entry in persons]
    terms = reader.child("PaymentTerms")
    if terms is not None:
        details["PaymentTerms"] = _terms(terms)
    return ContactInput(
        present=reader.present(),
        contact_id=reader.ident("ContactID"),
        name=reader.text("Name"),
        number=reader.text("ContactNumber"),
        status=reader.enum("ContactStatus", frozenset({"ACTIVE", "ARCHIVED", "GDPRREQUEST"}), "ContactStatus"),
        details=details,
    )


def _address(reader: Reader) -> dict[str, Any]:
    entry: dict[str, Any] = {"AddressType": reader.enum("AddressType", frozenset({"POBOX", "STREET"}),
                                                        "AddressType") or "POBOX"}
    entry.update({k: v for k in _ADDRESS_FIELDS if (v := reader.text(k)) is not None})
    return entry


def _phone(reader: Reader) -> dict[str, Any]:
    allowed = frozenset({"DEFAULT", "DDI", "MOBILE", "FAX", "OFFICE"})
    entry: dict[str, Any] = {"PhoneType": reader.enum("PhoneType", allowed, "PhoneType") or "DEFAULT"}
    entry.update({k: v for k in _PHONE_FIELDS if (v := reader.text(k)) is not None})
    return entry


def _person(reader: Reader) -> dict[str, Any]:
    entry: dict[str, Any] = {k: v for k in ("FirstName", "LastName", "EmailAddress") if (v := reader.text(k))}
    include = reader.boolean("IncludeInEmails")
    if include is not None:
        entry["IncludeInEmails"] = include
    return entry


def _terms(reader: Reader) -> dict[str, Any]:
    terms: dict[str, Any] = {}
    for side in ("Bills", "Sales"):
        term = reader.child(side)
        if term is None:
            continue
        day = term.decimal("Day")
        kind = term.enum("Type", _TERM_TYPES, "PaymentTermType")
        terms[side] = {k: v for k, v in (("Day", int(day) if day is not None else None), ("Type", kind)) if v}
    return terms


# ---------------------------------------------------------------------------------------------- writes


def find_contact_for_update(books: TenantBooks, given: ContactInput) -> tuple[Contact | None, str | None]:
    """POST /Contacts matches by ContactID, else by ContactNumber; (None, None) means "create"."""
    if given.contact_id:
        found = books.contacts.get(given.contact_id)
        return (found, None) if found else (None, CONTACT_NOT_FOUND)
    if given.number:
        contact_id = books.contact_by_number.get(name_key(given.number))
        if contact_id:
            return books.contacts[contact_id], None
    return None, None


def save_contact(books: TenantBooks, given: ContactInput, existing: Contact | None) -> tuple[Contact | None, list[str]]:
    """Create (``existing`` is None) or update a contact after checking Xero's uniqueness rules."""
    errors: list[str] = []
    name = given.name.strip() if given.name is not None else (existing.name if existing else "")
    number = given.number.strip() if given.number is not None else (existing.number if existing else None)
    status = given.status or (existing.status if existing else "ACTIVE")
    own_id = existing.contact_id if existing else None
    if not name:
        errors.append(NAME_REQUIRED)
    elif status == "ACTIVE":
        holder = books.active_contact_by_name.get(name_key(name))
        if holder is not None and holder != own_id:
            errors.append(duplicate_name(name))
    if number:
        holder = books.contact_by_number.get(name_key(number))
        if holder is not None and holder != own_id:
            errors.append(duplicate_number(number))
    if errors:
        return None, errors
    now = books.tick()
    if existing is None:
        contact = Contact(new_id(), name, number or None, status, dict(given.details), now)
        books.contacts[contact.contact_id] = contact
        books.index_contact(contact, None, None, None)
        return contact, []
    previous = (existing.name, existing.number, existing.status)
    existing.name, existing.number, existing.status = name, number or None, status
    existing.details.update(given.details)
    existing.updated = now
    books.index_contact(existing, *previous)
    return existing, []


def resolve_contact_ref(
    books: TenantBooks, ref: ContactRef | None
) -> tuple[Contact | None, ContactRef | None, list[str]]:
    """Find a document's contact: (contact, contact to create, errors).

    A reference whose name matches no active contact creates that contact (with the number, if one was
    given) when the document is saved, so that a failed document leaves no stray contact behind.
    """
    if ref is None or not ref.identifies:
        return None, None, [CONTACT_IDENTIFICATION]
    if ref.contact_id:
        found = books.contacts.get(ref.contact_id)
        return (found, None, []) if found else (None, None, [CONTACT_NOT_FOUND])
    number = (ref.number or "").strip() or None
    name = (ref.name or "").strip()
    if number:
        contact_id = books.contact_by_number.get(name_key(number))
        if contact_id:
            return books.contacts[contact_id], None, []
        if not name:
            # Assumption: the sandbox's wording for a number that matches no contact.
            return None, None, [f"The contact number {number} does not match any contact."]
    contact_id = books.active_contact_by_name.get(name_key(name))
    if contact_id:
        return books.contacts[contact_id], None, []
    return None, ContactRef(None, number, name), []


def create_referenced_contact(books: TenantBooks, pending: ContactRef) -> Contact:
    """Create the contact a document named but that did not exist yet."""
    contact, errors = save_contact(
        books, ContactInput(frozenset(), None, pending.name, pending.number, "ACTIVE", {}), None
    )
    if contact is None:  # pragma: no cover - resolve_contact_ref already proved the name and number free
        raise RuntimeError("; ".join(errors))
    return contact


def mark_trading(books: TenantBooks, contact: Contact, sales: bool) -> None:
    """IsCustomer / IsSupplier follow the documents raised against the contact, as in Xero."""
    if sales and not contact.is_customer:
        contact.is_customer = True
        contact.updated = books.tick()
    elif not sales and not contact.is_supplier:
        contact.is_supplier = True
        contact.updated = books.tick()
