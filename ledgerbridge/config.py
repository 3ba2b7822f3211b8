"""Everything ledgerbridge reads from the environment, in one typed object (``LEDGERBRIDGE_*``).

Why one object: the variables used to be read with ``os.environ`` in eight modules, each with its own default
and its own idea of what an empty value means, and the README could not list them all. Here each is a typed
field with its default and a description (the README's "Configuration" table says the same), and a value of the
wrong type fails at once with the variable's name instead of deep inside a worker.

Read the settings through :func:`get_settings`, built once per process: the key file and the database URL must
not change under a running server. A process that changes its own environment (the demo, a test with
``monkeypatch.setenv``) calls :func:`reset_settings` afterwards; ``tests/conftest.py`` also does after every
test, so one test's variables never reach the next.

An empty variable counts as unset (``LEDGERBRIDGE_HEARTBEAT_TIMEOUT=`` means 120 s), as it did before.
Variables only the tests read (``LEDGERBRIDGE_TEST_POSTGRES_URL`` and the long-run knobs) stay in the tests.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

__all__ = ["ENV_PREFIX", "AppSettings", "env_name", "get_settings", "reset_settings"]

ENV_PREFIX = "LEDGERBRIDGE_"


class AppSettings(BaseSettings):
    """ledgerbridge's settings; field ``x`` is the environment variable ``LEDGERBRIDGE_X``."""

    model_config = SettingsConfigDict(env_prefix=ENV_PREFIX, env_ignore_empty=True, extra="ignore", frozen=True)

    database_url: str = Field(
        default="sqlite:///ledgerbridge.db",
        description="The store: a SQLAlchemy URL. SQLite (a file, the embedded default) or PostgreSQL "
                    "(postgresql://user@host/db, for several workers). The CLI's --db overrides it.")
    secret_key: SecretStr | None = Field(
        default=None,
        description="Fernet key(s) that encrypt OAuth tokens and client secrets at rest: one key, or several "
                    "separated by commas, newest first (the first encrypts, any decrypts: key rotation). "
                    "Unset: the key file is used.")
    key_file: Path = Field(
        default=Path("./.ledgerbridge-secret.key"),
        description="The key file used when LEDGERBRIDGE_SECRET_KEY is unset; created with a fresh key "
                    "(mode 0600) on first use.")
    heartbeat_timeout: float = Field(
        default=120.0, gt=0,
        description="Seconds without a heartbeat after which a running job is taken up again by another "
                    "worker. Heartbeats are written every quarter of this (at least every 0.2 s).")
    clock_scale: float | None = Field(
        default=None, gt=0,
        description="Benchmarks only: run the call budget and the sandboxes' rate limits on a clock this many "
                    "times faster than real time. Unset: the wall clock.")
    clock_origin: float | None = Field(
        default=None,
        description="Benchmarks only: the epoch second from which the accelerated clock runs, so that every "
                    "process given the same two numbers agrees on 'now'. Unset: when the process reads it.")
    max_body_bytes: int = Field(
        default=50 * 1024 * 1024, gt=0,
        description="The largest request body the API reads, in bytes; a larger one is refused with 413 before it "
                    "is parsed. 50 MB holds a batch of 10,000 documents with room to spare.")
    malloc_arenas: int = Field(
        default=2, ge=0,
        description="The most malloc arenas a ledgerbridge process uses (glibc; set where the 'ledgerbridge' "
                    "command starts). Fewer arenas share freed memory between threads, so the process's peak "
                    "stays near what it uses; 0 leaves the C library's default (eight per core).")
    client_id: str = Field(
        default="ledgerbridge-demo",
        description="OAuth client id for 'ledgerbridge connect' (the app registered with the package); "
                    "--client-id overrides it. The default suits the sandboxes only.")
    client_secret: SecretStr = Field(
        default=SecretStr("demo-secret"),
        description="OAuth client secret for 'ledgerbridge connect'; --client-secret overrides it. The "
                    "default suits the sandboxes only.")


def env_name(field: str) -> str:
    """The environment variable of a settings field: ``env_name("key_file") == "LEDGERBRIDGE_KEY_FILE"``."""
    if field not in AppSettings.model_fields:
        raise KeyError(f"no setting {field!r}")
    return ENV_PREFIX + field.upper()


@lru_cache(maxsize=1)
def get_settings() -> AppSettings:
    """The process's settings, read from the environment on first use."""
    return AppSettings()


def reset_settings() -> None:
    """Forget the cached settings: the next :func:`get_settings` reads the environment again."""
    get_settings.cache_clear()
