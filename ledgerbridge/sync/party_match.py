"""The preview of an import of parties (R-I4, issue 15): what each of the package's customers and suppliers would
become here, before anything is written. No I/O: the caller reads the package and the store.

Each party the package lists is, in this order:

* ``bound``: already bound here (its package id is the binding of a host party's record in its role): left alone;
* ``inactive``: not imported;
* ``matched``: to the one host party with its code (case ignored), failing that to the one with its name (case and
  runs of spaces ignored), whose record in that role may be bound (nothing was sent for it, nothing is in doubt);
* ``ambiguous``: several host parties have its code or name, or the one it matches cannot be bound (another of the
  package's records took it in this run, it is bound to another record already, it was marked by hand, its export
  is in doubt): listed with the candidates and the reason, for a person to settle (a host party, new, or skip);
* ``new``: created here with its binding. Where the package keeps the roles apart (QuickBooks' Customer and
  Vendor, MYOB's cards), a new customer and a new supplier with the same code (or, without codes, the same name)
  become one host party in both roles (``joins``: the supplier joins the customer's party).

Which host parties a record may match: every party where one package record serves both roles (Xero's Contact,
``separate_party_roles`` False; the binding is the party's own record); where the roles are apart, the parties in
that role (a supplier's binding is the party's supplier record when the party is a customer too: as
``sync.dependencies`` binds them). Lookups are dicts: 10,000 contacts against 10,000 host parties is O(n).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from ledgerbridge.connectors.protocol import RemoteParty
from ledgerbridge.store.models.sync import RecordType, SyncStatus

__all__ = ["HostParty", "HostRecord", "Preview", "bound_key", "entry_key", "name_key", "plan_import",
           "record_type_for", "why_not_bindable"]

#: A host party's record in these states may be bound to a package record found by the import: nothing was ever
#: sent for it (an attempt key says something may have been).
_BINDABLE = (SyncStatus.PENDING.value, SyncStatus.ERROR.value)


def name_key(name: str) -> str:
    return re.sub(r"\s+", " ", name).strip().casefold()


def _code_key(code: str | None) -> str:
    return (code or "").strip().casefold()


@dataclass(frozen=True, slots=True)
class HostParty:
    id: int
    code: str
    name: str
    is_customer: bool
    is_supplier: bool
    version: int = 1

    @property
    def label(self) -> str:
        return f"{self.name} ({self.code})" if self.code else self.name


@dataclass(frozen=True, slots=True)
class HostRecord:
    """A host party's sync record in one role on this connection."""

    status: str
    external_id: str | None
    attempt_key: str | None
    marked_by_hand: bool


def record_type_for(separate_roles: bool, party_is_customer: bool, role: str) -> RecordType:
    """The record that binds a party in ``role``: its own, or its supplier record where the package keeps a
    customer's supplier role apart (``sync.dependencies``)."""
    if separate_roles and role == "supplier" and party_is_customer:
        return RecordType.SUPPLIER
    return RecordType.PARTY


def bound_key(separate_roles: bool, role: str, external_id: str) -> tuple[str, str]:
    """What identifies a package record among the bindings: its id, and its role where the package keeps the roles
    in lists of their own (QuickBooks Online numbers its Customers and Vendors each from 1)."""
    return ("supplier" if role == "supplier" else "customer") if separate_roles else "*", external_id


def entry_key(party: RemoteParty) -> str:
    """A preview entry's name in a settlement: the role and the package's id."""
    return f"{party.role}:{party.external_id}"


def why_not_bindable(host: HostParty, record: HostRecord | None, package: str) -> str | None:
    """Why this host party's record cannot be bound to a package record now (None: it can)."""
    if record is None:
        return None
    if record.external_id:
        return f"{host.label} is bound to another record of {package} already"
    if record.marked_by_hand:
        return f"{host.label} was marked as exported by hand"
    if record.status not in _BINDABLE or record.attempt_key:
        return f"{host.label} was being sent when the import ran; the next upload looks it up"
    return None


@dataclass(slots=True)
class Preview:
    """The plan, JSON-ready: ``entries`` are the parties to bind, create or settle (bound and inactive ones are
    only counted, so a second run's preview is small)."""

    read: int = 0
    by_role: dict[str, int] = field(default_factory=dict)
    already_bound: int = 0
    inactive: int = 0
    entries: list[dict[str, Any]] = field(default_factory=list)

    def counts(self) -> dict[str, Any]:
        outcomes = [(e["outcome"], e.get("how")) for e in self.entries]
        roles = {role: self.by_role.get(role, 0) for role in ("customer", "supplier", "both")}
        return {"read": self.read, "roles": roles,
                "already_bound": self.already_bound, "inactive": self.inactive,
                "matched_by_code": outcomes.count(("matched", "code")),
                "matched_by_name": outcomes.count(("matched", "name")),
                "new": sum(1 for o, _ in outcomes if o == "new"),
                "ambiguous": sum(1 for o, _ in outcomes if o == "ambiguous")}

    def as_dict(self) -> dict[str, Any]:
        return {"counts": self.counts(), "entries": self.entries}


