"""Multicurrency on QuickBooks Desktop: what ledgerbridge sends and what it refuses (issue 13).

In a QuickBooks company with multicurrency on (``MultiCurrencyPreferences/IsMultiCurrencyOn``, read with the chart),
every customer and vendor has one currency, set when the name is added and fixed once it has transactions, and a
transaction is in its customer's or vendor's currency: an ``InvoiceAdd`` or ``BillAdd`` has no currency of its own
in qbXML (13.0 and 16.0 alike), only an ``ExchangeRate`` (home currency units for one unit of the foreign one).
Intuit's "Using the multicurrency feature with the SDK" says the same. So:

* a customer or vendor goes out with ``CurrencyRef`` naming its currency here (by the ListID of the chart's
  currency list), none when it has no currency here (QuickBooks gives it the home currency);
* a document whose currency differs from its party's is refused at pre-check, naming both: QuickBooks would record
  it in the party's currency, with the document's amounts, which is a different sum of money;
* the document's exchange rate goes as ``ExchangeRate`` (the mapper, unchanged);
* a payment made in QuickBooks is imported in its own currency (its Ret's ``CurrencyRef``, :func:`code_of`), so
  a euro customer's payment is matched to its euro invoice, not taken for one in the home currency.

With multicurrency off QuickBooks keeps everything in the home currency and refuses a ``CurrencyRef`` (3250); the
engine's own pre-check already refuses a document in another currency (the chart lists only the home one), and no
``CurrencyRef`` is sent. The company's currency list (code -> ListID) is kept in the connection's settings when the
chart is read (:data:`CURRENCIES_SETTING`; absent: multicurrency off), where pre-check and the party export read it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from ledgerbridge.connectors.protocol import Problem
from ledgerbridge.packages.qbd.qbxml.chart_rets import CurrencyRecord
from ledgerbridge.packages.qbd.qbxml.rets import RefValue
from ledgerbridge.packages.qbd.qbxml.values import Ref
from ledgerbridge.store.views import DocumentView, PartyView

__all__ = ["CURRENCIES_SETTING", "code_of", "currencies_of", "currency_problem", "currency_setting",
           "party_currency"]

CURRENCIES_SETTING = "quickbooks_currencies"  # ISO code -> the currency's ListID; absent: multicurrency off
HINT = ("QuickBooks Desktop records a transaction in its customer's or vendor's currency: send the document in the "
        "party's currency, or use a party of the document's currency (QuickBooks fixes a name's currency once it "
        "has transactions).")


def currency_setting(multi_currency: bool, currencies: Iterable[CurrencyRecord]) -> dict[str, str] | None:
    """What the connection's settings keep of the chart's currencies: None when multicurrency is off."""
    if not multi_currency:
        return None
    return {c.code: c.list_id for c in currencies if c.code and c.list_id}


def currencies_of(settings: Mapping[str, object]) -> dict[str, str] | None:
    """The company's currencies (code -> ListID) when multicurrency is on, else None."""
    raw = settings.get(CURRENCIES_SETTING)
    return {str(k): str(v) for k, v in raw.items()} if isinstance(raw, dict) else None


def party_currency(party: PartyView, settings: Mapping[str, object]) -> Ref | None:
    """The ``CurrencyRef`` of a customer or vendor added in a multicurrency company: its currency here; None with
    multicurrency off or no currency here (QuickBooks then gives it the home currency). A currency the company's
    list lacks goes by its code, which QuickBooks refuses with 3140 naming it (the engine's pre-check catches the
    documents in it first)."""
    currencies = currencies_of(settings)
    if currencies is None or not party.currency:
        return None
    list_id = currencies.get(party.currency)
    return Ref(list_id=list_id) if list_id else Ref(full_name=party.currency)


def currency_problem(document: DocumentView, party: PartyView, settings: Mapping[str, object],
                     home: str) -> Problem | None:
    """A document whose currency differs from its party's, in a multicurrency company (None with it off: the
    engine refuses a document outside the home currency there)."""
    if currencies_of(settings) is None:
        return None
    party_has = party.currency or home
    if document.currency == party_has:
        return None
    role = "supplier" if document.type.startswith("purchase") else "customer"
    whose = (f"{party_has}, the home currency: the {role} has no currency here" if not party.currency
             else party_has)
    return Problem(f"{document.label()}: its currency {document.currency} differs from {role} {party.name}'s "
                   f"currency ({whose}); QuickBooks Desktop records a transaction in its {role}'s currency",
                   failure_type="data", hint=HINT)


def code_of(ref: RefValue | None, currencies: Mapping[str, str] | None, home: str) -> str:
    """The ISO code of the currency a Ret names (``CurrencyRef``, by ListID): the home currency when
    multicurrency is off or the Ret names none; the name QuickBooks gives when the company's list (as last read)
    does not have it, so that the importer refuses it, naming it, rather than taking it for the home currency."""
    if ref is None or currencies is None:
        return home
    by_id = {list_id: code for code, list_id in currencies.items()}
    return by_id.get(ref.list_id or "") or ref.full_name or home
