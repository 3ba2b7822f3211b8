"""Shared plumbing for the CLI commands: the database, the organisation, output as table or JSON."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any, NoReturn

import typer
from rich.console import Console
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session, sessionmaker

from ledgerbridge.store.db import make_engine, make_session_factory, upgrade_schema
from ledgerbridge.store.models.host import Organisation

console = Console()
err_console = Console(stderr=True)


@dataclass
class CliState:
    database_url: str | None = None
    _engine: Engine | None = field(default=None, repr=False)

    @property
    def engine(self) -> Engine:
        if self._engine is None:
            self._engine = make_engine(self.database_url)
            upgrade_schema(self._engine)
        return self._engine

    @property
    def sessions(self) -> sessionmaker[Session]:
        return make_session_factory(self.engine)


STATE = CliState()


def organisation_id(session: Session, org: int | None) -> int:
    if org is not None:
        if session.get(Organisation, org) is None:
            fail(f"organisation {org} does not exist")
        return org
    ids = session.scalars(select(Organisation.id).order_by(Organisation.id)).all()
    if not ids:
        fail("no organisation yet: run 'ledgerbridge init' first")
    if len(ids) > 1:
        fail(f"there are {len(ids)} organisations: say which with --org")
    return ids[0]


def fail(message: str, code: int = 1) -> NoReturn:
    err_console.print(f"[bold red]error:[/] {message}")
    raise typer.Exit(code)


def _default(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


def print_json(data: Any) -> None:
    print(json.dumps(data, default=_default, indent=2))
