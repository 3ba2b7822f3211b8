"""Intake of documents: references, status rules, line arithmetic, and the bulk write.

The host controls its documents, but not arithmetic: every line's net and tax is computed
here with the packages' rounding (``money``), and a line that states different figures is
refused rather than stored, so both systems can agree to the cent later.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from ledgerbridge.domain.line_accounts import default_account_setting, missing_default_reason
from ledgerbridge.domain.money import ZERO, inclusive_split, line_net, line_tax, round_money
from ledgerbridge.intake.reference import Known
from ledgerbridge.intake.schemas import Batch, DocumentIn, record_label
from ledgerbridge.intake.store import (
    Problems,
    UpsertPlan,
    delete_where_in,
    insert_rows,
    plan_upsert,
    refuse_duplicates,
    select_in,
    table_of,
    update_rows,
)
from ledgerbridge.store.models.host import SALES_TYPES, Document, DocumentLine, DocumentStatus, DocumentType, Party

LINE_FIELDS = ("item_code", "description", "long_description", "quantity", "unit_price", "discount_percent",
               "nominal_code", "tax_code", "net", "tax", "additional_charge", "kind")
_COPIED_FIELDS = ("number", "issue_date", "due_date", "currency", "exchange_rate", "amounts_tax_inclusive",
                  "order_number", "customer_po", "site_address", "work_order")
_HEADER_FIELDS = ("type", "status", *_COPIED_FIELDS, "net_total", "tax_total", "gross_total")
_REF_FIELDS = ("party_host_id", "sales_order_host_id", "credits_document_host_id", "purchase_order_host_id")
#: Additional charges (freight, duty) are a purchase-side notion (seed 003).
CHARGE_TYPES = {DocumentType.PURCHASE_ORDER, DocumentType.PURCHASE_INVOICE, DocumentType.PURCHASE_CREDIT_NOTE}

#: A credit note credits an invoice of its own side.
CREDITED_TYPE = {DocumentType.SALES_CREDIT_NOTE: DocumentType.SALES_INVOICE,
                 DocumentType.PURCHASE_CREDIT_NOTE: DocumentType.PURCHASE_INVOICE}

DOCUMENTS = table_of(Document)
LINES = table_of(DocumentLine)
_PARTIES = table_of(Party)


def _insert_rank(document_type: str) -> int:
    """Links point from invoices to orders and from credit notes to invoices: insert in that order, so
    every new document's link names an id that already exists."""
    if document_type in CREDITED_TYPE:
        return 2
    return 1 if document_type in CREDITED_TYPE.values() else 0


@dataclass(frozen=True, slots=True)
class DocFacts:
    """What payments and links need to know of a document, as the batch will leave it."""

    type: str
    status: str
    party_host_id: str
    currency: str
    gross_total: Decimal


@dataclass
class DocumentPlans:
    plan: UpsertPlan
    ids: dict[str, int]  # host_id -> id of every stored document the batch touches or names
    facts: dict[str, DocFacts]
    labels: dict[str, str]  # host_id -> record label, for errors raised on behalf of a document


def load_documents(
    session: Session, org: int, host_ids: set[str], with_lines: set[str]
) -> dict[str, dict[str, Any]]:
    """Stored documents by host_id, with their party's and links' host_ids; lines (``LINE_FIELDS`` tuples) for some."""
    so = DOCUMENTS.alias("so")
    cr = DOCUMENTS.alias("cr")
    po = DOCUMENTS.alias("po")

    def documents_query(chunk: Sequence[str]) -> Select[Any]:
        return (
            select(DOCUMENTS, _PARTIES.c.host_id.label("party_host_id"), so.c.host_id.label("sales_order_host_id"),
                   cr.c.host_id.label("credits_document_host_id"), po.c.host_id.label("purchase_order_host_id"))
            .join(_PARTIES, _PARTIES.c.id == DOCUMENTS.c.party_id)
            .outerjoin(so, so.c.id == DOCUMENTS.c.sales_order_id)
            .outerjoin(cr, cr.c.id == DOCUMENTS.c.credits_document_id)
            .outerjoin(po, po.c.id == DOCUMENTS.c.purchase_order_id)
            .where(DOCUMENTS.c.organisation_id == org, DOCUMENTS.c.host_id.in_(chunk))
        )

    def lines_query(chunk: Sequence[int]) -> Select[Any]:
        return (
            select(LINES.c.document_id, *(LINES.c[name] for name in LINE_FIELDS))
            .where(LINES.c.document_id.in_(chunk))
            .order_by(LINES.c.document_id, LINES.c.line_no)
        )

    docs = {row.host_id: dict(row._mapping) for row in select_in(session, documents_query, host_ids)}
    lines: dict[int, list[tuple[Any, ...]]] = {}
    ids = [doc["id"] for host_id, doc in docs.items() if host_id in with_lines]
    for line in select_in(session, lines_query, ids):
        lines.setdefault(line[0], []).append(tuple(line[1:]))
    for doc in docs.values():
        doc["lines"] = tuple(lines.get(doc["id"], ()))
    return docs


