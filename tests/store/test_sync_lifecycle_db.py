"""The sync record's transition table enforced by the database, on SQLite and PostgreSQL (``sync.lifecycle``).

Every pair of states is walked: a record is put in the first (directly, as a fixture: that is not a move), the
change to the second is applied through the same executemany the export uses, and either the row holds what the
change says or ``ForbiddenTransition`` names it and the row is exactly as it was. The driver's ``rowcount`` for an
executemany is what the guard relies on: the mixed batch below checks it counts rows, not statements.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from ledgerbridge.store.db import session_scope
from ledgerbridge.store.models.host import Organisation
from ledgerbridge.store.models.sync import Connection, FailureType, RecordType, SyncAction, SyncRecord
from ledgerbridge.sync import lifecycle
from ledgerbridge.sync.lifecycle import (
    Claim,
    Exported,
    Failed,
    ForbiddenTransition,
    MarkedByHand,
    Publish,
    Remark,
    Requeue,
    Seen,
    State,
    may_move,
    state_of,
    stored,
)

NOW = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)
EARLIER = datetime(2024, 4, 1, 9, 0, tzinfo=UTC)

#: One change to each state, and the columns it must leave on the row.
TO: dict[State, tuple[Callable[[int], lifecycle.Change], dict[str, Any]]] = {
    State.PENDING: (lambda rid: Requeue(rid, failure_type=None, last_error=None, action=SyncAction.UPDATE),
                    {"failure_type": None, "last_error": None, "action": "update"}),
    State.IN_PROGRESS: (lambda rid: Claim(rid, "k:0", "k", NOW, attempts=2),
                        {"attempt_key": "k:0", "batch_key": "k", "attempt_started_at": NOW, "attempts": 2}),
    State.AWAITING_FETCH: (lambda rid: Publish(rid), {}),
    State.EXPORTED: (lambda rid: Exported(rid, f"new-{rid}", 4, NOW, external_number="INV-9",
                                          exported_total=Decimal("12.5000"), seen_at=None,
                                          action=SyncAction.CREATE),
                     {"external_id": "new-{rid}", "exported_version": 4, "exported_at": NOW,
                      "external_number": "INV-9", "exported_total": Decimal("12.5"), "seen_at": None,
                      "failure_type": None, "last_error": None, "action": "create"}),
    State.SEEN: (lambda rid: Seen(rid, NOW), {"seen_at": NOW}),
    State.ERROR: (lambda rid: Failed(rid, FailureType.DATA, "refused", NOW),
                  {"failure_type": "data", "last_error": "refused", "last_error_at": NOW}),
    State.MARKED: (lambda rid: MarkedByHand(rid, NOW, 4, "REF-1"),
                   {"exported_at": NOW, "exported_version": 4, "external_number": "REF-1", "failure_type": None,
                    "last_error": None}),
}
COLUMNS = [c.name for c in SyncRecord.__table__.columns]


@pytest.fixture
def connection_id(sessions: sessionmaker[Session]) -> int:
    with session_scope(sessions) as session:
        org = Organisation(name="Lifecycle Ltd")
        session.add(org)
        session.flush()
        conn = Connection(organisation_id=org.id, kind="xero", name="Xero", api_base_url="http://x",
                          identity_base_url="http://x", client_id="c", client_secret_enc="s", redirect_uri="http://x")
        session.add(conn)
        session.flush()
        return conn.id


def put(session: Session, connection_id: int, n: int, state: State) -> int:
    """A record in ``state``, as a fixture writes it (an insert, not a move), with every column set to something
    a move could change, so that a refused move that wrote anything would show."""
    status, marked = stored(state)
    record = SyncRecord(connection_id=connection_id, record_type=RecordType.DOCUMENT.value, record_id=n,
                        status=status.value, marked_by_hand=marked, action="create", external_id=f"old-{n}",
                        external_number="OLD", exported_version=1, exported_total=Decimal("1"), exported_at=EARLIER,
                        seen_at=EARLIER, attempt_key="old:0", batch_key="old", attempt_started_at=EARLIER,
                        attempts=1, failure_type="config", last_error="old", last_error_at=EARLIER,
                        updated_at=EARLIER)
    session.add(record)
    session.flush()
    return record.id


def row(session: Session, record_id: int) -> dict[str, Any]:
    found = session.execute(select(SyncRecord.__table__).where(SyncRecord.id == record_id)).one()
    return dict(found._mapping)


def test_every_pair_of_states_is_written_or_refused_as_the_table_says(
        sessions: sessionmaker[Session], connection_id: int) -> None:
    with session_scope(sessions) as session:
        n = 0
        for source in State:
            for target, (make, expected) in TO.items():
                n += 1
                rid = put(session, connection_id, n, source)
                before = row(session, rid)
                if may_move(source, target):
                    lifecycle.apply(session, [make(rid)])
                    after = row(session, rid)
                    assert state_of(after["status"], after["marked_by_hand"]) is target, (source, target)
                    for name, value in expected.items():
                        want = value.format(rid=rid) if isinstance(value, str) else value
                        assert after[name] == want, (source, target, name)
                    assert after["updated_at"] > EARLIER
                else:
                    with pytest.raises(ForbiddenTransition) as refused:
                        lifecycle.apply(session, [make(rid)])
                    assert refused.value.moves == [(rid, source, target)], (source, target)
                    assert row(session, rid) == before, (source, target)
        assert n == len(State) * len(TO)


def test_a_mixed_batch_names_only_the_forbidden_rows(sessions: sessionmaker[Session], connection_id: int) -> None:
    """One executemany of five rows, two of them not allowed: the driver counted rows, not the statement."""
    with session_scope(sessions) as session:
        states = [State.EXPORTED, State.IN_PROGRESS, State.EXPORTED, State.MARKED, State.EXPORTED]
        ids = [put(session, connection_id, n, s) for n, s in enumerate(states, start=1)]
        with pytest.raises(ForbiddenTransition) as refused:
            lifecycle.apply(session, [Seen(rid, NOW) for rid in ids])
        assert refused.value.moves == [(ids[1], State.IN_PROGRESS, State.SEEN), (ids[3], State.MARKED, State.SEEN)]


def test_all_allowed_in_one_batch_and_a_missing_record(sessions: sessionmaker[Session], connection_id: int) -> None:
    with session_scope(sessions) as session:
        ids = [put(session, connection_id, n, State.PENDING) for n in range(1, 301)]
        lifecycle.apply(session, [Claim(rid, f"k:{i}", "k", NOW) for i, rid in enumerate(ids)])
        statuses = set(session.scalars(select(SyncRecord.status).where(SyncRecord.id.in_(ids))))
        assert statuses == {"in_progress"}
        with pytest.raises(ForbiddenTransition) as refused:
            lifecycle.apply(session, [Failed(10_000, FailureType.DATA, "gone", NOW)])
        assert refused.value.moves == [(10_000, None, State.ERROR)]


def test_a_remark_writes_in_any_state(sessions: sessionmaker[Session], connection_id: int) -> None:
    with session_scope(sessions) as session:
        ids = {s: put(session, connection_id, n, s) for n, s in enumerate(State, start=1)}
        lifecycle.apply(session, [Remark(rid, "not ticked") for rid in ids.values()])
        for state, rid in ids.items():
            after = row(session, rid)
            assert after["last_error"] == "not ticked"
            assert state_of(after["status"], after["marked_by_hand"]) is state


def test_a_set_is_requeued_by_state_and_a_forbidden_state_is_refused_before_writing(
        sessions: sessionmaker[Session], connection_id: int) -> None:
    with session_scope(sessions) as session:
        ids = {s: put(session, connection_id, n, s) for n, s in enumerate(State, start=1)}
        mine = SyncRecord.connection_id == connection_id
        with pytest.raises(ForbiddenTransition) as refused:
            lifecycle.requeue_matching(session, (State.SEEN, State.MARKED), mine)
        assert refused.value.moves == [(None, State.MARKED, State.PENDING)]
        assert row(session, ids[State.SEEN])["status"] == "seen"
        moved = lifecycle.requeue_matching(session, (State.EXPORTED, State.SEEN), mine, action=SyncAction.UPDATE)
        assert moved == 2  # the record marked by hand is stored as exported, and stays
        for state, rid in ids.items():
            after = row(session, rid)
            now_in = state_of(after["status"], after["marked_by_hand"])
            assert now_in is (State.PENDING if state in (State.EXPORTED, State.SEEN) else state), state
            assert after["action"] == ("update" if state in (State.EXPORTED, State.SEEN) else "create")


def test_a_loaded_record_holds_what_was_written(sessions: sessionmaker[Session], connection_id: int) -> None:
    with session_scope(sessions) as session:
        rid = put(session, connection_id, 1, State.IN_PROGRESS)
        record = session.get_one(SyncRecord, rid)
        record.attempts = 5  # a pending change of the caller's, flushed before the move
        lifecycle.apply_loaded(session, [(record, Failed(rid, FailureType.SYSTEM, "locked period", NOW))])
        assert (record.status, record.failure_type, record.last_error) == ("error", "system", "locked period")
        assert record not in session.dirty
        session.expire(record)
        assert (record.status, record.attempts, record.last_error_at) == ("error", 5, NOW)
