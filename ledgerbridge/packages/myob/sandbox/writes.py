"""Which writer handles a resource's POST, PUT and DELETE, and the rules every write shares (409s, preferences)."""

from __future__ import annotations

from . import contacts, documents, errors, items, payments, refunds, settlements
from .common import refuse_identity_on_post
from .routes import Resource
from .store import Business, Record

_LINES = {"Invoice": ("Lines",), "Bill": ("Lines",), "Order": ("Lines",), "CustomerPayment": ("Invoices",),
          "SupplierPayment": ("Lines",),
          "CreditSettlement": ("Lines",), "DebitSettlement": ("Lines",)}


def create(business: Business, resource: Resource, body: Record) -> Record:
    refuse_identity_on_post(body, _LINES.get(resource.kind, ()))
    with business.lock:
        kind = resource.kind
        if kind in ("Customer", "Supplier"):
            return contacts.write(business, kind, body, None)
        if kind == "Item":
            return items.write(business, body, None)
        if kind in ("Invoice", "Bill", "Order"):
            assert resource.layout is not None
            return documents.write(business, kind, resource.layout, body, None)
        if kind == "CustomerPayment":
            return payments.create_customer_payment(business, body)
        if kind == "SupplierPayment":
            return payments.create_supplier_payment(business, body)
        if kind in ("CreditRefund", "DebitRefund"):
            return refunds.create(business, kind, body)
        return settlements.create(business, kind, body)


def update(business: Business, resource: Resource, record: Record, body: Record) -> Record:
    """A PUT: the body's RowVersion must be the record's current one (else 409), then the writer replaces it."""
    if resource.transaction and _locked(business):
        raise errors.cannot_change()
    if body.get("UID") and str(body["UID"]).lower() != record["UID"]:
        raise errors.validation("UIDMismatch", "The UID in the body is not the UID in the URL", "UID")
    if not body.get("RowVersion"):
        raise errors.required("RowVersion")
    with business.lock:
        if body["RowVersion"] != record["RowVersion"]:
            raise errors.row_version(record["UID"])
        kind = resource.kind
        if kind in ("Customer", "Supplier"):
            return contacts.write(business, kind, body, record)
        if kind == "Item":
            return items.write(business, body, record)
        assert resource.layout is not None
        return documents.write(business, kind, resource.layout, body, record)


def delete(business: Business, resource: Resource, record: Record) -> None:
    if resource.transaction and _locked(business):
        raise errors.cannot_delete()
    with business.lock:
        kind = resource.kind
        if kind in ("Invoice", "Bill", "Order"):
            documents.delete(business, kind, record)
        elif kind in ("CustomerPayment", "SupplierPayment"):
            payments.delete_payment(business, kind, record)
        elif kind in ("CreditSettlement", "DebitSettlement"):
            settlements.delete(business, kind, record)
        elif kind in ("CreditRefund", "DebitRefund"):
            refunds.delete(business, kind, record)
        elif kind == "Item":
            items.delete(business, record)
        else:
            _delete_card(business, kind, record)


def _delete_card(business: Business, kind: str, record: Record) -> None:
    """A card with transactions cannot be deleted (MYOB: make it inactive instead)."""
    uid = record["UID"]
    for doc_kind, field in (("Invoice", "Customer"), ("Bill", "Supplier")):
        if any(doc[field]["UID"] == uid for doc in business.all(doc_kind)):
            raise errors.validation("CardHasTransactions", "This card has transactions and cannot be deleted",
                                    "UID")
    business.delete(kind, uid)


def _locked(business: Business) -> bool:
    return bool(business.preferences.get("System", {}).get("TransactionsCannotBeChangedMustBeReversed"))
