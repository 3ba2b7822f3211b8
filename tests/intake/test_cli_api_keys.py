"""``ledgerbridge api-key grant|revoke|list`` (R-S1, issue 15 item 4): what a host's key may do in whose name, granted
on the server; a refusal names the user or the key, and nothing changes."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker
from typer.testing import CliRunner

from ledgerbridge.cli.context import STATE
from ledgerbridge.cli.main import app as cli_app
from ledgerbridge.security.apikeys import issue_api_key
from ledgerbridge.store.organisations import create_organisation
from ledgerbridge.web.auth import create_user


@pytest.fixture
def prefix(engine: Engine, sessions: sessionmaker[Session]) -> Iterator[str]:
    with sessions() as session:
        org = create_organisation(session, "Komet Flowers")
        key = issue_api_key(session, org.id, "field app")
        create_user(session, org.id, "pat@komet.test", "a long enough password", "procurement")
        session.commit()
    STATE.database_url = None
    STATE._engine = engine  # noqa: SLF001 - the command runs on the test's store
    try:
        yield key[:12]
    finally:
        STATE._engine = None  # noqa: SLF001


def test_grants_are_made_listed_and_taken_back_on_the_command_line(prefix: str) -> None:
    runner = CliRunner()

    def grants() -> list[tuple[str, str, str]]:
        listed = runner.invoke(cli_app, ["api-key", "list", "--json"])
        assert listed.exit_code == 0, listed.output
        return [(g["key"], g["user"], g["purpose"]) for g in json.loads(listed.output)]

    assert grants() == []
    made = runner.invoke(cli_app, ["api-key", "grant", prefix, "--user", "pat@komet.test", "--for", "approvals"])
    assert made.exit_code == 0 and "may now act as pat@komet.test for approvals" in " ".join(made.output.split())
    refused = runner.invoke(cli_app, ["api-key", "grant", prefix, "--user", "pat@komet.test", "--for",
                                      "administration"])
    assert refused.exit_code == 1 and "only an administrator or an Accounts user" in " ".join(refused.output.split())
    unknown = runner.invoke(cli_app, ["api-key", "grant", "lb_nosuchkey", "--user", "pat@komet.test", "--for",
                                      "approvals"])
    assert unknown.exit_code == 1 and "no live API key 'lb_nosuchkey'" in unknown.output
    assert grants() == [(prefix, "pat@komet.test", "approvals")]
    taken = runner.invoke(cli_app, ["api-key", "revoke", prefix, "--user", "pat@komet.test", "--for", "approvals"])
    assert taken.exit_code == 0 and grants() == []
