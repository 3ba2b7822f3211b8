"""Xero's side of money after invoices: prepayments out, allocations both ways, credits in (issue 5).

Kept out of ``xero.connector`` (documents) because Xero models these differently: a
prepayment has no PUT of its own, it is born of a ``RECEIVE-PREPAYMENT`` bank
transaction (developer.xero.com/documentation/api/prepayments); credit is applied with
``PUT /{Prepayments|Overpayments|CreditNotes}/{id}/Allocations``; and settlements by
credit are not Payments, so the import reads ``/Prepayments`` and ``/Overpayments`` too.
Every function takes the connector's ``call`` so HTTP, budget and retries stay the client's.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any

from ledgerbridge.connectors.protocol import (
    AllocationExport,
    ConnectorCallFailed,
    ExportContext,
    ExportOutcome,
    PaymentExport,
    RemoteAllocation,
    RemoteCredit,
    RemotePayment,
)
from ledgerbridge.packages.xero.errors import explain
from ledgerbridge.packages.xero.limits import BATCH_SIZE, MAX_IDS, READ_PAGE
from ledgerbridge.packages.xero.msdate import parse_xero_date, parse_xero_datetime
from ledgerbridge.packages.xero.query_chunks import fitting_chunks, ids_where

Call = Callable[..., dict[str, Any]]
Pages = Callable[[str, str, dict[str, Any], datetime | None], Iterator[list[dict[str, Any]]]]

COLLECTIONS = {"prepayment": ("Prepayments", "PrepaymentID"), "overpayment": ("Overpayments", "OverpaymentID"),
               "credit_note": ("CreditNotes", "CreditNoteID")}
BANK_TYPES = {("prepayment", "in"): "RECEIVE-PREPAYMENT", ("prepayment", "out"): "SPEND-PREPAYMENT"}
DEAD = ("VOIDED", "DELETED")
PAGE_SIZE = READ_PAGE  # a chunk of ids never fills a page: one call each


def _dec(value: Any) -> Decimal:
    return Decimal(str(value)) if value is not None else Decimal(0)


def _failure(key: int, element: dict[str, Any], fallback: str) -> ExportOutcome:
    message = "; ".join(e.get("Message", "") for e in element.get("ValidationErrors") or []) or fallback
    failure_type, hint = explain(message)
    return ExportOutcome(key, False, message=message, hint=hint, failure_type=failure_type,
                         raw_response=json.dumps(element, default=str))


def _has_errors(element: dict[str, Any]) -> bool:
    return bool(element.get("HasErrors") or element.get("HasValidationErrors") or element.get("ValidationErrors"))


def reference(item: PaymentExport) -> str:
    """The bank transaction's reference: the host's own, with the host id so a lost answer can be found again."""
    return f"{item.reference} [{item.host_id}]" if item.reference else item.host_id


def host_id_in_reference(ref: str | None) -> str | None:
    """The host id in a reference :func:`reference` wrote ("... [host id]", or the host id alone)."""
    if not ref or not ref.strip():
        return None
    ref = ref.strip()
    if ref.endswith("]") and "[" in ref:
        return ref[ref.rindex("[") + 1:-1]
    return ref


def bank_transaction(item: PaymentExport) -> dict[str, Any]:
    # NoTax: the tax is on the invoices the prepayment is later allocated to, so it is not counted twice.
    return {"Type": BANK_TYPES[(item.kind, item.direction)], "Contact": {"ContactID": item.party_external_id},
            "BankAccount": {"Code": item.bank_account_code}, "Date": item.payment_date.isoformat(),
            "Reference": reference(item), "CurrencyCode": item.currency, "LineAmountTypes": "NoTax",
            "LineItems": [{"Description": f"Prepayment {reference(item)}", "Quantity": 1,
                           "UnitAmount": item.amount, "AccountCode": item.account_code}]}


def payment_body(item: PaymentExport) -> dict[str, Any]:
    return {"Invoice": {"InvoiceID": item.document_external_id}, "Account": {"Code": item.bank_account_code},
            "Date": item.payment_date.isoformat(), "Amount": item.amount, "Reference": reference(item)}


def export_payments(call: Call, items: Sequence[PaymentExport], ctx: ExportContext,
                    batch_key: str) -> list[ExportOutcome]:
    out: dict[int, ExportOutcome] = {}
    prepayments = [it for it in items if it.kind == "prepayment"]
    payments = [it for it in items if it.kind != "prepayment"]
    for start in range(0, len(prepayments), BATCH_SIZE):  # 50 elements a write, as for documents
        part = prepayments[start : start + BATCH_SIZE]
        data = call("PUT", "/BankTransactions", params={"summarizeErrors": "false"},
                    body={"BankTransactions": [bank_transaction(it) for it in part]},
                    key=f"{batch_key}-p" + (f"{start // BATCH_SIZE}" if start else ""), purpose="export prepayments")
        for it, element in zip(part, data.get("BankTransactions", []), strict=False):
            if _has_errors(element) or not element.get("PrepaymentID"):
                out[it.sync_record_id] = _failure(it.sync_record_id, element, "Xero did not return the prepayment")
            else:
                out[it.sync_record_id] = ExportOutcome(it.sync_record_id, True, external_id=element["PrepaymentID"],
                                                       external_number=element.get("BankTransactionID"),
                                                       total=_dec(element.get("Total")))
    for start in range(0, len(payments), BATCH_SIZE):
        part = payments[start : start + BATCH_SIZE]
        data = call("PUT", "/Payments", params={"summarizeErrors": "false"},
                    body={"Payments": [payment_body(it) for it in part]},
                    key=f"{batch_key}-i" + (f"{start // BATCH_SIZE}" if start else ""), purpose="export payments")
        for it, element in zip(part, data.get("Payments", []), strict=False):
            if _has_errors(element) or not element.get("PaymentID"):
                out[it.sync_record_id] = _failure(it.sync_record_id, element, "Xero did not return the payment")
            else:
                out[it.sync_record_id] = ExportOutcome(it.sync_record_id, True, external_id=element["PaymentID"],
                                                       total=_dec(element.get("Amount")))
    return [out.get(it.sync_record_id) or ExportOutcome(it.sync_record_id, False, failure_type="system",
                                                        message="Xero did not return this payment") for it in items]


def find_existing_payments(call: Call, items: Sequence[PaymentExport]) -> dict[int, str]:
    """A prepayment by its reference, contact, type and total; a payment by its reference, invoice and amount."""
    found: dict[int, str] = {}
    for it in items:
        where = f'Reference=="{reference(it)}"'
        if it.kind == "prepayment":
            rows = call("GET", "/BankTransactions", params={"where": where, "page": 1},
                        purpose="look up prepayments").get("BankTransactions", [])
            for tx in rows:
                if (tx.get("Type") == BANK_TYPES[(it.kind, it.direction)] and tx.get("PrepaymentID")
                        and (tx.get("Contact") or {}).get("ContactID") == it.party_external_id
                        and _dec(tx.get("Total")) == it.amount and tx.get("Status") not in DEAD):
                    found[it.sync_record_id] = tx["PrepaymentID"]
                    break
        else:
            rows = call("GET", "/Payments", params={"where": where}, purpose="look up payments").get("Payments", [])
            for pay in rows:
                if ((pay.get("Invoice") or {}).get("InvoiceID") == it.document_external_id
                        and _dec(pay.get("Amount")) == it.amount and pay.get("Status") != "DELETED"):
                    found[it.sync_record_id] = pay["PaymentID"]
                    break
    return found


def export_allocations(call: Call, items: Sequence[AllocationExport], batch_key: str) -> dict[str, ExportOutcome]:
    """One call per credit (Xero's path names the credit), each element's outcome kept apart; a call that fails
    fails its own credit's allocations only (the caller reads a credit before it allocates again)."""
    out: dict[str, ExportOutcome] = {}
    by_source: dict[tuple[str, str], list[AllocationExport]] = {}
    for it in items:
        by_source.setdefault((it.source_kind, it.source_external_id), []).append(it)
    for n, ((kind, source_id), group) in enumerate(by_source.items()):
        collection, _ = COLLECTIONS[kind]
        body = {"Allocations": [{"Invoice": {"InvoiceID": it.invoice_external_id}, "Amount": it.amount,
                                 "Date": it.allocation_date.isoformat()} for it in group]}
        try:
            data = call("PUT", f"/{collection}/{source_id}/Allocations", params={"summarizeErrors": "false"},
                        body=body, key=f"{batch_key}-{n}", purpose="allocate credit")
        except ConnectorCallFailed as failure:
            out.update({it.key: ExportOutcome(0, False, message=failure.message, failure_type=failure.failure_type,
                                              raw_response=failure.raw_response) for it in group})
            continue
        for it, element in zip(group, data.get("Allocations", []), strict=False):
            out[it.key] = (_failure(0, element, "Xero refused the allocation") if _has_errors(element)
                           else ExportOutcome(0, True, external_id=element.get("AllocationID"),
                                              total=_dec(element.get("Amount"))))
    return out


def _allocations(kind: str, source_id: str, rows: list[dict[str, Any]]) -> tuple[RemoteAllocation, ...]:
    return tuple(RemoteAllocation(kind, source_id, (a.get("Invoice") or {}).get("InvoiceID", ""), _dec(a.get("Amount")),
                                  parse_xero_date(a["Date"]) if a.get("Date") else None, a.get("AllocationID"))
                 for a in rows if not a.get("IsDeleted"))


def _credit(kind: str, row: dict[str, Any]) -> RemoteCredit:
    _, id_field = COLLECTIONS[kind]
    return RemoteCredit(row[id_field], _dec(row.get("Total")), _dec(row.get("RemainingCredit")), row.get("Status", ""),
                        _allocations(kind, row[id_field], row.get("Allocations") or []), kind,
                        parse_xero_datetime(row["UpdatedDateUTC"]) if row.get("UpdatedDateUTC") else None)


def _ids_query(id_field: str, ids: Sequence[str]) -> dict[str, Any]:
    return {"where": ids_where(id_field, ids), "page": 1, "pageSize": PAGE_SIZE}


def read_credits(call: Call, kind: str, external_ids: Sequence[str]) -> dict[str, RemoteCredit]:
    """The credits' lists take no ``IDs``: a ``where`` of their ids, as many a call as the query string holds
    (never a GET each: 60 calls a minute)."""
    collection, id_field = COLLECTIONS[kind]
    out: dict[str, RemoteCredit] = {}
    ids = list(dict.fromkeys(external_ids))
    for chunk in fitting_chunks(ids, lambda part: _ids_query(id_field, part), MAX_IDS):
        for row in call("GET", f"/{collection}", params=_ids_query(id_field, chunk),
                        purpose="read back credits").get(collection, []):
            out[str(row[id_field])] = _credit(kind, row)
    return out


# Which way the money went: a refund of a customer's credit goes out, a supplier's refund comes in.
MONEY_OUT = {"ACCPAYPAYMENT", "ARCREDITPAYMENT", "ARPREPAYMENTPAYMENT", "AROVERPAYMENTPAYMENT"}


def payment_from_xero(raw: dict[str, Any]) -> RemotePayment:
    """A Xero Payment: it settles an invoice or bill, or refunds a credit note, prepayment or overpayment."""
    target = raw.get("Invoice") or raw.get("CreditNote") or {}
    credit = raw.get("Prepayment") or raw.get("Overpayment") or {}
    contact = target.get("Contact") or credit.get("Contact") or {}
    ptype = raw.get("PaymentType", "ACCRECPAYMENT")
    return RemotePayment(
        external_id=raw["PaymentID"], payment_type=ptype, direction="out" if ptype in MONEY_OUT else "in",
        payment_date=parse_xero_date(raw["Date"]), amount=_dec(raw.get("Amount")),
        currency=target.get("CurrencyCode") or credit.get("CurrencyCode") or "GBP", reference=raw.get("Reference"),
        document_external_id=target.get("InvoiceID") or target.get("CreditNoteID"),
        document_number=target.get("InvoiceNumber") or target.get("CreditNoteNumber"),
        party_external_id=contact.get("ContactID"), party_name=contact.get("Name"),
        bank_account_code=(raw.get("Account") or {}).get("Code"), deleted=raw.get("Status") == "DELETED",
        updated_at=parse_xero_datetime(raw["UpdatedDateUTC"]),
        raw={**raw, "refunds_credit": bool(credit)})


def credits_as_payments(pages: Pages, since: datetime | None) -> Iterator[RemotePayment]:
    """Prepayments and overpayments made in Xero: money received or paid with no invoice (yet)."""
    for kind, (collection, id_field) in COLLECTIONS.items():
        if kind == "credit_note":
            continue
        for page in pages(f"/{collection}", collection, {}, since):
            for raw in page:
                contact = raw.get("Contact") or {}
                ptype = str(raw.get("Type", ""))
                yield RemotePayment(
                    external_id=raw[id_field], payment_type=ptype,
                    direction="out" if ptype.startswith(("SPEND", "AP")) else "in",
                    payment_date=parse_xero_date(raw["Date"]), amount=_dec(raw.get("Total")),
                    currency=raw.get("CurrencyCode") or "GBP", reference=raw.get("Reference"),
                    document_external_id=None, document_number=None, party_external_id=contact.get("ContactID"),
                    party_name=contact.get("Name"), bank_account_code=None, deleted=raw.get("Status") in DEAD,
                    updated_at=parse_xero_datetime(raw["UpdatedDateUTC"]), raw={"Type": ptype, "on_account": True})


def fetch_allocations(pages: Pages, since: datetime | None) -> Iterator[RemoteCredit]:
    for kind, (collection, _) in COLLECTIONS.items():
        for page in pages(f"/{collection}", collection, {}, since):
            for raw in page:
                if kind != "credit_note" or raw.get("Type") in ("ACCRECCREDIT", "ACCPAYCREDIT"):
                    yield _credit(kind, raw)
