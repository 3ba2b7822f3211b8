"""Contact/Customer and Contact/Supplier: the required fields and lengths MYOB documents, stored as sent.

Required (developer.myob.com's contact pages, restated by CData): ``CompanyName`` when ``IsIndividual`` is false,
``LastName`` when true; a customer's ``SellingDetails.TaxCode`` and ``FreightTaxCode``, a supplier's
``BuyingDetails.TaxCode`` and ``FreightTaxCode``. Lengths: CompanyName 50, FirstName 20, LastName 30, DisplayID 15;
at most five addresses, Location 1 to 5. DisplayID is not unique in MYOB (a second POST makes a second card), so
the sandbox does not de-duplicate either. ``CurrentBalance`` is the sandbox's to keep (the sum of open balances).
"""

from __future__ import annotations

from decimal import Decimal

from . import errors
from .common import link, rows, text
from .store import Business, Record

_DETAILS = {"Customer": "SellingDetails", "Supplier": "BuyingDetails"}
_LENGTHS = {"CompanyName": 50, "FirstName": 20, "LastName": 30, "DisplayID": 15}


def write(business: Business, kind: str, body: Record, existing: Record | None) -> Record:
    record: Record = {k: v for k, v in body.items() if v is not None and k not in ("URI", "Created", "LastModified")}
    is_individual = bool(body.get("IsIndividual"))
    record["IsIndividual"] = is_individual
    text(body, "LastName" if is_individual else "CompanyName", required=True)
    for name, limit in _LENGTHS.items():
        text(body, name, limit)
    if is_individual:
        record.pop("CompanyName", None)
    addresses = rows(body, "Addresses", required=False)
    if len(addresses) > 5:
        raise errors.validation("TooManyAddresses", "A contact has at most 5 addresses", "Addresses")
    for index, address in enumerate(addresses):
        location = address.get("Location", index + 1)
        if not isinstance(location, int) or not 1 <= location <= 5:
            raise errors.validation("InvalidAddressLocation", "Location must be 1 to 5",
                                    f"Addresses[{index}].Location")
    details_name = _DETAILS[kind]
    details = dict(body.get(details_name) or {})
    where = f"{details_name}."
    details["TaxCode"] = link(business, details, "TaxCode", ("TaxCode",), where=where)
    details["FreightTaxCode"] = link(business, details, "FreightTaxCode", ("TaxCode",), where=where)
    account_name = "IncomeAccount" if kind == "Customer" else "ExpenseAccount"
    if details.get(account_name):
        details[account_name] = link(business, details, account_name, ("Account",), where=where)
    abn = text(details, "ABN", 14, where=where)
    if abn and not _abn_ok(abn):
        raise errors.validation("InvalidABN", "ABN must be 11 digits written XX XXX XXX XXX", f"{where}ABN")
    record[details_name] = details
    record["Type"] = kind
    record["IsActive"] = bool(body.get("IsActive", True))
    record["CurrentBalance"] = existing["CurrentBalance"] if existing else Decimal("0.00")
    if existing is not None:
        record["UID"] = existing["UID"]
    return business.save(kind, record)


def _abn_ok(abn: str) -> bool:
    return len(abn) == 14 and abn.replace(" ", "").isdigit() and [len(p) for p in abn.split(" ")] == [2, 3, 3, 3]


def adjust_balance(business: Business, contact_uid: str, delta: Decimal) -> None:
    """Move a card's CurrentBalance without a new RowVersion (assumed: a balance is not an edit of the card, so a
    connector's stored RowVersion stays good after it posts an invoice)."""
    found = business.find(contact_uid)
    if found is not None:
        found[1]["CurrentBalance"] = found[1].get("CurrentBalance", Decimal("0.00")) + delta
