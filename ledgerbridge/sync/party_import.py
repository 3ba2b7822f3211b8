"""Import the package's customers on connect (R-I4): the first question after connecting is "where are my
customers?", and a customer already in the books must never be sent there a second time.

Each customer the package lists (``ReadsParties``) is, in this order:

* already bound here (its package id is a party's binding on this connection): left as it is;
* matched by its code (MYOB's DisplayID, which the export writes as the host's code) to one host customer, then,
  failing that, by its name, ignoring case and runs of spaces (issue 15's rule), and *bound*: the host party's sync
  record says exported to that package record, so the upload uses it and never creates a second one;
* new: created here as a host customer with its binding, so it is never exported either.

A card that matches more than one host customer, a host customer another card already took in this run or that is
bound elsewhere, and a host customer whose export is in doubt (an attempt with no answer kept: the next upload
looks it up) are left alone and listed with the reason, for a person to settle. Inactive cards are not imported.
Everything is written in one transaction after the reads: nothing half written when a read fails.

This is the smallest form that issue 15 grows: customers only (suppliers, the preview, "Not right now", the
background job with progress and the screens are issue 15's); the reads take a ``since`` for later runs.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from ledgerbridge.audit.trail import audit
from ledgerbridge.connectors.protocol import Connector, ReadsParties, RemoteParty
from ledgerbridge.store.db import session_scope, utcnow
from ledgerbridge.store.models.host import Party
from ledgerbridge.store.models.sync import Connection, RecordType, SyncRecord, SyncStatus
from ledgerbridge.sync import lifecycle
from ledgerbridge.sync.lifecycle import Exported

__all__ = ["PartyImportReport", "RoleImport", "import_customers", "name_key"]

#: A host party's sync record in these states may be bound to a package record found by the import: nothing was
#: ever sent for it (an attempt key says something may have been).
_BINDABLE = (SyncStatus.PENDING.value, SyncStatus.ERROR.value)
_IN_LIST = 1000  # ids per IN (...): well within SQLite's bound on a statement's parameters


@dataclass(slots=True)
class RoleImport:
    read: int = 0
    already_bound: int = 0
    matched_by_code: int = 0
    matched_by_name: int = 0
    created: int = 0
    inactive: int = 0
    #: Cards neither bound nor created, each with the reason: {"code", "name", "reason"}.
    left: list[dict[str, str | None]] = field(default_factory=list)


@dataclass(slots=True)
class PartyImportReport:
    """``offered`` is False where the package's connector cannot list its parties (nothing was read)."""

    offered: bool
    customers: RoleImport = field(default_factory=RoleImport)

    def summary(self) -> dict[str, Any]:
        return {"offered": self.offered, "customers": asdict(self.customers)}


def name_key(name: str) -> str:
    return re.sub(r"\s+", " ", name).strip().casefold()


@dataclass(slots=True)
class _Host:
    party: Party
    record: SyncRecord | None


def import_customers(sessions: sessionmaker[Session], connection_id: int, connector: Connector,
                     actor: str) -> PartyImportReport:
    """Read every customer of the package and bind or create them here (see the module's docstring)."""
    if not isinstance(connector, ReadsParties):
        return PartyImportReport(offered=False)
    remote = [card for page in connector.fetch_parties("customer", None) for card in page]
    report = PartyImportReport(offered=True, customers=RoleImport(read=len(remote)))
    with session_scope(sessions) as session:
        conn = session.get_one(Connection, connection_id)
        _bind_or_create(session, conn, remote, report.customers)
        done = report.customers
        audit(session, conn, actor, "import_customers", outcome="ok", detail=(
            f"{done.read} read: {done.matched_by_code} matched by code, {done.matched_by_name} by name, "
            f"{done.created} created, {done.already_bound} already bound, {done.inactive} inactive, "
            f"{len(done.left)} left to settle"))
    return report


