"""The bookkeeper's round trip in a real browser, against the app on loopback and the Xero sandbox.

Sign in, connect through the sandbox's consent page, refresh the chart, map the nominal
code the pre-check reports, upload with live progress, see the green ticks, pay an
invoice in the sandbox, import and allocate it, mark a row as exported by hand; then a
viewer finds no Upload Data button and is refused when posting anyway.
"""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from ledgerbridge.demo.approvals import approve_demo_purchases
from ledgerbridge.demo.data import UNMAPPED_NOMINAL
from ledgerbridge.packages.xero.demo import NOMINAL_MAP, TAX_MAP
from ledgerbridge.packages.xero.sandbox import RunningSandbox
from ledgerbridge.store.db import session_scope
from ledgerbridge.store.models.sync import Connection
from ledgerbridge.sync.mappings import MappingKind, set_mapping

from .browser import LAPTOP, chromium, shoot, sign_in
from .conftest import PASSWORD, LiveApp, Store


def map_all_but_the_new_code(store: Store) -> None:
    """What the bookkeeper mapped on an earlier day: every code but the one added since; and the month's bills,
    approved by Procurement and Accounting and sent (R-P1, on by default; the Purchases screen is
    test_workflow_pages')."""
    with session_scope(store.sessions) as session:
        assert approve_demo_purchases(session, store.org_id)["sent"] == 5
        conn_id = session.query(Connection.id).filter_by(organisation_id=store.org_id).scalar()
        for local, account in NOMINAL_MAP.items():
            set_mapping(session, conn_id, MappingKind.NOMINAL, local, account)
        for local, (sales, purchases) in TAX_MAP.items():
            set_mapping(session, conn_id, MappingKind.TAX, local, sales)
            set_mapping(session, conn_id, MappingKind.TAX_PURCHASES, local, purchases)
        set_mapping(session, conn_id, MappingKind.PAYMENT_METHOD, "BACS", "090")


def connect(page: Page, base: str, sandbox: RunningSandbox) -> None:
    page.goto(f"{base}/connection")
    shoot(page, "01-connection-new")
    page.get_by_label("Sandbox address").fill(sandbox.base_url)
    page.get_by_role("button", name="Connect").click()
    page.get_by_role("button", name="Allow access").click()  # the sandbox's consent page
    expect(page.get_by_role("heading", name="Choose the company")).to_be_visible()
    shoot(page, "02-choose-company")
    page.get_by_role("button", name="Use this company").click()
    expect(page.locator(".flash.ok")).to_contain_text("Connected to")
    expect(page.locator(".pill.s-connected")).to_be_visible()


def wait_for_job(page: Page) -> None:
    """The progress panel polls the job and reloads the page when it is finished."""
    expect(page.locator(".flash.ok")).to_contain_text(re.compile("Upload finished|Payments:"), timeout=30_000)


