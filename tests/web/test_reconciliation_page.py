"""The Reconciliation page in a browser: a credit allocated in Xero only, named with its cause and what to do;
it fits a laptop's width like the other screens (screenshot 12-reconciliation)."""

from __future__ import annotations

from decimal import Decimal

from playwright.sync_api import expect
from sqlalchemy import select

from ledgerbridge.connectors.connections import create_connection, refresh_chart, sandbox_endpoints
from ledgerbridge.connectors.consent import approve_in_sandbox
from ledgerbridge.demo.approvals import approve_demo_purchases
from ledgerbridge.packages.xero import auth
from ledgerbridge.packages.xero.demo import NOMINAL_MAP, TAX_MAP
from ledgerbridge.packages.xero.sandbox import RunningSandbox
from ledgerbridge.packages.xero.sandbox.user import XeroUser
from ledgerbridge.store.db import session_scope
from ledgerbridge.store.models.host import Document
from ledgerbridge.store.models.sync import Connection, SyncRecord
from ledgerbridge.sync.exporter import Exporter
from ledgerbridge.sync.mappings import MappingKind, set_mapping

from .browser import LAPTOP, chromium, shoot, sign_in
from .conftest import PASSWORD, LiveApp, Store


def _connected_and_uploaded(store: Store, sandbox: RunningSandbox) -> tuple[int, str]:
    from ledgerbridge.connectors.connections import connector_for

    with session_scope(store.sessions) as session:
        conn = create_connection(session, store.org_id, "xero", sandbox_endpoints("xero", sandbox.base_url),
                                 client_id="ledgerbridge-demo", client_secret="demo-secret",
                                 redirect_uri="http://127.0.0.1:8976/callback")
        url = auth.begin_consent(session, conn)
        conn_id = conn.id
    callback = approve_in_sandbox(url)
    with session_scope(store.sessions) as session:
        conn = session.get_one(Connection, conn_id)
        tenant = auth.complete_consent(session, conn, callback)[0].tenant_id
        auth.choose_tenant(session, conn, tenant)
    connector = connector_for(store.sessions, conn_id)
    refresh_chart(store.sessions, conn_id, connector)
    with session_scope(store.sessions) as session:
        for local, account in NOMINAL_MAP.items():
            set_mapping(session, conn_id, MappingKind.NOMINAL, local, account)
        for local, (sales, purchases) in TAX_MAP.items():
            set_mapping(session, conn_id, MappingKind.TAX, local, sales)
            set_mapping(session, conn_id, MappingKind.TAX_PURCHASES, local, purchases)
        approve_demo_purchases(session, store.org_id)  # the bills go out once accepted (R-P1, on by default)
    Exporter(store.sessions, conn_id, connector).upload()
    connector.close()
    return conn_id, tenant


def test_reconciliation_page_names_each_cause(store: Store, live_app: LiveApp, sandbox: RunningSandbox) -> None:
    conn_id, tenant = _connected_and_uploaded(store, sandbox)
    with session_scope(store.sessions) as session:
        ext = dict(session.execute(select(Document.number, SyncRecord.external_id)
                                   .join(SyncRecord, SyncRecord.record_id == Document.id)
                                   .where(SyncRecord.connection_id == conn_id)).all())
    user = XeroUser(sandbox.base_url, tenant)
    # CN-2002 credits no invoice here: allocated in the package only (R-I3). CN-2001 credits INV-1002 here, and
    # with allocation sync off (the default) that stays here only.
    user.allocate_credit(ext["CN-2002"], ext["INV-1019"], Decimal("5.00"))
    user.pay(ext["INV-1001"], Decimal("10.00"))
    user.close()
    with chromium() as browser:
        page = browser.new_page(viewport=LAPTOP)
        sign_in(page, live_app.base_url, "admin@dunmore.test", PASSWORD)
        page.get_by_role("link", name="Reconciliation").click()
        expect(page.locator("h1")).to_contain_text("Reconciliation")
        body = page.locator("main")
        expect(body).to_contain_text("Credit allocated only in the package")
        expect(body).to_contain_text("Credit allocated only here")
        expect(body).to_contain_text("Payment not yet imported")
        expect(body).to_contain_text("Not exported")
        expect(body).not_to_contain_text("Unexplained")
        expect(page.locator("p.summary")).to_contain_text("explained")
        shoot(page, "12-reconciliation")
        page.select_option("#level", "party")
        expect(page.locator("table.grid tbody tr").first).to_contain_text("all documents")
