"""How the demo (and the bench) reach a package that polls us (``PackageSpec.polled``): there is no consent and
nothing to call; the package's program comes and asks for work.

:class:`PolledReach` serves the app on loopback in this process (its SOAP endpoint and its worker), makes the
connection (status connected, no consent), sets the program's password, writes its setup file for the served
address and plays the program against the sandbox's company (``PolledService.simulate``). Then:

* :meth:`PolledReach.calls` is a step where the demo calls the package itself, as it does every other package
  (the chart, the upload, the payment import, the reconciliation): the program is kept in a session for the
  step's length, so the connector's calls go out through the mailbox in that session's messages. The step is
  held as one running job of the demo's own, so that the session knows there is work until the step ends. The
  session starts no automatic work of its own meanwhile: the demo's connection has automatic sync off
  (``worker.auto_sync_on``), and the job is a chart read, so the first session does not queue another beside
  the demo's;
* :meth:`PolledReach.until_idle` updates until the service has nothing left ("none").

:class:`CalledReach` is the same two calls for a package we call: nothing to do.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import update
from sqlalchemy.orm import Session, sessionmaker

from ledgerbridge.connectors.connections import create_connection, production_endpoints
from ledgerbridge.connectors.spec import PackageSpec, PolledProgram, PolledService
from ledgerbridge.queue.identity import worker_name
from ledgerbridge.queue.jobs import LANES
from ledgerbridge.store.db import session_scope, utcnow
from ledgerbridge.store.models.sync import Connection, Job

__all__ = ["CalledReach", "PolledReach"]

#: How long the program waits before asking again when told there is no message yet (the real one: 5 s).
PAUSE_SECONDS = 0.05
#: How long a session may take to open, or a held step's session to end, before the demo gives up.
SESSION_SECONDS = 60.0
MAX_UPDATES = 50


class CalledReach:
    """A package we call: its steps need nothing around them."""

    @contextmanager
    def calls(self) -> Iterator[None]:
        yield

    def until_idle(self) -> int:
        return 0


class PolledReach:
    """See the module docstring. Use as a context manager: it stops the served app and the program."""

    def __init__(self, engine: Any, sessions: sessionmaker[Session], spec: PackageSpec, sandbox: Any,
                 *, pause_seconds: float = PAUSE_SECONDS) -> None:
        if spec.polled is None or spec.polled.simulate is None:
            raise ValueError(f"{spec.name} is not a package that polls us with a simulated program")
        self.spec = spec
        self.polled: PolledService = spec.polled
        self.sessions = sessions
        self.sandbox = sandbox
        self.pause_seconds = pause_seconds
        self._engine = engine
        self._served: Any = None
        self.program: PolledProgram | None = None
        self.connection_id: int | None = None

    def __enter__(self) -> PolledReach:
        from ledgerbridge.api.app import create_app
        from ledgerbridge.web.serving import serve_in_thread

        self._served = serve_in_thread(create_app(self._engine, run_worker=True), name="demo-polled-app")
        return self

    def __exit__(self, *_: object) -> None:
        if self.program is not None:
            self.program.close()
        if self._served is not None:
            self._served.stop()

    @property
    def base_url(self) -> str:
        assert self._served is not None, "enter the reach first"
        return str(self._served.base_url).replace("127.0.0.1", "localhost")  # the program wants a host name

    def connect(self, session: Session, organisation_id: int, name: str) -> Connection:
        """The connection (no consent: the program is set up with a password and a file), and the program."""
        conn = create_connection(session, organisation_id, self.spec.kind, production_endpoints(self.spec.kind),
                                 client_id="", client_secret="", redirect_uri="", name=name)
        conn.status = "connected"
        session.flush()
        password = self.polled.new_password(session, conn)
        _, setup = self.polled.setup_file(session, conn, self.base_url)
        assert self.polled.simulate is not None
        self.program = self.polled.simulate(setup, password, self.sandbox, self.pause_seconds)
        self.connection_id = conn.id
        return conn

    # -- the steps ---------------------------------------------------------------------------------------------
    @contextmanager
    def calls(self) -> Iterator[None]:
        """The program in a session while the block makes its calls; then updates until idle."""
        program, conn_id = self._program()
        held = self._hold(conn_id)
        outcome: list[BaseException | str] = []

        def one_update() -> None:
            try:
                outcome.append(program.update())
            except BaseException as exc:  # noqa: BLE001 - handed to the demo's thread below
                outcome.append(exc)

        session_thread = threading.Thread(target=one_update, name="demo-polled-session", daemon=True)
        try:
            session_thread.start()
            self._wait_open(conn_id, outcome)
            yield
        finally:
            self._release(held)
            session_thread.join(SESSION_SECONDS)
        if session_thread.is_alive():
            raise RuntimeError(f"{self.polled.program}'s session did not end after the demo's step")
        if outcome and isinstance(outcome[0], BaseException):
            raise outcome[0]
        self.until_idle()

    def until_idle(self) -> int:
        """Update until the service has no work; how many updates it took."""
        program, _ = self._program()
        for n in range(1, MAX_UPDATES + 1):
            if program.update() == "none":
                return n
        raise RuntimeError(f"{self.polled.program} still had work after {MAX_UPDATES} updates")

    # -- helpers -----------------------------------------------------------------------------------------------
    def _program(self) -> tuple[PolledProgram, int]:
        if self.program is None or self.connection_id is None:
            raise RuntimeError("connect first")
        return self.program, self.connection_id

    def _hold(self, conn_id: int) -> int:
        """The demo's own running job (see the module docstring)."""
        now = utcnow()
        with session_scope(self.sessions) as session:
            job = Job(connection_id=conn_id, kind="refresh_chart", lane=LANES["refresh_chart"], status="running",
                      params={}, requested_by="demo", worker_id=worker_name()[:100], step="the demo's own calls",
                      heartbeat_at=now, started_at=now)
            session.add(job)
            session.flush()
            return job.id

    def _release(self, held: int) -> None:
        with session_scope(self.sessions) as session:
            session.execute(update(Job).where(Job.id == held).values(status="done", step="done",
                                                                     finished_at=utcnow()))

    def _wait_open(self, conn_id: int, outcome: list[BaseException | str]) -> None:
        deadline = time.monotonic() + SESSION_SECONDS
        while time.monotonic() < deadline:
            with session_scope(self.sessions) as session:
                if conn_id in self.polled.open_connections(session):
                    return
            if outcome:
                raise RuntimeError(f"{self.polled.program}'s update ended before a session opened: {outcome[0]}")
            time.sleep(0.02)
        raise RuntimeError(f"{self.polled.program} did not open a session")
