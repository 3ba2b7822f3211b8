"""The sync record's life: its states, the one table of moves between them, and every write of its status.

Why one module: the status of a sync record is what the grids, the queue, the reconciliation and the next run
read, so a write that moves a record where it may not go (a confirmed record claimed again, a record marked by
hand sent after all) would break them quietly. Here every status write is a typed change (:class:`Claim`,
:class:`Exported`, :class:`Failed`, ...) applied in bulk by :func:`apply`, or a move of a whole set of records
by :func:`requeue_matching`; new records are born pending by :func:`insert_new`. The UPDATE itself carries
``WHERE status IN (<the states the table allows before the new one>)``: the database checks the from-state in the
same statement, with no read first, and a row it did not match raises :class:`ForbiddenTransition`.

How the states are stored. Six are ``sync_records.status`` values (:class:`SyncStatus`). "Marked by hand"
(R-E8: Mark as Exported; never sent, never ticked) is kept as it always was, ``exported`` with ``marked_by_hand``
set, so rows, grids and reports are unchanged; the table treats it as a state of its own, and a final one.
"Awaiting fetch" is the room for a pull-based package, where work waits for the package to come and take it.
"""

from __future__ import annotations

import enum
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, fields
from datetime import datetime
from decimal import Decimal
from typing import Any, ClassVar, Final

from sqlalchemy import (
    Boolean,
    ColumnElement,
    Integer,
    Select,
    String,
    and_,
    insert,
    inspect,
    literal,
    or_,
    select,
    update,
)
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from ledgerbridge.store.bulk import update_many_by_id
from ledgerbridge.store.db import utcnow
from ledgerbridge.store.models.sync import FailureType, RecordType, SyncAction, SyncRecord, SyncStatus


class State(enum.StrEnum):
    """A sync record's state: a stored status, or "marked by hand" (stored as exported + ``marked_by_hand``)."""

    PENDING = SyncStatus.PENDING.value
    IN_PROGRESS = SyncStatus.IN_PROGRESS.value
    AWAITING_FETCH = SyncStatus.AWAITING_FETCH.value
    EXPORTED = SyncStatus.EXPORTED.value
    SEEN = SyncStatus.SEEN.value
    ERROR = SyncStatus.ERROR.value
    MARKED = "marked"


def stored(state: State) -> tuple[SyncStatus, bool]:
    """The (status, marked_by_hand) pair a record in ``state`` holds."""
    return (SyncStatus.EXPORTED, True) if state is State.MARKED else (SyncStatus(state.value), False)


def state_of(status: str, marked_by_hand: bool) -> State:
    return State.MARKED if marked_by_hand else State(status)


@dataclass(frozen=True, slots=True)
class Transition:
    source: State
    target: State
    reason: str


_P, _I, _F, _X, _S, _E, _M = (State.PENDING, State.IN_PROGRESS, State.AWAITING_FETCH, State.EXPORTED, State.SEEN,
                              State.ERROR, State.MARKED)

#: Every allowed move, with why it happens. Anything not here raises. Marked by hand is final: nothing leaves it.
TABLE: Final[tuple[Transition, ...]] = (
    # Back to pending: there is work to do (again).
    Transition(_E, _P, "the pre-check passes now, or an approval re-queues it: its errors are cleared"),
    Transition(_P, _P, "still pending: a payment's wait changes its reason, or a voided document's action turns void"),
    Transition(_I, _P, "the run that claimed it is gone, or it was voided in flight; its attempt key is kept"),
    Transition(_X, _P, "changed or voided in the host after it was sent: it goes again as an update or a void"),
    Transition(_S, _P, "changed or voided in the host after the package confirmed it: the same"),
    Transition(_F, _P, "changed or voided before the package fetched it: withdrawn, to be published again"),
    # Claimed by a run: the attempt key is committed before the package hears of it.
    Transition(_P, _I, "claimed by a run, its attempt key on record before the call"),
    Transition(_E, _I, "tried again after a failure"),
    Transition(_I, _I, "a run died with it in flight: the next claims it again, after looking it up"),
    Transition(_F, _I, "the pull-based package fetched it: its answer is awaited"),
    # Published for a pull-based package (it comes and asks for work).
    Transition(_P, _F, "published for the package's next fetch"),
    Transition(_E, _F, "published again after a failure"),
    # Bound to the package's record.
    Transition(_I, _X, "the package answered with its id"),
    Transition(_P, _X, "found in the package by its attempt key (or a party by its code) after a lost answer"),
    Transition(_E, _X, "found in the package after a failure had been recorded"),
    # Confirmed by reading back.
    Transition(_X, _S, "read back from the package with the total that was sent"),
    Transition(_E, _S, "a sent prepayment whose allocation failed once is read back whole"),
    Transition(_P, _S, "a sent prepayment that waited for a new invoice of its order is read back whole"),
    # Refused.
    Transition(_P, _E, "refused by the pre-check, or held back because a party or item it needs failed"),
    Transition(_I, _E, "the package refused it, or the call failed"),
    Transition(_E, _E, "refused again"),
    Transition(_X, _E, "a sent prepayment's allocation or read-back failed, or the pre-check refuses it now"),
    Transition(_S, _E, "the same, after the package had confirmed it"),
    Transition(_F, _E, "the pull-based package fetched it and refused it"),
    # Marked as exported by hand (R-E8): the user says the package has it already.
    Transition(_P, _M, "marked as exported by hand: never sent, never ticked"),
    Transition(_E, _M, "marked by hand after a refusal"),
    Transition(_F, _M, "marked by hand while it waited for the package to fetch it"),
)

