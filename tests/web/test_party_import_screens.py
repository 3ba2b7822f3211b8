"""The import of customers and suppliers on the screens (R-I4, issue 15), in a real browser against the app on
loopback and the Xero sandbox: right after connecting the Connection page offers "Import now" or "Not right now";
"Import now" runs the preview in the background with its progress; the Parties tab shows the matches, the new
parties and the ambiguous one with its choice; "Import" binds and creates, and the page says what was done. The
page fits a phone. "Not right now" is an answer: the offer is not made again, and the Parties tab still imports.
"""

from __future__ import annotations

import httpx
from playwright.sync_api import expect
from sqlalchemy import select

from ledgerbridge.packages.xero.sandbox import RunningSandbox
from ledgerbridge.store.db import session_scope
from ledgerbridge.store.models.host import Party
from ledgerbridge.store.models.sync import Connection, RecordType, SyncRecord

from .browser import LAPTOP, chromium, shoot, sign_in
from .conftest import PASSWORD, LiveApp, Store
from .test_auth import csrf_of
from .test_auth import sign_in as http_sign_in
from .test_browser_flow import connect
from .test_qbd_screens import PHONE, WIDER_THAN_THE_SCREEN

CONTACTS = [{"Name": "Aldgate Bakery", "ContactNumber": "C001", "IsCustomer": True},
            {"Name": "Bramley Florists", "IsCustomer": True},
            {"Name": "Quarry Lane Plumbing", "ContactNumber": "C101", "IsCustomer": True}]


def _bound(store: Store, code: str) -> str | None:
    with session_scope(store.sessions) as session:
        return session.scalar(select(SyncRecord.external_id).join(Party, Party.id == SyncRecord.record_id).where(
            Party.code == code, SyncRecord.record_type == RecordType.PARTY.value))


def test_import_offered_after_connecting_previewed_settled_and_committed(
        store: Store, live_app: LiveApp, sandbox: RunningSandbox) -> None:
    tenant = httpx.get(f"{sandbox.base_url}/sandbox/tenants").json()[0]["tenantId"]
    made = httpx.post(f"{sandbox.base_url}/sandbox/tenants/{tenant}/contacts", json={"Contacts": CONTACTS})
    bramley = made.json()["ContactIDs"][1]
    base = live_app.base_url
    with chromium() as browser:
        page = browser.new_page(viewport=LAPTOP)
        sign_in(page, base, "admin@dunmore.test", PASSWORD)
        connect(page, base, sandbox)
        expect(page.get_by_role("heading", name="Import your customers and suppliers?")).to_be_visible()
        page.get_by_role("button", name="Import now").click()
        expect(page.locator(".flash.ok")).to_contain_text("The preview is ready", timeout=30_000)
        expect(page.get_by_role("heading", name="To settle (1)")).to_be_visible()
        expect(page.get_by_role("heading", name="Match yours (1)")).to_be_visible()
        expect(page.get_by_role("heading", name="New here (1)")).to_be_visible()
        assert _bound(store, "C001") is None  # nothing written before the user says so
        page.get_by_label("Choice for Bramley Florists").select_option(label="Bramley Florists (C002)")
        shoot(page, "13-parties")

        phone = browser.new_page(viewport=PHONE)
        sign_in(phone, base, "admin@dunmore.test", PASSWORD)
        phone.goto(f"{base}/parties")
        expect(phone.get_by_role("heading", name="To settle (1)")).to_be_visible()
        overflow = phone.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
        assert overflow <= 0, f"/parties: {overflow}px wider than a phone: {phone.evaluate(WIDER_THAN_THE_SCREEN)}"

        page.get_by_role("button", name="Import", exact=True).click()
        expect(page.locator(".flash.ok")).to_contain_text(
            "Customers and suppliers imported: 1 matched, 1 settled, 1 created, 0 left to settle.", timeout=30_000)
        expect(page.get_by_role("heading", name="Last import")).to_be_visible()
    assert _bound(store, "C002") == bramley and _bound(store, "C001") is not None
    with session_scope(store.sessions) as session:
        made_here = session.scalars(select(Party).where(Party.code == "C101")).one()
        assert made_here.host_id.startswith("imported:xero:customer:")


def test_not_right_now_is_an_answer(store: Store, live_app: LiveApp, sandbox: RunningSandbox) -> None:
    with session_scope(store.sessions) as session:
        session.add(Connection(organisation_id=store.org_id, kind="xero", name="Xero", status="connected",
                               tenant_id="t-1", tenant_name="Dunmore", api_base_url="", identity_base_url="",
                               client_id="app", client_secret_enc="", redirect_uri=""))
    web = http_sign_in(live_app, "accounts@dunmore.test")
    offered = web.get("/connection").text
    assert "Import your customers and suppliers?" in offered
    answer = web.post("/parties/action", data={"action": "decline", "csrf_token": csrf_of(offered)},
                      follow_redirects=True)
    assert "Not now: import customers and suppliers any time from the Parties tab." in answer.text
    assert "Import your customers and suppliers?" not in web.get("/connection").text
    assert "Import now" in web.get("/parties").text