def _compute_lines(
    doc: DocumentIn, label: str, rates: Mapping[str, Decimal], problems: Problems
) -> tuple[tuple[tuple[Any, ...], ...], Decimal, Decimal]:
    """Each line's (net, tax) by the packages' rules; stated figures must match to the cent."""
    out = []
    net_total = tax_total = ZERO
    inclusive = doc.amounts_tax_inclusive
    for n, line in enumerate(doc.lines):
        known_rate = rates.get(line.tax_code)
        if known_rate is None:
            problems.add(label, f"lines[{n}].tax_code", f'tax code "{line.tax_code}" is not known')
        rate = ZERO if known_rate is None else known_rate
        amount = line_net(line.quantity, line.unit_price, line.discount_percent)
        if inclusive:
            net, tax = inclusive_split(amount, rate)
            how = f"{rate}% tax inside the tax-inclusive amount {amount}"
        else:
            net, tax = amount, line_tax(amount, rate)
            how = f"{rate}% of the net, rounded per line"
        if line.net is not None and line.net != net:
            problems.add(label, f"lines[{n}].net", f"net {line.net} does not match {net} "
                         "(quantity x unit price less discount, rounded to the cent)")
        if line.tax is not None and line.tax != tax and known_rate is not None:
            problems.add(label, f"lines[{n}].tax", f"tax {line.tax} does not match {tax} ({how})")
        net_total += net
        tax_total += tax
        out.append((line.item_code, line.description, line.long_description, line.quantity, line.unit_price,
                    line.discount_percent, line.nominal_code, line.tax_code, net, tax, line.additional_charge,
                    line.kind.value if line.kind else None))
    return tuple(out), net_total, tax_total


def _check_codes(doc: DocumentIn, label: str, known: Known, problems: Problems) -> None:
    if doc.party_host_id not in known.parties:
        problems.add(label, "party_host_id", f'party "{doc.party_host_id}" is not known')
    for n, line in enumerate(doc.lines):
        if line.nominal_code is None:
            if default_account_setting(doc.type.value, line.kind.value if line.kind else None) is None:
                problems.add(label, f"lines[{n}].nominal_code", missing_default_reason(doc.type.value))
        elif line.nominal_code not in known.nominal_types:
            problems.add(label, f"lines[{n}].nominal_code", f'nominal code "{line.nominal_code}" is not known')
        if line.item_code is not None and line.item_code not in known.item_codes:
            problems.add(label, f"lines[{n}].item_code", f'item code "{line.item_code}" is not known')
        if line.additional_charge and doc.type not in CHARGE_TYPES:
            problems.add(label, f"lines[{n}].additional_charge",
                         f"additional charges are for purchase documents, not a {doc.type}")


def _check_status(doc: DocumentIn, label: str, stored: Mapping[str, Any] | None, problems: Problems) -> None:
    is_sales = doc.type in SALES_TYPES
    if doc.status == DocumentStatus.ISSUED and not is_sales:
        problems.add(label, "status", f'"issued" is for sales documents; a {doc.type} is "posted"')
    if doc.status == DocumentStatus.POSTED and is_sales:
        problems.add(label, "status", f'"posted" is for purchase documents; a {doc.type} is "issued"')
    if stored is None:
        return
    if stored["type"] != doc.type:
        problems.add(label, "type",
                     f"cannot change from {stored['type']} to {doc.type}: void it and send a new document")
    if stored["status"] == DocumentStatus.VOID and doc.status != DocumentStatus.VOID:
        problems.add(label, "status", "the document is void and cannot be un-voided: send a new document instead")
    elif stored["status"] in (DocumentStatus.ISSUED, DocumentStatus.POSTED) and doc.status == DocumentStatus.DRAFT:
        problems.add(label, "status", f"the document is {stored['status']} and cannot go back to draft")


def check_link(problems: Problems, label: str, field: str, host_id: str, facts: Mapping[str, DocFacts], want: str,
               party_host_id: str | None = None, noun: str = "") -> DocFacts | None:
    """The document ``field`` names: known, a ``want`` and (given ``party_host_id``) the same party's, else the
    first of these that fails is said (the ``noun`` names it then: "purchase order"); returned when all hold."""
    target = facts.get(host_id)
    if target is None:
        problems.add(label, field, f'document "{host_id}" is not known')
    elif target.type != want:
        problems.add(label, field, f'document "{host_id}" is a {target.type}, not a {want}')
    elif party_host_id is not None and target.party_host_id != party_host_id:
        problems.add(label, field, f'{noun} "{host_id}" is for party "{target.party_host_id}", not "{party_host_id}"')
    else:
        return target
    return None


