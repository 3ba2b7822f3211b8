"""Multicurrency in a sandbox company (``CompanyConfig.multi_currency``), as Intuit's "Using the multicurrency
feature with the SDK" and the qbXML schema describe it.

* The preference: ``MultiCurrencyPreferences/IsMultiCurrencyOn`` and, when on, ``HomeCurrencyRef`` (the edition's
  currency). QuickBooks cannot turn it off again, so a company is made with it on or off.
* The currency list (``CurrencyQuery``): QuickBooks' built-in currencies, a few active (seeded here by
  ``CurrencyAdd``, so they carry ListIDs and names as QuickBooks' do: "Euro", "US Dollar"); with multicurrency off
  the sandbox has none (assumed: nothing here reads it then).
* A customer or vendor has one currency (``CurrencyRef`` on its Add, the home currency when none is sent); a
  company with multicurrency off has no currency list, so a ``CurrencyRef`` is refused (3250, the feature is off;
  the code is qbXML's "feature not enabled", the case assumed). Once the name has transactions its currency
  cannot change (3170, detail assumed).
* A transaction has no currency of its own on an Add (the schema has only ``ExchangeRate``): it is in its
  customer's or vendor's currency, which its Ret names (``CurrencyRef``) with the ``ExchangeRate`` sent (home
  currency units for one unit of the foreign currency; 1 in the home currency).
"""

from __future__ import annotations

from lxml import etree

from .config import CompanyConfig
from .context import Context
from .elements import Element, Value
from .refs import ref_element, resolve_ref
from .status import QbStatus
from .store import ListObject, Txn

__all__ = ["BUILT_IN", "currency_fields", "currency_seed", "home_currency", "name_currency", "preferences"]

#: The currencies a new multicurrency company has active (QuickBooks' names; its list has many more, inactive).
BUILT_IN = (("US Dollar", "USD"), ("British Pound Sterling", "GBP"), ("Canadian Dollar", "CAD"),
            ("Euro", "EUR"), ("Australian Dollar", "AUD"))
NAMES_WITH_CURRENCY = ("Customer", "Vendor")


def _el(tag: str, text: str | None = None, *children: Element) -> Element:
    node = etree.Element(tag)
    node.text = text
    node.extend(children)
    return node


def currency_seed(config: CompanyConfig) -> list[Element]:
    """The currency list's Adds, for a company with multicurrency on (none when off)."""
    if not config.multi_currency:
        return []
    return [_el("CurrencyAddRq", None, _el("CurrencyAdd", None, _el("Name", name), _el("CurrencyCode", code)))
            for name, code in BUILT_IN]


def home_currency(ctx: Context) -> ListObject | None:
    code = ctx.config.currency
    return next((obj for obj in ctx.books.of_kinds(("Currency",)) if obj.text("CurrencyCode") == code), None)


def preferences(ctx: Context) -> dict[str, Value | None]:
    on = ctx.config.multi_currency
    home = home_currency(ctx) if on else None
    fields: dict[str, Value | None] = {"IsMultiCurrencyOn": "true" if on else "false"}
    if home is not None:
        fields["HomeCurrencyRef"] = ref_element("HomeCurrencyRef", home)
    return fields


def name_currency(ctx: Context, kind: str, body: Element, existing: ListObject | None = None) -> None:
    """A customer's or vendor's ``CurrencyRef`` as QuickBooks takes it (before the references are resolved): refused
    when multicurrency is off, the home currency on an Add that sends none, unchanged once the name has
    transactions."""
    if kind not in NAMES_WITH_CURRENCY:
        return
    sent = body.find("CurrencyRef")
    if not ctx.config.multi_currency:
        if sent is not None:
            raise QbStatus(3250, "This feature is not enabled or not available in this version of QuickBooks.")
        return
    if sent is None:
        home = home_currency(ctx)
        if existing is None and home is not None:
            body.append(ref_element("CurrencyRef", home))
        return
    if existing is not None and ctx.books.of_entity(existing.list_id):
        wanted = resolve_ref(ctx.books, sent, kind)
        if wanted.list_id != existing.ref_id("CurrencyRef"):
            raise QbStatus.modify_refused(kind, "The currency of a name that has transactions cannot be changed.")


def currency_fields(ctx: Context, txn: Txn) -> dict[str, Value | None]:
    """A transaction's ``CurrencyRef`` and ``ExchangeRate`` in a multicurrency company (nothing when off)."""
    if not ctx.config.multi_currency:
        return {}
    party = ctx.books.lists.get(txn.entity_id)
    currency = ctx.books.lists.get(party.ref_id("CurrencyRef") or "") if party is not None else None
    currency = currency or home_currency(ctx)
    if currency is None:
        return {}
    rate = txn.fields.get("ExchangeRate")
    return {"CurrencyRef": ref_element("CurrencyRef", currency),
            "ExchangeRate": rate if isinstance(rate, str) else "1"}
