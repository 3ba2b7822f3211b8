"""Small rules every entity shares: reading references, numbers and strings from a request body the way QBO
does (lenient about python-quickbooks' empty strings and integer SyncTokens), and resolving references."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from . import errors
from .store import Company, Record
from .wire import to_decimal

#: Entities whose records are "names": never deleted, only deactivated; queries show active ones by default.
NAME_LISTS = frozenset({"Customer", "Vendor", "Item", "Account", "TaxCode", "TaxRate", "PaymentMethod"})
#: Where an entity's display name lives, for filling in ``name`` on references.
NAME_FIELD = {"Customer": "DisplayName", "Vendor": "DisplayName", "Item": "Name", "Account": "Name",
              "TaxCode": "Name", "TaxRate": "Name", "PaymentMethod": "Name"}


def text(body: dict[str, Any], key: str) -> str | None:
    """A string field; ``""`` and null count as absent (python-quickbooks sends empty strings for unset ones)."""
    value = body.get(key)
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise errors.invalid_property(key, f"{key} must be a string")
    return value


def number(body: dict[str, Any], key: str, element: str | None = None) -> Decimal | None:
    value = body.get(key)
    if value is None or value == "":
        return None
    try:
        return to_decimal(value)
    except (ValueError, InvalidOperation):
        raise errors.invalid_property(element or key, f"{element or key} is not a number") from None


def ref_id(body: dict[str, Any], key: str) -> str | None:
    """``{"value": "58", "name": ...}`` -> ``"58"``; an empty or missing reference is None."""
    ref = body.get(key)
    if ref is None or ref == "":
        return None
    if not isinstance(ref, dict):
        raise errors.invalid_property(key, f"{key} must be an object with value")
    value = ref.get("value")
    if value is None or value == "":
        return None
    return str(value)


def resolve(company: Company, entity: str, entity_id: str, element: str) -> Record:
    """A referenced record; missing -> 2500 Invalid Reference Id, inactive name -> 610 Object Not Found."""
    record = company.get(entity, entity_id, visible_only=True)
    if record is None:
        raise errors.invalid_reference(element, entity, entity_id)
    if record.get("Active") is False:
        raise errors.object_not_found(entity, entity_id)
    return record


def ref_to(entity: str, record: Record) -> dict[str, str]:
    """A reference as QBO writes it on read: value plus the display name."""
    name = record.get(NAME_FIELD.get(entity, "DocNumber"))
    return {"value": record["Id"], "name": name} if name else {"value": record["Id"]}


def check_length(value: str | None, maximum: int, element: str) -> None:
    if value is not None and len(value) > maximum:
        raise errors.too_long(element, maximum, len(value))


def require_version(company: Company, entity: str, body: dict[str, Any]) -> Record:
    """An update/delete/void target: ``Id`` and ``SyncToken`` present (2020), record exists (610),
    SyncToken current (5010). python-quickbooks' integer SyncToken is accepted."""
    entity_id = body.get("Id")
    if entity_id is None or entity_id == "":
        raise errors.required(f"{entity}.Id")
    sync = body.get("SyncToken")
    if sync is None or sync == "":
        raise errors.required(f"{entity}.SyncToken")
    record = company.get(entity, str(entity_id))
    if record is None:
        raise errors.object_not_found(entity, str(entity_id))
    if str(sync) != record["SyncToken"]:
        raise errors.stale(entity, str(entity_id))
    return record