ALLOWED: Final[Mapping[State, frozenset[State]]] = {
    s: frozenset(t.target for t in TABLE if t.source is s) for s in State}
BEFORE: Final[Mapping[State, frozenset[State]]] = {
    s: frozenset(t.source for t in TABLE if t.target is s) for s in State}


def may_move(source: State, target: State) -> bool:
    return target in ALLOWED[source]


class ForbiddenTransition(Exception):  # noqa: N818 - the name the issue gives it
    """A write asked for a move the table does not allow. Nothing was written for the records named; the rows
    of the same statement that were allowed are in the caller's transaction, which the raise rolls back."""

    def __init__(self, moves: Sequence[tuple[int | None, State | None, State]]) -> None:
        self.moves = list(moves)
        said = "; ".join(f"record {'(any)' if rid is None else rid}: "
                         f"{'missing' if src is None else src.value} -> {dst.value}" for rid, src, dst in self.moves)
        super().__init__(f"forbidden sync record transition: {said}")


# -- the changes -------------------------------------------------------------------------------------------------
class Keep(enum.Enum):
    """A column the change leaves as it is (``None`` would write NULL)."""

    KEEP = "keep"


KEEP: Final = Keep.KEEP
_CLEARED: Final[Mapping[str, Any]] = {"failure_type": None, "last_error": None}


@dataclass(frozen=True, slots=True)
class Claim:
    """Claimed by a run (or fetched by a pull-based package): the attempt is on record before the call."""

    target: ClassVar[State] = State.IN_PROGRESS
    fixed: ClassVar[Mapping[str, Any]] = {}
    record_id: int
    attempt_key: str
    batch_key: str
    attempt_started_at: datetime
    attempts: int | Keep = KEEP


@dataclass(frozen=True, slots=True)
class Publish:
    """Published for a pull-based package to fetch."""

    target: ClassVar[State] = State.AWAITING_FETCH
    fixed: ClassVar[Mapping[str, Any]] = {}
    record_id: int


@dataclass(frozen=True, slots=True)
class Exported:
    """Bound to the package's record (sent, or found there); any error it had is cleared."""

    target: ClassVar[State] = State.EXPORTED
    fixed: ClassVar[Mapping[str, Any]] = _CLEARED
    record_id: int
    external_id: str | None
    exported_version: int | None
    exported_at: datetime
    external_number: str | None | Keep = KEEP
    external_name: str | None | Keep = KEEP
    exported_total: Decimal | None | Keep = KEEP
    seen_at: datetime | None | Keep = KEEP
    action: SyncAction | Keep = KEEP


@dataclass(frozen=True, slots=True)
class Seen:
    """Read back from the package as it was sent (the seen tick, R-E7)."""

    target: ClassVar[State] = State.SEEN
    fixed: ClassVar[Mapping[str, Any]] = {}
    record_id: int
    seen_at: datetime


@dataclass(frozen=True, slots=True)
class Failed:
    """Refused (pre-check, package, network); the full error goes to ``sync_errors`` (``records.record_error``)."""

    target: ClassVar[State] = State.ERROR
    fixed: ClassVar[Mapping[str, Any]] = {}
    record_id: int
    failure_type: FailureType
    last_error: str
    last_error_at: datetime


