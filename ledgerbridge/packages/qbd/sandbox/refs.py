"""References (``CustomerRef``, ``ItemRef``, ``AccountRef``, ...): resolved when QuickBooks receives them, refreshed
when it answers.

A reference is ``ListID`` and/or ``FullName``; QuickBooks uses the ListID when both are given. One that names
nothing in its list is refused with 3140 ("There is an invalid reference to QuickBooks Customer "Nope" in the
Invoice.", "... in the Invoice line." for a line's); a list the company does not keep (classes, sales reps,
templates) names nothing, so a reference to one is refused the same way. A stored reference holds both parts;
answers write the FullName the object has now, as QuickBooks does after a rename.
"""

from __future__ import annotations

import re

from lxml import etree

from .elements import Element
from .status import QbStatus
from .store import Books, ListObject

__all__ = ["ITEM_KINDS", "NAME_KINDS", "TERMS_KINDS", "kind_word", "ref_element", "refresh_refs", "resolve_ref",
           "resolve_refs"]

ITEM_KINDS = ("ItemService", "ItemNonInventory", "ItemOtherCharge", "ItemSalesTax")
NAME_KINDS = ("Customer", "Vendor", "Employee", "OtherName")
TERMS_KINDS = ("StandardTerms", "DateDrivenTerms")
_ACCOUNT = ("Account",)
_TAX_CODE = ("SalesTaxCode",)

_KINDS: dict[str, tuple[str, ...]] = {
    "CustomerRef": ("Customer",), "VendorRef": ("Vendor",), "PayeeEntityRef": ("Vendor",),
    "EntityRef": NAME_KINDS, "PrefVendorRef": ("Vendor",), "TaxVendorRef": ("Vendor",),
    "ItemRef": ITEM_KINDS, "ItemSalesTaxRef": ("ItemSalesTax",), "ItemPurchaseTaxRef": ("ItemSalesTax",),
    "SalesTaxCodeRef": _TAX_CODE, "CustomerSalesTaxCodeRef": _TAX_CODE, "PurchaseTaxCodeRef": _TAX_CODE,
    "TermsRef": TERMS_KINDS, "PaymentMethodRef": ("PaymentMethod",), "PreferredPaymentMethodRef": ("PaymentMethod",),
    **{tag: _ACCOUNT for tag in (
        "AccountRef", "ARAccountRef", "APAccountRef", "BankAccountRef", "DepositToAccountRef", "CreditCardAccountRef",
        "IncomeAccountRef", "ExpenseAccountRef", "COGSAccountRef", "AssetAccountRef", "OverrideItemAccountRef",
        "DiscountAccountRef", "TaxOnPurchasesAccountRef", "TaxOnSalesAccountRef", "PrefillAccountRef")},
}
_WORDS = {"OtherName": "Other Name", "SalesTaxCode": "Sales Tax Code", "PaymentMethod": "Payment Method",
          "StandardTerms": "Terms", "DateDrivenTerms": "Terms", **{kind: "Item" for kind in ITEM_KINDS}}
_REF_PARTS = frozenset({"ListID", "FullName"})


def kind_word(kind: str) -> str:
    """How QuickBooks names a list in its messages: ``Customer``, ``Item``, ``Sales Tax Code``."""
    return _WORDS.get(kind) or re.sub(r"(?<=[a-z])(?=[A-Z])", " ", kind)


def ref_element(tag: str, obj: ListObject) -> Element:
    node = etree.Element(tag)
    etree.SubElement(node, "ListID").text = obj.list_id
    etree.SubElement(node, "FullName").text = obj.full_name
    return node


def _is_ref(node: Element) -> bool:
    tag = node.tag
    return isinstance(tag, str) and tag.endswith("Ref") and len(node) > 0 \
        and {part.tag for part in node} <= _REF_PARTS


def resolve_ref(books: Books, node: Element, where: str, own_kinds: tuple[str, ...] = ()) -> ListObject:
    """The object ``node`` names, or 3140 naming ``where`` (``Invoice``, ``Invoice line``)."""
    tag = str(node.tag)
    kinds = own_kinds if tag == "ParentRef" and own_kinds else _KINDS.get(tag, (tag[:-3],))
    list_id, full_name = _parts(node)
    found = books.find(kinds, list_id, full_name)
    if found is None:
        raise QbStatus.invalid_reference(kind_word(kinds[0]), list_id if list_id is not None else full_name or "",
                                         where)
    return found


def _parts(node: Element) -> tuple[str | None, str | None]:
    """The reference's ListID and FullName, as ``findtext`` gives each, in one walk of its (two) parts."""
    list_id = full_name = None
    for part in node:
        if part.tag == "ListID":
            if list_id is None:
                list_id = part.text or ""
        elif part.tag == "FullName" and full_name is None:
            full_name = part.text or ""
    return list_id, full_name


def resolve_refs(books: Books, root: Element, object_name: str,
                 own_kinds: tuple[str, ...] = ()) -> None:
    """Resolve every reference under ``root`` (in document order, the first bad one answering 3140) and rewrite
    each as ``ListID`` + ``FullName``."""
    for node in _refs_under(root):  # listed first: the loop rewrites them
        found = resolve_ref(books, node, f"{object_name} line" if _in_line(node, root) else object_name, own_kinds)
        parts = list(node)
        if len(parts) == 1 and parts[0].tag == "ListID" and not parts[0].tail:  # as sent by ListID: add the name
            etree.SubElement(node, "FullName").text = found.full_name
            continue
        for part in parts:
            node.remove(part)
        etree.SubElement(node, "ListID").text = found.list_id
        etree.SubElement(node, "FullName").text = found.full_name


def _in_line(node: Element, root: Element) -> bool:
    if node.getparent() is root:  # a header's reference (most are a line's, one level down)
        return False
    for ancestor in node.iterancestors():
        if "Line" in str(ancestor.tag):
            return True
        if ancestor is root:
            break
    return False


def _refs_under(root: Element) -> list[Element]:
    """The references under ``root``, in document order (found from their parts: far fewer than elements)."""
    found: list[Element] = []
    for part in root.iter("ListID", "FullName"):
        parent = part.getparent()
        if parent is not None and parent is not root and (not found or found[-1] is not parent) and _is_ref(parent):
            found.append(parent)
    return found


def refresh_refs(books: Books, root: Element) -> None:
    """Write each reference's current FullName (after a rename) into an answer."""
    for list_id in root.iter("ListID"):
        node = list_id.getparent()
        full_name = node.find("FullName") if node is not None and str(node.tag).endswith("Ref") else None
        if full_name is not None:
            found = books.lists.get(list_id.text or "")
            if found is not None:
                full_name.text = found.full_name
