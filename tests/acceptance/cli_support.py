"""Driving the real ``ledgerbridge`` command line from acceptance tests, as a user at a shell would.

Every command runs in a subprocess (``python -m ledgerbridge.cli.main ...``) with its own working directory, a
SQLite file (``LEDGERBRIDGE_DATABASE_URL``) and a key file (``LEDGERBRIDGE_KEY_FILE``); long-running commands
(``sandbox xero``, ``serve``) run as background processes that are stopped by their own handle. Nothing here
imports the product's internals to *do* anything: the database is only read (with ``sqlite3``) to check what
the commands left behind, and the key file only to decrypt what a test needs to look for.
"""

from __future__ import annotations

import json
import os
import socket
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterable, Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

COMMAND_TIMEOUT = 60.0
STARTUP_TIMEOUT = 20.0
#: What the README's tour maps (and ``ledgerbridge.demo.data`` leaves 4090 unmapped on purpose).
TOUR_MAPPINGS = [
    ("nominal", "4000", "200"), ("nominal", "4010", "260"), ("nominal", "5000", "300"), ("nominal", "7500", "429"),
    ("nominal", "1200", "090"),  # the bank the demo's deposit PP-1 was paid into (a prepayment goes out, R-E6)
    ("tax", "T1", "OUTPUT2"), ("tax", "T0", "ZERORATEDOUTPUT"), ("tax", "T5", "RROUTPUT"),
    ("tax_purchases", "T1", "INPUT2"), ("tax_purchases", "T0", "ZERORATEDINPUT"), ("tax_purchases", "T5", "RRINPUT"),
]
SANDBOX_CLIENT_SECRET = "demo-secret"
SANDBOX_SCOPES = "offline_access accounting.transactions accounting.contacts accounting.settings"


def free_port() -> int:
    with closing(socket.socket(socket.AF_INET, socket.SOCK_STREAM)) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass(frozen=True)
class CliRun:
    """One finished command: what was typed, its exit code and everything it printed."""

    args: tuple[str, ...]
    returncode: int
    stdout: str
    stderr: str

    @property
    def command(self) -> str:
        return "ledgerbridge " + " ".join(self.args)

    def json(self) -> Any:
        try:
            return json.loads(self.stdout)
        except json.JSONDecodeError as exc:
            raise AssertionError(f"{self.command} did not print one JSON object ({exc}):\n{self.describe()}") from None

    def describe(self) -> str:
        return (f"$ {self.command}\n[exit {self.returncode}]\n--- stdout ---\n{self.stdout[-4000:]}"
                f"\n--- stderr ---\n{self.stderr[-4000:]}")


