"""Credit notes on QuickBooks Desktop: credit memos (sales) and vendor credits (purchases) as they stand, applied
to invoices and bills (allocation sync, R-X1), and read back with every application.

QuickBooks Desktop applies a credit only inside a payment: a credit memo in a ``ReceivePayment`` of nothing whose
``AppliedToTxnAdd`` names the invoice and spends the memo with ``SetCredit``; a vendor credit the same way in a
``BillPaymentCheck`` (Pay Bills with "Set Credits"). The engine names both "credit_note" and knows only TxnIDs,
which in QuickBooks do not say their type; so a read asks for the TxnIDs as credit memos and as vendor credits in
one exchange (a query by TxnID answers those it has, status 500 naming one it has not), and remembers which was
which, so that applying them afterwards (the engine reads before it writes) costs no further exchange.

A credit's applications are on its links: the invoice or bill where QuickBooks names it, else the payments that
spent it, read for every credit at once (one exchange) and their ``SetCredit``s taken.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import select

from ledgerbridge.connectors.protocol import AllocationExport, ExportOutcome, RemoteAllocation, RemoteCredit
from ledgerbridge.packages.qbd.mapper import MappingError
from ledgerbridge.packages.qbd.payment_mapper import allocation_request, vendor_credit_request
from ledgerbridge.packages.qbd.qbxml.nodes import Element
from ledgerbridge.packages.qbd.qbxml.rets import PaymentRecord, TxnRecord, read_payment, read_txn
from ledgerbridge.packages.qbd.qbxml.txn_queries import TxnFilter, by_txn_ids, changed_since, txn_query
from ledgerbridge.packages.qbd.qbxml.values import Ref
from ledgerbridge.packages.qbd.readers import credit_allocations, remote_credit, write_outcome
from ledgerbridge.store.db import session_scope
from ledgerbridge.store.models.sync import ChartEntry

if TYPE_CHECKING:
    from ledgerbridge.packages.qbd.connector import QbdConnector

__all__ = ["HeldCredit", "apply_credits", "fetch_credit_notes", "payments_by_ids", "read_credit_notes"]

#: A credit's kind -> (what it is applied to, the payments that apply it).
APPLIED_BY = {"CreditMemo": ("Invoice", ("ReceivePayment",)),
              "VendorCredit": ("Bill", ("BillPaymentCheck", "BillPaymentCreditCard"))}
CREDIT_KINDS = tuple(APPLIED_BY)
BANK = "Bank"  # QuickBooks' AccountType of a bank account (the chart keeps it as the entry's category)


@dataclass(frozen=True, slots=True)
class HeldCredit:
    """What applying a credit needs of it: its kind (the payment that applies it) and its party (the payee)."""

    kind: str  # CreditMemo | VendorCredit
    party_id: str | None


def payments_by_ids(conn: QbdConnector, wanted: Mapping[str, Iterable[str]], purpose: str) -> dict[str, PaymentRecord]:
    """Payments of several kinds by TxnID (payment kind -> TxnIDs), in one exchange."""
    requests: list[Element] = []
    for kind, txn_ids in wanted.items():
        ids = sorted(set(txn_ids))
        if ids:
            requests.append(by_txn_ids(kind, ids, request_id=conn.calls.request_id()))
    if not requests:
        return {}
    results = conn.calls.read(requests, purpose)
    return {p.txn_id: p for request in requests for p in (read_payment(r) for r in
                                                          results[str(request.get("requestID"))].rets)}


def _with_applications(conn: QbdConnector, credits: Sequence[TxnRecord]) -> list[RemoteCredit]:
    """Credits with the invoices or bills they are applied to: from their links where those name the invoice or
    bill, else from the payments that spent them (read for all the credits in one exchange)."""
    wanted: dict[str, set[str]] = {}
    for credit in credits:
        conn.credits_held[credit.txn_id] = HeldCredit(credit.kind, credit.party.list_id if credit.party else None)
        payments = APPLIED_BY[credit.kind][1]
        for link in credit.linked:
            if link.txn_type in payments:
                wanted.setdefault(link.txn_type, set()).add(link.txn_id)
    spent = [a for p in payments_by_ids(conn, wanted, "read credit applications").values()
             for a in credit_allocations(p)]
    out = []
    for credit in credits:
        target = APPLIED_BY[credit.kind][0]
        direct = [RemoteAllocation("credit_note", credit.txn_id, link.txn_id, abs(link.amount), link.txn_date,
                                   f"{credit.txn_id}:{link.txn_id}")
                  for link in credit.linked if link.txn_type == target]
        via = [a for a in spent if a.source_external_id == credit.txn_id]
        out.append(remote_credit(credit, direct if direct else via, "credit_note"))
    return out


def read_credit_notes(conn: QbdConnector, txn_ids: Sequence[str]) -> dict[str, RemoteCredit]:
    """Credit memos and vendor credits as they stand, by TxnID: up to ``max_ids_per_read`` TxnIDs an exchange,
    asked as both kinds in it, and one more exchange for the payments that applied those whose links name no
    invoice or bill. One not found in QuickBooks is left out."""
    ids = sorted(set(txn_ids))
    found: dict[str, RemoteCredit] = {}
    for start in range(0, len(ids), conn.max_ids_per_read):
        chunk = ids[start : start + conn.max_ids_per_read]
        requests = [by_txn_ids(kind, chunk, request_id=conn.calls.request_id(), include_line_items=False)
                    for kind in CREDIT_KINDS]
        results = conn.calls.read(requests, "read back credit notes")
        credits = [read_txn(ret) for request in requests for ret in results[str(request.get("requestID"))].rets]
        found.update((credit.external_id, credit) for credit in _with_applications(conn, credits))
    return found


def fetch_credit_notes(conn: QbdConnector, since: datetime | None) -> Iterator[RemoteCredit]:
    """Credit memos and vendor credits changed since ``since`` (paged together), each with all its
    applications."""
    queries: dict[str, Element] = {}
    for kind in CREDIT_KINDS:
        rid = conn.calls.request_id()
        queries[kind] = (changed_since(kind, since, request_id=rid, page_size=conn.page_size, include_line_items=False)
                         if since is not None else txn_query(kind, request_id=rid, selection=TxnFilter(),
                                                             include_linked_txns=True, page_size=conn.page_size))
    for page in conn.calls.pages(queries, "read allocations"):
        yield from _with_applications(conn, [read_txn(r) for rets in page.values() for r in rets])


def _bank_account(conn: QbdConnector) -> Ref | None:
    """The cheque's account of a vendor credit applied to a bill: the chart's first bank account by code (no
    money moves; QuickBooks needs one on every bill payment cheque)."""
    with session_scope(conn.sessions) as session:
        list_id = session.scalar(select(ChartEntry.external_id).where(
            ChartEntry.connection_id == conn.connection_id, ChartEntry.kind == "account", ChartEntry.category == BANK,
            ChartEntry.active.is_(True), ChartEntry.external_id.is_not(None)).order_by(ChartEntry.code).limit(1))
    return Ref(list_id=list_id) if list_id else None


def _failed(it: AllocationExport, message: str, failure_type: str) -> ExportOutcome:
    return ExportOutcome(0, False, message=f"allocation {it.key}: {message}", failure_type=failure_type)


def apply_credits(conn: QbdConnector, items: Sequence[AllocationExport], batch_key: str,
                  out: dict[str, ExportOutcome]) -> None:
    """Credit memos applied to invoices and vendor credits to bills, in one exchange: each a payment of nothing
    that spends the credit. A credit not read in this run is read first (one exchange for all)."""
    unknown = [it.source_external_id for it in items if it.source_external_id not in conn.credits_held]
    if unknown:
        read_credit_notes(conn, unknown)
    bank: Ref | None = None
    requests: list[Element] = []
    sent: dict[str, AllocationExport] = {}
    for n, it in enumerate(items):
        held = conn.credits_held.get(it.source_external_id)
        if held is None:
            out[it.key] = _failed(it, f"QuickBooks has no credit memo or vendor credit {it.source_external_id}",
                                  "data")
            continue
        rid = conn.calls.request_id("a")
        key = f"{batch_key}:c{n}"
        try:
            if held.kind == "CreditMemo":
                requests.append(allocation_request(it, key=key, request_id=rid))
            else:
                bank = bank or _bank_account(conn)
                if bank is None or not held.party_id:
                    out[it.key] = _failed(it, "QuickBooks applies a vendor credit in a bill payment cheque, which "
                                              "needs a bank account: the chart read from QuickBooks has none "
                                              "(refresh the chart)", "config")
                    continue
                requests.append(vendor_credit_request(it, vendor_id=held.party_id, bank_account=bank, key=key,
                                                      request_id=rid))
        except MappingError as exc:
            out[it.key] = ExportOutcome(0, False, message=str(exc), failure_type=exc.failure_type)
            continue
        sent[rid] = it
    if not requests:
        return
    results = conn.calls.exchange(requests, writes=True, purpose="apply credit notes", key=batch_key)
    for rid, it in sent.items():
        result = results.get(rid)
        outcome = write_outcome(0, result) if result is not None else ExportOutcome(
            0, False, failure_type="system", message="QuickBooks did not run this request")
        out[it.key] = replace(outcome, total=it.amount) if outcome.ok else outcome
