"""A PostgreSQL server of the test's own, which the test may crash and restart (issue 6: "PostgreSQL restarted").

The shared server at 127.0.0.1:5432 is never touched (other engineers and CI use it). Instead
:func:`own_cluster` makes a cluster with the machine's own binaries (``initdb``, ``pg_ctl`` from the newest
``/usr/lib/postgresql/<version>/bin``, or ``LEDGERBRIDGE_PG_BINDIR``):

* in a temporary directory ``/tmp/lbpg-*`` owned by the ``postgres`` user: initdb refuses to run as root and CI
  runs the tests as root, so every server command goes through ``runuser -u postgres --`` when we are root and
  runs directly otherwise;
* listening on a free port of 127.0.0.1, with its unix socket in that directory (never in
  /var/run/postgresql, where the shared server's socket is);
* trust authentication, ``fsync`` off (a crash here is the server's processes dying, not the machine: the page
  cache survives, and crash recovery from the WAL still runs on every start after an immediate stop).

:meth:`PgCluster.crash` is ``pg_ctl stop -m immediate`` (every server process quits at once without a
checkpoint: a crash, and the next start replays the WAL); while it is down connections are refused
(:meth:`PgCluster.refuses_connections`); :meth:`PgCluster.start` brings it back.

The fixture ``own_postgres`` (module-scoped: one cluster, about 3 s to make, for every test of a module) yields
the :class:`PgCluster`; a test module uses it by importing ``own_postgres_fixture`` (see
test_database_restart.py, whose ``restart_store`` fixture puts a schema of its own on it). The server also runs
without the fixture: ``with own_cluster() as cluster: ...``. A machine without the server binaries makes the
test error out (not skip), as dbfixtures does for an unreachable PostgreSQL.

Child processes of the test (the workers, the sandbox) get :func:`die_with_parent`, so that a killed test leaves
none of them polling a server that is gone.

Leftovers. The fixture stops the server and removes the directory on teardown, also when the test fails. If
the test process itself is killed (SIGKILL, a CI timeout killing the process group) a *guard* does it: a small
process in a session of its own that holds the read end of a pipe whose write end only the test process has;
when that pipe closes, for whatever reason the test process ended, the guard stops the server
(``-m immediate``) and removes the directory. The directory also records the test process's pid, and each new
cluster first sweeps the ``/tmp/lbpg-*`` directories whose owner no longer exists (the guard itself was killed
too), so nothing outlives a second run.
"""

from __future__ import annotations

import glob
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import psycopg
import pytest

PREFIX = "lbpg-"
OWNER_FILE = "owner.pid"
BINDIR_ENV = "LEDGERBRIDGE_PG_BINDIR"

# The guard: waits for its stdin (the pipe from the test process) to close, then stops the server and removes
# the directory. It runs in a session of its own, so a signal to the test's process group does not reach it.
_GUARD = r"""
import os, shutil, subprocess, sys
bindir, root, user = sys.argv[1], sys.argv[2], sys.argv[3]
while sys.stdin.buffer.read(65536):
    pass
prefix = ["runuser", "-u", user, "--"] if user else []
subprocess.run(prefix + [os.path.join(bindir, "pg_ctl"), "stop", "-D", os.path.join(root, "data"), "-m",
               "immediate", "-w", "-t", "20"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
shutil.rmtree(root, ignore_errors=True)
"""


def die_with_parent() -> None:
    """``preexec_fn`` for the test's own child processes (workers): the kernel SIGKILLs the child when the test
    process ends, however it ends (Linux ``PR_SET_PDEATHSIG``), so a killed test leaves no worker polling."""
    import ctypes

    pr_set_pdeathsig = 1
    ctypes.CDLL(None, use_errno=True).prctl(pr_set_pdeathsig, signal.SIGKILL)


def postgres_bindir() -> Path:
    """The newest installed server binaries (Debian's /usr/lib/postgresql/<version>/bin), or the env's."""
    if os.environ.get(BINDIR_ENV):
        return Path(os.environ[BINDIR_ENV])
    found = [Path(p).parent for p in glob.glob("/usr/lib/postgresql/*/bin/pg_ctl")]
    found.sort(key=lambda p: [int(n) for n in re.findall(r"\d+", p.parent.name)] or [0])
    if not found:
        raise RuntimeError("no PostgreSQL server binaries under /usr/lib/postgresql/*/bin (install "
                           f"postgresql, or name the directory holding initdb and pg_ctl in {BINDIR_ENV})")
    return found[-1]


def _run_as() -> str:
    """The user that owns the cluster's files and runs its server: ``postgres`` when we are root, else us."""
    return "postgres" if os.geteuid() == 0 else ""


def _owner_command(command: list[str]) -> list[str]:
    user = _run_as()
    return ["runuser", "-u", user, "--", *command] if user else command


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def sweep_leftovers(bindir: Path, tmp: str | None = None) -> list[str]:
    """Stop and remove the clusters of test processes that no longer exist; the directories removed."""
    removed = []
    for root in glob.glob(os.path.join(tmp or tempfile.gettempdir(), PREFIX + "*")):
        try:
            owner = int(Path(root, OWNER_FILE).read_text().strip())
        except (OSError, ValueError):
            continue  # not ours, or still being made
        if _pid_alive(owner):
            continue  # another test run's, still going
        subprocess.run(_owner_command([str(bindir / "pg_ctl"), "stop", "-D", os.path.join(root, "data"), "-m",
                                       "immediate", "-w", "-t", "20"]), capture_output=True)
        shutil.rmtree(root, ignore_errors=True)
        removed.append(root)
    return removed