@dataclass
class Workspace:
    """A user's working directory: the SQLite store, the key file, and every command run there."""

    root: Path
    runs: list[CliRun] = field(default_factory=list)
    processes: list[Process] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.root.mkdir(parents=True, exist_ok=True)

    @property
    def db_path(self) -> Path:
        return self.root / "ledgerbridge.db"

    @property
    def key_file(self) -> Path:
        return self.root / "secret.key"

    @property
    def database_url(self) -> str:
        return f"sqlite:///{self.db_path}"

    def env(self) -> dict[str, str]:
        """The parent's environment without any ledgerbridge setting of its own, plus this workspace's."""
        env = {k: v for k, v in os.environ.items() if not k.startswith("LEDGERBRIDGE_")}
        env.update(LEDGERBRIDGE_DATABASE_URL=self.database_url, LEDGERBRIDGE_KEY_FILE=str(self.key_file),
                   PYTHONUNBUFFERED="1", COLUMNS="200", NO_COLOR="1")
        return env

    def run(self, *args: str, expect: int | None = 0, timeout: float = COMMAND_TIMEOUT) -> CliRun:
        """Run ``ledgerbridge ARGS`` to completion; with ``expect``, fail unless it exits with that code."""
        done = subprocess.run([sys.executable, "-m", "ledgerbridge.cli", *args], cwd=self.root, env=self.env(),
                              capture_output=True, text=True, timeout=timeout, check=False)
        run = CliRun(tuple(args), done.returncode, done.stdout, done.stderr)
        self.runs.append(run)
        if expect is not None and run.returncode != expect:
            raise AssertionError(f"expected exit code {expect}:\n{run.describe()}")
        return run

    def json(self, *args: str, expect: int | None = 0) -> Any:
        """Run a command that takes ``--json`` and return what it printed."""
        return self.run(*args, "--json", expect=expect).json()

    def start(self, *args: str, ready_url: str, name: str) -> Process:
        """Start ``ledgerbridge ARGS`` in the background and wait until ``ready_url`` answers 200."""
        out = self.root / f"{name}.stdout"
        err = self.root / f"{name}.stderr"
        with open(out, "wb") as stdout, open(err, "wb") as stderr:
            popen = subprocess.Popen([sys.executable, "-m", "ledgerbridge.cli", *args], cwd=self.root,
                                     env=self.env(), stdout=stdout, stderr=stderr, stdin=subprocess.DEVNULL)
        process = Process(name, tuple(args), popen, out, err)
        self.processes.append(process)
        process.wait_until_ready(ready_url)
        return process

    def stop_all(self) -> None:
        for process in reversed(self.processes):
            process.stop()

    # -- reading what the commands left behind ---------------------------------------------------
    def query(self, sql: str, params: Iterable[Any] = ()) -> list[tuple[Any, ...]]:
        """Read the store (read-only, so a test can never change what it is checking)."""
        with closing(sqlite3.connect(f"file:{self.db_path}?mode=ro", uri=True, timeout=10)) as db:
            return db.execute(sql, tuple(params)).fetchall()

    def scalar(self, sql: str, params: Iterable[Any] = ()) -> Any:
        rows = self.query(sql, params)
        return rows[0][0] if rows else None

    def text_columns(self, table: str, only: Iterable[str] | None = None) -> list[tuple[str, str]]:
        """Every non-empty text value of ``table`` (or of the named columns), as (column, value)."""
        columns = [row[1] for row in self.query(f"PRAGMA table_info({table})")]
        if only is not None:
            columns = [c for c in columns if c in set(only)]
        out: list[tuple[str, str]] = []
        for row in self.query(f"SELECT {', '.join(columns)} FROM {table}"):
            for column, value in zip(columns, row, strict=True):
                if isinstance(value, bytes):
                    value = value.decode("utf-8", errors="replace")
                if isinstance(value, str) and value:
                    out.append((f"{table}.{column}", value))
        return out

    def store_bytes(self) -> dict[str, bytes]:
        """The SQLite file and its write-ahead log and journal, as they lie on disk."""
        out = {}
        for suffix in ("", "-wal", "-journal", "-shm"):
            path = Path(f"{self.db_path}{suffix}")
            if path.exists():
                out[path.name] = path.read_bytes()
        return out

    def stored_connection_secrets(self) -> set[str]:
        """The tokens and client secret the connections hold now, decrypted with the workspace's key file."""
        from ledgerbridge.config import AppSettings
        from ledgerbridge.security.crypto import TokenCipher

        cipher = TokenCipher.from_settings(AppSettings(key_file=self.key_file, secret_key=None))
        secrets: set[str] = set()
        for row in self.query("SELECT access_token_enc, refresh_token_enc, client_secret_enc FROM connections"):
            for encrypted in row:
                if encrypted:
                    secrets.add(cipher.decrypt(encrypted))
        return secrets

    def write_json(self, name: str, data: Any) -> Path:
        path = self.root / name
        with open(path, "w", encoding="utf-8") as handle:
            json.dump(data, handle, default=str)
        return path


@dataclass
class Process:
    """A long-running command (the sandbox, the API server) with its output in files."""

    name: str
    args: tuple[str, ...]
    popen: subprocess.Popen[bytes]
    stdout_path: Path
    stderr_path: Path

    @property
    def stdout(self) -> str:
        return self.stdout_path.read_text(errors="replace")

    @property
    def stderr(self) -> str:
        return self.stderr_path.read_text(errors="replace")

    def wait_until_ready(self, url: str, timeout: float = STARTUP_TIMEOUT) -> None:
        deadline = time.monotonic() + timeout
        last: Exception | str | None = None
        while time.monotonic() < deadline:
            if self.popen.poll() is not None:
                raise AssertionError(f"ledgerbridge {' '.join(self.args)} exited with {self.popen.returncode} "
                                     f"before answering {url}:\n{self.stdout[-3000:]}\n{self.stderr[-3000:]}")
            try:
                answer = httpx.get(url, timeout=2)
                if answer.status_code == 200:
                    return
                last = f"HTTP {answer.status_code}"
            except httpx.HTTPError as exc:
                last = exc
            time.sleep(0.1)
        self.stop()
        raise AssertionError(f"ledgerbridge {' '.join(self.args)} did not answer {url} in {timeout} s ({last}):\n"
                             f"{self.stderr[-3000:]}")

    def stop(self) -> None:
        """Stop this process (and only it): SIGTERM, then SIGKILL if it does not go."""
        if self.popen.poll() is not None:
            return
        self.popen.terminate()
        try:
            self.popen.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.popen.kill()
            self.popen.wait(timeout=5)


