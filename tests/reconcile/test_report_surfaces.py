"""The report where people read it: the CLI (table, JSON, CSV), the REST API (JSON and a CSV download) and the
web page, all on the same books (a credit allocated in the package only, a payment not yet imported). On a package
that polls us (QuickBooks Desktop) they read it while its client is in a session (``Books.reachable_by_the_app``)."""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal

from fastapi.testclient import TestClient
from typer.testing import CliRunner

from ledgerbridge.api.app import create_app
from ledgerbridge.cli.context import STATE
from ledgerbridge.cli.main import app as cli_app
from ledgerbridge.security.apikeys import issue_api_key
from ledgerbridge.store.db import session_scope
from ledgerbridge.store.models.sync import Connection
from ledgerbridge.store.organisations import create_organisation
from ledgerbridge.web.auth import create_admin

from .conftest import Books

PASSWORD = "correct horse battery"


def _drift(books: Books) -> None:
    books.upload()
    books.user.allocate_credit(books.ext("CN-2001"), books.ext("INV-1002"), Decimal("5.00"))
    books.user.pay(books.ext("INV-1001"), Decimal("10.00"))


def test_api_and_web_page_show_the_causes(books: Books) -> None:
    _drift(books)
    with session_scope(books.sessions) as session:
        org_id = session.get_one(Connection, books.conn_id).organisation_id
        key = issue_api_key(session, org_id, "host")
        other_key = issue_api_key(session, create_organisation(session, "Someone Else Ltd").id, "host")
        create_admin(session, org_id, "admin@test.test", PASSWORD)
    with books.reachable_by_the_app(), TestClient(create_app(books.sessions.kw["bind"], run_worker=False)) as client:
        url = f"/v1/connections/{books.conn_id}/reconciliation"
        report = client.get(url, headers={"X-API-Key": key}).json()
        assert report["differences"] == report["explained"] > 0
        causes = {c["cause"] for row in report["rows"] for c in row["causes"]}
        assert causes == {"credit_only_here", "payment_not_imported", "not_exported"}
        download = client.get(url, params={"format": "csv"}, headers={"X-API-Key": key})
        assert download.headers["content-type"].startswith("text/csv")
        assert "attachment" in download.headers["content-disposition"]
        rows = list(csv.DictReader(io.StringIO(download.text)))
        assert {r["cause"] for r in rows} == causes
        assert client.get(url, headers={"X-API-Key": other_key}).status_code == 404
        assert client.get(url, params={"format": "xml"}, headers={"X-API-Key": key}).status_code == 422

        login = client.get("/login")
        token = re.search(r'name="csrf_token" value="([^"]+)"', login.text).group(1)  # type: ignore[union-attr]
        client.post("/login", data={"email": "admin@test.test", "password": PASSWORD, "csrf_token": token,
                                    "next": "/reconciliation"}, follow_redirects=False)
        page = client.get("/reconciliation").text
        assert "Credit allocated only here" in page and "Payment not yet imported" in page
        assert f"{report['differences']} differences, {report['explained']} explained" in page
        assert 'href="/reconciliation.csv"' in page and 'aria-current="page" class="active">Reconciliation' in page
        assert client.get("/reconciliation.csv").text.splitlines()[0].startswith("level,party,document")


@contextmanager
def _commands_on(books: Books) -> Iterator[None]:
    """The CLI's commands run on the test's store, the package reachable as the app reads it."""
    STATE.database_url = None
    STATE._engine = books.sessions.kw["bind"]  # noqa: SLF001 - the command runs on the test's store
    try:
        with books.reachable_by_the_app():
            yield
    finally:
        STATE._engine = None  # noqa: SLF001


def test_cli_table_json_and_csv(books: Books, tmp_path: object) -> None:
    _drift(books)
    with _commands_on(books):
        runner = CliRunner()
        as_json = runner.invoke(cli_app, ["reconcile", "--json"])
        assert as_json.exit_code == 0, as_json.output
        data = json.loads(as_json.output)
        assert data["differences"] == data["explained"] > 0
        table = runner.invoke(cli_app, ["reconcile"])
        assert table.exit_code == 0
        flat = " ".join(table.output.split())
        assert f"{data['differences']} differences, {data['explained']} explained" in flat
        as_csv = runner.invoke(cli_app, ["reconcile", "--csv"])
        assert as_csv.exit_code == 0
        assert len(list(csv.DictReader(io.StringIO(as_csv.output)))) == sum(len(r["causes"]) for r in data["rows"])


def test_a_difference_no_cause_explains_is_shown_as_unexplained_and_the_command_fails(books: Books) -> None:
    """A host total changed behind the sync record's back (no new version: a host bug, not an edit) matches no
    cause: reconciliation must say so, never file it under a cause or drop it."""
    from sqlalchemy import select

    from ledgerbridge.store.models.host import Document

    books.upload()
    with session_scope(books.sessions) as session:
        doc = session.scalar(select(Document).where(Document.number == "INV-1003"))
        assert doc is not None
        doc.gross_total += Decimal("7.00")
    with _commands_on(books):
        done = CliRunner().invoke(cli_app, ["reconcile", "--json"])
    assert done.exit_code == 2
    data = json.loads(done.output)
    assert data["explained"] == data["differences"] - 3  # INV-1003's total, its amount due, its party's balance
    rows = [r for r in data["rows"] if r["document"] == "INV-1003"]
    assert {c["cause"] for r in rows for c in r["causes"]} == {"unexplained"}
    assert {r["measure"] for r in rows} == {"total", "amount_due"}
