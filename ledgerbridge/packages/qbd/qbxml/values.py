"""qbXML's simple types, written and read exactly: money, prices, quantities, dates, GUIDs, references.

qbXML is strict about its simple types (``specs/qbxml/<v>/qbxmltypes<v>.xsd``): an amount (AMTTYPE) has no
decimals or exactly two, a price or quantity (PRICETYPE, QUANTYPE) at most five, a GUID is ``{8-4-4-4-12}``, an
id (IDTYPE) at most 36 characters. QuickBooks answers a value that breaks them with HRESULT 0x80040400 for the
whole message, so nothing here rounds: a value that does not fit is refused with :class:`QbxmlValueError`, which
names the field, and the mapper (which knows the record) says which document it came from.

Why hand-written: qbXML is XML with Intuit's own lexical types; no Python library speaks it (see
``../shared/apis/qbwc.md`` §11), and lxml is only the tree.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation

__all__ = [
    "ID_MAX",
    "QbxmlValueError",
    "Ref",
    "TxnTarget",
    "ListTarget",
    "amount_text",
    "bool_text",
    "check_text",
    "date_text",
    "datetime_text",
    "decimal_text",
    "external_guid",
    "fits",
    "parse_amount",
    "parse_bool",
    "parse_date",
    "parse_datetime",
    "quantity_text",
]

ID_MAX = 36  # IDTYPE: ListID, TxnID, TxnLineID
EDIT_SEQUENCE_MAX = 16
CENT = Decimal("0.01")
#: XML 1.0's characters (lxml refuses the others with a message that names no field).
_XML_CHARS = re.compile("^[\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]*$")
#: The namespace of the ExternalGUIDs ledgerbridge stamps: the same key gives the same GUID on every machine, so
#: a write whose answer was lost is recognised by the GUID its retry would carry.
_GUID_NAMESPACE = uuid.UUID("6f1b7a52-3c2e-5d0b-9b1e-4c6a2f7d8e10")


class QbxmlValueError(ValueError):
    """A value qbXML cannot carry; ``field`` names where (``InvoiceAdd/InvoiceLineAdd[2]/Amount``)."""

    def __init__(self, field: str, problem: str) -> None:
        super().__init__(f"{field}: {problem}")
        self.field = field
        self.problem = problem


@dataclass(frozen=True, slots=True)
class Ref:
    """A reference to a list object (``CustomerRef``, ``AccountRef``...): its ListID, its FullName, or both.

    QuickBooks resolves the ListID first; FullName alone works for objects we have not read yet (a
    ``Name:Sub`` path for sub-accounts and jobs)."""

    list_id: str | None = None
    full_name: str | None = None

    def __post_init__(self) -> None:
        if not self.list_id and not self.full_name:
            raise QbxmlValueError("Ref", "a reference needs a ListID or a FullName")
        if self.list_id is not None and len(self.list_id) > ID_MAX:
            raise QbxmlValueError("Ref/ListID", f"{self.list_id!r} is longer than {ID_MAX} characters")

    @classmethod
    def by_id(cls, list_id: str) -> Ref:
        return cls(list_id=list_id)

    @classmethod
    def by_name(cls, full_name: str) -> Ref:
        return cls(full_name=full_name)


@dataclass(frozen=True, slots=True)
class TxnTarget:
    """The transaction a Mod changes: its TxnID and the EditSequence QuickBooks last gave us (3200 when stale)."""

    txn_id: str
    edit_sequence: str

    def __post_init__(self) -> None:
        _check_identity("TxnID", self.txn_id, self.edit_sequence)


@dataclass(frozen=True, slots=True)
class ListTarget:
    """The list object a Mod changes: its ListID and current EditSequence."""

    list_id: str
    edit_sequence: str

    def __post_init__(self) -> None:
        _check_identity("ListID", self.list_id, self.edit_sequence)


def _check_identity(kind: str, ident: str, edit_sequence: str) -> None:
    if not ident or len(ident) > ID_MAX:
        raise QbxmlValueError(kind, f"{ident!r} is not an id of 1 to {ID_MAX} characters")
    if not edit_sequence or len(edit_sequence) > EDIT_SEQUENCE_MAX:
        raise QbxmlValueError("EditSequence", f"{edit_sequence!r} is not an EditSequence (1 to "
                                              f"{EDIT_SEQUENCE_MAX} characters): read the record again")


# -- writing ----------------------------------------------------------------------------------------------------
def check_text(field: str, value: str, max_length: int | None = None) -> str:
    """``value`` unchanged when qbXML can carry it in ``field`` (XML characters, at most ``max_length``)."""
    if not _XML_CHARS.match(value):
        raise QbxmlValueError(field, "contains a character XML cannot carry (a control character)")
    if max_length is not None and len(value) > max_length:
        raise QbxmlValueError(field, f"is {len(value)} characters long; QuickBooks takes at most {max_length}")
    return value


#: The smallest step of each number of places the simple types take (AMTTYPE 2, QUANTYPE and PRICETYPE 5).
_STEPS = {places: Decimal(1).scaleb(-places) for places in range(6)}


def _places(value: Decimal, places: int) -> Decimal | None:
    """``value`` with at most ``places`` decimals (trailing zeros dropped when needed), or None when it has more."""
    exponent = value.as_tuple().exponent
    if isinstance(exponent, int) and exponent >= -places:
        return value
    normal = value.normalize()  # 10.0000 -> 1E+1: the same number, fewer places
    exponent = normal.as_tuple().exponent
    return normal if isinstance(exponent, int) and exponent >= -places else None


def fits(value: Decimal, places: int, int_digits: int) -> bool:
    """Whether ``value`` is written exactly with ``places`` decimals and ``int_digits`` digits before the point."""
    if not value.is_finite() or value.adjusted() >= int_digits:
        return False
    step = _STEPS.get(places)  # quantize is exact here (few digits), and far cheaper than as_tuple
    return value.quantize(step) == value if step is not None else _places(value, places) is not None


def _fixed(field: str, value: Decimal, places: int, int_digits: int, exact_places: bool) -> str:
    # the common case first, in three C calls (an upload formats some 20 numbers an invoice): a finite value that
    # fits as it is; anything else (too many places or digits, not a Decimal) goes the long way, for its message
    if type(value) is Decimal and value.is_finite() and value.adjusted() < int_digits:
        exact = value.quantize(_STEPS[places])
        if exact == value:
            if exact_places:
                return format(exact, "f")
            text = format(value.normalize(), "f") if value else "0"
            return text  # normalize() drops the trailing zeros; a whole number keeps no point
    if not isinstance(value, Decimal) or not value.is_finite():
        raise QbxmlValueError(field, f"{value!r} is not a finite Decimal")
    fixed = _places(value, places)
    if fixed is None:
        raise QbxmlValueError(field, f"{value} has more than {places} decimal places")
    if fixed.adjusted() >= int_digits:
        raise QbxmlValueError(field, f"{value} has more than {int_digits} digits before the point")
    if exact_places:
        return format(fixed, f".{places}f")
    text = format(fixed, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def amount_text(field: str, value: Decimal) -> str:
    """AMTTYPE: exactly two decimals (``10.00``), never rounded here (a sub-cent amount is refused)."""
    return _fixed(field, value, 2, 13, exact_places=True)


def quantity_text(field: str, value: Decimal) -> str:
    """QUANTYPE and PRICETYPE: at most five decimals and ten digits before the point."""
    return _fixed(field, value, 5, 10, exact_places=False)


def decimal_text(field: str, value: Decimal) -> str:
    """FLOATTYPE (an exchange rate): a plain decimal, no exponent."""
    if not isinstance(value, Decimal) or not value.is_finite():
        raise QbxmlValueError(field, f"{value!r} is not a finite Decimal")
    text = format(value, "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def date_text(value: date) -> str:
    """DATETYPE: ``2026-12-07`` (a datetime is cut to its date: qbXML dates have no time)."""
    return (value.date() if isinstance(value, datetime) else value).isoformat()


def datetime_text(value: datetime) -> str:
    """DATETIMETYPE: ``2026-12-07T14:02:00+00:00`` to the second, with the offset when the time has one.

    QuickBooks reads a time without an offset as the local time of the PC it runs on, so ledgerbridge always
    sends aware times (its watermarks are UTC)."""
    return value.replace(microsecond=0).isoformat()


def bool_text(value: bool) -> str:
    return "true" if value else "false"


def external_guid(key: str) -> str:
    """The ExternalGUID stamped on an Add, derived from our idempotency key: ``{XXXXXXXX-XXXX-...}`` upper-case,
    as QuickBooks shows it (so a Ret's GUID compares equal as text)."""
    if not key:
        raise QbxmlValueError("ExternalGUID", "needs a non-empty idempotency key")
    return "{" + str(uuid.uuid5(_GUID_NAMESPACE, key)).upper() + "}"


# -- reading ----------------------------------------------------------------------------------------------------
def parse_amount(text: str | None) -> Decimal | None:
    """An AMTTYPE (or PRICETYPE, QUANTYPE) as QuickBooks wrote it; None when absent or empty."""
    if text is None or not text.strip():
        return None
    try:
        return Decimal(text.strip())
    except InvalidOperation as exc:
        raise QbxmlValueError("amount", f"{text!r} is not a number") from exc


def parse_bool(text: str | None) -> bool | None:
    if text is None or not text.strip():
        return None
    return text.strip().lower() in ("true", "1")


def parse_date(text: str | None) -> date | None:
    if text is None or not text.strip():
        return None
    return date.fromisoformat(text.strip()[:10])


def parse_datetime(text: str | None) -> datetime | None:
    """A DATETIMETYPE as an aware UTC time. QuickBooks writes the PC's offset (``-08:00``); a time without one
    (or a bare date) is taken as UTC, since nothing says better."""
    if text is None or not text.strip():
        return None
    raw = text.strip()
    try:
        parsed = datetime.fromisoformat(raw)
    except ValueError:
        parsed = _loose_datetime(raw)
    return (parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)).astimezone(UTC)


_LOOSE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:T(\d{1,2})(?::(\d{1,2})(?::(\d{1,2}))?)?)?([+-]\d{1,2}:\d{1,2})?$")


def _loose_datetime(raw: str) -> datetime:
    """DATETIMETYPE allows one-digit parts (``2026-1-5T9``), which ``fromisoformat`` refuses."""
    found = _LOOSE.match(raw)
    if found is None:
        raise QbxmlValueError("datetime", f"{raw!r} is not a qbXML date-time")
    y, mo, d, h, mi, s, offset = found.groups()
    text = f"{int(y):04d}-{int(mo):02d}-{int(d):02d}T{int(h or 0):02d}:{int(mi or 0):02d}:{int(s or 0):02d}"
    if offset:
        sign, rest = offset[0], offset[1:].split(":")
        text += f"{sign}{int(rest[0]):02d}:{int(rest[1]):02d}"
    return datetime.fromisoformat(text)
