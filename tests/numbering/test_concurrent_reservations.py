"""A number is never handed out twice across workers and machines: 50 block reservations at once, each thread on a
connection of its own (as 50 workers on several machines would be on PostgreSQL), with numbers the package holds in
their way; on PostgreSQL, and on SQLite (one file, many connections) too."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from dbfixtures import make_postgres_engine, make_sqlite_engine, postgres_url
from sqlalchemy import Engine, func, select, text
from sqlalchemy.orm import Session
from sqlalchemy.pool import NullPool

from ledgerbridge.numbering.allocate import reserve_block
from ledgerbridge.numbering.held import record_package_numbers
from ledgerbridge.numbering.sequences import BLOCK_SIZE, set_numbering
from ledgerbridge.store.db import make_engine, make_session_factory, write_locked_scope
from ledgerbridge.store.models.numbering import IssuedNumber, NumberGap, NumberSequence
from ledgerbridge.store.organisations import create_organisation

RESERVATIONS = 50
HELD = {"LB-1007", "LB-1100", "LB-1101", "LB-1999", "LB-2250"}


@pytest.fixture(params=["postgres", "sqlite"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[Engine, Engine]]:
    """The migrated store, and an engine on it without a pool: each thread's session opens its own connection."""
    if request.param == "sqlite":
        engine = make_sqlite_engine(tmp_path)
        separate = make_engine(engine.url.render_as_string(), poolclass=NullPool)
        yield engine, separate
        separate.dispose()
        engine.dispose()
        return
    with make_postgres_engine() as engine:
        with engine.connect() as conn:
            schema = conn.execute(text("SELECT current_schema()")).scalar_one()
        separate = make_engine(postgres_url(), poolclass=NullPool, connect_args={"options": f"-csearch_path={schema}"})
        yield engine, separate
        separate.dispose()


def test_fifty_concurrent_reservations_never_hand_out_a_number_twice(store: tuple[Engine, Engine]) -> None:
    engine, separate = store
    sessions = make_session_factory(engine)
    with write_locked_scope(sessions) as session:
        org_id = create_organisation(session, "Fifty devices Ltd").id
        set_numbering(session, org_id, "sales_invoice", prefix="LB-", next_number=1000)
        record_package_numbers(session, org_id, "sales_invoice", HELD, "package_read")
    separate_sessions = make_session_factory(separate)
    start = threading.Barrier(RESERVATIONS)
    blocks: dict[str, list[str]] = {}
    failures: list[BaseException] = []

    def reserve(device: str) -> None:
        try:
            with Session(separate) as warm:  # connect before the barrier, so the reservations really overlap
                warm.execute(text("SELECT 1"))
            start.wait(timeout=60)
            with write_locked_scope(separate_sessions) as session:
                blocks[device] = reserve_block(session, org_id, "sales_invoice", device).numbers
        except BaseException as exc:  # noqa: BLE001 - reported by the main thread's assertion
            failures.append(exc)

    threads = [threading.Thread(target=reserve, args=(f"device-{i:02d}",)) for i in range(RESERVATIONS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert failures == []
    handed_out = [n for numbers in blocks.values() for n in numbers]
    assert len(blocks) == RESERVATIONS and all(len(b) == BLOCK_SIZE for b in blocks.values())
    assert len(handed_out) == len(set(handed_out)) == RESERVATIONS * BLOCK_SIZE
    assert not HELD & set(handed_out)
    # Every number from the start to the counter is either handed out or a recorded skip: no hole, no overlap.
    covered = sorted(int(n.removeprefix("LB-")) for n in handed_out + sorted(HELD))
    with sessions() as session:
        next_number = session.scalar(select(NumberSequence.next_number))
        assert session.scalar(select(func.count()).select_from(IssuedNumber)) == RESERVATIONS * BLOCK_SIZE
        skipped = session.scalar(select(func.sum(NumberGap.last_number - NumberGap.first_number + 1)))
    assert covered == list(range(1000, next_number))
    assert skipped == len(HELD)
