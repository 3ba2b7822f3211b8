"""The write and read operations behind ``/v3/company/{realmId}/{entity}`` and batch items: create, full and
sparse update, delete, void, read. Each takes a company and a body and returns ``(entity, record)`` or raises a
:class:`~.errors.QboFault`; routes and batch only wrap the result.
"""

from __future__ import annotations

import copy
from decimal import Decimal
from typing import Any

from . import errors, strict
from .common import require_version
from .names import WRITABLE, build_name
from .payments import applied_to, build_payment, settle
from .store import Company, Record
from .transactions import PURCHASES, SALES, build_transaction

PAYMENTS = frozenset({"Payment", "BillPayment"})
TRANSACTIONS = SALES | PURCHASES | PAYMENTS
NAMES = frozenset(WRITABLE)
READ_ONLY = frozenset({"TaxCode", "TaxRate", "CompanyInfo", "Preferences"})
ENTITIES = TRANSACTIONS | NAMES | READ_ONLY
#: Path segment (lower case, as in the URL) -> entity name.
BY_PATH = {name.lower(): name for name in ENTITIES}
VOIDABLE = frozenset({"Invoice", "Payment", "BillPayment"})
_NOT_COPIED_ON_SPARSE = frozenset({"Id", "SyncToken", "sparse", "MetaData", "domain", "status"})


def _body(entity: str, body: Any) -> dict[str, Any]:
    if not isinstance(body, dict):
        raise errors.QboFault("2010", "Request has invalid or unsupported property",
                              f"Property Name:{entity} the request body must be a JSON object")
    strict.check_body(entity, body)
    return body


def _build(company: Company, entity: str, body: dict[str, Any], record_id: str,
           flags: frozenset[str]) -> Record:
    if entity in NAMES:
        return build_name(company, entity, body, record_id)
    if entity in PAYMENTS:
        return build_payment(company, entity, body, record_id)
    if entity in SALES | PURCHASES:
        return build_transaction(company, entity, body, record_id, flags)
    raise errors.unsupported_operation("create", entity)


def create(company: Company, entity: str, body: Any, flags: frozenset[str] = frozenset(), *,
           stored: bool = False) -> Record:
    """``POST /{entity}``: a body with an ``Id`` is an update, as in QBO.

    Like every write here it answers with a copy of the record as stored, or with ``stored=True`` the stored
    record itself, for a caller that encodes it at once, before any other write can change it (the batch route:
    copying 30 invoices a call only to encode them cost more than the encoding)."""
    body = _body(entity, body)
    if body.get("Id") not in (None, ""):
        return update(company, entity, body, flags, stored=stored)
    with company.lock:
        record = _build(company, entity, body, company.new_id(), flags)
        company.save(entity, record, created=True)
        return _settled(company, entity, record, stored)


def update(company: Company, entity: str, body: Any, flags: frozenset[str] = frozenset(), *,
           stored: bool = False) -> Record:
    """Full update (writable fields left out are cleared) or ``"sparse": true`` (only the fields sent change;
    ``Line`` is replaced as a whole either way). Needs the current SyncToken (5010 otherwise)."""
    body = _body(entity, body)
    if entity in READ_ONLY:
        raise errors.unsupported_operation("update", entity)
    with company.lock:
        existing = require_version(company, entity, body)
        if (entity, existing["Id"]) in company.voided:
            raise errors.business("A voided transaction cannot be changed.")
        if body.get("sparse") in (True, "true"):
            merged = copy.deepcopy(existing)
            merged.update({key: value for key, value in body.items() if key not in _NOT_COPIED_ON_SPARSE})
        else:
            merged = dict(body)
        record = _build(company, entity, merged, existing["Id"], flags)
        if entity in SALES | PURCHASES and applied_to(company, entity, existing["Id"]) > Decimal(record["TotalAmt"]):
            raise errors.business("The transaction total cannot be less than the payments applied to it.",
                                  "TotalAmt")
        company.save(entity, record)
        return _settled(company, entity, record, stored)


def delete(company: Company, entity: str, body: Any) -> Record:
    """``?operation=delete``: transactions only (names are deactivated instead); linked payments block it."""
    body = _body(entity, body)
    if entity not in TRANSACTIONS:
        raise errors.unsupported_operation("delete", entity)
    with company.lock:
        existing = require_version(company, entity, body)
        if entity not in PAYMENTS and existing.get("LinkedTxn"):
            raise errors.business("This transaction has payments linked to it. Unlink or delete the payments "
                                  "first.", "LinkedTxn")
        company.delete(entity, existing["Id"])
        settle(company)
        return {"Id": existing["Id"], "status": "Deleted", "domain": "QBO"}


def void(company: Company, entity: str, body: Any, *, stored: bool = False) -> Record:
    """``?operation=void`` (invoice, payment) or ``?operation=update&include=void`` (payment, bill payment).
    The record stays with every amount zero and "Voided" in its PrivateNote; an invoice with payments applied
    cannot be voided."""
    body = _body(entity, body)
    if entity not in VOIDABLE:
        raise errors.unsupported_operation("void", entity)
    with company.lock:
        existing = require_version(company, entity, body)
        record = copy.deepcopy(existing)
        if entity == "Invoice":
            if any(link.get("TxnType") == "Payment" for link in existing.get("LinkedTxn", [])):
                raise errors.business("You can't void this invoice because it has payments applied to it. "
                                      "Remove the payments first.", "LinkedTxn")
            for line in record["Line"]:
                line["Amount"] = Decimal("0.00")
                detail = line.get("SalesItemLineDetail")
                if detail and "TaxInclusiveAmt" in detail:
                    detail["TaxInclusiveAmt"] = Decimal("0.00")
            record["TxnTaxDetail"] = {"TotalTax": Decimal("0.00")}
            record["Balance"] = Decimal("0.00")
        else:
            record["Line"] = []
            if entity == "Payment":
                record["UnappliedAmt"] = Decimal("0.00")
        record["TotalAmt"] = Decimal("0.00")
        note = existing.get("PrivateNote")
        record["PrivateNote"] = f"Voided - {note}" if note else "Voided"
        company.voided.add((entity, existing["Id"]))
        company.save(entity, record)
        return _settled(company, entity, record, stored)


def _settled(company: Company, entity: str, record: Record, stored: bool) -> Record:
    """Bring balances up to date after a write and answer with the record as stored (one version per write):
    a copy, unless the caller encodes it at once (``stored``)."""
    if entity in TRANSACTIONS:
        settle(company, (entity, record["Id"]))
    return record if stored else copy.deepcopy(record)


def read(company: Company, entity: str, entity_id: str) -> Record:
    record = company.view(entity, entity_id)
    if record is None:
        raise errors.object_not_found(entity, entity_id)
    return record


def write(company: Company, entity: str, operation: str, body: Any, flags: frozenset[str] = frozenset(), *,
          stored: bool = False) -> Record:
    """One write by operation name (the route's ``?operation=`` or a batch item's ``operation``); ``stored``: see
    :func:`create`."""
    if operation == "create":
        return create(company, entity, body, flags, stored=stored)
    if operation == "update":
        return (void(company, entity, body, stored=stored) if "void" in flags
                else update(company, entity, body, flags, stored=stored))
    if operation == "delete":
        return delete(company, entity, body)
    if operation == "void":
        return void(company, entity, body, stored=stored)
    raise errors.unsupported_operation(operation, entity)