def _bind_or_create(session: Session, conn: Connection, remote: Sequence[RemoteParty], done: RoleImport) -> None:
    records = {r.record_id: r for r in session.scalars(select(SyncRecord).where(
        SyncRecord.connection_id == conn.id, SyncRecord.record_type == RecordType.PARTY.value).with_for_update())}
    bound = {r.external_id for r in records.values() if r.external_id}
    hosts = [_Host(p, records.get(p.id)) for p in session.scalars(select(Party).where(
        Party.organisation_id == conn.organisation_id, Party.is_customer.is_(True)).order_by(Party.id))]
    by_code: dict[str, list[_Host]] = {}
    by_name: dict[str, list[_Host]] = {}
    for host in hosts:
        by_code.setdefault(host.party.code.strip().casefold(), []).append(host)
        by_name.setdefault(name_key(host.party.name), []).append(host)
    taken: set[int] = set()
    now = utcnow()
    binds: list[tuple[_Host, RemoteParty]] = []
    new: list[RemoteParty] = []
    for card in remote:
        if card.external_id in bound:
            done.already_bound += 1
            continue
        if not card.active:
            done.inactive += 1
            continue
        how, found = "code", by_code.get(card.code.casefold(), []) if card.code else []
        if not found:
            how, found = "name", by_name.get(name_key(card.name), [])
        if not found:
            new.append(card)
            continue
        reason = _why_not(found, taken, how, conn.name)
        if reason is not None:
            done.left.append({"code": card.code, "name": card.name, "reason": reason})
            continue
        taken.add(found[0].party.id)
        binds.append((found[0], card))
        if how == "code":
            done.matched_by_code += 1
        else:
            done.matched_by_name += 1
    made = [Party(organisation_id=conn.organisation_id, host_id=f"imported:{conn.kind}:{card.external_id}",
                  is_customer=True, is_supplier=False, code=card.code or "", name=card.name, email=card.email,
                  version=1) for card in new]
    session.add_all(made)
    session.flush()  # one INSERT of many rows: 10,000 contacts are a normal size (issue 15)
    binds += [(_Host(party, None), card) for party, card in zip(made, new, strict=True)]
    done.created = len(made)
    _give_records(session, conn.id, [host for host, _card in binds if host.record is None], now)
    lifecycle.apply_loaded(session, [(host.record, Exported(host.record.id, card.external_id, host.party.version,
                                                            now, external_name=card.name))
                                     for host, card in binds if host.record is not None])


def _why_not(found: list[_Host], taken: set[int], how: str, package: str) -> str | None:
    """Why a card that matches these host customers is not bound to the first (None: it is)."""
    if len(found) > 1:
        return (f"ambiguous: {len(found)} customers here have this {how} "
                f"({', '.join(h.party.code for h in found)}); choose one")
    host = found[0]
    label = f"{host.party.name} ({host.party.code})"
    if host.party.id in taken:
        return f"{label} matches another card of {package} too; choose one"
    record = host.record
    if record is not None and record.external_id:
        return f"{label} is bound to another record of {package} already"
    if record is not None and record.marked_by_hand:
        return f"{label} was marked as exported by hand"
    if record is not None and (record.status not in _BINDABLE or record.attempt_key):
        return f"{label} was being sent when the import ran; the next upload looks it up"
    return None


def _give_records(session: Session, connection_id: int, hosts: Sequence[_Host], now: Any) -> None:
    """A (pending) sync record for each of these host parties, to be bound next."""
    ids = [host.party.id for host in hosts]
    lifecycle.insert_new_rows(session, connection_id, RecordType.PARTY, ids, now)
    by_party: dict[int, SyncRecord] = {}
    for start in range(0, len(ids), _IN_LIST):
        by_party.update((r.record_id, r) for r in session.scalars(select(SyncRecord).where(
            SyncRecord.connection_id == connection_id, SyncRecord.record_type == RecordType.PARTY.value,
            SyncRecord.record_id.in_(ids[start : start + _IN_LIST]))))
    for host in hosts:
        host.record = by_party[host.party.id]
