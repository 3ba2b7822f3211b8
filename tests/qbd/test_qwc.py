"""The .qwc file: every element the Web Connector needs, the rules it enforces, GUIDs kept for the connection; the
password set once, shown once, stored hashed; the command-line functions."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from lxml import etree
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from ledgerbridge.packages.qbd.qwc import QwcError, QwcFile, build_qwc, qwc_filename, qwc_for_connection
from ledgerbridge.packages.qbd.setup import reset_password, write_qwc
from ledgerbridge.packages.qbd.webconnector.credentials import CredentialError, set_password, verify_credentials
from ledgerbridge.store.db import session_scope
from ledgerbridge.store.models.polled import PolledCredential
from ledgerbridge.store.models.sync import AuditEvent
from tests.contract_checks.spec_files import SPECS_DIR
from tests.qbd.wc_fixtures import WcConnection

GUID = re.compile(r"^\{[0-9A-F]{8}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{12}\}$")
BASE = "https://sync.example.com/packages/desktop"


def _qwc(**changes: object) -> QwcFile:
    fields: dict[str, object] = dict(
        app_name="ledgerbridge (Komet Sales)", app_url=BASE + "/webconnector",
        app_support=BASE + "/webconnector/support",
        user_name="komet", owner_id="{5B0F3E1A-6C2D-4E8F-9A1B-2C3D4E5F6071}",
        file_id="{0A1B2C3D-4E5F-4061-8293-A4B5C6D7E8F9}")
    fields.update(changes)
    return QwcFile(**fields)  # type: ignore[arg-type]


def test_the_file_has_intuits_elements_in_the_samples_order() -> None:
    root = etree.fromstring(build_qwc(_qwc(app_unique_name="ledgerbridge-x")))
    sample = etree.parse(str(SPECS_DIR / "qbxml" / "samples" / "example.qwc")).getroot()
    assert [c.tag for c in root] == [c.tag for c in sample] + ["AppUniqueName"]
    assert root.findtext("QBType") == "QBFS" and root.findtext("IsReadOnly") == "false"
    assert root.findtext("Scheduler/RunEveryNMinutes") == "15"
    assert root.find("AppID") is not None and root.findtext("AppID") == ""
    assert b"<AppID></AppID>" in build_qwc(_qwc())
    assert root.find("Password") is None  # the user types it into the Web Connector


def test_names_cannot_break_the_xml() -> None:
    root = etree.fromstring(build_qwc(_qwc(app_name="Smith & Sons <Ltd>")))
    assert root.findtext("AppName") == "Smith & Sons <Ltd>"


@pytest.mark.parametrize(("changes", "why"), [
    ({"app_url": "http://127.0.0.1:8000/webconnector", "app_support": "http://127.0.0.1:8000/s"}, "IP address"),
    ({"app_url": "https://10.0.0.5/webconnector"}, "QBWC1001"),
    ({"app_url": "http://sync.example.com/webconnector", "app_support": "http://sync.example.com/s"}, "QBWC1010"),
    ({"app_support": "https://help.example.org/support"}, "same host"),
    ({"owner_id": "5B0F3E1A-6C2D-4E8F-9A1B-2C3D4E5F6071"}, "OwnerID"),
    ({"run_every_minutes": 0}, "RunEveryNMinutes"),
    ({"app_description": "x" * 81}, "80 characters"),
    ({"user_name": " "}, "UserName"),
])
def test_what_the_web_connector_would_refuse_is_refused_with_the_reason(changes: dict[str, object],
                                                                        why: str) -> None:
    with pytest.raises(QwcError, match=why):
        build_qwc(_qwc(**changes))


def test_http_is_allowed_for_localhost_only() -> None:
    root = etree.fromstring(build_qwc(_qwc(app_url="http://localhost:8000/webconnector",
                                           app_support="http://localhost:8000/webconnector/support")))
    assert root.findtext("AppURL") == "http://localhost:8000/webconnector"


def test_the_connections_file_keeps_its_guids(sessions: sessionmaker[Session], wc: WcConnection) -> None:
    with session_scope(sessions) as session:
        name, first = qwc_for_connection(session, wc.connection_id, BASE)
    with session_scope(sessions) as session:
        _, second = qwc_for_connection(session, wc.connection_id, BASE + "/")
    assert name == "komet_sales.qwc" and first == second
    root = etree.fromstring(first)
    assert GUID.match(root.findtext("OwnerID") or "") and GUID.match(root.findtext("FileID") or "")
    assert root.findtext("OwnerID") != root.findtext("FileID")
    assert root.findtext("UserName") == wc.user
    assert root.findtext("AppURL") == BASE + "/webconnector"
    assert root.findtext("AppSupport") == BASE + "/webconnector/support"
    assert root.findtext("AppUniqueName", "").startswith("ledgerbridge-")
    assert wc.password.encode() not in first


def test_qwc_filename() -> None:
    assert qwc_filename("Komet Sales") == "komet_sales.qwc"
    assert qwc_filename("Khaos Control (UK) Ltd.") == "khaos_control_uk_ltd.qwc"
    assert qwc_filename("***") == "ledgerbridge.qwc"


def test_the_password_is_set_hashed_and_replaced(sessions: sessionmaker[Session], wc: WcConnection) -> None:
    with session_scope(sessions) as session:
        assert verify_credentials(session, wc.user, wc.password)[1]
        with pytest.raises(CredentialError, match="at least 12 characters"):
            set_password(session, wc.connection_id, "short")
    user, password = reset_password(sessions, wc.connection_id, actor="admin@example.com")
    assert user == wc.user and len(password) >= 20 and password != wc.password
    with session_scope(sessions) as session:
        assert not verify_credentials(session, wc.user, wc.password)[1]  # the old one stops working at once
        assert verify_credentials(session, wc.user, password)[1]
        credential = session.scalars(select(PolledCredential)).one()
        assert credential.password_hash and password not in credential.password_hash
        events = session.scalars(select(AuditEvent).where(AuditEvent.action == "set_web_connector_password")).all()
        assert [e.actor for e in events] == ["admin@example.com"]
        assert all(password not in (e.detail or "") for e in events)


def test_write_qwc(sessions: sessionmaker[Session], wc: WcConnection, tmp_path: Path) -> None:
    path = write_qwc(sessions, wc.connection_id, "http://localhost:8000/packages/desktop", tmp_path)
    assert path == tmp_path / "komet_sales.qwc"
    assert etree.parse(str(path)).getroot().findtext("AppURL") == "http://localhost:8000/packages/desktop/webconnector"
    with pytest.raises(QwcError, match="IP address"):
        write_qwc(sessions, wc.connection_id, "http://127.0.0.1:8000", tmp_path)