def _check_links(doc: DocumentIn, label: str, facts: Mapping[str, DocFacts], problems: Problems) -> None:
    if doc.sales_order_host_id is not None:
        if doc.type != DocumentType.SALES_INVOICE:
            problems.add(label, "sales_order_host_id", "only a sales invoice names the sales order it ships")
        else:
            check_link(problems, label, "sales_order_host_id", doc.sales_order_host_id, facts,
                       DocumentType.SALES_ORDER)
    if doc.purchase_order_host_id is not None:
        if doc.type != DocumentType.PURCHASE_INVOICE:
            problems.add(label, "purchase_order_host_id", "only a purchase invoice names the purchase order it bills")
        else:
            check_link(problems, label, "purchase_order_host_id", doc.purchase_order_host_id, facts,
                       DocumentType.PURCHASE_ORDER, doc.party_host_id, "purchase order")
    if doc.credits_document_host_id is not None:
        credited = doc.credits_document_host_id
        expected = CREDITED_TYPE.get(doc.type)
        if expected is None:
            problems.add(label, "credits_document_host_id", "only a credit note names the invoice it credits")
            return
        target = check_link(problems, label, "credits_document_host_id", credited, facts, expected,
                            doc.party_host_id, "invoice")
        if target is not None and target.currency != doc.currency:
            problems.add(label, "credits_document_host_id",
                         f'invoice "{credited}" is in {target.currency}, not {doc.currency}')


def check_documents(
    session: Session, org: int, batch: Batch, known: Known, referenced: set[str], problems: Problems
) -> DocumentPlans:
    """Validate every document of the batch and plan its write; ``referenced`` are host_ids payments name."""
    in_batch = {d.host_id for d in batch.documents}
    for d in batch.documents:
        referenced.update(x for x in (d.sales_order_host_id, d.credits_document_host_id, d.purchase_order_host_id)
                          if x is not None)
    existing = load_documents(session, org, in_batch | referenced, in_batch)
    labels = [record_label("documents", i, d.host_id) for i, d in enumerate(batch.documents)]
    refuse_duplicates("documents", [d.host_id for d in batch.documents], labels, "host_id", problems)
    label_of = {d.host_id: label for d, label in zip(batch.documents, labels, strict=True)}

    facts = {host_id: DocFacts(row["type"], row["status"], row["party_host_id"], row["currency"],
                               round_money(row["gross_total"])) for host_id, row in existing.items()}
    incoming = []
    for doc, label in zip(batch.documents, labels, strict=True):
        stored = existing.get(doc.host_id)
        _check_codes(doc, label, known, problems)
        _check_status(doc, label, stored, problems)
        lines, net_total, tax_total = _compute_lines(doc, label, known.tax_rates, problems)
        values = {name: getattr(doc, name) for name in _COPIED_FIELDS}
        values.update(type=doc.type.value, status=doc.status.value, net_total=net_total, tax_total=tax_total,
                      gross_total=net_total + tax_total, lines=lines)
        values.update((name, getattr(doc, name)) for name in _REF_FIELDS)
        values["host_id"] = doc.host_id
        incoming.append((doc.host_id, values))
        facts[doc.host_id] = DocFacts(values["type"], values["status"], doc.party_host_id, doc.currency,
                                      values["gross_total"])
    for doc, label in zip(batch.documents, labels, strict=True):
        _check_links(doc, label, facts, problems)

    plan = plan_upsert(existing, incoming)
    for host_id, _row_id, values in plan.updates:
        # Un-voiding was reported above; this is a void document edited while staying void.
        if existing[host_id]["status"] == DocumentStatus.VOID == values["status"]:
            problems.add(label_of[host_id], "status", "the document is void and cannot be changed")
    return DocumentPlans(plan, {host_id: row["id"] for host_id, row in existing.items()}, facts, label_of)


def write_documents(
    session: Session, org: int, plans: DocumentPlans, party_ids: Mapping[str, int], now: datetime
) -> dict[str, int]:
    """Insert new documents (orders, then invoices, then credit notes), rewrite changed ones, replace their lines.

    Returns host_id -> id for every document the batch touches or names.
    """
    ids = dict(plans.ids)

    def row(values: Mapping[str, Any]) -> dict[str, Any]:
        out = {name: values[name] for name in _HEADER_FIELDS}
        out["party_id"] = party_ids[values["party_host_id"]]
        so, cr = values["sales_order_host_id"], values["credits_document_host_id"]
        out["sales_order_id"] = ids[so] if so is not None else None
        out["credits_document_id"] = ids[cr] if cr is not None else None
        po = values["purchase_order_host_id"]
        out["purchase_order_id"] = ids[po] if po is not None else None
        return out

    for rank in range(3):
        group = [
            {**row(values), "host_id": key, "organisation_id": org, "version": 1, "updated_at": now}
            for key, values in plans.plan.inserts
            if _insert_rank(values["type"]) == rank
        ]
        ids.update(insert_rows(session, DOCUMENTS, group, "host_id"))

    updates = plans.plan.updates
    update_rows(session, DOCUMENTS, [{**row(values), "b_id": row_id} for _key, row_id, values in updates], now)
    delete_where_in(session, LINES, "document_id", [row_id for _key, row_id, _values in updates])
    lines = [
        {"document_id": ids[key], "line_no": n, **dict(zip(LINE_FIELDS, line, strict=True))}
        for key, values in [*plans.plan.inserts, *((key, values) for key, _id, values in updates)]
        for n, line in enumerate(values["lines"], start=1)
    ]
    insert_rows(session, LINES, lines)
    return ids
