"""Contact and item routes: GET lists and single records, PUT (create), POST (update or create)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from .batch import CONTACTS, ITEMS, Outcome
from .books import TenantBooks, name_key
from .contacts import ContactInput, find_contact_for_update, read_contact, save_contact
from .echoes import contact_echo, item_echo
from .endpoint import list_response, query, summary_only, tenant_books, unit_dp, write_batch, xero_response
from .errors import NotFound
from .items import ItemInput, find_item_for_update, read_item, save_item
from .listing import split_list
from .records import Contact, Item
from .views import contact_summary_view, contact_view, item_view

router = APIRouter()

_SEARCHED = ("FirstName", "LastName", "EmailAddress")


def _matches_search(contact: Contact, term: str) -> bool:
    haystacks = [contact.name, contact.number or ""] + [str(contact.details.get(k, "")) for k in _SEARCHED]
    return any(term in value.casefold() for value in haystacks)


@router.get("/Contacts")
async def get_contacts(request: Request) -> Response:
    ids = split_list(query(request, "IDs"))
    include_archived = (query(request, "includeArchived") or "").lower() == "true"
    term = (query(request, "searchTerm") or "").strip().casefold()
    with tenant_books(request) as books:
        if ids is not None:
            contacts = [books.contacts[i.lower()] for i in ids if i.lower() in books.contacts]
        else:
            contacts = [c for c in books.contacts.values() if include_archived or c.status != "ARCHIVED"]
        if term:
            contacts = [c for c in contacts if _matches_search(c, term)]
        return list_response(request, "Contacts", contacts, lambda c, _lines: contact_view(c), lambda c: c.updated,
                             summary=contact_summary_view if summary_only(request) else None)


def _find_contact(books: TenantBooks, reference: str) -> Contact:
    """``/Contacts/{ContactID}`` or ``/Contacts/{ContactNumber}``, as the spec has both."""
    contact = books.contacts.get(reference.lower())
    if contact is None:
        contact_id = books.contact_by_number.get(name_key(reference))
        contact = books.contacts.get(contact_id) if contact_id else None
    if contact is None:
        raise NotFound()
    return contact


@router.get("/Contacts/{reference}")
async def get_contact(request: Request, reference: str) -> Response:
    with tenant_books(request) as books:
        return xero_response(request, Contacts=[contact_view(_find_contact(books, reference))])


def _contact_outcome(books: TenantBooks, given: ContactInput, existing: Contact | None,
                     problem: str | None = None) -> Outcome:
    if problem:
        return Outcome(contact_echo(given, None), [problem])
    contact, errors = save_contact(books, given, existing)
    if contact is None:
        return Outcome(contact_echo(given, existing.contact_id if existing else None), errors)
    return Outcome(contact_view(contact), [])


def _create_contact(books: TenantBooks, given: ContactInput) -> Outcome:
    return _contact_outcome(books, given, None)


def _upsert_contact(books: TenantBooks, given: ContactInput) -> Outcome:
    existing, problem = find_contact_for_update(books, given)
    return _contact_outcome(books, given, existing, problem)


@router.put("/Contacts")
async def create_contacts(request: Request) -> Response:
    return await write_batch(request, CONTACTS, read_contact, _create_contact)


@router.post("/Contacts")
async def update_or_create_contacts(request: Request) -> Response:
    return await write_batch(request, CONTACTS, read_contact, _upsert_contact)


@router.post("/Contacts/{contact_id}")
async def update_contact(request: Request, contact_id: str) -> Response:
    def apply(books: TenantBooks, given: ContactInput) -> Outcome:
        return _contact_outcome(books, given, _find_contact(books, contact_id))

    return await write_batch(request, CONTACTS, read_contact, apply, single_allowed=True, summarize=True)


# ------------------------------------------------------------------------------------------------ items


@router.get("/Items")
async def get_items(request: Request) -> Response:
    dp = unit_dp(request)
    with tenant_books(request) as books:
        items = sorted(books.items.values(), key=lambda i: name_key(i.code))
        return list_response(request, "Items", items, lambda i, _lines: item_view(i, dp), lambda i: i.updated)


def _find_item(books: TenantBooks, reference: str) -> Item:
    item = books.items.get(reference.lower())
    if item is None:
        item_id = books.item_by_code.get(name_key(reference))
        item = books.items.get(item_id) if item_id else None
    if item is None:
        raise NotFound()
    return item


@router.get("/Items/{reference}")
async def get_item(request: Request, reference: str) -> Response:
    dp = unit_dp(request)
    with tenant_books(request) as books:
        return xero_response(request, Items=[item_view(_find_item(books, reference), dp)])


def _item_outcome(books: TenantBooks, given: ItemInput, existing: Item | None, dp: int,
                  problem: str | None = None) -> Outcome:
    if problem:
        return Outcome(item_echo(given, None), [problem])
    item, errors = save_item(books, given, existing)
    if item is None:
        return Outcome(item_echo(given, existing.item_id if existing else None), errors)
    return Outcome(item_view(item, dp), [])


@router.put("/Items")
async def create_items(request: Request) -> Response:
    dp = unit_dp(request)
    return await write_batch(request, ITEMS, read_item, lambda books, given: _item_outcome(books, given, None, dp))


@router.post("/Items")
async def update_or_create_items(request: Request) -> Response:
    dp = unit_dp(request)

    def apply(books: TenantBooks, given: ItemInput) -> Outcome:
        existing, problem = find_item_for_update(books, given)
        return _item_outcome(books, given, existing, dp, problem)

    return await write_batch(request, ITEMS, read_item, apply)


@router.post("/Items/{item_id}")
async def update_item(request: Request, item_id: str) -> Response:
    dp = unit_dp(request)

    def apply(books: TenantBooks, given: ItemInput) -> Outcome:
        return _item_outcome(books, given, _find_item(books, item_id), dp)

    return await write_batch(request, ITEMS, read_item, apply, single_allowed=True, summarize=True)