@dataclass(frozen=True, slots=True)
class Requeue:
    """Back to pending, one record at a time (``requeue_matching`` moves a set)."""

    target: ClassVar[State] = State.PENDING
    fixed: ClassVar[Mapping[str, Any]] = {}
    record_id: int
    failure_type: FailureType | None | Keep = KEEP
    last_error: str | None | Keep = KEEP
    action: SyncAction | Keep = KEEP


@dataclass(frozen=True, slots=True)
class MarkedByHand:
    """Marked as exported by hand (R-E8): never sent, never ticked; its errors cleared."""

    target: ClassVar[State] = State.MARKED
    fixed: ClassVar[Mapping[str, Any]] = {"marked_by_hand": True, **_CLEARED}
    record_id: int
    exported_at: datetime
    exported_version: int | None
    external_number: str | None | Keep = KEEP


@dataclass(frozen=True, slots=True)
class Remark:
    """No move: a note on the record (a read-back that does not match what was sent)."""

    target: ClassVar[State | None] = None
    fixed: ClassVar[Mapping[str, Any]] = {}
    record_id: int
    last_error: str | None


Change = Claim | Publish | Exported | Seen | Failed | Requeue | MarkedByHand | Remark
_NAMES: dict[type[Change], tuple[str, ...]] = {}
_FIXED: dict[type[Change], tuple[Any, ...]] = {}


def _names(kind: type[Change]) -> tuple[str, ...]:
    names = _NAMES.get(kind)
    if names is None:
        names = _NAMES[kind] = tuple(f.name for f in fields(kind) if f.name != "record_id")
    return names


def fixed_columns(kind: type[Change]) -> Mapping[str, Any]:
    """The columns a kind of change always writes: the stored status of its target first."""
    if kind.target is None:
        return kind.fixed
    status, marked = stored(kind.target)
    return {"status": status.value, **({"marked_by_hand": True} if marked else {}), **kind.fixed}


def columns_of(change: Change) -> dict[str, Any]:
    """The columns this change sets, besides its kind's fixed ones (those it leaves as they are left out)."""
    return {name: value for name in _names(type(change)) if (value := getattr(change, name)) is not KEEP}


# -- the guard ------------------------------------------------------------------------------------------------
def guard(sources: Collection[State]) -> ColumnElement[bool]:
    """SQL that is true for a record in one of ``sources`` (marked by hand told apart by its flag)."""
    statuses = sorted({stored(s)[0].value for s in sources if s is not State.MARKED})
    table = SyncRecord.__table__
    clause = and_(table.c.status.in_(statuses), table.c.marked_by_hand.is_(False))
    return or_(clause, table.c.marked_by_hand.is_(True)) if State.MARKED in sources else clause


_guard_sql: dict[tuple[str, State], str] = {}


def _guard_text(dialect: Any, target: State) -> str:
    """The guard of ``target``'s allowed predecessors as literal SQL (compiled once per dialect): executemany
    cannot take an expanding IN, and the values are this module's own constants."""
    key = (dialect.name, target)
    if key not in _guard_sql:
        _guard_sql[key] = str(guard(BEFORE[target]).compile(dialect=dialect, compile_kwargs={"literal_binds": True}))
    return _guard_sql[key]


# -- writes by record id ----------------------------------------------------------------------------------------
def apply(session: Session, changes: Iterable[Change]) -> None:
    """Write the changes in one executemany per kind and column set (the export hot path: thousands of rows a
    run). Each UPDATE is guarded by the table; raises :class:`ForbiddenTransition` if a row did not match."""
    _apply(session, changes, utcnow())


def apply_loaded(session: Session, pairs: Sequence[tuple[SyncRecord, Change]]) -> None:
    """:func:`apply` for records loaded in the session: their pending changes are flushed first, and the loaded
    objects then hold what was written (as committed values: the ORM writes nothing more)."""
    if any(inspect(record).modified for record, _ in pairs):
        session.flush()
    now = utcnow()
    _apply(session, [change for _, change in pairs], now)
    for record, change in pairs:
        for name, value in (*fixed_columns(type(change)).items(), *columns_of(change).items(), ("updated_at", now)):
            set_committed_value(record, name, value.value if isinstance(value, enum.Enum) else value)


