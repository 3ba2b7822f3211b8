"""``ledgerbridge numbering`` on both stores: set, reserve, report, show; a refusal exits 2 naming the field."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from sqlalchemy import Engine
from typer.testing import CliRunner

from ledgerbridge.cli.context import STATE
from ledgerbridge.cli.main import app as cli_app


@pytest.fixture
def cli(engine: Engine, org_id: int) -> Iterator[CliRunner]:
    STATE._engine = engine  # noqa: SLF001 - the commands on the test's store
    try:
        yield CliRunner()
    finally:
        STATE._engine = None  # noqa: SLF001


def _json(cli: CliRunner, *args: str) -> object:
    done = cli.invoke(cli_app, [*args, "--json"])
    assert done.exit_code == 0, done.output
    return json.loads(done.output)


def test_set_reserve_report_and_show(cli: CliRunner) -> None:
    assert _json(cli, "numbering", "set", "sales_credit_note", "--prefix", "CN-", "--next", "40")["next"] == "CN-40"
    block = _json(cli, "numbering", "reserve", "sales_credit_note", "--device", "van-2")
    assert isinstance(block, dict) and block["numbers"][0] == "CN-40" and len(block["numbers"]) == 25
    report = _json(cli, "numbering", "report", "sales_credit_note", "--device", "van-2", "--used", "CN-40",
                   "--voided", "CN-41", "--give-back")
    assert report == {"used": 1, "voided": 1, "given_back": 23, "blocks_closed": 1, "unchanged": 0}
    shown = _json(cli, "numbering", "show", "--used-only")
    assert isinstance(shown, list)
    assert [(g["first"], g["last"], g["cause"]) for g in shown[0]["gaps"]] == [
        ("CN-41", "CN-41", "void"), ("CN-42", "CN-64", "unused_block")]
    refused = cli.invoke(cli_app, ["numbering", "set", "sales_credit_note", "--next", "12"])
    assert refused.exit_code == 2 and "next_number can only move forward" in " ".join(refused.output.split())
