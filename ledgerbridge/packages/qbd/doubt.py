"""Writes whose answer never came: what QuickBooks made of them, found before anything is sent again.

When the Web Connector's session breaks after it took a write (``mailbox.break_session``), the write is *in doubt*:
QuickBooks may have run it. The engine then asks the connector to look its records up (``find_existing_...``)
before it creates them again. Two sources, in this order:

1. **QuickBooks' error recovery** (``qbwc.md`` §9): every message set that writes carries a ``newMessageSetID``
   (``message_format``), and QuickBooks keeps the outcome of the *last* one; asked with ``oldMessageSetID`` it
   answers the saved ``...Rs`` of each request it ran, with ``ErrorRecovery`` (the TxnID or ListID it made).
   :func:`resolve_doubts` asks about the newest in-doubt set (older ones are past what QuickBooks keeps) and
   marks the mailbox's rows ``resolved`` with what it said. The connector asks before its next write (which
   would replace what QuickBooks keeps) and before any look-up. A request of a record carries the record's id in its
   requestID (``calls.record_of``), so the answer finds its record.
2. **A query**: by RefNumber (a range from itself to itself), the party (``EntityFilter``) and the date
   (``TxnDateRangeFilter``), *confirmed* by the ExternalGUID our Add carried (derived from the record's attempt
   key, which the engine recorded before the call). RefNumbers are not unique in QuickBooks and queries cannot
   filter by ExternalGUID, so a transaction of the same number without our GUID is someone else's.

What QuickBooks has is never created again; what it says it did not run, or neither source finds, is.

A write exchange whose answer was lost is asked about at once (:func:`recover`, the connector's
``calls.recover``): when the Web Connector comes back while the run waits, QuickBooks' recorded answers stand for
the lost one and the records are bound in the same run (their totals then confirmed by the read-back). Otherwise
they stay in doubt for the next run's look-up. Best effort: a write the run had already queued may be handed out
before the question and replace what QuickBooks keeps (it then answers 600); the look-up by query still binds
them, and nothing is created twice.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

from sqlalchemy import select

from ledgerbridge.connectors.mailbox import in_doubt_messages, resolve_doubt, resolved_messages
from ledgerbridge.connectors.protocol import ConnectorCallFailed, DocumentExport, PaymentExport, RemoteDocument
from ledgerbridge.packages.qbd.calls import record_of
from ledgerbridge.packages.qbd.mapper import entity_of, ref_number
from ledgerbridge.packages.qbd.payment_mapper import payment_reference
from ledgerbridge.packages.qbd.qbxml.nodes import Element
from ledgerbridge.packages.qbd.qbxml.responses import QbxmlParseError, RequestResult, parse_result
from ledgerbridge.packages.qbd.qbxml.rets import read_payment, read_txn
from ledgerbridge.packages.qbd.qbxml.status import classify
from ledgerbridge.packages.qbd.qbxml.txn_queries import by_ref_number, by_txn_ids
from ledgerbridge.packages.qbd.qbxml.values import Ref, external_guid
from ledgerbridge.packages.qbd.readers import remote_document
from ledgerbridge.store.db import session_scope
from ledgerbridge.store.models.sync import Connection, SyncRecord

if TYPE_CHECKING:
    from ledgerbridge.packages.qbd.connector import QbdConnector

__all__ = ["find_existing_documents", "find_existing_payments", "recover", "recovered_ids", "resolve_doubts"]

SUPERSEDED = "QuickBooks keeps the outcome of its last message set only; the records are looked up instead"


def resolve_doubts(conn: QbdConnector) -> int:
    """Ask QuickBooks about the connection's newest in-doubt write message set and resolve every in-doubt row;
    returns how many message sets were resolved."""
    if not in_doubt_messages(conn.sessions, conn.connection_id):
        return 0  # the common case, without the lock
    with conn.doubt_lock:
        doubtful = in_doubt_messages(conn.sessions, conn.connection_id)
        sets = list(dict.fromkeys(set_id for set_id, _ in doubtful if set_id))
        if not sets:
            return 0
        newest = sets[-1]
        for older in sets[:-1]:
            resolve_doubt(conn.sessions, conn.connection_id, older, None, SUPERSEDED)
        request_ids = [rid for set_id, ids in doubtful if set_id == newest for rid in ids.split()]
        code, answers = conn.calls.status_check(newest, request_ids)
        if code == 0:
            resolve_doubt(conn.sessions, conn.connection_id, newest, answers,
                          "QuickBooks' error recovery said what became of it")
        else:
            resolve_doubt(conn.sessions, conn.connection_id, newest, None,
                          f"QuickBooks' error recovery did not know it (status {code}); the records are looked up")
        return len(sets)


def recover(conn: QbdConnector, request_ids: Sequence[str]) -> dict[str, RequestResult] | None:
    """A write exchange whose answer never came, asked about at once (at the Web Connector's next ask, if it
    comes while the run waits): QuickBooks' recorded answer to each of ``request_ids`` that it ran (a request it
    did not run is absent, so it is known not done), or None when it cannot tell (no session now, or it no longer
    knows: the records are then looked up at the next run)."""
    try:
        resolve_doubts(conn)
    except ConnectorCallFailed:
        return None
    wanted = set(request_ids)
    # An exchange queued in parts is as many mailbox rows (in one message set or several): every part's answers
    # count, the latest word on a request standing.
    found: dict[str, RequestResult] | None = None
    for message in resolved_messages(conn.sessions, conn.connection_id):
        if not wanted & set(message.request_ids):
            continue
        if message.answers is None:
            return None
        try:
            found = {**(found or {}), **{rid: parse_result(text) for rid, text in message.answers.items()
                                         if rid in wanted}}
        except QbxmlParseError:
            return None
    return found


def recovered_ids(conn: QbdConnector, kind: str, record_ids: Iterable[int]) -> dict[int, str]:
    """Sync record id -> the TxnID QuickBooks' error recovery says it made for the record's request (kind letter
    ``kind``), from every resolved message."""
    wanted = set(record_ids)
    found: dict[int, str] = {}
    for message in resolved_messages(conn.sessions, conn.connection_id):
        for rid in message.request_ids:
            owner = record_of(rid)
            if owner is None or owner[0] != kind or owner[1] not in wanted or not message.answers:
                continue
            text = message.answers.get(rid)
            if text is None:
                continue
            try:
                result = parse_result(text)
            except QbxmlParseError:
                continue
            recovery = result.error_recovery
            if classify(result.status_code, result.severity, result.message).ok and recovery and recovery.txn_id:
                found[owner[1]] = recovery.txn_id
    return found


def _attempt_keys(conn: QbdConnector, record_ids: Sequence[int]) -> dict[int, str]:
    with session_scope(conn.sessions) as session:
        rows = session.execute(select(SyncRecord.id, SyncRecord.attempt_key).where(
            SyncRecord.id.in_(list(record_ids)))).all()
    return {rid: key for rid, key in rows if key}


def _settings(conn: QbdConnector) -> dict[str, object]:
    with session_scope(conn.sessions) as session:
        return dict(session.get_one(Connection, conn.connection_id).settings or {})


def find_existing_documents(conn: QbdConnector, items: Sequence[DocumentExport]) -> dict[int, RemoteDocument]:
    resolve_doubts(conn)
    keys = _attempt_keys(conn, [it.sync_record_id for it in items])
    recovered = recovered_ids(conn, "d", [it.sync_record_id for it in items])
    settings = _settings(conn)
    queries: list[Element] = []
    asked: dict[str, DocumentExport | None] = {}  # requestID -> the record it looks for (None: by TxnID)
    by_kind: dict[str, list[str]] = {}
    for it in items:
        if it.sync_record_id in recovered:
            by_kind.setdefault(entity_of(it.document.type), []).append(recovered[it.sync_record_id])
            continue
        rid = conn.calls.request_id()
        queries.append(by_ref_number(entity_of(it.document.type), ref_number(it.document, settings),
                                     party=Ref(list_id=it.party_external_id), txn_date=it.document.issue_date,
                                     request_id=rid))
        asked[rid] = it
    for kind, ids in sorted(by_kind.items()):
        rid = conn.calls.request_id()
        queries.append(by_txn_ids(kind, sorted(set(ids)), request_id=rid, include_line_items=False))
        asked[rid] = None
    if not queries:
        return {}
    results = conn.calls.read(queries, "look up documents whose answer was lost")
    found: dict[int, RemoteDocument] = {}
    by_txn: dict[str, RemoteDocument] = {}
    for rid, wanted in asked.items():
        for ret in results[rid].rets:
            txn = read_txn(ret)
            if wanted is None:
                by_txn[txn.txn_id] = remote_document(txn)
            elif (not txn.voided and wanted.sync_record_id in keys
                  and txn.external_guid == external_guid(keys[wanted.sync_record_id])):
                found[wanted.sync_record_id] = remote_document(txn)
    for it in items:
        txn_id = recovered.get(it.sync_record_id)
        if txn_id is not None and txn_id in by_txn:
            found[it.sync_record_id] = by_txn[txn_id]
    return found


def find_existing_payments(conn: QbdConnector, items: Sequence[PaymentExport]) -> dict[int, str]:
    """A payment our lost answer may have made: from error recovery, else by its reference (our host id), the
    party and the date, confirmed by the ExternalGUID of its attempt key (or, without a key, by the amount)."""
    resolve_doubts(conn)
    found = recovered_ids(conn, "m", [it.sync_record_id for it in items])
    keys = _attempt_keys(conn, [it.sync_record_id for it in items])
    queries: dict[str, PaymentExport] = {}
    requests: list[Element] = []
    for it in items:
        if it.sync_record_id in found:
            continue
        kind = "BillPaymentCheck" if it.direction == "out" else "ReceivePayment"
        rid = conn.calls.request_id()
        queries[rid] = it
        requests.append(by_ref_number(kind, payment_reference(it), party=Ref(list_id=it.party_external_id),
                                      txn_date=it.payment_date, request_id=rid))
    if not requests:
        return found
    results = conn.calls.read(requests, "look up payments whose answer was lost")
    for rid, it in queries.items():
        key = it.idempotency_key or keys.get(it.sync_record_id)
        for ret in results[rid].rets:
            payment = read_payment(ret)
            ours = (payment.external_guid == external_guid(key)) if key else payment.amount == it.amount
            if ours:
                found[it.sync_record_id] = payment.txn_id
    return found
