"""List queries: CustomerQuery, VendorQuery, EmployeeQuery, OtherNameQuery, AccountQuery, ItemQuery and the item
types' own, TermsQuery and StandardTerms/DateDrivenTerms, PaymentMethodQuery, SalesTaxCodeQuery.

A query names objects (``ListID``+ or ``FullName``+: inactive ones too, in the order asked, 500 for one that does
not exist) or filters them: ``ActiveStatus`` (ActiveOnly by default, Intuit's OSR), ``FromModifiedDate`` /
``ToModifiedDate`` (inclusive), ``NameFilter`` / ``NameRangeFilter`` on the full name (case-insensitive),
``AccountType`` and ``PaymentMethodType`` where the list has them, ``TotalBalanceFilter`` on customers and vendors;
``MaxReturned`` and iterators as in :mod:`.paging`. Answers come in full-name order, as QuickBooks lists them.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from operator import eq, ge, gt, le, lt

from .balances import entity_balance
from .context import Answer, Context
from .elements import Element, as_datetime, as_decimal
from .lists import list_ret
from .paging import answer_query
from .refs import ITEM_KINDS, TERMS_KINDS
from .store import ListObject

__all__ = ["QUERY_KINDS", "handle_list_query"]

#: The kinds each list query answers with.
QUERY_KINDS: dict[str, tuple[str, ...]] = {
    "CustomerQueryRq": ("Customer",), "VendorQueryRq": ("Vendor",), "EmployeeQueryRq": ("Employee",),
    "OtherNameQueryRq": ("OtherName",), "AccountQueryRq": ("Account",), "ItemQueryRq": ITEM_KINDS,
    "ItemServiceQueryRq": ("ItemService",), "ItemNonInventoryQueryRq": ("ItemNonInventory",),
    "ItemOtherChargeQueryRq": ("ItemOtherCharge",), "ItemSalesTaxQueryRq": ("ItemSalesTax",),
    "TermsQueryRq": TERMS_KINDS, "StandardTermsQueryRq": ("StandardTerms",),
    "DateDrivenTermsQueryRq": ("DateDrivenTerms",), "PaymentMethodQueryRq": ("PaymentMethod",),
    "SalesTaxCodeQueryRq": ("SalesTaxCode",), "CurrencyQueryRq": ("Currency",),
}
_OPERATORS: dict[str, Callable[[Decimal, Decimal], bool]] = {
    "LessThan": lt, "LessThanEqual": le, "Equal": eq, "GreaterThan": gt, "GreaterThanEqual": ge}


def _name_matches(request: Element) -> Callable[[str], bool]:
    name_filter, name_range = request.find("NameFilter"), request.find("NameRangeFilter")
    if name_filter is not None:
        criterion = name_filter.findtext("MatchCriterion")
        wanted = (name_filter.findtext("Name") or "").casefold()
        if criterion == "StartsWith":
            return lambda name: name.casefold().startswith(wanted)
        if criterion == "EndsWith":
            return lambda name: name.casefold().endswith(wanted)
        return lambda name: wanted in name.casefold()
    if name_range is not None:
        low = (name_range.findtext("FromName") or "").casefold()
        high = name_range.findtext("ToName")
        top = high.casefold() if high is not None else None
        return lambda name: name.casefold() >= low and (top is None or name.casefold() <= top)
    return lambda name: True


def _filtered(ctx: Context, request: Element, kinds: tuple[str, ...]) -> list[ListObject]:
    active = request.findtext("ActiveStatus") or "ActiveOnly"
    zone = ctx.config.zone
    since, until = request.findtext("FromModifiedDate"), request.findtext("ToModifiedDate")
    low = as_datetime(since, zone) if since else None
    high = as_datetime(until, zone) if until else None
    name_ok = _name_matches(request)
    account_types = {node.text for node in request.findall("AccountType")}
    method_types = {node.text for node in request.findall("PaymentMethodType")}
    balance = request.find("TotalBalanceFilter")
    found = []
    for obj in ctx.books.of_kinds(kinds):
        if (active == "ActiveOnly" and not obj.is_active) or (active == "InactiveOnly" and obj.is_active):
            continue
        if (low is not None and obj.modified < low) or (high is not None and obj.modified > high):
            continue
        if not name_ok(obj.full_name):
            continue
        if account_types and obj.text("AccountType") not in account_types:
            continue
        if method_types and obj.text("PaymentMethodType") not in method_types:
            continue
        if balance is not None and not _OPERATORS[balance.findtext("Operator") or "Equal"](
                entity_balance(ctx.books, obj.list_id), as_decimal(balance.findtext("Amount") or "0")):
            continue
        found.append(obj)
    found.sort(key=lambda obj: obj.full_name.casefold())
    return found


def handle_list_query(ctx: Context, request: Element) -> Answer:
    kinds = QUERY_KINDS[str(request.tag)]
    includes = [node.text or "" for node in request.findall("IncludeRetElement")]
    by_id = [node.text or "" for node in request.findall("ListID")]
    by_name = [node.text or "" for node in request.findall("FullName")]
    named: list[tuple[str, ListObject | None]] = (
        [(list_id, ctx.books.find(kinds, list_id, None)) for list_id in by_id]
        + [(name, ctx.books.find(kinds, None, name)) for name in by_name])

    def matches() -> list[str]:
        if named:
            return [obj.list_id for _, obj in named if obj is not None]
        return [obj.list_id for obj in _filtered(ctx, request, kinds)]

    def missing() -> str | None:
        return next((asked for asked, obj in named if obj is None), None)

    def render(list_id: str) -> Element | None:
        obj = ctx.books.lists.get(list_id)
        return None if obj is None else list_ret(ctx, obj, includes)

    return answer_query(ctx, request, matches, render, missing)
