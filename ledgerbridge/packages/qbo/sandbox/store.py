"""The companies' books: records by entity and Id, their versions, tombstones for CDC and the requestid cache.

Records are kept in QBO's JSON shape (Decimal amounts), so reading one is a copy, not a translation. Every write
goes through :meth:`Company.save`, which is where ``SyncToken`` and ``MetaData`` are maintained, so no rule can
forget to bump them.
"""

from __future__ import annotations

import copy
import threading
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from .config import CompanySeed, SandboxConfig
from .seed import FIRST_USER_ID, seed_records
from .wire import qbo_time, utcnow

Record = dict[str, Any]


@dataclass
class Tombstone:
    """A deleted transaction, as CDC reports it."""

    entity: str
    entity_id: str
    deleted_at: datetime


@dataclass
class Company:
    """One realm's books. ``lock`` serialises writes (routes also run on one event loop)."""

    seed: CompanySeed
    offset_hours: int
    records: dict[str, dict[str, Record]] = field(default_factory=dict)
    changed_at: dict[tuple[str, str], datetime] = field(default_factory=dict)
    tombstones: list[Tombstone] = field(default_factory=list)
    voided: set[tuple[str, str]] = field(default_factory=set)
    request_ids: dict[str, tuple[int, bytes] | None] = field(default_factory=dict)
    next_id: int = FIRST_USER_ID
    #: Inside a batch: ids at or above this were created by the same batch and are invisible to its items.
    batch_horizon: int | None = None
    lock: threading.RLock = field(default_factory=threading.RLock)
    #: (entity, DocNumber) -> Ids, so the uniqueness rules (6140) need not scan every transaction on each write.
    doc_numbers: dict[tuple[str, str], set[str]] = field(default_factory=dict)
    #: Kept by ``payments.settle``: each party's balance and each transaction's share of it (None: not yet).
    party_owed: dict[str, Any] = field(default_factory=dict)
    party_parts: dict[tuple[str, str], tuple[str, Any]] | None = None

    def __post_init__(self) -> None:
        for entity, rows in seed_records(self.seed).items():
            for row in rows:
                self.save(entity, row, created=True)

    @property
    def realm_id(self) -> str:
        return self.seed.realm_id

    @property
    def is_us(self) -> bool:
        return self.seed.country == "US"

    def new_id(self) -> str:
        with self.lock:
            self.next_id += 1
            return str(self.next_id)

    def get(self, entity: str, entity_id: str, *, visible_only: bool = False) -> Record | None:
        """The stored record (not a copy: callers that keep it must copy). ``visible_only`` applies the batch
        rule that an item cannot see what earlier items of the same batch created."""
        record = self.records.get(entity, {}).get(str(entity_id))
        if record is not None and visible_only and self.batch_horizon is not None \
                and entity_id.isdigit() and int(entity_id) >= self.batch_horizon:
            return None
        return record

    def all(self, entity: str) -> list[Record]:
        return list(self.records.get(entity, {}).values())

    def save(self, entity: str, record: Record, *, created: bool = False) -> Record:
        """Store a new version: SyncToken "0" on create, +1 on every later write; MetaData stamped."""
        with self.lock:
            now = utcnow()
            stamp = qbo_time(now, self.offset_hours)
            previous = self.records.get(entity, {}).get(record["Id"])
            record["domain"] = "QBO"
            record["sparse"] = False
            if created or previous is None:
                record["SyncToken"] = "0"
                record["MetaData"] = {"CreateTime": stamp, "LastUpdatedTime": stamp}
            else:
                record["SyncToken"] = str(int(previous["SyncToken"]) + 1)
                record["MetaData"] = {"CreateTime": previous["MetaData"]["CreateTime"], "LastUpdatedTime": stamp}
            self._index_number(entity, previous, record)
            self.records.setdefault(entity, {})[record["Id"]] = record
            self.changed_at[(entity, record["Id"])] = now
            return record

    def with_number(self, entity: str, doc_number: str) -> list[Record]:
        """The stored records of this entity that carry this DocNumber."""
        ids = self.doc_numbers.get((entity, doc_number), ())
        return [self.records[entity][i] for i in sorted(ids) if i in self.records.get(entity, {})]

    def _index_number(self, entity: str, previous: Record | None, record: Record | None) -> None:
        old = previous.get("DocNumber") if previous is not None else None
        new = record.get("DocNumber") if record is not None else None
        if old == new:
            return
        entity_id = (record or previous or {})["Id"]
        if old is not None:
            self.doc_numbers.get((entity, str(old)), set()).discard(entity_id)
        if new is not None:
            self.doc_numbers.setdefault((entity, str(new)), set()).add(entity_id)

    def delete(self, entity: str, entity_id: str) -> None:
        with self.lock:
            self._index_number(entity, self.records.get(entity, {}).pop(entity_id, None), None)
            self.changed_at.pop((entity, entity_id), None)
            self.tombstones.append(Tombstone(entity, entity_id, utcnow()))

    def view(self, entity: str, entity_id: str) -> Record | None:
        record = self.get(entity, entity_id)
        return copy.deepcopy(record) if record is not None else None


class SandboxStore:
    """All companies of one sandbox, rebuilt from the seeds on :meth:`reset`."""

    def __init__(self, config: SandboxConfig) -> None:
        self.config = config
        self.companies: dict[str, Company] = {}
        self.reset()

    def reset(self) -> None:
        self.companies = {seed.realm_id: Company(seed, self.config.utc_offset_hours)
                          for seed in self.config.companies}

    def company(self, realm_id: str) -> Company | None:
        return self.companies.get(realm_id)
