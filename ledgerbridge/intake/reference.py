"""Intake of the records documents and payments point at: codes, parties, items.

Each kind is checked against the batch and the database, planned (created / changed /
unchanged) and, once the whole batch is known to be valid, written. ``Known`` is what
later records may refer to: the database as it will be once the batch is applied.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Table, select
from sqlalchemy.orm import Session

from ledgerbridge.intake.schemas import KIND_KEYS, Batch, record_label
from ledgerbridge.intake.store import (
    Problems,
    UpsertPlan,
    plain,
    plan_upsert,
    refuse_duplicates,
    select_in,
    table_of,
    write_plan,
)
from ledgerbridge.store.models.host import Item, NominalCode, NominalType, Party, PaymentMethod, TaxCode

NOMINAL_CODES = table_of(NominalCode)
TAX_CODES = table_of(TaxCode)
PAYMENT_METHODS = table_of(PaymentMethod)
PARTIES = table_of(Party)
ITEMS = table_of(Item)


@dataclass
class Known:
    """What references in the batch may name, as the batch will leave the database."""

    nominal_types: dict[str, str] = field(default_factory=dict)
    tax_rates: dict[str, Decimal] = field(default_factory=dict)
    payment_methods: set[str] = field(default_factory=set)
    #: party host_id -> whether it is an account customer (R-PAY1)
    parties: dict[str, bool] = field(default_factory=dict)
    item_codes: set[str] = field(default_factory=set)


@dataclass
class ReferencePlans:
    nominal_codes: UpsertPlan
    tax_codes: UpsertPlan
    payment_methods: UpsertPlan
    parties: UpsertPlan
    items: UpsertPlan
    party_ids: dict[str, int]  # host_id -> id of the parties already stored


def _labels(batch: Batch, kind: str) -> list[str]:
    return [record_label(kind, i, getattr(r, KIND_KEYS[kind])) for i, r in enumerate(getattr(batch, kind))]


def _all_rows(session: Session, table: Table, organisation_id: int) -> dict[str, dict[str, Any]]:
    rows = session.execute(select(table).where(table.c.organisation_id == organisation_id))
    return {row.code: dict(row._mapping) for row in rows}


def check_references(
    session: Session, organisation_id: int, batch: Batch, problems: Problems
) -> tuple[Known, ReferencePlans]:
    """Check and plan codes, parties and items; ``Known`` is what documents and payments may then name."""
    known = Known()
    nominal_plan = _check_nominal_codes(session, organisation_id, batch, known, problems)
    tax_plan = _check_tax_codes(session, organisation_id, batch, known, problems)
    method_plan = _check_payment_methods(session, organisation_id, batch, known, problems)
    party_plan, party_ids = _check_parties(session, organisation_id, batch, known, problems)
    item_plan = _check_items(session, organisation_id, batch, known, problems)
    return known, ReferencePlans(nominal_plan, tax_plan, method_plan, party_plan, item_plan, party_ids)


def _check_nominal_codes(session: Session, org: int, batch: Batch, known: Known, problems: Problems) -> UpsertPlan:
    existing = _all_rows(session, NOMINAL_CODES, org)
    labels = _labels(batch, "nominal_codes")
    refuse_duplicates("nominal_codes", [r.code for r in batch.nominal_codes], labels, "code", problems)
    incoming = [(r.code, {"code": r.code, "name": r.name, "type": r.type.value}) for r in batch.nominal_codes]
    known.nominal_types = {code: row["type"] for code, row in existing.items()}
    known.nominal_types.update((code, values["type"]) for code, values in incoming)
    return plan_upsert(existing, incoming)


def _check_tax_codes(session: Session, org: int, batch: Batch, known: Known, problems: Problems) -> UpsertPlan:
    existing = _all_rows(session, TAX_CODES, org)
    labels = _labels(batch, "tax_codes")
    refuse_duplicates("tax_codes", [r.code for r in batch.tax_codes], labels, "code", problems)
    incoming: list[tuple[str, dict[str, Any]]] = [
        (r.code, {"code": r.code, "name": r.name, "rate": r.rate}) for r in batch.tax_codes
    ]
    known.tax_rates = {code: plain(row["rate"]) for code, row in existing.items()}
    known.tax_rates.update((r.code, r.rate) for r in batch.tax_codes)
    return plan_upsert(existing, incoming)


def check_bank_nominal(known: Known, code: str, label: str, field_name: str, problems: Problems) -> None:
    nominal_type = known.nominal_types.get(code)
    if nominal_type is None:
        problems.add(label, field_name, f'nominal code "{code}" is not known')
    elif nominal_type != NominalType.BANK:
        problems.add(label, field_name, f'nominal code "{code}" is a {nominal_type} nominal, not a bank nominal')


def _check_payment_methods(session: Session, org: int, batch: Batch, known: Known, problems: Problems) -> UpsertPlan:
    existing = _all_rows(session, PAYMENT_METHODS, org)
    labels = _labels(batch, "payment_methods")
    refuse_duplicates("payment_methods", [r.code for r in batch.payment_methods], labels, "code", problems)
    for record, label in zip(batch.payment_methods, labels, strict=True):
        if record.bank_nominal is not None:
            check_bank_nominal(known, record.bank_nominal, label, "bank_nominal", problems)
    incoming = [
        (r.code, {"code": r.code, "name": r.name, "bank_nominal": r.bank_nominal, "card": r.card})
        for r in batch.payment_methods
    ]
    known.payment_methods = set(existing) | {r.code for r in batch.payment_methods}
    return plan_upsert(existing, incoming)


def _rows_by_host_id(session: Session, table: Table, org: int, host_ids: set[str]) -> dict[str, dict[str, Any]]:
    rows = select_in(
        session,
        lambda chunk: select(table).where(table.c.organisation_id == org, table.c.host_id.in_(chunk)),
        host_ids,
    )
    return {row.host_id: dict(row._mapping) for row in rows}


_PARTY_FIELDS = ("host_id", "code", "name", "is_customer", "is_supplier", "email", "tax_number", "currency",
                 "payment_terms_days", "account_customer")


def _check_parties(
    session: Session, org: int, batch: Batch, known: Known, problems: Problems
) -> tuple[UpsertPlan, dict[str, int]]:
    referenced = {d.party_host_id for d in batch.documents} | {p.party_host_id for p in batch.payments}
    existing = _rows_by_host_id(session, PARTIES, org, referenced | {r.host_id for r in batch.parties})
    labels = _labels(batch, "parties")
    refuse_duplicates("parties", [r.host_id for r in batch.parties], labels, "host_id", problems)
    incoming = []
    for record in batch.parties:
        values = {name: getattr(record, name) for name in _PARTY_FIELDS}
        values["addresses"] = [a.model_dump(exclude_none=True) for a in record.addresses]
        incoming.append((record.host_id, values))
    known.parties = {host_id: row["account_customer"] for host_id, row in existing.items()}
    known.parties.update((r.host_id, r.account_customer) for r in batch.parties)
    party_ids = {host_id: row["id"] for host_id, row in existing.items()}
    return plan_upsert(existing, incoming), party_ids


_ITEM_FIELDS = ("host_id", "code", "name", "description", "sales_nominal", "purchase_nominal", "tax_code", "unit_price")


def _check_items(session: Session, org: int, batch: Batch, known: Known, problems: Problems) -> UpsertPlan:
    labels = _labels(batch, "items")
    refuse_duplicates("items", [r.host_id for r in batch.items], labels, "host_id", problems)
    existing = _rows_by_host_id(session, ITEMS, org, {r.host_id for r in batch.items})
    line_codes = {line.item_code for d in batch.documents for line in d.lines if line.item_code is not None}
    by_code = select_in(
        session,
        lambda chunk: select(ITEMS.c.host_id, ITEMS.c.code)
        .where(ITEMS.c.organisation_id == org, ITEMS.c.code.in_(chunk)),
        line_codes | {r.code for r in batch.items},
    )
    batch_host_ids = {r.host_id for r in batch.items}
    # An item the batch re-codes no longer answers to its old code.
    owners = {row.code: row.host_id for row in by_code if row.host_id not in batch_host_ids}
    for record, label in zip(batch.items, labels, strict=True):
        owner = owners.setdefault(record.code, record.host_id)
        if owner != record.host_id:
            problems.add(label, "code", f'item code "{record.code}" is already used by item "{owner}"')
        for name in ("sales_nominal", "purchase_nominal"):
            code = getattr(record, name)
            if code is not None and code not in known.nominal_types:
                problems.add(label, name, f'nominal code "{code}" is not known')
        if record.tax_code is not None and record.tax_code not in known.tax_rates:
            problems.add(label, "tax_code", f'tax code "{record.tax_code}" is not known')
    known.item_codes = set(owners)
    incoming = [(r.host_id, {name: getattr(r, name) for name in _ITEM_FIELDS}) for r in batch.items]
    return plan_upsert(existing, incoming)


def write_references(session: Session, org: int, plans: ReferencePlans, now: datetime) -> dict[str, int]:
    """Write codes, parties and items; returns host_id -> id for every party the batch may name."""
    write_plan(session, NOMINAL_CODES, org, "code", plans.nominal_codes, now)
    write_plan(session, TAX_CODES, org, "code", plans.tax_codes, now)
    write_plan(session, PAYMENT_METHODS, org, "code", plans.payment_methods, now)
    party_ids = dict(plans.party_ids)
    party_ids.update(write_plan(session, PARTIES, org, "host_id", plans.parties, now))
    write_plan(session, ITEMS, org, "host_id", plans.items, now)
    return party_ids
