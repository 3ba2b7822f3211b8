"""Customers, vendors and items to QuickBooks Desktop: Adds (ExternalGUID from the record's key) and Mods (with
the EditSequence read just before; a stale one, 3200, read again and sent once more), each batch in one exchange.

The one name space (``names``): customers, vendors, employees and other names share their names, so an Add can be
answered 3100 ("The name ... of the list element is already in use"). The name is then looked up by FullName in
the list the record belongs to: when that list holds it and it is ours (our code in AccountNumber, or our
ExternalGUID: a lost answer of our own), it is adopted; otherwise (another list holds it, or a stranger of the
same list) the party goes again under its clash name ``Name (CODE)``, which the binding keeps. So a party that is
customer and supplier is a Customer and a Vendor, the second under the clash name, as on QuickBooks Online.
Items (a host item is a non-inventory part named by its code) share one name space across item types: a 3100 is
adopted when the item of that name is a non-inventory part, else refused with QuickBooks' words.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from ledgerbridge.connectors.protocol import ExportContext, ExportOutcome, ItemExport, PartyExport
from ledgerbridge.packages.qbd.currency import party_currency
from ledgerbridge.packages.qbd.mapper import MappingError
from ledgerbridge.packages.qbd.names import clash_name, party_name
from ledgerbridge.packages.qbd.party_mapper import item_request, party_request
from ledgerbridge.packages.qbd.qbxml.list_queries import customer_query, item_query, vendor_query
from ledgerbridge.packages.qbd.qbxml.nodes import Element
from ledgerbridge.packages.qbd.qbxml.responses import RequestResult
from ledgerbridge.packages.qbd.qbxml.rets import ListRecord, read_list
from ledgerbridge.packages.qbd.qbxml.status import Action, classify
from ledgerbridge.packages.qbd.qbxml.values import ListTarget, QbxmlValueError, external_guid
from ledgerbridge.packages.qbd.readers import write_outcome
from ledgerbridge.packages.qbd.vendor_rule import bind_to_vendors, rule_on

if TYPE_CHECKING:
    from ledgerbridge.packages.qbd.connector import QbdConnector

__all__ = ["export_items", "export_parties"]


def _refused(sync_id: int, message: str, failure_type: str = "data") -> ExportOutcome:
    return ExportOutcome(sync_id, False, message=message, failure_type=failure_type)


def _gone(sync_id: int, what: str, list_id: str) -> ExportOutcome:
    return ExportOutcome(sync_id, False, failure_type="data", hint="It may have been deleted or merged in QuickBooks.",
                         message=f"QuickBooks has no {what} with ListID {list_id} any more")


def _action(result: RequestResult | None) -> Action | None:
    return classify(result.status_code, result.severity, result.message).action if result is not None else None


# -- parties ---------------------------------------------------------------------------------------------------
Holders = dict[tuple[bool, str], ListRecord]  # (is customer, ListID or lower-case name) -> the record


def _holder_queries(conn: QbdConnector, items: Sequence[PartyExport], *, names: dict[int, str] | None = None,
                    ids: bool = False) -> list[Element]:
    """Customer and vendor queries by these parties' bound ListIDs (``ids``) or by the names they are sent
    under (``names``)."""
    queries: list[Element] = []
    for customers, build in ((True, customer_query), (False, vendor_query)):
        group = [it for it in items if it.party.is_customer == customers]
        if ids:
            wanted = sorted({str(it.external_id) for it in group if it.external_id})
            if wanted:
                queries.append(build(request_id=conn.calls.request_id(), list_ids=wanted))
        elif names is not None:
            wanted = sorted({names[it.sync_record_id] for it in group if not it.external_id})
            if wanted:
                queries.append(build(request_id=conn.calls.request_id(), full_names=wanted))
    return queries


def _holders(queries: Sequence[Element], results: dict[str, RequestResult]) -> Holders:
    out: Holders = {}
    for query in queries:
        customers = query.tag == "CustomerQueryRq"
        result = results.get(str(query.get("requestID")))
        for ret in result.rets if result is not None else ():
            record = read_list(ret)
            out[(customers, record.list_id)] = record
            out[(customers, (record.name or "").lower())] = record
    return out


def _ours(record: ListRecord, item: PartyExport) -> bool:
    return record.element.findtext("AccountNumber") == item.party.code or bool(
        item.idempotency_key and record.external_guid == external_guid(item.idempotency_key))


def _names(items: Sequence[PartyExport], current: Holders) -> dict[int, str]:
    """The name each party goes under: a bound record keeps the one it has (perhaps the clash name) unless the
    host renamed the party; a new one its own, or the clash name when an earlier party of the batch takes that
    name (one name space: QuickBooks would refuse the second with 3100)."""
    names: dict[int, str] = {}
    used: set[str] = set()
    for it in items:
        held = current.get((it.party.is_customer, str(it.external_id))) if it.external_id else None
        own, clash = party_name(it.party), clash_name(it.party)
        if held is not None and (held.name or "").lower() in (own.lower(), clash.lower()):
            names[it.sync_record_id] = held.name or own
        else:
            names[it.sync_record_id] = clash if own.lower() in used else own
        used.add(names[it.sync_record_id].lower())
    return names


def export_parties(conn: QbdConnector, items: Sequence[PartyExport], ctx: ExportContext,
                   batch_key: str) -> list[ExportOutcome]:
    """Adds and Mods in one exchange, with queries of who holds the new names after them: a name in use (3100)
    is then adopted or renamed without another look-up, so a clash costs one more exchange, not two. With Komet's
    rule on (``vendor_rule``), suppliers are bound to the vendors of their exact names instead: no Add, no Mod."""
    if rule_on(ctx.settings) and any(not it.party.is_customer for it in items):
        suppliers = [it for it in items if not it.party.is_customer]
        bound = {o.sync_record_id: o for o in bind_to_vendors(suppliers, conn.vendors.names())}
        others = [it for it in items if it.party.is_customer]
        rest = {o.sync_record_id: o for o in (_export_parties(conn, others, ctx, batch_key) if others else [])}
        return [bound.get(it.sync_record_id) or rest[it.sync_record_id] for it in items]
    return _export_parties(conn, items, ctx, batch_key)


def _export_parties(conn: QbdConnector, items: Sequence[PartyExport], ctx: ExportContext,
                    batch_key: str) -> list[ExportOutcome]:
    bound = _holder_queries(conn, items, ids=True)
    current = _holders(bound, conn.calls.read(bound, "read customers and suppliers")) if bound else {}
    names = _names(items, current)
    outcomes, holders = _send_parties(conn, items, ctx, batch_key, names, current)
    again = []
    for it in (it for it in items if outcomes[it.sync_record_id] is None):  # 3100: adopt ours, else rename
        holder = holders.get((it.party.is_customer, names[it.sync_record_id].lower()))
        if holder is not None and _ours(holder, it):
            outcomes[it.sync_record_id] = ExportOutcome(it.sync_record_id, True, external_id=holder.list_id,
                                                        external_name=holder.name)
        elif names[it.sync_record_id] != clash_name(it.party):
            names[it.sync_record_id] = clash_name(it.party)
            again.append(it)
        else:
            outcomes[it.sync_record_id] = _refused(
                it.sync_record_id, f"QuickBooks already has the names {party_name(it.party)!r} and "
                f"{clash_name(it.party)!r} for other records (status 3100)")
    if again:
        retried, holders = _send_parties(conn, again, ctx, f"{batch_key[:32]}-r", names, current)
        for it in again:
            holder = holders.get((it.party.is_customer, names[it.sync_record_id].lower()))
            outcomes[it.sync_record_id] = retried[it.sync_record_id] or (
                ExportOutcome(it.sync_record_id, True, external_id=holder.list_id, external_name=holder.name)
                if holder is not None and _ours(holder, it) else _refused(
                    it.sync_record_id, f"QuickBooks already has the name {clash_name(it.party)!r} for another "
                    "record (status 3100)"))
    return [outcomes[it.sync_record_id] or _refused(it.sync_record_id, "not sent") for it in items]


def _send_parties(conn: QbdConnector, items: Sequence[PartyExport], ctx: ExportContext, key: str,
                  names: dict[int, str], current: Holders,
                  second: bool = False) -> tuple[dict[int, ExportOutcome | None], Holders]:
    """One exchange of Adds and Mods (and the queries of the new names' holders); None for a party whose name
    is taken (3100: the caller decides, with the holders)."""
    out: dict[int, ExportOutcome | None] = {}
    sent: dict[str, PartyExport] = {}
    requests: list[Element] = []
    for it in items:
        target = None
        if it.external_id:
            held = current.get((it.party.is_customer, it.external_id))
            if held is None or held.edit_sequence is None:
                out[it.sync_record_id] = _gone(it.sync_record_id, "customer" if it.party.is_customer else "vendor",
                                               it.external_id)
                continue
            target = ListTarget(held.list_id, held.edit_sequence)
        rid = conn.calls.request_id("p", it.sync_record_id)
        try:
            requests.append(party_request(it, ctx, name=names[it.sync_record_id], request_id=rid, target=target,
                                          currency=party_currency(it.party, ctx.settings)))
        except (MappingError, QbxmlValueError) as exc:
            out[it.sync_record_id] = _refused(it.sync_record_id, str(exc))
            continue
        sent[rid] = it
    if not requests:
        return out, {}
    queries = _holder_queries(conn, list(sent.values()), names=names)
    results = conn.calls.exchange([*requests, *queries], writes=True, purpose="export customers and suppliers",
                                  key=key)
    holders = _holders(queries, results)
    stale = []
    for rid, it in sent.items():
        result = results.get(rid)
        action = _action(result)
        if result is None:
            out[it.sync_record_id] = _refused(it.sync_record_id, "QuickBooks did not run this request", "system")
        elif action is Action.ADOPT:
            out[it.sync_record_id] = None
        elif action is Action.REREAD_RETRY and not second:
            stale.append(it)
        else:
            outcome = write_outcome(it.sync_record_id, result)
            out[it.sync_record_id] = outcome if not outcome.ok else ExportOutcome(
                it.sync_record_id, True, external_id=outcome.external_id, external_name=outcome.external_name,
                message=outcome.message)
    if stale:  # someone changed them in QuickBooks meanwhile: their fresh EditSequence, once
        again = _holder_queries(conn, stale, ids=True)
        current.update(_holders(again, conn.calls.read(again, "read customers and suppliers again")))
        retried, more = _send_parties(conn, stale, ctx, f"{key[:32]}-s", names, current, second=True)
        out.update(retried)
        holders.update(more)
    return out, holders


# -- items -----------------------------------------------------------------------------------------------------
def _item_records(conn: QbdConnector, *, list_ids: Sequence[str] = (),
                  names: Sequence[str] = ()) -> dict[str, ListRecord]:
    if not list_ids and not names:
        return {}
    rid = conn.calls.request_id()
    rets = conn.calls.read([item_query(request_id=rid, list_ids=sorted(set(list_ids)),
                                       full_names=sorted(set(names)))], "read items")[rid].rets
    out = {}
    for ret in rets:
        record = read_list(ret)
        out[record.list_id] = record
        out[(record.full_name or "").lower()] = record
    return out


def export_items(conn: QbdConnector, items: Sequence[ItemExport], ctx: ExportContext,
                 batch_key: str) -> list[ExportOutcome]:
    current = _item_records(conn, list_ids=[str(it.external_id) for it in items if it.external_id])
    outcomes = _send_items(conn, items, ctx, batch_key, current)
    taken = [it for it in items if outcomes[it.sync_record_id] is None]
    if taken:
        holders = _item_records(conn, names=[it.item.code for it in taken])
        for it in taken:
            holder = holders.get(it.item.code.lower())
            outcomes[it.sync_record_id] = (
                ExportOutcome(it.sync_record_id, True, external_id=holder.list_id, external_name=holder.name)
                if holder is not None and holder.kind == "ItemNonInventory" else _refused(
                    it.sync_record_id, f"QuickBooks already has an item named {it.item.code!r} of another type "
                    f"({holder.kind if holder else 'unknown'}) (status 3100)"))
    return [outcomes[it.sync_record_id] or _refused(it.sync_record_id, "not sent") for it in items]


def _send_items(conn: QbdConnector, items: Sequence[ItemExport], ctx: ExportContext, key: str,
                current: dict[str, ListRecord], second: bool = False) -> dict[int, ExportOutcome | None]:
    out: dict[int, ExportOutcome | None] = {}
    sent: dict[str, ItemExport] = {}
    requests = []
    for it in items:
        target = None
        if it.external_id:
            held = current.get(it.external_id)
            if held is None or held.edit_sequence is None:
                out[it.sync_record_id] = _gone(it.sync_record_id, "item", it.external_id)
                continue
            target = ListTarget(held.list_id, held.edit_sequence)
        rid = conn.calls.request_id("i", it.sync_record_id)
        try:
            requests.append(item_request(it, ctx, conn.lookups, request_id=rid, target=target))
        except (MappingError, QbxmlValueError) as exc:
            failure = exc.failure_type if isinstance(exc, MappingError) else "data"
            out[it.sync_record_id] = _refused(it.sync_record_id, str(exc), failure)
            continue
        sent[rid] = it
    if not requests:
        return out
    results = conn.calls.exchange(requests, writes=True, purpose="export items", key=key)
    stale = []
    for rid, it in sent.items():
        result = results.get(rid)
        action = _action(result)
        if result is None:
            out[it.sync_record_id] = _refused(it.sync_record_id, "QuickBooks did not run this request", "system")
        elif action is Action.ADOPT and not it.external_id:
            out[it.sync_record_id] = None
        elif action is Action.REREAD_RETRY and not second:
            stale.append(it)
        else:
            out[it.sync_record_id] = write_outcome(it.sync_record_id, result)
    if stale:
        current.update(_item_records(conn, list_ids=[str(it.external_id) for it in stale]))
        out.update(_send_items(conn, stale, ctx, f"{key[:32]}-s", current, second=True))
    return out

