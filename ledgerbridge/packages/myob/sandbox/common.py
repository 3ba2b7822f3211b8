"""Rules every writer shares: required fields, lengths, link objects, dates in the financial year, amounts.

Each helper raises MYOB's error for the field it checks, naming the field (``Lines[2].TaxCode``), so a connector's
log says what was wrong and where.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from . import errors
from .store import Business, Record
from .wire import money, myob_time, parse_time, to_decimal

#: Display fields a link object carries; the answer keeps those its link type has.
_LINK_FIELDS = ("Name", "DisplayID", "Code", "Number")


def text(body: Record, name: str, limit: int | None = None, *, required: bool = False, where: str = "") -> str:
    value = body.get(name)
    label = f"{where}{name}"
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            raise errors.required(label)
        return ""
    value = str(value)
    if limit is not None and len(value) > limit:
        raise errors.too_long(label, limit)
    return value


def amount(body: Record, name: str, *, required: bool = False, where: str = "") -> Decimal:
    value = body.get(name)
    if value is None:
        if required:
            raise errors.required(f"{where}{name}")
        return Decimal("0.00")
    number = to_decimal(value)
    if number is None:
        raise errors.serialization(f"Error converting value {value!r} for {where}{name}", f"{where}{name}")
    return money(number)


def link(business: Business, body: Record, name: str, kinds: tuple[str, ...], *, required: bool = True,
         where: str = "") -> Record | None:
    """A link object ``{"UID": ...}`` -> the stored form (UID plus the target's display fields), or None."""
    value = body.get(name)
    label = f"{where}{name}"
    uid = value.get("UID") if isinstance(value, dict) else None
    if not uid:
        if required:
            raise errors.required(f"{label}.UID")
        return None
    found = business.find(str(uid))
    if found is None or found[0] not in kinds:
        raise errors.not_found_ref(label, str(uid))
    return link_to(found[1])


def link_to(record: Record) -> Record:
    out: Record = {"UID": record["UID"]}
    for field_name in _LINK_FIELDS:
        if record.get(field_name) is not None:
            out[field_name] = record[field_name]
    if "Name" not in out and record.get("CompanyName"):
        out["Name"] = record["CompanyName"]
    elif "Name" not in out and record.get("LastName"):
        out["Name"] = f"{record['LastName']}, {record.get('FirstName') or ''}".strip(", ")
    return out


def transaction_date(business: Business, body: Record, name: str = "Date") -> str:
    """A required date, refused before the start of the financial year (25008) or in the lock period."""
    value = body.get(name)
    if value is None or value == "":
        raise errors.required(name)
    moment = parse_time(str(value))
    if moment is None:
        raise errors.serialization(f"Error converting value {value!r} to type 'DateTime'", name)
    start = business.seed.year_start
    if moment.date() < start:
        raise errors.before_financial_year(name, start.isoformat())
    lock = business.preferences.get("System", {}).get("LockPeriodPriorTo")
    if lock and myob_time(moment) < str(lock):
        raise errors.validation("BusinessEvent_DateOccured_InLockPeriod",
                                f"{name} falls in a locked period (before {lock[:10]})", name, 25009)
    return myob_time(moment)


def rows(body: Record, name: str, *, required: bool = True) -> list[Record]:
    value = body.get(name)
    if not value:
        if required:
            raise errors.required(name)
        return []
    return [row for row in value if isinstance(row, dict)]


def refuse_identity_on_post(body: Record, line_names: tuple[str, ...] = ()) -> None:
    """A UID or RowVersion in a POST body is a 409 (research note §6), lines' RowID/RowVersion too."""
    for name in ("UID", "RowVersion"):
        if body.get(name):
            raise errors.uid_on_post(name)
    for lines in line_names:
        for index, line in enumerate(rows(body, lines, required=False)):
            for name in ("RowID", "RowVersion"):
                if line.get(name):
                    raise errors.uid_on_post(f"{lines}[{index}].{name}")


def copy_known(body: Record, names: tuple[str, ...]) -> Record:
    return {name: body.get(name) for name in names}


def value_or(body: Record, name: str, default: Any) -> Any:
    value = body.get(name)
    return default if value is None else value