def _apply(session: Session, changes: Iterable[Change], now: Any) -> None:
    """Rows grouped by kind and the columns they set, each row ``(fixed..., set..., updated_at, id)``: built in one
    step per change, since this runs three times for every exported record."""
    groups: dict[tuple[type[Change], tuple[str, ...]], list[tuple[Any, ...]]] = {}
    for change in changes:
        kind = type(change)
        names = _names(kind)
        values = tuple(getattr(change, name) for name in names)
        if any(v is KEEP for v in values):
            names = tuple(n for n, v in zip(names, values, strict=True) if v is not KEEP)
            values = tuple(v for v in values if v is not KEEP)
        fixed = _FIXED.get(kind)
        if fixed is None:
            fixed = _FIXED[kind] = tuple(fixed_columns(kind).values())
        groups.setdefault((kind, names), []).append((*fixed, *values, now, change.record_id))
    if not groups:
        return
    dialect = session.get_bind().dialect
    for (kind, names), params in groups.items():
        columns = (*fixed_columns(kind), *names, "updated_at")
        target: State | None = kind.target
        guard_sql = _guard_text(dialect, target) if target is not None else None
        matched = update_many_by_id(session, SyncRecord.__table__, columns, params, guard_sql)
        if target is not None and matched != len(params):
            _refuse(session, [row[-1] for row in params], target, now)


def _refuse(session: Session, record_ids: list[int], target: State, now: Any) -> None:
    """Name the rows the guard left alone (their ``updated_at`` is not this write's) and raise."""
    current = {row.id: row for row in session.execute(select(
        SyncRecord.id, SyncRecord.status, SyncRecord.marked_by_hand, SyncRecord.updated_at).where(
        SyncRecord.id.in_(record_ids)))}
    moves: list[tuple[int | None, State | None, State]] = []
    for rid in dict.fromkeys(record_ids):
        row = current.get(rid)
        if row is None:
            moves.append((rid, None, target))
        elif row.updated_at != now:
            moves.append((rid, state_of(row.status, row.marked_by_hand), target))
    if moves:
        raise ForbiddenTransition(moves)


# -- writes by set ---------------------------------------------------------------------------------------------
def requeue_matching(session: Session, sources: Collection[State], *criteria: ColumnElement[bool],
                     action: SyncAction | Keep = KEEP, now: datetime | None = None) -> int:
    """Every record matching ``criteria`` that is in one of ``sources`` goes back to pending (the host changed or
    voided it; a run is gone). The move is by state: asking to move a state the table does not allow raises
    before anything is written. Returns how many moved."""
    forbidden = [s for s in sources if not may_move(s, State.PENDING)]
    if forbidden:
        raise ForbiddenTransition([(None, s, State.PENDING) for s in forbidden])
    values: dict[str, Any] = {"status": SyncStatus.PENDING.value, "updated_at": now or utcnow()}
    if action is not KEEP:
        values["action"] = action.value
    result = session.execute(update(SyncRecord).where(*criteria, guard(sources)).values(values))
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


# -- birth -----------------------------------------------------------------------------------------------------
#: What a new sync record holds: pending, to be created, never attempted, not marked.
BORN: Final[Mapping[str, Any]] = {"status": SyncStatus.PENDING.value, "action": SyncAction.CREATE.value,
                                  "attempts": 0, "marked_by_hand": False}


def insert_new(session: Session, connection_id: int, record_type: RecordType, ids: Select[Any], now: Any) -> None:
    """A pending sync record for every host record id ``ids`` selects (a select with an ``id`` column)."""
    sub = ids.subquery()
    session.execute(insert(SyncRecord).from_select(
        ["connection_id", "record_type", "record_id", *BORN, "updated_at"],
        select(literal(connection_id, Integer), literal(record_type.value, String), sub.c.id,
               literal(BORN["status"], String), literal(BORN["action"], String), literal(BORN["attempts"], Integer),
               literal(BORN["marked_by_hand"], Boolean), literal(now, SyncRecord.updated_at.type))))


def insert_new_rows(session: Session, connection_id: int, record_type: RecordType, record_ids: Sequence[int],
                    now: Any) -> None:
    """A pending sync record for each of ``record_ids`` (an executemany)."""
    if record_ids:
        session.execute(insert(SyncRecord), [
            {"connection_id": connection_id, "record_type": record_type.value, "record_id": rid, **BORN,
             "updated_at": now} for rid in record_ids])


__all__ = ["State", "Transition", "TABLE", "ALLOWED", "BEFORE", "ForbiddenTransition", "may_move", "stored",
           "state_of", "KEEP", "Keep", "Change", "Claim", "Publish", "Exported", "Seen", "Failed", "Requeue",
           "MarkedByHand", "Remark", "fixed_columns", "columns_of", "guard", "apply", "apply_loaded",
           "requeue_matching", "BORN", "insert_new", "insert_new_rows"]
