"""``ledgerbridge bench-numbering``: many devices reserving blocks at once, each on a connection of its own, and
whether any number was handed out twice (R-N1). Prints figures; asserts nothing but the rule itself.

On PostgreSQL the run gets a migrated schema of its own (``store.db.migrated_schema``), dropped afterwards; on SQLite
a fresh file. Every device thread opens its own connection (no pool), waits at a barrier, then reserves
``--rounds`` blocks one after another, so the counter row's lock is what every reservation queues on.
"""

from __future__ import annotations

import tempfile
import threading
import time
from contextlib import ExitStack
from pathlib import Path
from typing import Annotated, Any

import typer
from sqlalchemy import Engine, func, select, text
from sqlalchemy.pool import NullPool

from ledgerbridge.cli.context import console, print_json


def bench_numbering(
        db: Annotated[str | None, typer.Option(help="postgresql://... (a schema of its own), else a new SQLite file")
                      ] = None,
        devices: Annotated[int, typer.Option(min=1, max=90, help="Devices reserving at once")] = 50,
        rounds: Annotated[int, typer.Option(min=1, max=100, help="Blocks each device reserves")] = 4,
        as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """Reserve ``devices`` x ``rounds`` blocks of 25 concurrently; print the time and whether a number repeated."""
    result = run_bench(db, devices, rounds)
    if as_json:
        print_json(result)
    else:
        console.print(", ".join(f"{k} {v}" for k, v in result.items()))
    if result["numbers_handed_out_twice"]:
        raise typer.Exit(2)


def run_bench(db: str | None, devices: int, rounds: int) -> dict[str, Any]:
    from ledgerbridge.numbering.allocate import reserve_block
    from ledgerbridge.numbering.sequences import set_numbering
    from ledgerbridge.store.db import (
        make_engine,
        make_session_factory,
        migrated_schema,
        upgrade_schema,
        write_locked_scope,
    )
    from ledgerbridge.store.models.numbering import IssuedNumber
    from ledgerbridge.store.organisations import create_organisation

    with ExitStack() as stack:
        if db and db.startswith("postgresql"):
            engine: Engine = stack.enter_context(migrated_schema(db, "lbbench"))
            with engine.connect() as conn:
                schema = conn.execute(text("SELECT current_schema()")).scalar_one()
            separate = make_engine(db, poolclass=NullPool, connect_args={"options": f"-csearch_path={schema}"})
        else:
            folder = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="lbbench-")))
            url = f"sqlite:///{folder / 'numbering.db'}"
            engine = make_engine(url)
            upgrade_schema(engine)
            separate = make_engine(url, poolclass=NullPool)
        stack.callback(engine.dispose)
        stack.callback(separate.dispose)
        sessions, device_sessions = make_session_factory(engine), make_session_factory(separate)
        with write_locked_scope(sessions) as session:
            org_id = create_organisation(session, "Bench devices Ltd").id
            set_numbering(session, org_id, "sales_invoice", prefix="B-", next_number=1)
        start = threading.Barrier(devices + 1)
        waits: list[float] = []
        failures: list[str] = []

        def device(name: str) -> None:
            try:
                with separate.connect() as warm:
                    warm.execute(text("SELECT 1"))
                start.wait(timeout=60)
                for _ in range(rounds):
                    asked = time.perf_counter()
                    with write_locked_scope(device_sessions) as session:
                        reserve_block(session, org_id, "sales_invoice", name)
                    waits.append(time.perf_counter() - asked)
            except Exception as exc:  # noqa: BLE001 - counted and printed, the run goes on
                failures.append(f"{name}: {exc}"[:300])

        threads = [threading.Thread(target=device, args=(f"device-{i:02d}",)) for i in range(devices)]
        for thread in threads:
            thread.start()
        start.wait(timeout=60)
        began = time.perf_counter()
        for thread in threads:
            thread.join()
        seconds = time.perf_counter() - began
        with sessions() as session:
            handed = session.scalar(select(func.count()).select_from(IssuedNumber)) or 0
            distinct = session.scalar(select(func.count(func.distinct(IssuedNumber.number)))) or 0
        waits.sort()
        return {"store": engine.dialect.name, "devices": devices, "blocks": len(waits), "numbers": handed,
                "numbers_handed_out_twice": handed - distinct, "failures": failures[:5], "seconds": round(seconds, 3),
                "blocks_per_second": round(len(waits) / seconds, 1) if seconds else None,
                "wait_median_ms": round(1000 * waits[len(waits) // 2], 1) if waits else None,
                "wait_max_ms": round(1000 * waits[-1], 1) if waits else None}


def register(root: typer.Typer) -> None:
    root.command("bench-numbering")(bench_numbering)