class Sandbox:
    """The Xero sandbox seen from outside: its admin API, and its accounting API as a Xero user reads it."""

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url
        self.http = httpx.Client(base_url=base_url, timeout=10)
        self._token: str | None = None

    def close(self) -> None:
        self.http.close()

    def stats(self) -> dict[str, Any]:
        return self._ok(self.http.get("/sandbox/stats"))  # type: ignore[no-any-return]

    def tenant_id(self) -> str:
        tenants = self._ok(self.http.get("/sandbox/tenants"))
        assert len(tenants) == 1, tenants
        return str(tenants[0]["tenantId"])

    def record_payment(self, invoice_id: str, amount: str, reference: str, date: str = "2026-11-02") -> dict[str, Any]:
        """Record a payment as a bookkeeper would in Xero's UI (not through ledgerbridge)."""
        answer = self._ok(self.http.post(f"/sandbox/tenants/{self.tenant_id()}/payments", json={
            "Invoice": {"InvoiceID": invoice_id}, "Account": {"Code": "090"}, "Date": date, "Amount": amount,
            "Reference": reference}))
        return answer["Payments"][0]  # type: ignore[no-any-return]

    def get(self, path: str) -> dict[str, Any]:
        """``GET /api.xro/2.0{path}`` with a token of the test's own (``POST /sandbox/tokens``), never
        ledgerbridge's."""
        if self._token is None:
            self._token = str(self._ok(self.http.post("/sandbox/tokens", json={"scope": SANDBOX_SCOPES}))
                              ["access_token"])
        return self._ok(self.http.get(f"/api.xro/2.0{path}", headers={  # type: ignore[no-any-return]
            "Authorization": f"Bearer {self._token}", "xero-tenant-id": self.tenant_id(),
            "Accept": "application/json"}))

    def invoices(self) -> dict[str, dict[str, Any]]:
        """Invoices and bills in Xero's books by number."""
        return {i["InvoiceNumber"]: i for i in self.get("/Invoices")["Invoices"]}

    def calls(self, prefix: str = "") -> dict[str, int]:
        return {k: v for k, v in self.stats()["calls"].items() if k.split(" ", 1)[1].startswith("/api.xro/2.0")
                and k.startswith(prefix)}

    @staticmethod
    def _ok(answer: httpx.Response) -> Any:
        assert answer.status_code == 200, f"{answer.request.method} {answer.request.url}: {answer.status_code} " \
                                          f"{answer.text[:2000]}"
        return answer.json()


@contextmanager
def running_sandbox(workspace: Workspace) -> Iterator[Sandbox]:
    """``ledgerbridge sandbox xero --port P --no-rate-limits`` in the background, until the block ends."""
    port = free_port()
    base_url = f"http://127.0.0.1:{port}"
    process = workspace.start("sandbox", "xero", "--port", str(port), "--no-rate-limits",
                              ready_url=f"{base_url}/sandbox/stats", name="sandbox")
    sandbox = Sandbox(base_url)
    try:
        yield sandbox
    finally:
        sandbox.close()
        process.stop()


def secret_fragments(secret: str) -> set[str]:
    """The secret and the pieces of it that would still give it away if it were cut or split when printed:
    for a JWT its payload and signature (not its header, which every JWT shares); otherwise, for a long
    value, its first and last 16 characters."""
    fragments = {secret}
    parts = secret.split(".")
    if len(parts) == 3 and all(parts):
        fragments.update(p for p in parts[1:] if len(p) >= 16)
    elif len(secret) >= 32:
        fragments.update({secret[:16], secret[-16:]})
    return fragments
