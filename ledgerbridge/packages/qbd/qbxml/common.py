"""Aggregates several requests share: an address block and a credit applied to an invoice (``SetCredit``)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from ledgerbridge.packages.qbd.qbxml.nodes import Node, TxnRef
from ledgerbridge.packages.qbd.qbxml.values import QbxmlValueError

__all__ = ["Address", "SetCredit", "write_address", "write_set_credit"]


@dataclass(frozen=True, slots=True)
class Address:
    """``BillAddress``/``ShipAddress``/``VendorAddress``: five lines of 41, city 31, state 21, postcode 13."""

    addr1: str | None = None
    addr2: str | None = None
    addr3: str | None = None
    addr4: str | None = None
    addr5: str | None = None
    city: str | None = None
    state: str | None = None
    postal_code: str | None = None
    country: str | None = None
    note: str | None = None


def write_address(node: Node, tag: str, address: Address | None) -> None:
    if address is None:
        return
    block = node.child(tag)
    for n, line in enumerate((address.addr1, address.addr2, address.addr3, address.addr4, address.addr5), 1):
        block.text(f"Addr{n}", line, 41)
    block.text("City", address.city, 31)
    block.text("State", address.state, 21)
    block.text("PostalCode", address.postal_code, 13)
    block.text("Country", address.country, 31)
    block.text("Note", address.note, 41)


@dataclass(frozen=True, slots=True)
class SetCredit:
    """Credit spent on the invoice a payment (or an invoice's own ``SetCredit``) applies to: a credit memo, or an
    earlier payment's unused amount (a prepayment), by TxnID or by the macro of an Add in the same message."""

    credit: TxnRef
    applied_amount: Decimal
    txn_line_id: str | None = None
    override: bool | None = None

    def __post_init__(self) -> None:
        if self.applied_amount <= 0:
            raise QbxmlValueError("SetCredit/AppliedAmount", f"{self.applied_amount} must be more than zero")


def write_set_credit(node: Node, credit: SetCredit, index: int) -> None:
    block = node.child("SetCredit", index)
    block.txn("CreditTxnID", credit.credit)
    block.ident("TxnLineID", credit.txn_line_id)
    block.amount("AppliedAmount", credit.applied_amount)
    block.flag("Override", credit.override)
