"""Import the package's customers and suppliers (R-I4, issue 15): the first question after connecting is "where
are my customers?", and a party already in the books must never be sent there a second time.

Two steps, each a job of its own in the background (``queue.party_jobs``), so nothing is written before a person
has seen what would be:

1. :func:`preview_import` reads every customer and supplier of the package (``ReadsParties``, a page at a time)
   and plans what each becomes here (``sync.party_match``: already bound, matched by code or name, new, or
   ambiguous). Nothing is written; the plan is the job's result.
2. The user settles the ambiguous ones (a host party, ``new`` or ``skip``; an entry left unsettled is skipped and
   offered again by the next import), then :func:`commit_import` writes the plan in one transaction: matched
   parties are bound (their record says exported to that package record, so the upload uses it and never
   creates a second one), new ones are created here with their bindings. What changed since the preview is
   checked again (a party exported meanwhile is left, with the reason); a package record bound already is left
   alone, so committing twice, or importing again, changes nothing.

A party created here has the host id ``imported:<package>:<role>:<package id>`` until the host adopts it under
its own id (``PUT /v1/imported-parties/{id}``): the host is told which parties were imported, so that it never
sends the same customer again as a second party.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.orm import Session, sessionmaker

from ledgerbridge.audit.trail import audit
from ledgerbridge.connectors.protocol import Connector, ReadsParties, RemoteParty
from ledgerbridge.packages.registry import package_name
from ledgerbridge.store.db import session_scope, utcnow
from ledgerbridge.store.models.host import Party
from ledgerbridge.store.models.sync import Connection, RecordType, SyncRecord
from ledgerbridge.sync import lifecycle
from ledgerbridge.sync.lifecycle import Exported
from ledgerbridge.sync.party_match import (
    HostParty,
    HostRecord,
    bound_key,
    name_key,
    plan_import,
    record_type_for,
    why_not_bindable,
)

__all__ = ["IMPORTED_PREFIX", "ImportProgress", "Settlement", "commit_import", "import_parties", "name_key",
           "preview_import", "read_parties"]

IMPORTED_PREFIX = "imported:"
#: A settlement's answer for one entry: a host party's id, ``new`` or ``skip``.
Settlement = int | str
#: (parties read or written so far, the step in words): the job's progress.
ImportProgress = Callable[[int, str], None]
_IN_LIST = 1000  # ids per IN (...): well within SQLite's bound on a statement's parameters
_LEFT_LISTED = 100  # the summary lists this many of the parties left, and counts the rest
_PARTY_RECORDS = (RecordType.PARTY.value, RecordType.SUPPLIER.value)
_CODE_MAX, _NAME_MAX, _EMAIL_MAX = 50, 255, 255  # the parties table's columns


def read_parties(connector: Connector, progress: ImportProgress | None = None) -> list[RemoteParty]:
    """Every customer and supplier of the package, a page at a time (each list read once)."""
    assert isinstance(connector, ReadsParties)
    remote: list[RemoteParty] = []
    for page in connector.fetch_parties(None, None):
        remote.extend(page)
        if progress is not None:
            progress(len(remote), f"read {len(remote):,} customers and suppliers from {connector.display_name}")
    return remote


@dataclass(slots=True)
class _State:
    hosts: dict[int, HostParty]
    records: dict[tuple[int, RecordType], SyncRecord]
    bound: set[tuple[str, str]]


def _load_state(session: Session, conn: Connection, separate: bool, lock: bool) -> _State:
    """The organisation's parties, their records on this connection (locked on PostgreSQL when writing) and the
    package records bound to them."""
    query = select(SyncRecord).where(SyncRecord.connection_id == conn.id, SyncRecord.record_type.in_(_PARTY_RECORDS))
    rows = list(session.scalars(query.with_for_update() if lock else query))
    hosts = {r.id: HostParty(r.id, r.code, r.name, r.is_customer, r.is_supplier, r.version)
             for r in session.execute(select(Party.id, Party.code, Party.name, Party.is_customer, Party.is_supplier,
                                             Party.version).where(Party.organisation_id == conn.organisation_id))}
    records = {(r.record_id, RecordType(r.record_type)): r for r in rows}
    bound = set()
    for r in rows:
        host = hosts.get(r.record_id)
        if r.external_id and host is not None:
            role = "supplier" if r.record_type == RecordType.SUPPLIER.value or not host.is_customer else "customer"
            bound.add(bound_key(separate, role, r.external_id))
    return _State(hosts, records, bound)


def _host_record(record: SyncRecord | None) -> HostRecord | None:
    return None if record is None else HostRecord(record.status, record.external_id, record.attempt_key,
                                                  record.marked_by_hand)


def preview_import(sessions: sessionmaker[Session], connection_id: int, connector: Connector,
                   progress: ImportProgress | None = None) -> dict[str, Any]:
    """Read the package and plan the import; nothing is written. ``offered`` is False where the package's
    connector cannot list its parties."""
    if not isinstance(connector, ReadsParties):
        return {"offered": False}
    remote = read_parties(connector, progress)
    separate = bool(connector.separate_party_roles)
    with session_scope(sessions) as session:
        conn = session.get_one(Connection, connection_id)
        state = _load_state(session, conn, separate, lock=False)
        preview = plan_import(remote, list(state.hosts.values()),
                              {key: rec for key, r in state.records.items() if (rec := _host_record(r))},
                              state.bound, separate_roles=separate, package=package_name(conn.kind))
    return {"offered": True, "separate_roles": separate, **preview.as_dict()}


@dataclass(slots=True)
class _Commit:
    conn: Connection
    state: _State
    separate: bool
    summary: dict[str, Any]
    left: list[dict[str, Any]] = field(default_factory=list)
    claimed: set[tuple[int, RecordType]] = field(default_factory=set)
    binds: list[tuple[int, RecordType, dict[str, Any]]] = field(default_factory=list)
    creates: list[dict[str, Any]] = field(default_factory=list)

    def leave(self, entry: dict[str, Any], reason: str) -> None:
        self.left.append({"key": entry["key"], "code": entry.get("code"), "name": entry["name"], "reason": reason})

    def bind_to(self, entry: dict[str, Any], party_id: int) -> bool:
        host = self.state.hosts.get(party_id)
        role = entry["role"]
        if host is None or (self.separate and not (host.is_customer if role == "customer" else host.is_supplier)):
            self.leave(entry, f"party {party_id} is not a {role} of this organisation")
            return False
        record_type = record_type_for(self.separate, host.is_customer, role)
        if (host.id, record_type) in self.claimed:
            self.leave(entry, f"{host.label} is chosen for another record of the package too")
            return False
        reason = why_not_bindable(host, _host_record(self.state.records.get((host.id, record_type))),
                                  package_name(self.conn.kind))
        if reason is not None:
            self.leave(entry, reason)
            return False
        self.claimed.add((host.id, record_type))
        self.binds.append((host.id, record_type, entry))
        return True


def commit_import(sessions: sessionmaker[Session], connection_id: int, preview: Mapping[str, Any],
                  settlements: Mapping[str, Settlement], actor: str,
                  progress: ImportProgress | None = None) -> dict[str, Any]:
    """Write the preview (module docstring) in one transaction; the summary of what was done."""
    if not preview.get("offered"):
        return {"offered": False}
    separate = bool(preview["separate_roles"])
    counts = preview["counts"]
    summary: dict[str, Any] = {"offered": True, "read": counts["read"], "roles": counts["roles"],
                               "already_bound": counts["already_bound"], "inactive": counts["inactive"],
                               "matched_by_code": 0, "matched_by_name": 0, "settled": 0, "created": 0, "skipped": 0}
    with session_scope(sessions) as session:
        conn = session.get_one(Connection, connection_id)
        work = _Commit(conn, _load_state(session, conn, separate, lock=True), separate, summary)
        for entry in preview["entries"]:
            _decide(work, entry, settlements.get(entry["key"]))
        if progress is not None:
            progress(len(work.binds) + len(work.creates), f"binding {len(work.binds):,} parties, "
                                                          f"creating {len(work.creates):,}")
        _write(session, work)
        summary["left_count"] = len(work.left)
        summary["left"] = work.left[:_LEFT_LISTED]
        audit(session, conn, actor, "import_parties", outcome="ok", detail=(
            f"{summary['read']} read: {summary['matched_by_code']} matched by code, {summary['matched_by_name']} "
            f"by name, {summary['settled']} settled, {summary['created']} created, {summary['already_bound']} "
            f"already bound, {summary['inactive']} inactive, {summary['skipped']} skipped, "
            f"{len(work.left)} left to settle"))
    return summary


def _decide(work: _Commit, entry: dict[str, Any], choice: Settlement | None) -> None:
    """Bind, create, skip or leave one entry: the user's choice where there is one, else the preview's."""
    summary = work.summary
    if bound_key(work.separate, entry["role"], entry["external_id"]) in work.state.bound:
        summary["already_bound"] += 1  # bound since the preview (or by a commit before this one)
        return
    chosen = choice is not None
    if choice is None:
        choice = {"matched": entry.get("party_id"), "new": "new"}.get(entry["outcome"])
        if choice is None:
            work.leave(entry, entry.get("reason") or "not settled")
            return
    if choice == "skip":
        summary["skipped"] += 1
        return
    if choice == "new":
        work.creates.append(entry)
    elif not work.bind_to(entry, int(choice)):
        return  # left, with the reason
    if chosen:
        summary["settled"] += 1
    elif entry["outcome"] == "matched":
        summary[f"matched_by_{entry['how']}"] += 1


def _new_party(work: _Commit, entry: dict[str, Any]) -> dict[str, Any] | None:
    """The row of a party created here, or None (left, with the reason) when the parties table cannot hold it."""
    code, name = entry.get("code") or "", entry["name"]
    if len(code) > _CODE_MAX or len(name) > _NAME_MAX or not name:
        work.leave(entry, f"its code is over {_CODE_MAX} characters or its name empty or over {_NAME_MAX}: "
                          "import it by hand" if name else "it has no name")
        return None
    email = entry.get("email") if len(entry.get("email") or "") <= _EMAIL_MAX else None
    role = entry["role"]
    return {"organisation_id": work.conn.organisation_id, "code": code, "name": name, "email": email, "version": 1,
            "host_id": f"{IMPORTED_PREFIX}{work.conn.kind}:{entry['key']}",
            "is_customer": role in ("customer", "both"), "is_supplier": role in ("supplier", "both")}


def _write(session: Session, work: _Commit) -> None:
    """Create the new parties (a supplier joining a new customer's party makes it both), then bind."""
    rows: list[dict[str, Any]] = []
    owner: dict[str, int] = {}  # entry key -> its party's row
    for entry in sorted(work.creates, key=lambda e: bool(e.get("joins"))):  # customers first, joining suppliers next
        partner = owner.get(entry.get("joins") or "")
        if partner is not None:
            rows[partner]["is_supplier"] = True
            owner[entry["key"]] = partner
        elif (row := _new_party(work, entry)) is not None:
            owner[entry["key"]] = len(rows)
            rows.append(row)
    # One executemany, then their ids by host id (unique in the organisation), a thousand a query: SQLite cannot
    # return the ids of a batched insert in order, and one INSERT a party was most of the time at 10,000.
    if rows:
        session.execute(insert(Party), rows)
    hosts = [row["host_id"] for row in rows]
    ids: dict[str, int] = {}
    for start in range(0, len(hosts), _IN_LIST):
        ids.update((host, pid) for pid, host in session.execute(select(Party.id, Party.host_id).where(
            Party.organisation_id == work.conn.organisation_id, Party.host_id.in_(hosts[start : start + _IN_LIST]))))
    work.summary["created"] = len(rows)
    by_key = {e["key"]: e for e in work.creates}
    for key, index in owner.items():
        work.binds.append((ids[rows[index]["host_id"]], record_type_for(
            work.separate, rows[index]["is_customer"], by_key[key]["role"]), by_key[key]))
    _bind(session, work)


def _bind(session: Session, work: _Commit) -> None:
    """Each bound party's record in its role (made where it has none yet) says exported to the package record."""
    now = utcnow()
    record_ids = {key: record.id for key, record in work.state.records.items()}
    for record_type in (RecordType.PARTY, RecordType.SUPPLIER):
        missing = sorted({pid for pid, rt, _e in work.binds if rt == record_type and (pid, rt) not in record_ids})
        lifecycle.insert_new_rows(session, work.conn.id, record_type, missing, now)
        for start in range(0, len(missing), _IN_LIST):
            record_ids.update(((pid, record_type), rid) for pid, rid in session.execute(
                select(SyncRecord.record_id, SyncRecord.id).where(
                    SyncRecord.connection_id == work.conn.id, SyncRecord.record_type == record_type.value,
                    SyncRecord.record_id.in_(missing[start : start + _IN_LIST]))))
    versions = {p.id: p.version for p in work.state.hosts.values()}
    # The records loaded here are not read again in this session: the changes are written as they are.
    lifecycle.apply(session, [Exported(record_ids[(pid, rt)], entry["external_id"], versions.get(pid, 1), now,
                                       external_name=entry["name"][:_NAME_MAX]) for pid, rt, entry in work.binds])


def import_parties(sessions: sessionmaker[Session], connection_id: int, connector: Connector, actor: str,
                   settlements: Mapping[str, Settlement] | None = None,
                   progress: ImportProgress | None = None) -> dict[str, Any]:
    """Preview and commit at once (the demo, the bench, ``import-parties --yes``): ambiguous parties are left
    unless ``settlements`` settles them."""
    preview = preview_import(sessions, connection_id, connector, progress)
    return commit_import(sessions, connection_id, preview, settlements or {}, actor, progress)
