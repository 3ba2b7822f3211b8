"""The QuickBooks Desktop connector driven by the real engine, through the mailbox, against the sandbox company
(``tests/qbd/pump.py`` plays the Web Connector; every message and answer is checked against the qbXML schema)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from ledgerbridge.packages.qbd.mapper import COUNTRY_SETTING
from ledgerbridge.store.db import session_scope
from ledgerbridge.store.models.sync import ChartEntry, Connection

from .world import open_world


def test_the_chart_is_read_in_one_round_trip(sessions: sessionmaker[Session]) -> None:
    with open_world(sessions, map_codes=False) as world:
        assert world.pump.counts()[0] == 1
        with session_scope(sessions) as session:
            entries = {(e.kind, e.code): e for e in session.scalars(select(ChartEntry))}
            conn = session.get_one(Connection, world.conn_id)
            assert conn.settings[COUNTRY_SETTING] == "UK"
            assert conn.settings["base_currency"] == "GBP"
        assert entries[("account", "4000")].name == "Sales"
        assert entries[("account", "1000")].usable_for == ["bank"]
        assert entries[("tax_rate", "S")].rate == 20
        assert ("currency", "GBP") in entries


def test_an_upload_exports_everything_mapped(sessions: sessionmaker[Session]) -> None:
    with open_world(sessions) as world:
        report = world.exporter().upload()
        print(report.as_dict(), world.pump.counts(), world.pump.request_kinds)
        assert report.failed == 1
