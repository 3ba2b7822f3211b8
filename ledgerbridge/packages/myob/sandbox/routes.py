"""The resources the sandbox serves under ``/accountright/{businessId}/``: route, kind of record, verbs, scope.

Verbs follow MYOB's documentation where it is stricter than the SDK (research note §5): payments, settlements and
refunds are "return, create and delete" (PUT answers 405), ``Sale/Invoice`` and ``Purchase/Bill`` are GET-only
(writes go to the typed layout routes), the ledger is read here. A route MYOB has but the sandbox does not serve
(``Sale/Invoice/Professional``, ``Sale/Order/Item``...) answers 404 ``ResourceNotFound`` (listed in README.md).
``Sale/Order/Service`` is served for deposits: a customer payment applied to an order (research: AccountRight
treats it as a deposit, held until the order becomes an invoice).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from . import errors

READ = frozenset({"GET"})
CRUD = frozenset({"GET", "POST", "PUT", "DELETE"})
NO_UPDATE = frozenset({"GET", "POST", "DELETE"})


@dataclass(frozen=True, slots=True)
class Resource:
    route: str
    #: The store's kind of record (``Invoice`` holds every sale layout; ``Contact`` is read across two kinds).
    kind: str
    methods: frozenset[str]
    scope: str
    #: ``InvoiceType``/``BillType`` a typed layout route serves (and sets on create).
    layout: str | None = None
    #: The record is a transaction: Company/Preferences may forbid changing or deleting it.
    transaction: bool = False


RESOURCES: dict[str, Resource] = {r.route: r for r in (
    Resource("Contact", "Contact", READ, "sme-contacts-customer"),
    Resource("Contact/Customer", "Customer", CRUD, "sme-contacts-customer"),
    Resource("Contact/Supplier", "Supplier", CRUD, "sme-contacts-supplier"),
    Resource("GeneralLedger/Account", "Account", READ, "sme-general-ledger"),
    Resource("GeneralLedger/TaxCode", "TaxCode", READ, "sme-general-ledger"),
    Resource("Company/Preferences", "Preferences", READ, "sme-company-settings"),
    Resource("GeneralLedger/AccountingProperties", "AccountingProperties", READ, "sme-general-ledger"),
    Resource("Sale/Invoice", "Invoice", READ, "sme-sales"),
    Resource("Sale/Invoice/Service", "Invoice", CRUD, "sme-sales", "Service", True),
    Resource("Sale/Invoice/Item", "Invoice", CRUD, "sme-sales", "Item", True),
    Resource("Sale/Order", "Order", READ, "sme-sales"),
    Resource("Sale/Order/Service", "Order", CRUD, "sme-sales", "Service", True),
    Resource("Sale/CustomerPayment", "CustomerPayment", NO_UPDATE, "sme-sales", None, True),
    Resource("Sale/CreditSettlement", "CreditSettlement", NO_UPDATE, "sme-sales", None, True),
    Resource("Sale/CreditRefund", "CreditRefund", NO_UPDATE, "sme-sales", None, True),
    Resource("Purchase/Bill", "Bill", READ, "sme-purchases"),
    Resource("Purchase/Bill/Service", "Bill", CRUD, "sme-purchases", "Service", True),
    Resource("Purchase/Bill/Item", "Bill", CRUD, "sme-purchases", "Item", True),
    Resource("Inventory/Item", "Item", CRUD, "sme-inventory"),
    Resource("Purchase/SupplierPayment", "SupplierPayment", NO_UPDATE, "sme-purchases", None, True),
    Resource("Purchase/DebitSettlement", "DebitSettlement", NO_UPDATE, "sme-purchases", None, True),
    Resource("Purchase/DebitRefund", "DebitRefund", NO_UPDATE, "sme-purchases", None, True),
)}

#: The typed route a record of a kind (and layout) lives at, for its URI.
_HOME = {("Customer", None): "Contact/Customer", ("Supplier", None): "Contact/Supplier",
         ("Account", None): "GeneralLedger/Account", ("TaxCode", None): "GeneralLedger/TaxCode",
         ("Item", None): "Inventory/Item",
         ("CustomerPayment", None): "Sale/CustomerPayment", ("CreditSettlement", None): "Sale/CreditSettlement",
         ("SupplierPayment", None): "Purchase/SupplierPayment",
         ("DebitSettlement", None): "Purchase/DebitSettlement", ("CreditRefund", None): "Sale/CreditRefund",
         ("DebitRefund", None): "Purchase/DebitRefund"}
_GUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")


def home(kind: str, layout: str | None) -> str:
    if kind == "Invoice":
        return f"Sale/Invoice/{layout or 'Service'}"
    if kind == "Bill":
        return f"Purchase/Bill/{layout or 'Service'}"
    if kind == "Order":
        return f"Sale/Order/{layout or 'Service'}"
    return _HOME[(kind, None)]


def resolve(rest: str) -> tuple[Resource, str | None]:
    """``Sale/Invoice/Service/{uid}/`` -> (its resource, the uid); unknown routes raise 404."""
    path = rest.strip("/")
    if path in RESOURCES:
        return RESOURCES[path], None
    head, _, last = path.rpartition("/")
    if head in RESOURCES and last:
        if not _GUID.match(last):
            raise errors.record_missing(head, last)
        return RESOURCES[head], last.lower()
    raise errors.route_missing(rest)