@dataclass
class PgCluster:
    """One running cluster of the test's own (see the module's docstring)."""

    bindir: Path
    root: Path
    port: int
    restarts: int = 0
    down_seconds: list[float] = field(default_factory=list)
    _stopped_at: float | None = None

    @property
    def data(self) -> Path:
        return self.root / "data"

    @property
    def log(self) -> Path:
        return self.root / "server.log"

    def url(self, database: str = "postgres") -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/{database}"

    def _pg_ctl(self, *args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
        return subprocess.run(_owner_command([str(self.bindir / "pg_ctl"), "-D", str(self.data), *args]),
                              capture_output=True, text=True, timeout=timeout)

    def start(self) -> None:
        """Start the server and wait until it accepts connections (after a crash: after its recovery)."""
        done = self._pg_ctl("start", "-w", "-t", "60", "-l", str(self.log), timeout=90)
        if done.returncode != 0:
            raise RuntimeError(f"pg_ctl start failed ({done.returncode}): {done.stdout}{done.stderr}\n"
                               f"{self.tail_log()}")
        if self._stopped_at is not None:
            self.down_seconds.append(time.monotonic() - self._stopped_at)
            self._stopped_at = None
            self.restarts += 1

    def crash(self) -> None:
        """``pg_ctl stop -m immediate``: every server process quits at once; the next start recovers."""
        done = self._pg_ctl("stop", "-m", "immediate", "-w", "-t", "30")
        if done.returncode != 0:
            raise RuntimeError(f"pg_ctl stop -m immediate failed: {done.stdout}{done.stderr}")
        self._stopped_at = time.monotonic()

    def restart(self, pause: float) -> None:
        """A crash, ``pause`` seconds during which connections are refused, then a start."""
        self.crash()
        time.sleep(pause)
        if not self.refuses_connections():
            raise AssertionError("the crashed server still accepted a connection")
        self.start()

    def refuses_connections(self) -> bool:
        try:
            psycopg.connect(self.url(), connect_timeout=2).close()
        except psycopg.OperationalError:
            return True
        return False

    def is_running(self) -> bool:
        return self._pg_ctl("status", timeout=20).returncode == 0

    def tail_log(self, lines: int = 30) -> str:
        try:
            return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""


def _chown_to_owner(path: Path) -> None:
    user = _run_as()
    if user:
        shutil.chown(path, user, user)


@contextmanager
def own_cluster() -> Iterator[PgCluster]:
    """Make, start and (however the test ends) stop and remove a cluster of the test's own."""
    bindir = postgres_bindir()
    sweep_leftovers(bindir)
    root = Path(tempfile.mkdtemp(prefix=PREFIX))  # 0700; /tmp itself lets the postgres user through
    (root / OWNER_FILE).write_text(str(os.getpid()))
    _chown_to_owner(root)
    guard = subprocess.Popen([sys.executable, "-c", _GUARD, str(bindir), str(root), _run_as()],
                             stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                             start_new_session=True)
    try:
        made = subprocess.run(_owner_command([str(bindir / "initdb"), "-D", str(root / "data"), "-U", "postgres",
                                              "-A", "trust", "-E", "UTF8", "--locale=C", "--no-sync"]),
                              capture_output=True, text=True, timeout=120)
        if made.returncode != 0:
            raise RuntimeError(f"initdb failed ({made.returncode}): {made.stdout}{made.stderr}")
        cluster = _configure_and_start(bindir, root)
        yield cluster
    finally:
        assert guard.stdin is not None
        guard.stdin.close()  # the guard stops the server and removes the directory: one way out, however we end
        try:
            guard.wait(timeout=60)
        except subprocess.TimeoutExpired:
            guard.kill()


def _configure_and_start(bindir: Path, root: Path) -> PgCluster:
    conf = root / "data" / "postgresql.conf"
    for attempt in range(3):  # a free port may be taken between asking and binding: try another
        port = _free_port()
        with conf.open("a") as f:
            f.write(f"\n# ledgerbridge fault tests (attempt {attempt})\nlisten_addresses = '127.0.0.1'\n"
                    f"port = {port}\nunix_socket_directories = '{root}'\nfsync = off\n"
                    "full_page_writes = off\nshared_buffers = 16MB\nmax_connections = 60\n"
                    "logging_collector = off\n")
        cluster = PgCluster(bindir, root, port)
        try:
            cluster.start()
            return cluster
        except RuntimeError:
            if attempt == 2:
                raise
    raise AssertionError("unreachable")


@pytest.fixture(scope="module", name="own_postgres")
def own_postgres_fixture() -> Iterator[PgCluster]:
    """A running cluster of the module's own (see the module's docstring); gone after the module's tests."""
    with own_cluster() as cluster:
        yield cluster
