"""Measure intake of 10,000 documents x 5 lines on SQLite and PostgreSQL (a script, not a test).

    .venv/bin/python tests/intake/measure_intake.py [sqlite|postgres|both]

Prints, per backend, the time to parse the JSON body and the time of ``apply_batch`` for a
first load and for an identical re-send (all unchanged), best of three fresh databases.
"""

from __future__ import annotations

import json
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from dbfixtures import make_postgres_engine, make_sqlite_engine
from sqlalchemy import Engine, text

from intake.factories import bulk_batch
from ledgerbridge.intake.apply import apply_batch
from ledgerbridge.intake.schemas import parse_batch
from ledgerbridge.store.db import make_session_factory
from ledgerbridge.store.organisations import create_organisation


@contextmanager
def sqlite_engine() -> Iterator[Engine]:
    with tempfile.TemporaryDirectory() as tmp:
        engine = make_sqlite_engine(Path(tmp))
        yield engine
        engine.dispose()


def measure_once(open_engine: Callable[[], contextmanager[Engine]], raw: bytes) -> dict[str, float]:
    timings: dict[str, float] = {}
    with open_engine() as engine:
        sessions = make_session_factory(engine)
        with sessions() as session:
            organisation_id = create_organisation(session, "measure").id
            session.commit()
        runs = ["first load", "re-send"]
        if engine.dialect.name == "postgresql":
            # Right after a bulk load the planner has no statistics until autovacuum analyses the
            # tables (within a minute); measure both sides of that.
            runs.append("re-send after ANALYZE")
        for run in runs:
            if run.endswith("ANALYZE"):
                with engine.begin() as conn:
                    conn.execute(text("ANALYZE"))
            start = time.perf_counter()
            batch = parse_batch(raw)
            parsed = time.perf_counter()
            with sessions() as session:
                result = apply_batch(session, organisation_id, batch)
                applied = time.perf_counter()
                session.commit()
            committed = time.perf_counter()
            expected = result.documents.created if run == "first load" else result.documents.unchanged
            assert expected == 10_000, result
            timings[f"{run}: parse"] = parsed - start
            timings[f"{run}: apply_batch"] = applied - parsed
            timings[f"{run}: commit"] = committed - applied
    return timings


def main(which: str) -> None:
    raw = json.dumps(bulk_batch()).encode()
    print(f"batch: 10,000 documents x 5 lines, 503 parties; {len(raw) / 1e6:.1f} MB of JSON")
    backends = {"sqlite": sqlite_engine, "postgres": make_postgres_engine}
    for name, open_engine in backends.items():
        if which not in (name, "both"):
            continue
        runs = [measure_once(open_engine, raw) for _ in range(3)]
        for label in runs[0]:
            print(f"{name:8} {label:24} best {min(r[label] for r in runs):.2f}s  "
                  f"(runs: {', '.join(f'{r[label]:.2f}' for r in runs)})")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "both")
