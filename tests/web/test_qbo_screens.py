"""The screens on a QuickBooks Online connection, in a real browser: a party's supplier-role record (QuickBooks'
Vendor beside its Customer) is named by its party and role in Error Feedback, and the Mapping page names the
package in words.

The demo's month goes to the QBO sandbox (``run_demo``), where a user had keyed a customer by hand named
"Dunmore Joinery (C004)": Dunmore Joinery (C004) is both a customer and a supplier, so its Vendor clashes with its
own Customer's DisplayName, is sent again under the suffix rule's name, and that name is taken too. QuickBooks
refuses it (6240), and the supplier-role record is left in error.
"""

from __future__ import annotations

from pathlib import Path

import httpx
from playwright.sync_api import expect
from sqlalchemy import select

from ledgerbridge.demo.run import run_demo
from ledgerbridge.packages.qbo.sandbox import SandboxConfig, start_qbo_sandbox
from ledgerbridge.store.db import make_engine, make_session_factory, session_scope
from ledgerbridge.store.models.host import Organisation, Party
from ledgerbridge.store.models.sync import RecordType, SyncRecord, SyncStatus
from ledgerbridge.web.auth import create_admin

from .browser import LAPTOP, chromium, shoot, sign_in
from .conftest import PASSWORD, serve_app

TAKEN = "Dunmore Joinery (C004)"


def _key_a_customer_by_hand(base_url: str, name: str) -> None:
    """What a QuickBooks user does in QuickBooks itself: a customer, through the API as the app would."""
    grant = httpx.post(f"{base_url}/sandbox/tokens", json={}).raise_for_status().json()
    httpx.post(f"{base_url}/v3/company/{grant['realmId']}/customer", params={"minorversion": "75"},
               json={"DisplayName": name}, headers={"Authorization": f"Bearer {grant['access_token']}",
                                                    "Accept": "application/json"}).raise_for_status()


def test_a_supplier_record_is_named_by_its_party_and_the_package_by_its_name(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'qbo.db'}"
    with start_qbo_sandbox(SandboxConfig(rate_limits_enabled=False)) as qbo:
        _key_a_customer_by_hand(qbo.base_url, TAKEN)
        run_demo(url, package="qbo", sandbox=qbo)
    engine = make_engine(url)
    sessions = make_session_factory(engine)
    with session_scope(sessions) as session:
        supplier = session.execute(select(Party.name, SyncRecord.status).join(
            SyncRecord, SyncRecord.record_id == Party.id).where(
            SyncRecord.record_type == RecordType.SUPPLIER.value)).one()
        assert supplier == ("Dunmore Joinery", SyncStatus.ERROR.value)  # the world the screens are shown
        org_id = session.scalar(select(Organisation.id))
        create_admin(session, org_id, "admin@dunmore.test", PASSWORD)
    app = serve_app(engine)
    try:
        with chromium() as browser:
            page = browser.new_page(viewport=LAPTOP)
            sign_in(page, app.base_url, "admin@dunmore.test", PASSWORD)
            page.goto(f"{app.base_url}/export")
            errors = page.locator("table.grid.errors tbody tr")
            # the Vendor's own error (the purchase invoice that waits for it quotes it too)
            row = errors.filter(has_text="Duplicate Name Exists").filter(has_not_text="purchase invoice")
            expect(row).to_have_count(1)
            # named like a customer record is (its party's name), with its role: never a bare record id
            expect(row.locator("td").first).to_have_text("Dunmore Joinery (supplier)")
            page.goto(f"{app.base_url}/export?f_q=dunmore")  # found by its party's name, as a customer's is
            expect(errors.filter(has_text="Dunmore Joinery (supplier)")).to_have_count(1)
            shoot(page, "qbo-errors")
            page.goto(f"{app.base_url}/mapping")
            headers = page.locator("table.grid.mapping thead th")
            expect(headers.filter(has_text="QuickBooks Online account").first).to_be_visible()
            expect(page.get_by_text("QBO account")).to_have_count(0)
            expect(headers.filter(has_text="QuickBooks Online tax rate").first).to_be_visible()
    finally:
        app.stop()
        engine.dispose()