class _Index:
    """Host parties by code and by name, for one role (or every party: ``*``)."""

    def __init__(self, hosts: Iterable[HostParty]) -> None:
        self.by_code: dict[str, list[HostParty]] = {}
        self.by_name: dict[str, list[HostParty]] = {}
        for host in hosts:
            if _code_key(host.code):
                self.by_code.setdefault(_code_key(host.code), []).append(host)
            self.by_name.setdefault(name_key(host.name), []).append(host)

    def find(self, party: RemoteParty) -> tuple[str, list[HostParty]]:
        found = self.by_code.get(_code_key(party.code), []) if _code_key(party.code) else []
        return ("code", found) if found else ("name", self.by_name.get(name_key(party.name), []))


def plan_import(remote: Sequence[RemoteParty], hosts: Sequence[HostParty],
                records: Mapping[tuple[int, RecordType], HostRecord], bound: set[tuple[str, str]], *,
                separate_roles: bool, package: str) -> Preview:
    """The preview (module docstring). ``records``: (party id, record type) -> its record on this connection;
    ``bound``: the ``bound_key`` of every package record bound here."""
    if separate_roles:
        indexes = {"customer": _Index(h for h in hosts if h.is_customer),
                   "supplier": _Index(h for h in hosts if h.is_supplier)}
    else:
        every = _Index(hosts)
        indexes = {"customer": every, "supplier": every, "both": every}
    preview = Preview()
    taken: dict[tuple[int, RecordType], str] = {}
    seen: set[tuple[str, str]] = set()
    new_by_key: dict[str, list[dict[str, Any]]] = {}
    for party in remote:
        key = bound_key(separate_roles, party.role, party.external_id)
        if key in seen:
            continue  # read twice (a page shifted while the list was read): once is enough
        seen.add(key)
        preview.read += 1
        preview.by_role[party.role] = preview.by_role.get(party.role, 0) + 1
        if key in bound:
            preview.already_bound += 1
            continue
        if not party.active:
            preview.inactive += 1
            continue
        entry: dict[str, Any] = {"key": entry_key(party), "external_id": party.external_id, "code": party.code,
                                 "name": party.name, "email": party.email, "role": party.role}
        how, found = indexes[party.role].find(party)
        if not found:
            entry["outcome"] = "new"
            group = _code_key(party.code) or "name:" + name_key(party.name)
            new_by_key.setdefault(group, []).append(entry)
        else:
            entry["how"] = how
            entry["candidates"] = [{"id": h.id, "code": h.code, "name": h.name} for h in found]
            reason = _reason(found, how, party.role, records, taken, separate_roles, package)
            if reason is None:
                host = found[0]
                taken[(host.id, record_type_for(separate_roles, host.is_customer, party.role))] = entry["key"]
                entry.update(outcome="matched", party_id=host.id, party=host.label)
            else:
                entry.update(outcome="ambiguous", reason=reason)
        preview.entries.append(entry)
    if separate_roles:
        _join_roles(new_by_key.values())
    return preview


def _reason(found: list[HostParty], how: str, role: str, records: Mapping[tuple[int, RecordType], HostRecord],
            taken: Mapping[tuple[int, RecordType], str], separate_roles: bool, package: str) -> str | None:
    if len(found) > 1:
        return (f"ambiguous: {len(found)} parties here have this {how} "
                f"({', '.join(h.code or h.name for h in found)}); choose one")
    host = found[0]
    record_type = record_type_for(separate_roles, host.is_customer, role)
    if (host.id, record_type) in taken:
        return f"{host.label} matches another record of {package} too; choose one"
    return why_not_bindable(host, records.get((host.id, record_type)), package)


def _join_roles(groups: Iterable[list[dict[str, Any]]]) -> None:
    """A new customer and a new supplier of one code (or name) become one host party in both roles."""
    for group in groups:
        customers = [e for e in group if e["role"] == "customer"]
        suppliers = [e for e in group if e["role"] == "supplier"]
        if len(customers) == 1 and len(suppliers) == 1:
            suppliers[0]["joins"] = customers[0]["key"]