def test_bookkeepers_round_trip(store: Store, live_app: LiveApp, sandbox: RunningSandbox) -> None:
    base = live_app.base_url
    with chromium() as browser:
        page = browser.new_page(viewport=LAPTOP)
        page.goto(f"{base}/login")
        shoot(page, "00-sign-in")
        sign_in(page, base, "admin@dunmore.test", PASSWORD)
        connect(page, base, sandbox)

        page.goto(f"{base}/mapping")
        page.get_by_role("button", name="Refresh Chart of Accounts").click()
        expect(page.locator(".flash.ok")).to_contain_text("Chart of accounts refreshed")
        map_all_but_the_new_code(store)

        page.goto(f"{base}/export")
        page.get_by_role("button", name="Run Pre-Check").click()
        expect(page.locator(".flash.ok")).to_contain_text("1 with problems")
        errors = page.locator("section[aria-labelledby=errors-h]")
        expect(errors).to_contain_text(f"nominal code {UNMAPPED_NOMINAL} has no account mapping")
        shoot(page, "03-export-precheck")

        page.goto(f"{base}/mapping")
        first_row = page.locator("table.mapping tbody tr").first
        expect(first_row).to_contain_text(UNMAPPED_NOMINAL)  # unmapped and used by pending documents: first
        expect(first_row).to_contain_text("unmapped, used by pending")
        shoot(page, "04-mapping")
        page.select_option(f"select[name='nominal:{UNMAPPED_NOMINAL}']", "200")
        page.get_by_role("button", name="Save Mappings").click()
        expect(page.locator(".flash.ok")).to_contain_text("Saved 1 mapping(s)")

        page.goto(f"{base}/export?p_type=purchase_invoice")
        box = page.locator("tbody input[name=selected]").first
        marked = (box.get_attribute("aria-label") or "").removeprefix("Select ")
        box.focus()
        page.keyboard.press("Space")  # grids are keyboard-usable: real checkboxes and buttons
        expect(box).to_be_checked()
        page.get_by_placeholder("Reference (optional)").fill("BY-HAND-1")
        page.get_by_role("button", name="Mark as Exported").click()
        expect(page.locator(".flash.ok")).to_contain_text("Marked 1 row(s) as exported")

        page.get_by_role("button", name="Run Pre-Check").click()
        expect(page.locator(".flash.ok")).to_contain_text("0 with problems")
        page.get_by_role("button", name="Upload Data").click()
        expect(page.locator("#job")).to_be_visible()
        shoot(page, "05-export-upload-progress")
        wait_for_job(page)
        expect(page.locator(".flash.ok")).to_contain_text("29 exported, 0 in error, 29 seen by the package")
        exported = page.locator("section[aria-labelledby=exported-h]")
        expect(exported.locator(".tick").first).to_be_visible()
        expect(page.locator("section[aria-labelledby=pending-h]")).to_contain_text("Nothing is waiting")
        shoot(page, "06-export-done")
        exported.get_by_role("searchbox").fill(marked)
        exported.get_by_role("button", name="Filter").click()
        hand_row = exported.locator("tbody tr")
        expect(hand_row).to_have_count(1)
        expect(hand_row).to_contain_text("marked by hand: BY-HAND-1")
        expect(hand_row.locator(".tick")).to_have_count(0)

        page.goto(f"{sandbox.base_url}/sandbox/")
        page.get_by_role("button", name="Record payment").first.click()
        page.goto(f"{base}/import")
        page.get_by_role("button", name="Fetch Payments").click()
        wait_for_job(page)
        payments = page.locator("table.grid tbody tr")
        expect(payments).to_have_count(1)
        expect(payments.first).to_contain_text("Pending import")
        payments.first.locator("input[name=selected]").check()
        page.get_by_role("button", name="Create & Allocate Payments").click()
        wait_for_job(page)
        expect(payments.first).to_contain_text("Payment created and allocated")
        shoot(page, "07-import")

        page.goto(f"{base}/settings")
        page.select_option("select[name=receiving_account]", "090")
        page.get_by_role("button", name="Save Accounting Settings").click()
        expect(page.locator(".flash.ok")).to_contain_text("Accounting settings saved")
        shoot(page, "08-settings")

        page.goto(f"{base}/documents?d_q=INV-1103")
        page.get_by_role("link", name="INV-1103").click()
        expect(page.locator("h1")).to_contain_text("INV-1103")
        expect(page.locator("body")).to_contain_text("Sync history")
        shoot(page, "10-document")
        page.goto(f"{base}/documents")
        shoot(page, "09-documents")
        page.goto(f"{base}/connection")
        expect(page.locator("body")).to_contain_text("Last successful call")
        shoot(page, "11-connection-health")
        page.goto(f"{base}/users")
        shoot(page, "12-users")

        viewer = browser.new_page(viewport=LAPTOP)
        sign_in(viewer, base, "viewer@dunmore.test", PASSWORD)
        expect(viewer.get_by_role("button", name="Upload Data")).to_have_count(0)
        expect(viewer.get_by_role("button", name="Mark as Exported")).to_have_count(0)
        token = viewer.locator("input[name=csrf_token]").first.get_attribute("value")
        refused = viewer.request.post(f"{base}/export/action", form={"action": "upload", "csrf_token": token or ""},
                                      max_redirects=0)
        assert refused.status == 403
        assert re.search(r"viewer", refused.text())
