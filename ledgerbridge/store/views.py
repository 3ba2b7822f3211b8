"""Plain, immutable views of host records, loaded in bulk for the sync flows.

Mappers and pre-check rules are pure functions over these views: no ORM objects,
no session, no I/O. Loading goes through SQLAlchemy Core in chunks because the
export path handles tens of thousands of documents and ORM identity-map overhead
would dominate it.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection as DbConnection
from sqlalchemy import select
from sqlalchemy.orm import InstrumentedAttribute, Session, aliased

from ledgerbridge.domain.line_accounts import default_account_setting, setting_key
from ledgerbridge.store.models.host import Document, DocumentLine, Item, NominalCode, Party

CHUNK = 500


@dataclass(frozen=True, slots=True)
class PartyView:
    id: int
    host_id: str
    code: str
    name: str
    is_customer: bool
    is_supplier: bool
    email: str | None
    tax_number: str | None
    currency: str | None
    payment_terms_days: int | None
    addresses: list[dict[str, Any]]
    version: int


@dataclass(frozen=True, slots=True)
class ItemView:
    id: int
    host_id: str
    code: str
    name: str
    description: str | None
    sales_nominal: str | None
    purchase_nominal: str | None
    tax_code: str | None
    unit_price: Decimal | None
    version: int


@dataclass(frozen=True, slots=True)
class LineView:
    line_no: int
    item_code: str | None
    description: str
    long_description: str | None
    quantity: Decimal
    unit_price: Decimal
    discount_percent: Decimal
    #: The host's nominal code; for a line without one, the key of the account setting its kind and document type
    #: take (``domain.line_accounts.setting_key``), which the export context maps to that setting's account.
    nominal_code: str
    tax_code: str
    net: Decimal
    tax: Decimal


@dataclass(frozen=True, slots=True)
class DocumentView:
    id: int
    host_id: str
    type: str
    number: str
    status: str
    issue_date: date
    due_date: date | None
    party_id: int
    currency: str
    exchange_rate: Decimal | None
    amounts_tax_inclusive: bool
    order_number: str | None
    customer_po: str | None
    site_address: str | None
    work_order: str | None
    sales_order_id: int | None
    credits_document_id: int | None
    net_total: Decimal
    tax_total: Decimal
    gross_total: Decimal
    version: int
    lines: tuple[LineView, ...] = field(default=())
    #: A purchase invoice's order (``purchase_order_host_id``): that purchase order's own number, the PO number.
    purchase_order_number: str | None = None

    def label(self) -> str:
        """How a person names this document in messages: 'sales invoice INV-1001'."""
        return f"{self.type.replace('_', ' ')} {self.number}"


def _chunks(ids: Sequence[int]) -> Iterable[Sequence[int]]:
    for start in range(0, len(ids), CHUNK):
        yield ids[start : start + CHUNK]


def load_parties(session: Session, ids: Iterable[int]) -> dict[int, PartyView]:
    # The loaders' column lists are in their views' field order (``View(*row)``), typed as ``Any`` columns on
    # purpose: ``select`` types ten columns at most, and a mixed list would be read as ``object`` columns.
    wanted = sorted(set(ids))
    out: dict[int, PartyView] = {}
    cols: list[InstrumentedAttribute[Any]] = [
        Party.id, Party.host_id, Party.code, Party.name, Party.is_customer, Party.is_supplier, Party.email,
        Party.tax_number, Party.currency, Party.payment_terms_days, Party.addresses, Party.version]
    for chunk in _chunks(wanted):
        for row in session.execute(select(*cols).where(Party.id.in_(chunk))):
            out[row.id] = PartyView(*row)
    return out


def load_items(session: Session, ids: Iterable[int]) -> dict[int, ItemView]:
    wanted = sorted(set(ids))
    out: dict[int, ItemView] = {}
    cols: list[InstrumentedAttribute[Any]] = [
        Item.id, Item.host_id, Item.code, Item.name, Item.description, Item.sales_nominal, Item.purchase_nominal,
        Item.tax_code, Item.unit_price, Item.version]
    for chunk in _chunks(wanted):
        for row in session.execute(select(*cols).where(Item.id.in_(chunk))):
            out[row.id] = ItemView(*row)
    return out


def load_documents(session: Session, ids: Iterable[int]) -> dict[int, DocumentView]:
    wanted = sorted(set(ids))
    out: dict[int, DocumentView] = {}
    doc_cols: list[InstrumentedAttribute[Any]] = [
        Document.id, Document.host_id, Document.type, Document.number, Document.status, Document.issue_date,
        Document.due_date, Document.party_id, Document.currency, Document.exchange_rate,
        Document.amounts_tax_inclusive, Document.order_number, Document.customer_po, Document.site_address,
        Document.work_order, Document.sales_order_id, Document.credits_document_id, Document.net_total,
        Document.tax_total, Document.gross_total, Document.version]
    line_cols: list[InstrumentedAttribute[Any]] = [
        DocumentLine.document_id, DocumentLine.line_no, DocumentLine.item_code, DocumentLine.description,
        DocumentLine.long_description, DocumentLine.quantity, DocumentLine.unit_price,
        DocumentLine.discount_percent, DocumentLine.nominal_code, DocumentLine.tax_code,
        DocumentLine.net, DocumentLine.tax, DocumentLine.kind]
    # On the session's connection (Core rows): the ORM's result layer cost as much again as the rows themselves
    # for 50,000 lines, loaded twice by every pre-check and upload. Pending changes are flushed first, as the
    # session's own ``execute`` would do.
    if session.autoflush:
        session.flush()
    connection = session.connection()
    for chunk in _chunks(wanted):
        lines: dict[int, list[LineView]] = defaultdict(list)
        kinds: dict[int, dict[int, str | None]] = defaultdict(dict)
        for row in connection.execute(
            select(*line_cols).where(DocumentLine.document_id.in_(chunk)).order_by(
                DocumentLine.document_id, DocumentLine.line_no)
        ):
            lines[row[0]].append(LineView(*row[1:-1]))
            if row.nominal_code is None:  # no nominal of its own: its kind's account setting (R-C4)
                kinds[row[0]][row.line_no] = row.kind
        orders = _purchase_order_numbers(connection, chunk)
        for row in connection.execute(select(*doc_cols).where(Document.id.in_(chunk))):
            own = lines.get(row.id, [])
            if row.id in kinds:
                own = [_with_setting_key(line, row.type, kinds[row.id]) for line in own]
            # mypy cannot count an untyped row's columns, so it thinks one may fill ``lines`` (doc_cols stop short)
            out[row.id] = DocumentView(*row, lines=tuple(own),  # type: ignore[misc]
                                       purchase_order_number=orders.get(row.id))
    return out


def _with_setting_key(line: LineView, document_type: str, kinds: dict[int, str | None]) -> LineView:
    if line.line_no not in kinds:
        return line
    setting = default_account_setting(document_type, kinds[line.line_no])
    return replace(line, nominal_code=setting_key(setting) if setting else "")


def _purchase_order_numbers(connection: DbConnection, chunk: Sequence[int]) -> dict[int, str]:
    """The number of the purchase order each purchase invoice of ``chunk`` names (most documents name none: the
    join finds nothing for them, through the index on ``purchase_order_id``)."""
    order = aliased(Document)
    rows = connection.execute(select(Document.id, order.number).join(order, order.id == Document.purchase_order_id)
                              .where(Document.id.in_(chunk), Document.purchase_order_id.is_not(None)))
    return {row[0]: row[1] for row in rows}


def load_item_ids(session: Session, organisation_id: int) -> dict[str, int]:
    """Item code -> id for the organisation (lines name items by code)."""
    return dict(session.execute(select(Item.code, Item.id).where(Item.organisation_id == organisation_id)).all())


def load_nominal_types(session: Session, organisation_id: int) -> dict[str, str]:
    rows = session.execute(
        select(NominalCode.code, NominalCode.type).where(NominalCode.organisation_id == organisation_id)
    )
    return {code: kind for code, kind in rows}
