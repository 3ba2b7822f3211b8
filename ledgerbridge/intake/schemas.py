"""The host's JSON as pydantic models, and how a refused record is reported.

The API, the CLI loader and the intake rules all speak these shapes, so they live apart
from the rules. The models check shape only (types, lengths, ranges, known enum values);
rules that need other records or the database live in ``intake*``.

Money never passes through float: request bodies are parsed with ``parse_json`` (JSON
numbers become ``Decimal``), and a float reaching a model from anywhere else is refused.
Decimal places are capped at what the columns keep (``Money4`` is NUMERIC(19,4) on
PostgreSQL): a value the database would round could never compare equal on a re-send.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, Strict, ValidationError

from ledgerbridge.domain.line_accounts import LineKind
from ledgerbridge.intake.json_guard import MAX_DEPTH, bad_text, escape_bad_text, may_hold_bad_text, nesting_depth
from ledgerbridge.store.models.host import DocumentStatus, DocumentType, NominalType, PaymentKind


def _refuse_float(value: object) -> object:
    if isinstance(value, bool):
        raise ValueError("must be a number, not a boolean")
    if isinstance(value, float):
        raise ValueError("must be a decimal number (a JSON number or a string), not a binary float")
    return value


_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def _iso_date(value: object) -> object:
    # pydantic's lax dates also take Unix timestamps and midnight datetimes; a host sending those has a bug.
    if isinstance(value, date):
        return value
    if isinstance(value, str) and _ISO_DATE.match(value):
        try:
            return date.fromisoformat(value)
        except ValueError:
            pass
    raise ValueError("must be a date written YYYY-MM-DD")


def _bounded(places: int, whole_digits: int, minimum: Decimal | None = None, *, above: bool = False,
             maximum: Decimal | None = None, cents: bool = False) -> AfterValidator:
    """Decimal places, size and range in one Python call (pydantic's own constraints cost six per value)."""
    unit = Decimal(1).scaleb(-places)
    limit = Decimal(10) ** whole_digits

    def check(value: Decimal) -> Decimal:
        if abs(value) >= limit:  # first: quantize() of a huge value raises instead of answering
            raise ValueError(f"must be less than {limit:,}")
        if value.quantize(unit) != value:
            raise ValueError(f"must have no more than {places} decimal places")
        if minimum is not None and (value <= minimum if above else value < minimum):
            raise ValueError(f"must be {'greater than' if above else 'at least'} {minimum}")
        if maximum is not None and value > maximum:
            raise ValueError(f"must be at most {maximum}")
        return value.quantize(unit) if cents else value

    return AfterValidator(check)


# Core (Rust) turns int/str/Decimal into Decimal and refuses NaN and infinity; floats never get that far.
_Decimal = Annotated[Decimal, BeforeValidator(_refuse_float), Strict(False)]
Money = Annotated[_Decimal, _bounded(2, 13, cents=True)]
PositiveMoney = Annotated[_Decimal, _bounded(2, 13, Decimal(0), above=True, cents=True)]
Quantity = Annotated[_Decimal, _bounded(4, 13)]
Percent = Annotated[_Decimal, _bounded(4, 3, Decimal(0), maximum=Decimal(100))]
Rate = Annotated[_Decimal, _bounded(4, 13, Decimal(0), above=True)]
HostDate = Annotated[date, BeforeValidator(_iso_date)]
Currency = Annotated[str, Field(pattern=r"^[A-Z]{3}$")]


# Lengths are the columns' (PostgreSQL refuses what SQLite would keep); identifiers and names may not be empty.
HostId = Annotated[str, Field(min_length=1, max_length=100)]
PaymentHostId = Annotated[str, Field(min_length=1, max_length=120)]
Code = Annotated[str, Field(min_length=1, max_length=20)]
PartyCode = Annotated[str, Field(min_length=1, max_length=50)]
ItemCode = Annotated[str, Field(min_length=1, max_length=30)]
Name = Annotated[str, Field(min_length=1, max_length=200)]
LongName = Annotated[str, Field(min_length=1, max_length=255)]
Text30 = Annotated[str, Field(max_length=30)]
Text50 = Annotated[str, Field(max_length=50)]
Text100 = Annotated[str, Field(max_length=100)]
Text255 = Annotated[str, Field(max_length=255)]
#: Free text kept in TEXT columns: capped at the longest any registered package takes (4,000 for a line's or an
#: item's description), so nothing unbounded is stored; each package's own, smaller limits are pre-check's.
LongText = Annotated[str, Field(max_length=4000)]

#: The most records of one kind in a batch (the README's 10,000 documents), and the most lines, addresses and
#: allocations one record carries: a larger list is refused with the list's name before anything is written.
MAX_RECORDS = 10_000
MAX_CODES = 1_000
MAX_LINES = 1_000
MAX_ADDRESSES = 10
MAX_ALLOCATIONS = 1_000


class HostModel(BaseModel):
    """Strict: no type coercion beyond what JSON needs, and an unknown field is an error, not silently dropped."""

    model_config = ConfigDict(extra="forbid", strict=True)


class AddressIn(HostModel):
    kind: Text30 | None = None
    line1: Text255 | None = None
    line2: Text255 | None = None
    line3: Text255 | None = None
    line4: Text255 | None = None
    city: Text255 | None = None
    region: Text255 | None = None
    postcode: Text50 | None = None
    country: Text100 | None = None


class NominalCodeIn(HostModel):
    code: Code
    name: Name
    type: Annotated[NominalType, Strict(False)]


class TaxCodeIn(HostModel):
    code: Code
    name: Name
    rate: Percent


class PaymentMethodIn(HostModel):
    code: Code
    name: Name
    bank_nominal: Code | None = None
    card: bool = False  # card payments go to the credit card clearing account when one is set (R-C4)


class PartyIn(HostModel):
    host_id: HostId
    code: PartyCode
    name: LongName
    is_customer: bool = True
    is_supplier: bool = False
    email: Text255 | None = None
    tax_number: Text50 | None = None
    currency: Currency | None = None
    payment_terms_days: Annotated[int, Field(ge=0, le=3650)] | None = None
    addresses: Annotated[list[AddressIn], Field(max_length=MAX_ADDRESSES)] = []
    account_customer: bool = True


class ItemIn(HostModel):
    host_id: HostId
    code: ItemCode
    name: LongName
    description: LongText | None = None
    sales_nominal: Code | None = None
    purchase_nominal: Code | None = None
    tax_code: Code | None = None
    unit_price: Quantity | None = None


class DocumentLineIn(HostModel):
    item_code: ItemCode | None = None
    description: LongText
    long_description: LongText | None = None
    quantity: Quantity
    unit_price: Quantity
    discount_percent: Percent = Decimal(0)
    # No nominal: the account the connection's settings name for the line's kind and document type (R-C4).
    nominal_code: Code | None = None
    kind: Annotated[LineKind, Strict(False)] | None = None
    tax_code: Code
    net: Money | None = None
    tax: Money | None = None
    additional_charge: bool = False  # freight, duty, handling on a purchase document (R-P2)


class DocumentIn(HostModel):
    host_id: HostId
    type: Annotated[DocumentType, Strict(False)]
    number: HostId
    status: Annotated[DocumentStatus, Strict(False)] = DocumentStatus.DRAFT
    issue_date: HostDate
    due_date: HostDate | None = None
    party_host_id: HostId
    currency: Currency
    exchange_rate: Rate | None = None
    amounts_tax_inclusive: bool = False
    order_number: Text100 | None = None
    customer_po: Text100 | None = None
    site_address: Text255 | None = None
    work_order: Text100 | None = None
    sales_order_host_id: HostId | None = None
    credits_document_host_id: HostId | None = None
    purchase_order_host_id: HostId | None = None  # a purchase invoice's order (R-P2)
    lines: Annotated[list[DocumentLineIn], Field(min_length=1, max_length=MAX_LINES)]


class AllocationIn(HostModel):
    document_host_id: HostId
    amount: PositiveMoney


class PaymentIn(HostModel):
    host_id: PaymentHostId
    direction: Literal["in", "out"]
    kind: Annotated[PaymentKind, Strict(False)]
    party_host_id: HostId
    payment_date: HostDate
    amount: PositiveMoney
    currency: Currency
    method_code: Code | None = None
    bank_nominal: Code | None = None
    reference: Text255 | None = None
    sales_order_host_id: HostId | None = None
    allocations: Annotated[list[AllocationIn], Field(max_length=MAX_ALLOCATIONS)] = []


class Batch(HostModel):
    """Everything the host sends at once; applied as one transaction, in this order (references point back)."""

    nominal_codes: Annotated[list[NominalCodeIn], Field(max_length=MAX_CODES)] = []
    tax_codes: Annotated[list[TaxCodeIn], Field(max_length=MAX_CODES)] = []
    payment_methods: Annotated[list[PaymentMethodIn], Field(max_length=MAX_CODES)] = []
    parties: Annotated[list[PartyIn], Field(max_length=MAX_RECORDS)] = []
    items: Annotated[list[ItemIn], Field(max_length=MAX_RECORDS)] = []
    documents: Annotated[list[DocumentIn], Field(max_length=MAX_RECORDS)] = []
    payments: Annotated[list[PaymentIn], Field(max_length=MAX_RECORDS)] = []


#: batch field -> the record field that identifies a record of that kind.
KIND_KEYS: dict[str, str] = {
    "nominal_codes": "code",
    "tax_codes": "code",
    "payment_methods": "code",
    "parties": "host_id",
    "items": "host_id",
    "documents": "host_id",
    "payments": "host_id",
}


class KindCounts(BaseModel):
    created: int = 0
    updated: int = 0
    unchanged: int = 0


class IntakeResult(BaseModel):
    nominal_codes: KindCounts = Field(default_factory=KindCounts)
    tax_codes: KindCounts = Field(default_factory=KindCounts)
    payment_methods: KindCounts = Field(default_factory=KindCounts)
    parties: KindCounts = Field(default_factory=KindCounts)
    items: KindCounts = Field(default_factory=KindCounts)
    documents: KindCounts = Field(default_factory=KindCounts)
    payments: KindCounts = Field(default_factory=KindCounts)


@dataclass(frozen=True, slots=True)
class FieldError:
    """One refusal, precise enough for the host's developer to find the record and the field."""

    record: str
    field: str
    message: str

    def __str__(self) -> str:
        return f"{self.record}: {self.field}: {self.message}" if self.field else f"{self.record}: {self.message}"


class IntakeError(Exception):
    """The batch (or action) was refused; nothing of it was written."""

    def __init__(self, errors: list[FieldError]) -> None:
        self.errors = errors
        shown = "; ".join(str(e) for e in errors[:5])
        more = f" (and {len(errors) - 5} more)" if len(errors) > 5 else ""
        super().__init__(f"{len(errors)} error(s), nothing written: {shown}{more}")


def record_label(kind: str, index: int, key: object) -> str:
    """``documents[17] (host_id "INV-1017")``: the position finds it in the file, the key in the host."""
    return f'{kind}[{index}] ({KIND_KEYS[kind]} "{key}")'


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a number")


def parse_json(raw: bytes | str) -> Any:
    """JSON with every non-integer number as Decimal; NaN and Infinity refused, and so is nesting deeper than
    ``MAX_DEPTH`` (measured before parsing, whose recursion it would exhaust)."""
    depth = nesting_depth(raw)
    if depth > MAX_DEPTH:
        raise IntakeError([FieldError("body", "", f"arrays and objects nest {depth} deep; at most {MAX_DEPTH} "
                                                  "are accepted")])
    try:
        return json.loads(raw, parse_float=Decimal, parse_constant=_refuse_constant)
    except RecursionError as exc:  # not reached after the depth check; kept so no body can make a 500
        raise IntakeError([FieldError("body", "", "arrays and objects nest too deep")]) from exc
    except (ValueError, UnicodeDecodeError) as exc:
        raise IntakeError([FieldError("body", "", f"not valid JSON: {exc}")]) from exc


def validate_batch(data: Any, raw: bytes | str | None = None) -> Batch:
    """The batch's records as models, or every refusal naming record and field.

    Text holding NUL or a lone surrogate is refused too (``json_guard``); given the ``raw`` body the data was
    parsed from, the values are only searched when the body has an escape that could produce them."""
    if not isinstance(data, dict):
        raise IntakeError([FieldError("body", "", "must be a JSON object with lists such as \"documents\"")])
    if raw is None or may_hold_bad_text(raw):
        found = bad_text(data)
        if found:
            raise IntakeError([_field_error({"loc": loc, "type": "bad_text", "msg": message}, data)
                               for loc, message in found])
    try:
        return Batch.model_validate(data)
    except ValidationError as exc:
        raise IntakeError([_field_error(err, data) for err in exc.errors()]) from exc


def parse_batch(raw: bytes | str) -> Batch:
    return validate_batch(parse_json(raw), raw)


_MESSAGES = {"missing": "is required", "extra_forbidden": "is not a known field"}


def _field_error(err: Any, data: dict[str, Any]) -> FieldError:
    loc = tuple(err["loc"])
    message = _MESSAGES.get(err["type"]) or str(err["msg"]).removeprefix("Value error, ")
    kind = loc[0] if loc else ""
    if kind not in KIND_KEYS:
        return FieldError("batch", escape_bad_text(str(kind)), message)
    if len(loc) < 2 or not isinstance(loc[1], int):
        return FieldError(str(kind), "", message)
    index = loc[1]
    raw = data[kind][index]
    key = raw.get(KIND_KEYS[kind]) if isinstance(raw, dict) else None
    record = record_label(kind, index, escape_bad_text(key)) if isinstance(key, str) else f"{kind}[{index}]"
    return FieldError(record, escape_bad_text(field_path(loc[2:])), message)


def field_path(parts: tuple[Any, ...]) -> str:
    """('lines', 2, 'tax_code') -> 'lines[2].tax_code'."""
    out = ""
    for part in parts:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out
