"""List objects: Add and Mod for customers, vendors, employees, other names, accounts, items, terms, payment
methods and sales-tax codes, and their Ret elements.

QuickBooks' rules kept here: a name is unique in its name space, whatever the case (customers, vendors, employees
and other names share one: a vendor named like a customer is refused with 3100); a Mod names the object by ListID
and the EditSequence it last read (3200 when another change came in between) and changes only the fields it
sends; a sub-customer or sub-account's FullName is ``Parent:Name``; every reference must name an existing object
(3140). Name lengths (41 for names, 31 for items and accounts, 3 for a tax code) are the schema's, so a longer
name is answered with 3070 before any rule here runs (:mod:`.schema`).
"""

from __future__ import annotations

import copy
from dataclasses import dataclass

from .balances import entity_balance
from .context import Answer, Context
from .currency import name_currency
from .elements import Element, Value, amount, as_bool, bool_text, datetime_text
from .refs import ITEM_KINDS, ref_element, resolve_ref, resolve_refs
from .status import QbStatus
from .store import ListObject

__all__ = ["LIST_SPECS", "ListSpec", "add_list_object", "list_ret", "recovery_of_list"]


@dataclass(frozen=True, slots=True)
class ListSpec:
    kind: str
    #: Kinds a ParentRef may name (the object's own list), empty when the list is flat.
    parent_kinds: tuple[str, ...] = ()
    #: Whether the Ret carries FullName (lists with sub-levels do).
    full_name: bool = False


LIST_SPECS: dict[str, ListSpec] = {spec.kind: spec for spec in (
    ListSpec("Customer", ("Customer",), True),
    ListSpec("Vendor"),
    ListSpec("Employee"),
    ListSpec("OtherName"),
    ListSpec("Account", ("Account",), True),
    ListSpec("ItemService", ITEM_KINDS, True),
    ListSpec("ItemNonInventory", ITEM_KINDS, True),
    ListSpec("ItemOtherCharge", ITEM_KINDS, True),
    ListSpec("ItemSalesTax"),
    ListSpec("StandardTerms"),
    ListSpec("DateDrivenTerms"),
    ListSpec("PaymentMethod"),
    ListSpec("SalesTaxCode"),
    ListSpec("Currency"),
)}
#: Children an Add or Mod element holds that are not stored as given.
_IDENTITY = frozenset({"ListID", "EditSequence", "Name", "IsActive", "ParentRef"})


def _name_of(kind: str, body: Element) -> str:
    name = body.findtext("Name")
    if name:
        return name
    if kind == "Employee":  # an employee's Name is built from the person's names when not given
        parts = (body.findtext(tag) for tag in ("FirstName", "MiddleName", "LastName"))
        return " ".join(part for part in parts if part)
    return name or ""


def _stored_fields(body: Element, into: dict[str, Value]) -> None:
    """Copy the request's children into ``into``: text for simple ones, elements for the rest, lists for
    repeated names (a Mod's repeated element replaces all of that name)."""
    grouped: dict[str, list[Element]] = {}
    for node in body:
        if isinstance(node.tag, str) and node.tag not in _IDENTITY:
            grouped.setdefault(node.tag, []).append(node)
    for tag, nodes in grouped.items():
        if len(nodes) > 1:
            into[tag] = [copy.deepcopy(node) for node in nodes]
        elif len(nodes[0]) == 0:
            into[tag] = nodes[0].text or ""
        else:
            into[tag] = copy.deepcopy(nodes[0])


def _full_name(ctx: Context, spec: ListSpec, body: Element, name: str) -> tuple[str, str | None]:
    parent_ref = body.find("ParentRef")
    if parent_ref is None or not spec.parent_kinds:
        return name, None
    parent = resolve_ref(ctx.books, parent_ref, spec.kind, spec.parent_kinds)
    return f"{parent.full_name}:{name}", parent.list_id


def add_list_object(ctx: Context, kind: str, add: Element) -> ListObject:
    """Run an ``XxxAdd`` element: the new object, or a :class:`QbStatus` (3100, 3140)."""
    spec = LIST_SPECS[kind]
    body = copy.deepcopy(add)
    name = _name_of(kind, body)
    full_name, parent_id = _full_name(ctx, spec, body, name)
    owner = ctx.books.name_owner(kind, full_name)
    if owner is not None:
        raise QbStatus.name_in_use(full_name)
    name_currency(ctx, kind, body)
    resolve_refs(ctx.books, body, kind, spec.parent_kinds)
    obj = ListObject(kind, ctx.books.new_list_id(ctx.now), name, full_name, parent_id,
                     as_bool(body.findtext("IsActive") or "true"), ctx.now, ctx.now,
                     ctx.books.new_edit_sequence(ctx.now))
    _stored_fields(body, obj.fields)
    ctx.books.add_list(obj)
    return obj


