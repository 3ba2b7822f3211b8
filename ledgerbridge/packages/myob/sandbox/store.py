"""The businesses' books: records by kind and UID, their RowVersions and LastModified, deletions.

Records are kept in MYOB's JSON shape (Decimal amounts, wire-form dates), so reading one is a copy, not a
translation. Every write goes through :meth:`Business.save`, which is where ``RowVersion``, ``Created`` and
``LastModified`` are kept, so no rule can forget them. A deletion leaves a :class:`Deletion` behind (the admin API
lists them) and the documents it touched are saved again, so an incremental read (``LastModified gt``) sees their
balances change.
"""

from __future__ import annotations

import copy
import itertools
import threading
import uuid
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from .config import BusinessSeed, SandboxConfig
from .seed import preferences, seed_records
from .wire import myob_time, utcnow

Record = dict[str, Any]

# RowVersions are opaque 64-bit integers written as strings; MYOB's look like "-6933843581174022144".
_ROW_VERSIONS = itertools.count(7_205_759_403_792_793_600, 1_048_583)


def next_row_version() -> str:
    return str(next(_ROW_VERSIONS) - 2**63)


@dataclass
class Deletion:
    kind: str
    uid: str
    deleted_at: datetime


@dataclass
class Business:
    """One company file's books. ``lock`` serialises writes (routes also run on one event loop)."""

    seed: BusinessSeed
    records: dict[str, dict[str, Record]] = field(default_factory=dict)
    #: UID -> kind, so a link object anywhere can be resolved (and given its URI) without knowing its kind.
    kinds: dict[str, str] = field(default_factory=dict)
    deletions: list[Deletion] = field(default_factory=list)
    numbers: dict[str, int] = field(default_factory=dict)
    preferences: Record = field(default_factory=dict)
    lock: threading.RLock = field(default_factory=threading.RLock)

    def __post_init__(self) -> None:
        self.preferences = preferences(self.seed)
        for kind, rows in seed_records(self.seed).items():
            for row in rows:
                self.save(kind, row)

    @property
    def business_id(self) -> str:
        return self.seed.business_id

    def get(self, kind: str, uid: str) -> Record | None:
        return self.records.get(kind, {}).get(uid.lower())

    def find(self, uid: str) -> tuple[str, Record] | None:
        kind = self.kinds.get(uid.lower())
        record = self.get(kind, uid) if kind else None
        return None if kind is None or record is None else (kind, record)

    def all(self, kind: str) -> list[Record]:
        return list(self.records.get(kind, {}).values())

    def save(self, kind: str, record: Record) -> Record:
        """Store a new record (no ``UID`` yet: one is assigned) or a new version of a stored one."""
        with self.lock:
            now = myob_time(utcnow())
            if not record.get("UID"):
                record["UID"] = str(uuid.uuid4())
            uid = record["UID"] = str(record["UID"]).lower()
            previous = self.records.setdefault(kind, {}).get(uid)
            record["Created"] = previous["Created"] if previous else record.get("Created") or now
            record["LastModified"] = now
            record["RowVersion"] = next_row_version()
            self.records[kind][uid] = record
            self.kinds[uid] = kind
            return record

    def touch(self, kind: str, uid: str) -> None:
        """A new version of a stored record that another write changed (a balance after a payment)."""
        record = self.get(kind, uid)
        if record is not None:
            self.save(kind, record)

    def delete(self, kind: str, uid: str) -> Record | None:
        with self.lock:
            record = self.records.get(kind, {}).pop(uid.lower(), None)
            if record is not None:
                self.kinds.pop(uid.lower(), None)
                self.deletions.append(Deletion(kind, uid.lower(), utcnow()))
            return record

    def next_number(self, kind: str, width: int = 8) -> str:
        """MYOB fills a blank Number with the next one of its kind, zero-padded (``00000001``)."""
        with self.lock:
            self.numbers[kind] = self.numbers.get(kind, 0) + 1
            return str(self.numbers[kind]).zfill(width)


class SandboxStore:
    def __init__(self, config: SandboxConfig) -> None:
        self.config = config
        self.businesses: dict[str, Business] = {}
        self.reset()

    def reset(self) -> None:
        self.businesses = {seed.business_id: Business(seed) for seed in self.config.businesses}

    def business(self, business_id: str) -> Business | None:
        return self.businesses.get(business_id.lower())

    def add(self, seed: BusinessSeed) -> Business:
        business = Business(seed)
        self.businesses[seed.business_id.lower()] = business
        return business


def snapshot(record: Record) -> Record:
    return copy.deepcopy(record)
