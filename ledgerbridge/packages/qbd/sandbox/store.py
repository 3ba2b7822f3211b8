"""The company file: list objects, transactions, what pays what, and the deleted-transaction log, in memory.

Identity as QuickBooks gives it: a ListID or TxnID is a hexadecimal counter and the creation time in epoch seconds
(``80000001-1700000000``, ``1F6-1241605561``), a TxnLineID likewise; EditSequence is the modification time in
epoch seconds, kept strictly increasing so that two Mods in one second still differ. Names are unique per name
space, case-insensitively: customers, vendors, employees and other names share one (QuickBooks' "one name list"),
items of every type another, and each other list its own.

An object keeps the elements it was given (addresses, memo, phone, ...) in ``fields``, references already resolved
to ``ListID`` + ``FullName``; the families read from them what they compute with and write them back in the
schema's order (:func:`.elements.build`), so a field the sandbox has no rule for still round-trips.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from .elements import Element, Value, text

__all__ = ["NAME_SPACES", "Application", "Books", "DeletedTxn", "Line", "ListObject", "Txn", "name_space"]

#: Which list kinds share a name space (QuickBooks refuses a name used anywhere in it with 3100).
NAME_SPACES = {
    "Customer": "names", "Vendor": "names", "Employee": "names", "OtherName": "names",
    "ItemService": "items", "ItemNonInventory": "items", "ItemSalesTax": "items", "ItemOtherCharge": "items",
    "StandardTerms": "terms", "DateDrivenTerms": "terms",
}


def name_space(kind: str) -> str:
    return NAME_SPACES.get(kind, kind)


@dataclass(slots=True, eq=False)
class ListObject:
    kind: str
    list_id: str
    name: str
    full_name: str
    parent_id: str | None
    is_active: bool
    created: datetime
    modified: datetime
    edit_sequence: str
    fields: dict[str, Value] = field(default_factory=dict)

    @property
    def sublevel(self) -> int:
        return self.full_name.count(":")

    def text(self, name: str) -> str | None:
        value = self.fields.get(name)
        return value if isinstance(value, str) else None

    def ref_id(self, name: str) -> str | None:
        return ref_list_id(self.fields.get(name))


@dataclass(slots=True, eq=False)
class Line:
    """One transaction line: ``tag`` is its Ret element (InvoiceLineRet, ExpenseLineRet, ItemLineRet, ...)."""

    line_id: str
    tag: str
    fields: dict[str, Value]
    amount: Decimal
    tax_code_id: str | None = None
    tax_amount: Decimal = Decimal(0)
    taxable: bool = False


@dataclass(slots=True)
class Application:
    """What one payment does to one invoice or bill: cash applied, credits set against it, discount taken."""

    target_id: str
    amount: Decimal
    credits: list[tuple[str, Decimal]] = field(default_factory=list)
    discount: Decimal = Decimal(0)

    @property
    def total(self) -> Decimal:
        return self.amount + self.discount + sum((used for _, used in self.credits), Decimal(0))


@dataclass(slots=True, eq=False)
class Txn:
    kind: str
    txn_id: str
    txn_number: int
    created: datetime
    modified: datetime
    edit_sequence: str
    entity_id: str
    txn_date: date
    ref_number: str | None
    fields: dict[str, Value] = field(default_factory=dict)
    lines: list[Line] = field(default_factory=list)
    external_guid: str | None = None
    subtotal: Decimal = Decimal(0)
    tax_total: Decimal = Decimal(0)
    tax_item_id: str | None = None
    tax_percent: Decimal | None = None
    #: A payment's amount (TotalAmount / Amount); for the others subtotal + tax.
    total: Decimal = Decimal(0)
    applications: list[Application] = field(default_factory=list)
    voided: bool = False

    def text(self, name: str) -> str | None:
        value = self.fields.get(name)
        return value if isinstance(value, str) else None

    def ref_id(self, name: str) -> str | None:
        return ref_list_id(self.fields.get(name))

    @property
    def applied_by_payments(self) -> Decimal:
        """For a payment: what it has applied in cash (the rest is unused)."""
        return sum((a.amount for a in self.applications), Decimal(0))


@dataclass(frozen=True, slots=True)
class DeletedTxn:
    kind: str
    txn_id: str
    created: datetime
    deleted: datetime
    ref_number: str | None


def ref_list_id(value: Value | None) -> str | None:
    if isinstance(value, Element):
        return text(value, "ListID")
    return None


class Books:
    """Everything in the company file, with the indexes QuickBooks' answers need."""

    def __init__(self, epoch: int) -> None:
        self.lists: dict[str, ListObject] = {}
        self.names: dict[tuple[str, str], str] = {}
        self.txns: dict[str, Txn] = {}
        self.by_entity: dict[str, list[str]] = {}
        #: invoice/bill TxnID -> the payments applying to it; credit memo/vendor credit TxnID -> the payments using it.
        self.paid_by: dict[str, list[str]] = {}
        self.credit_used_by: dict[str, list[str]] = {}
        self.deleted: list[DeletedTxn] = []
        self._next_list = 0x80000001
        self._next_txn = 0x100
        self._next_number = 1
        self._last_edit = epoch

    # -- identity ------------------------------------------------------------------------------------------

    def new_list_id(self, now: datetime) -> str:
        list_id = f"{self._next_list:X}-{int(now.timestamp())}"
        self._next_list += 1
        return list_id

    def new_txn_id(self, now: datetime) -> str:
        txn_id = f"{self._next_txn:X}-{int(now.timestamp())}"
        self._next_txn += 1
        return txn_id

    def new_txn_number(self) -> int:
        number = self._next_number
        self._next_number += 1
        return number

    def new_edit_sequence(self, now: datetime) -> str:
        self._last_edit = max(int(now.timestamp()), self._last_edit + 1)
        return str(self._last_edit)

    # -- lists -----------------------------------------------------------------------------------------------

    def name_owner(self, kind: str, full_name: str) -> ListObject | None:
        list_id = self.names.get((name_space(kind), full_name.casefold()))
        return None if list_id is None else self.lists[list_id]

    def add_list(self, obj: ListObject) -> None:
        self.lists[obj.list_id] = obj
        self.names[(name_space(obj.kind), obj.full_name.casefold())] = obj.list_id

    def rename(self, obj: ListObject, name: str, full_name: str) -> None:
        del self.names[(name_space(obj.kind), obj.full_name.casefold())]
        obj.name, obj.full_name = name, full_name
        self.names[(name_space(obj.kind), full_name.casefold())] = obj.list_id

    def of_kinds(self, kinds: tuple[str, ...]) -> Iterator[ListObject]:
        return (obj for obj in self.lists.values() if obj.kind in kinds)

    def find(self, kinds: tuple[str, ...], list_id: str | None, full_name: str | None) -> ListObject | None:
        """The object a reference names: by ListID when given (QuickBooks prefers it), else by FullName."""
        if list_id is not None:
            obj = self.lists.get(list_id)
            return obj if obj is not None and obj.kind in kinds else None
        if full_name is None:
            return None
        for space in {name_space(kind) for kind in kinds}:
            found = self.names.get((space, full_name.casefold()))
            if found is not None and self.lists[found].kind in kinds:
                return self.lists[found]
        return None

    # -- transactions --------------------------------------------------------------------------------------

    def add_txn(self, txn: Txn) -> None:
        self.txns[txn.txn_id] = txn
        self.by_entity.setdefault(txn.entity_id, []).append(txn.txn_id)

    def move_txn(self, txn: Txn, entity_id: str) -> None:
        self.by_entity[txn.entity_id].remove(txn.txn_id)
        txn.entity_id = entity_id
        self.by_entity.setdefault(entity_id, []).append(txn.txn_id)

    def remove_txn(self, txn: Txn, deleted: datetime) -> None:
        del self.txns[txn.txn_id]
        self.by_entity[txn.entity_id].remove(txn.txn_id)
        self.paid_by.pop(txn.txn_id, None)
        self.credit_used_by.pop(txn.txn_id, None)
        self.deleted.append(DeletedTxn(txn.kind, txn.txn_id, txn.created, deleted, txn.ref_number))

    def of_entity(self, entity_id: str) -> list[Txn]:
        return [self.txns[t] for t in self.by_entity.get(entity_id, ())]

    def payments_of(self, target_id: str) -> list[Txn]:
        return [self.txns[p] for p in self.paid_by.get(target_id, ())]

    def credit_users(self, credit_id: str) -> list[Txn]:
        return [self.txns[p] for p in self.credit_used_by.get(credit_id, ())]

    def link_payment(self, payment: Txn) -> None:
        for application in payment.applications:
            _add_once(self.paid_by.setdefault(application.target_id, []), payment.txn_id)
            for credit_id, _ in application.credits:
                _add_once(self.credit_used_by.setdefault(credit_id, []), payment.txn_id)

    def unlink_payment(self, payment: Txn) -> None:
        for application in payment.applications:
            _discard(self.paid_by.get(application.target_id), payment.txn_id)
            for credit_id, _ in application.credits:
                _discard(self.credit_used_by.get(credit_id), payment.txn_id)

    def applied_to(self, target_id: str) -> Decimal:
        """Everything applied to an invoice or bill: payments, credits and discounts."""
        total = Decimal(0)
        for payment in self.payments_of(target_id):
            for application in payment.applications:
                if application.target_id == target_id:
                    total += application.total
        return total

    def credit_used(self, credit_id: str) -> Decimal:
        total = Decimal(0)
        for payment in self.credit_users(credit_id):
            for application in payment.applications:
                total += sum((used for cid, used in application.credits if cid == credit_id), Decimal(0))
        return total


def _add_once(ids: list[str], txn_id: str) -> None:
    if txn_id not in ids:
        ids.append(txn_id)


def _discard(ids: list[str] | None, txn_id: str) -> None:
    while ids is not None and txn_id in ids:
        ids.remove(txn_id)
