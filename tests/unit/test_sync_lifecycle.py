"""The sync record's transition table (``sync.lifecycle``) as data: complete, consistent, and what it stores.

The database walk of the same table (every allowed move written, every forbidden one refused) is in
``tests/store/test_sync_lifecycle_db.py``, on SQLite and PostgreSQL.
"""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from sqlalchemy.dialects import postgresql, sqlite

from ledgerbridge.store.models.sync import FailureType, SyncAction, SyncRecord, SyncStatus
from ledgerbridge.sync import lifecycle
from ledgerbridge.sync.lifecycle import (
    ALLOWED,
    BEFORE,
    KEEP,
    TABLE,
    Claim,
    Exported,
    Failed,
    MarkedByHand,
    Publish,
    Remark,
    Requeue,
    Seen,
    State,
    columns_of,
    fixed_columns,
    may_move,
    state_of,
    stored,
)

NOW = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)
KINDS = (Claim, Publish, Exported, Seen, Failed, Requeue, MarkedByHand)


def test_every_move_is_listed_once_with_a_reason() -> None:
    pairs = Counter((t.source, t.target) for t in TABLE)
    assert [pair for pair, n in pairs.items() if n > 1] == []
    assert all(len(t.reason.strip()) > 10 for t in TABLE)


def test_allowed_and_before_are_the_table_read_both_ways() -> None:
    for source in State:
        for target in State:
            listed = any(t.source is source and t.target is target for t in TABLE)
            assert may_move(source, target) is listed
            assert (target in ALLOWED[source]) is listed
            assert (source in BEFORE[target]) is listed


def test_marked_by_hand_is_final_and_only_reached_from_unsent_states() -> None:
    assert ALLOWED[State.MARKED] == frozenset()
    assert BEFORE[State.MARKED] == {State.PENDING, State.ERROR, State.AWAITING_FETCH}


def test_a_confirmed_or_sent_record_is_never_claimed_or_sent_again_without_going_back_to_pending() -> None:
    for sent in (State.EXPORTED, State.SEEN):
        assert not may_move(sent, State.IN_PROGRESS)
        assert not may_move(sent, State.EXPORTED)
        assert not may_move(sent, State.AWAITING_FETCH)
        assert may_move(sent, State.PENDING)
    assert not may_move(State.SEEN, State.SEEN)
    assert not may_move(State.IN_PROGRESS, State.SEEN)


def test_every_state_is_reached_from_pending_and_every_unfinished_one_can_end_in_the_package() -> None:
    def reach(start: State) -> set[State]:
        seen, todo = {start}, [start]
        while todo:
            for nxt in ALLOWED[todo.pop()]:
                if nxt not in seen:
                    seen.add(nxt)
                    todo.append(nxt)
        return seen

    assert reach(State.PENDING) == set(State)
    for state in State:
        if state is not State.MARKED:
            assert State.SEEN in reach(state), state


def test_states_map_to_what_the_column_holds_and_back() -> None:
    width = SyncRecord.__table__.c.status.type.length  # type: ignore[attr-defined]
    for state in State:
        status, marked = stored(state)
        assert len(status.value) <= width
        assert state_of(status.value, marked) is state
    assert stored(State.MARKED) == (SyncStatus.EXPORTED, True)
    assert {stored(s)[0] for s in State} == set(SyncStatus)


@pytest.mark.parametrize("kind", KINDS, ids=lambda k: k.__name__)
def test_each_kind_of_change_writes_its_target_status(kind: type[lifecycle.Change]) -> None:
    fixed = fixed_columns(kind)
    assert kind.target is not None
    status, marked = stored(kind.target)
    assert fixed["status"] == status.value
    assert fixed.get("marked_by_hand", False) is marked


def test_a_remark_moves_nothing() -> None:
    assert Remark.target is None
    assert "status" not in fixed_columns(Remark)
    assert columns_of(Remark(7, "not ticked")) == {"last_error": "not ticked"}


def test_columns_left_as_they_are_are_not_written_and_none_is_written_as_null() -> None:
    change = Exported(1, "ext", 3, NOW, external_number=None, exported_total=Decimal("9.99"))
    assert columns_of(change) == {"external_id": "ext", "exported_version": 3, "exported_at": NOW,
                                  "external_number": None, "exported_total": Decimal("9.99")}
    assert fixed_columns(Exported) == {"status": "exported", "failure_type": None, "last_error": None}
    assert columns_of(Requeue(1)) == {}
    assert columns_of(Requeue(1, last_error=None, action=SyncAction.VOID)) == {"last_error": None,
                                                                               "action": SyncAction.VOID}
    assert columns_of(MarkedByHand(1, NOW, 2, KEEP)) == {"exported_at": NOW, "exported_version": 2}
    assert columns_of(Failed(1, FailureType.CONFIG, "no mapping", NOW))["failure_type"] is FailureType.CONFIG


@pytest.mark.parametrize("dialect", [sqlite.dialect(), postgresql.dialect()], ids=["sqlite", "postgresql"])
def test_the_guard_admits_exactly_the_allowed_predecessors(dialect: object) -> None:
    for target in State:
        sql = str(lifecycle.guard(BEFORE[target]).compile(dialect=dialect,  # type: ignore[arg-type]
                                                          compile_kwargs={"literal_binds": True}))
        named = {s.value for s in SyncStatus if f"'{s.value}'" in sql}
        assert named == {stored(s)[0].value for s in BEFORE[target]}, target
        assert "marked_by_hand" in sql


def test_a_forbidden_transition_names_the_record_and_the_move() -> None:
    error = lifecycle.ForbiddenTransition([(12, State.SEEN, State.IN_PROGRESS), (13, None, State.EXPORTED)])
    assert "record 12: seen -> in_progress" in str(error)
    assert "record 13: missing -> exported" in str(error)
