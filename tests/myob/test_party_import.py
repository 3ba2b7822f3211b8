"""Customers imported on connect (R-I4) from the MYOB sandbox over loopback: MYOB's cards bound to the host's
customers by DisplayID = code, then by name (case and spacing ignored), the rest created here with their bindings;
an ambiguous card, an inactive one and the suppliers left alone; a second run changes nothing; the upload then uses
the cards found and creates none. The sandbox pages its lists by two (``max_page_size``), so every read follows
``NextPageLink`` and ``$filter`` on ``LastModified`` reads only what changed. On SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import ExitStack
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from dbfixtures import copy_migrated_sqlite, make_postgres_engine
from sqlalchemy import select

from ledgerbridge.intake.apply import apply_batch
from ledgerbridge.intake.schemas import Batch
from ledgerbridge.packages.myob.connector import MyobConnector
from ledgerbridge.packages.myob.sandbox import SandboxConfig
from ledgerbridge.security import crypto
from ledgerbridge.store.db import make_engine, session_scope, utcnow
from ledgerbridge.store.models.host import Party
from ledgerbridge.store.models.sync import AuditEvent, RecordType, SyncRecord, SyncStatus
from ledgerbridge.sync import lifecycle
from ledgerbridge.sync.dependencies import PARTIES, DependencyExporter
from ledgerbridge.sync.party_import import import_customers

from .conftest import Db, Myob, db_on
from .test_connector import TAX_CODES
from .test_mapper import ctx

SANDBOX_CONFIG = SandboxConfig(rate_limits_enabled=False, default_page_size=2, max_page_size=2)
HOST = [("C001", "Aldgate Bakery Ltd"), ("C003", "Castle Hill Dental"), ("C005", "Eastgate Motors"),
        ("C009", "Eastgate Motors"), ("C010", "Fernside Cafe")]


@pytest.fixture(params=["sqlite", "postgresql"])
def db(request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Db]:
    """The conftest's store, on both stores (the import locks the connection's party records on PostgreSQL)."""
    with ExitStack() as stack:
        engine = (make_engine(f"sqlite:///{copy_migrated_sqlite(tmp_path / 'lb.db')}") if request.param == "sqlite"
                  else stack.enter_context(make_postgres_engine()))
        made = db_on(engine, monkeypatch)
        yield made
        engine.dispose()
    crypto.reset_default_cipher()


def card(myob: Myob, name: str, display_id: str | None = None, route: str = "Contact/Customer",
         **fields: Any) -> str:
    body: dict[str, Any] = {"CompanyName": name, "IsIndividual": False,
                            "BuyingDetails" if route.endswith("Supplier") else "SellingDetails": TAX_CODES, **fields}
    if display_id:
        body["DisplayID"] = display_id
    return str(myob.post(route, body)["UID"])


@pytest.fixture
def books(db: Db, myob: Myob) -> dict[str, str]:
    """The host's customers (two of them named alike) and MYOB's cards, by what the test calls them."""
    with session_scope(db.sessions) as session:
        apply_batch(session, db.organisation_id, Batch.model_validate({"parties": [
            {"host_id": code, "code": code, "name": name, "is_customer": True, "currency": "AUD"}
            for code, name in HOST]}))
    return {
        "by_code": card(myob, "Aldgate Bakery", "C001"),  # the host's code, another name: the code wins
        "by_name": card(myob, "castle  HILL dental", "CHD-01"),
        "ambiguous": card(myob, "Eastgate Motors", "EM"),
        "new": card(myob, "Quarry Lane Plumbing", "C101"),
        "person": str(myob.post("Contact/Customer", {"IsIndividual": True, "FirstName": "Jo", "LastName": "Bloggs",
                                                     "SellingDetails": TAX_CODES})["UID"]),
        "inactive": card(myob, "Old Mill Bakery", "C102", IsActive=False),
        "supplier": card(myob, "Kestrel Packaging", "S002", route="Contact/Supplier"),
    }


def customer_cards(myob: Myob) -> int:
    """How many customer cards MYOB holds (its list's Count: a page holds two)."""
    answer = myob.api.get("Contact/Customer")
    assert answer.status_code == 200, answer.text
    return int(answer.json()["Count"])


def _bindings(db: Db) -> dict[str, tuple[str, str | None, str | None, str]]:
    """Host code -> (name here, package id, name in the package, status)."""
    with session_scope(db.sessions) as session:
        rows = session.execute(select(Party.code, Party.name, SyncRecord.external_id, SyncRecord.external_name,
                                      SyncRecord.status)
                               .join(SyncRecord, SyncRecord.record_id == Party.id)
                               .where(SyncRecord.record_type == RecordType.PARTY.value)).all()
    return {r.code or r.name: (r.name, r.external_id, r.external_name, r.status) for r in rows}


def test_cards_are_bound_by_code_then_name_and_the_rest_imported(
        db: Db, myob: Myob, connection: tuple[int, dict[str, object]], connector: MyobConnector,
        books: dict[str, str]) -> None:
    report = import_customers(db.sessions, connection[0], connector, actor="test")

    done = report.customers
    assert report.offered and done.read == 6  # the supplier card is not a customer
    assert (done.matched_by_code, done.matched_by_name, done.created, done.inactive) == (1, 1, 2, 1)
    assert done.left == [{"code": "EM", "name": "Eastgate Motors",
                          "reason": "ambiguous: 2 customers here have this name (C005, C009); choose one"}]
    exported = SyncStatus.EXPORTED.value
    assert _bindings(db) == {
        "C001": ("Aldgate Bakery Ltd", books["by_code"], "Aldgate Bakery", exported),
        "C003": ("Castle Hill Dental", books["by_name"], "castle  HILL dental", exported),
        "C101": ("Quarry Lane Plumbing", books["new"], "Quarry Lane Plumbing", exported),
        "Jo Bloggs": ("Jo Bloggs", books["person"], "Jo Bloggs", exported),  # no card ID: no code here either
    }
    with session_scope(db.sessions) as session:
        made = session.scalars(select(Party).where(Party.code == "C101")).one()
        assert (made.host_id, made.is_customer, made.is_supplier) == (f"imported:myob:{books['new']}", True, False)
        assert session.scalar(select(AuditEvent.detail).where(AuditEvent.action == "import_customers")) == (
            "6 read: 1 matched by code, 1 by name, 2 created, 0 already bound, 1 inactive, 1 left to settle")
    reads = [c for c in myob.calls if c.path.endswith("/Contact/Customer")]
    # Six customer cards by two a page: the first read, then each NextPageLink MYOB gave, until it gave none.
    assert [c.method for c in reads] == ["GET"] * 3 and reads[-1].answer["NextPageLink"] is None
    assert [c.query.get("$skip") for c in reads] == [None, "2", "4"]
    assert all(c.query.get("$orderby") == "LastModified" for c in reads)

    again = import_customers(db.sessions, connection[0], connector, actor="test").customers
    assert (again.already_bound, again.created, again.matched_by_code, again.matched_by_name) == (4, 0, 0, 0)
    with session_scope(db.sessions) as session:
        assert len(session.scalars(select(Party.id)).all()) == len(HOST) + 2  # nothing imported twice


@pytest.mark.parametrize("db", ["sqlite"], indirect=True)  # what PostgreSQL adds (the lock) is the first test's
def test_the_upload_uses_the_cards_found_and_creates_none(
        db: Db, myob: Myob, connection: tuple[int, dict[str, object]], connector: MyobConnector,
        books: dict[str, str]) -> None:
    import_customers(db.sessions, connection[0], connector, actor="test")
    with session_scope(db.sessions) as session:
        ids = dict(session.execute(select(Party.code, Party.id).where(Party.code.in_(["C001", "C003", "C010"]))).all())
        # C010 is needed by a document now (what refresh_sync_records does for a party's first document).
        lifecycle.insert_new_rows(session, connection[0], RecordType.PARTY, [ids["C010"]], utcnow())
    before = customer_cards(myob)
    bound = DependencyExporter(db.sessions, connection[0], connector, ctx(), PARTIES).ensure_exported(ids.values())
    assert bound[ids["C001"]].external_id == books["by_code"] and bound[ids["C003"]].external_id == books["by_name"]
    posts = [c for c in myob.calls if c.method == "POST" and "/Contact/" in c.path]
    assert len(posts) == 1 and posts[0].body["DisplayID"] == "C010"  # only the customer MYOB did not have
    assert customer_cards(myob) == before + 1


@pytest.mark.parametrize("db", ["sqlite"], indirect=True)  # what PostgreSQL adds (the lock) is the first test's
def test_the_reads_take_what_changed_since(myob: Myob, connector: MyobConnector, books: dict[str, str]) -> None:
    since = datetime.now(UTC) + timedelta(hours=1)  # past the look-back: nothing changed after it
    assert [p for page in connector.fetch_parties("customer", since) for p in page] == []
    (read,) = [c for c in myob.calls if c.path.endswith("/Contact/Customer")]
    assert read.query["$filter"].startswith("LastModified gt datetime'")
    everything = [p.external_id for page in connector.fetch_parties("customer", since - timedelta(days=2))
                  for p in page]
    assert sorted(everything) == sorted(uid for key, uid in books.items() if key != "supplier")
    suppliers = [p for page in connector.fetch_parties("supplier", None) for p in page]
    assert [(p.code, p.name, p.role) for p in suppliers] == [("S002", "Kestrel Packaging", "supplier")]