def mod_list_object(ctx: Context, kind: str, mod: Element) -> ListObject:
    """Run an ``XxxMod`` element: ListID and EditSequence checked, then only the fields sent change."""
    spec = LIST_SPECS[kind]
    list_id, edit_sequence = mod.findtext("ListID") or "", mod.findtext("EditSequence") or ""
    obj = ctx.books.lists.get(list_id)
    if obj is None or obj.kind != kind:
        raise QbStatus.not_found(list_id)
    if edit_sequence != obj.edit_sequence:
        raise QbStatus.stale_edit_sequence(edit_sequence)
    body = copy.deepcopy(mod)
    name = body.findtext("Name") or obj.name
    if body.find("ParentRef") is not None:
        full_name, parent_id = _full_name(ctx, spec, body, name)
    else:
        parent = ctx.books.lists.get(obj.parent_id or "")
        full_name, parent_id = (f"{parent.full_name}:{name}" if parent else name), obj.parent_id
    if full_name.casefold() != obj.full_name.casefold():
        owner = ctx.books.name_owner(kind, full_name)
        if owner is not None and owner is not obj:
            raise QbStatus.name_in_use(full_name)
    name_currency(ctx, kind, body, obj)
    resolve_refs(ctx.books, body, kind, spec.parent_kinds)
    if full_name != obj.full_name:
        ctx.books.rename(obj, name, full_name)
    obj.parent_id = parent_id
    if body.find("IsActive") is not None:
        obj.is_active = as_bool(body.findtext("IsActive"))
    _stored_fields(body, obj.fields)
    obj.modified = ctx.now
    obj.edit_sequence = ctx.books.new_edit_sequence(ctx.now)
    return obj


def list_ret(ctx: Context, obj: ListObject, include: list[str] | None = None) -> Element:
    """The object's ``XxxRet`` in the context's qbXML version."""
    spec = LIST_SPECS[obj.kind]
    fields: dict[str, Value | None] = dict(obj.fields)
    fields.update({
        "ListID": obj.list_id, "TimeCreated": datetime_text(obj.created), "TimeModified": datetime_text(obj.modified),
        "EditSequence": obj.edit_sequence, "Name": obj.name, "IsActive": bool_text(obj.is_active),
    })
    if spec.full_name:
        fields["FullName"] = obj.full_name
        fields["Sublevel"] = str(obj.sublevel)
    parent = ctx.books.lists.get(obj.parent_id or "")
    if parent is not None:
        fields["ParentRef"] = ref_element("ParentRef", parent)
    if obj.kind == "Customer":
        own = entity_balance(ctx.books, obj.list_id)
        prefix = obj.full_name + ":"
        jobs = sum((entity_balance(ctx.books, other.list_id) for other in ctx.books.lists.values()
                    if other.parent_id is not None and other.kind == "Customer" and other.full_name.startswith(prefix)),
                   own)
        fields["Balance"], fields["TotalBalance"] = amount(own), amount(jobs)
    elif obj.kind == "Vendor":
        fields["Balance"] = amount(entity_balance(ctx.books, obj.list_id))
        fields.setdefault("JobStatus", "None")
    return ctx.ret(f"{obj.kind}Ret", fields, include, owned={"ParentRef"})


def recovery_of_list(obj: ListObject) -> dict[str, str]:
    recovery = {"ListID": obj.list_id, "EditSequence": obj.edit_sequence}
    guid = obj.text("ExternalGUID")
    if guid:
        recovery["ExternalGUID"] = guid
    return recovery


def _includes(request: Element) -> list[str]:
    return [node.text or "" for node in request.findall("IncludeRetElement")]


def handle_list_add(ctx: Context, request: Element) -> Answer:
    kind = str(request.tag)[:-len("AddRq")]
    add = request.find(f"{kind}Add")
    assert add is not None  # the schema requires it
    obj = add_list_object(ctx, kind, add)
    return Answer([list_ret(ctx, obj, _includes(request))], recovery=recovery_of_list(obj))


def handle_list_mod(ctx: Context, request: Element) -> Answer:
    kind = str(request.tag)[:-len("ModRq")]
    mod = request.find(f"{kind}Mod")
    assert mod is not None
    obj = mod_list_object(ctx, kind, mod)
    return Answer([list_ret(ctx, obj, _includes(request))], recovery=recovery_of_list(obj))
