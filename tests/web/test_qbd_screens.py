"""The screens on a QuickBooks Desktop connection, over real HTTP and in a browser at a phone's width: connecting
without a consent page, the Web Connector's password shown once, the .qwc file downloaded and read by the Web
Connector simulator, polling health; Pending Export saying a record waits for QuickBooks Desktop's next poll, then
Exported with the tick, Error Feedback and Import as for Xero, once the Web Connector's sessions have run; the
Settings screen's own settings of the package (Komet's bill reference rule) kept and checked.

The Web Connector is the simulator (``packages/qbd/sandbox/web_connector.py``), polling the app over HTTP with the
file and password the screens gave; QuickBooks is the sandbox company (UK edition).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

import httpx
import pytest
from playwright.sync_api import expect
from sqlalchemy import func, select

from ledgerbridge.demo.approvals import approve_demo_purchases
from ledgerbridge.packages.qbd.sandbox import CompanyConfig, QuickBooksCompany
from ledgerbridge.packages.qbd.sandbox.user_actions import receive_payment
from ledgerbridge.packages.qbd.sandbox.web_connector import WebConnectorSimulator
from ledgerbridge.packages.qbd.webconnector.credentials import verify_credentials
from ledgerbridge.store.db import session_scope
from ledgerbridge.store.models.polled import PolledCredential
from ledgerbridge.store.models.sync import AuditEvent, Connection
from ledgerbridge.sync.mappings import MappingKind, set_mapping
from ledgerbridge.web.password_view import COOKIE
from tests.qbd.world import NOMINAL, TAX

from .browser import LAPTOP, chromium, shoot
from .browser import sign_in as browser_sign_in
from .conftest import PASSWORD, LiveApp, Store
from .test_auth import csrf_of

PHONE = {"width": 390, "height": 844}
#: The elements that stick out on the right, to say which in a failure.
WIDER_THAN_THE_SCREEN = """() => [...document.querySelectorAll('body *')].filter(
    e => e.getBoundingClientRect().right > document.documentElement.clientWidth + 1).slice(0, 12)
    .map(e => e.tagName + '.' + e.className + ' ' + (e.textContent || '').slice(0, 40))"""
WAITS = "QuickBooks Desktop to fetch it at its next poll (queued "


@dataclass
class QbdScreens:
    web: httpx.Client
    conn_id: int
    company: QuickBooksCompany
    web_connector: WebConnectorSimulator
    password: str


def local(app: LiveApp) -> str:
    """The app by host name: the Web Connector refuses an AppURL naming an IP address (the .qwc is refused)."""
    return "http://localhost:" + app.base_url.rsplit(":", 1)[1]


def sign_in(app: LiveApp, email: str) -> httpx.Client:
    client = httpx.Client(base_url=local(app), timeout=10)
    page = client.get("/login")
    answer = client.post("/login", data={"email": email, "password": PASSWORD, "csrf_token": csrf_of(page.text)})
    assert answer.status_code == 303
    return client


def _secret(page: httpx.Response) -> str:
    secret = re.search(r'<code class="secret">([^<]+)</code>', page.text)
    assert page.status_code == 200 and secret, (page.status_code, page.headers.get("location"), page.text[:500])
    return secret.group(1)


def _connect(store: Store, live_app: LiveApp) -> QbdScreens:
    web = sign_in(live_app, "admin@dunmore.test")
    page = web.get("/connection")
    assert '<option value="qbd">QuickBooks Desktop</option>' in page.text
    added = web.post("/connection/connect", data={"package": "qbd", "csrf_token": csrf_of(page.text)},
                     follow_redirects=True)
    assert "QuickBooks Desktop added" in added.text and "Set up the Web Connector" in added.text
    assert "Set the password" in added.text and "none yet" in added.text  # no poll yet
    shown = web.post("/connection/polled/password", data={"csrf_token": csrf_of(added.text)}, follow_redirects=True)
    password = _secret(shown)
    again = web.get("/connection")  # shown once: never again
    assert password not in again.text and "one is set; a new one replaces it" in again.text
    qwc = web.get("/connection/polled/setup-file")
    assert qwc.status_code == 200, qwc.headers.get("location")
    assert qwc.headers["content-type"].startswith("application/xml")
    assert re.match(r'attachment; filename="[^"]+\.qwc"', qwc.headers["content-disposition"])
    assert f"<AppURL>{local(live_app)}/packages/qbd" in qwc.text and password not in qwc.text
    with session_scope(store.sessions) as session:
        conn = session.scalars(select(Connection).where(Connection.organisation_id == store.org_id)).one()
        assert (conn.kind, conn.status) == ("qbd", "connected")
        conn_id = conn.id
    company = QuickBooksCompany(CompanyConfig(flavour="UK"))
    simulator = WebConnectorSimulator(qwc.content, password, company, country="UK")
    simulator.add_application()
    return QbdScreens(web, conn_id, company, simulator, password)


@pytest.fixture
def qbd(store: Store, live_app: LiveApp) -> Iterator[QbdScreens]:
    """Connected; the first session read the chart (and nothing else: automatic sync is off); the demo's codes
    mapped (4090 left out) and its purchases approved; "Run Pre-Check" and "Upload Data" pressed while the PC was
    off."""
    screens = _connect(store, live_app)
    first = screens.web_connector.poll_until_idle(max_updates=4)  # a chart never read is due work
    assert all(r.outcome in ("done", "none") for r in first), [(r.outcome, r.message) for r in first]
    with session_scope(store.sessions) as session:
        for local, account in NOMINAL.items():
            set_mapping(session, screens.conn_id, MappingKind.NOMINAL, local, account)
        for local, code in TAX.items():
            set_mapping(session, screens.conn_id, MappingKind.TAX, local, code)
            set_mapping(session, screens.conn_id, MappingKind.TAX_PURCHASES, local, code)
        approve_demo_purchases(session, store.org_id, session.get_one(Connection, screens.conn_id))
    page = screens.web.get("/export")
    checked = screens.web.post("/export/action", data={"action": "precheck", "csrf_token": csrf_of(page.text)},
                               follow_redirects=True)  # between sessions: nothing is asked of QuickBooks
    assert "Pre-check: " in checked.text and "1 with problems" in checked.text, checked.text[:3000]
    asked = screens.web.post("/export/action", data={"action": "upload", "csrf_token": csrf_of(page.text)},
                             follow_redirects=True)
    assert "QuickBooks Desktop takes it when the Web Connector next polls" in asked.text, asked.text[:2000]
    try:
        yield screens
    finally:
        screens.web_connector.close()
        screens.web.close()


def test_the_connection_page_and_the_grids_through_the_web_connectors_sessions(qbd: QbdScreens) -> None:
    health = qbd.web.get("/connection").text
    assert "Last poll" in health and "round trips" in health and "QuickBooks" in health
    pending = qbd.web.get("/export").text
    assert WAITS in pending and "INV-1001" in pending  # published, waiting for the next poll
    assert pending.count(WAITS) >= 20

    results = qbd.web_connector.poll_until_idle(max_updates=6)
    assert all(r.outcome in ("done", "none") for r in results), [(r.outcome, r.message) for r in results]
    after = qbd.web.get("/export").text
    assert WAITS not in after
    exported = after.split('id="exported-h"', 1)[1].split('id="errors-h"', 1)[0]
    assert 'class="tick"' in exported and "INV-1001" in exported
    errors = after.split('id="errors-h"', 1)[1]
    assert "INV-1103" in errors and "4090" in errors  # the unmapped code, named

    invoice = next(t for t in qbd.company.books.txns.values() if t.kind == "Invoice" and t.ref_number == "INV-1001")
    receive_payment(qbd.company, invoice.txn_id, invoice.total, reference="paid INV-1001")  # a user, in QuickBooks
    fetch = qbd.web.get("/import")
    before = fetch.text.count("Pending import")  # (the status filter names it too)
    asked = qbd.web.post("/import/action", data={"action": "fetch", "csrf_token": csrf_of(fetch.text)},
                         follow_redirects=True)
    assert "Payments will be fetched: QuickBooks Desktop takes it when the Web Connector next polls" in asked.text
    qbd.web_connector.poll_until_idle(max_updates=4)
    fetched = qbd.web.get("/import").text
    assert fetched.count("Pending import") == before + 1 and "INV-1001" in fetched, fetched[-3000:]


def test_the_new_password_is_shown_once_and_a_reload_posts_nothing(store: Store, live_app: LiveApp) -> None:
    """Post/redirect/get: the form answers with a redirect, the page shows the password once, a reload says it was
    shown and makes no new one; a view of a password replaced since shows nothing."""
    web = sign_in(live_app, "admin@dunmore.test")
    page = web.get("/connection")
    added = web.post("/connection/connect", data={"package": "qbd", "csrf_token": csrf_of(page.text)},
                     follow_redirects=True)
    posted = web.post("/connection/polled/password", data={"csrf_token": csrf_of(added.text)})
    assert (posted.status_code, posted.headers["location"]) == (303, "/connection/polled/password")
    cookie = posted.headers["set-cookie"].lower()
    assert all(part in cookie for part in ("httponly", "samesite=strict", "path=/connection/polled/password",
                                           "max-age=300")), cookie
    password = _secret(web.get(posted.headers["location"]))
    assert password not in posted.text and password.lower() not in cookie  # encrypted, never in a URL either

    reloaded = web.get("/connection/polled/password")  # the browser's reload: a GET, nothing posted again
    assert reloaded.status_code == 200 and '<code class="secret">' not in reloaded.text
    assert "shown once, when it was set" in reloaded.text and password not in reloaded.text
    with session_scope(store.sessions) as session:
        conn = session.scalars(select(Connection).where(Connection.organisation_id == store.org_id)).one()
        credential = session.scalars(select(PolledCredential).where(PolledCredential.connection_id == conn.id)).one()
        assert verify_credentials(session, credential.user_name, password)[1]  # still the password
        assert session.scalar(select(func.count(AuditEvent.id)).where(
            AuditEvent.connection_id == conn.id, AuditEvent.action == "set_polled_password")) == 1

    first = web.post("/connection/polled/password", data={"csrf_token": csrf_of(reloaded.text)})
    old_view = first.cookies[COOKIE]
    replaced = web.post("/connection/polled/password", data={"csrf_token": csrf_of(reloaded.text)})
    assert replaced.status_code == 303
    web.cookies.set(COOKIE, old_view, path="/connection/polled/password")  # the first view, kept by the browser
    stale = web.get("/connection/polled/password")
    assert '<code class="secret">' not in stale.text and "shown once, when it was set" in stale.text
    web.close()


def test_komets_bill_reference_rule_on_the_settings_screen(qbd: QbdScreens, store: Store) -> None:
    page = qbd.web.get("/settings")
    assert 'name="bill_reference"' in page.text and 'name="suppliers_must_exist"' in page.text
    form = {"csrf_token": csrf_of(page.text), "reference_field": "order_number", "push_individual_lines": "on"}
    bad = qbd.web.post("/settings", data={**form, "bill_reference": "{vendor}-{number}"}, follow_redirects=True)
    assert "Not saved: bill_reference &#39;{vendor}-{number}&#39; names {vendor}" in bad.text, bad.text[:3000]
    saved = qbd.web.post("/settings", data={**form, "bill_reference": "{po}{number}", "suppliers_must_exist": "on"},
                         follow_redirects=True)
    assert "Accounting settings saved" in saved.text and 'value="{po}{number}"' in saved.text
    with session_scope(store.sessions) as session:
        settings = session.get_one(Connection, qbd.conn_id).settings
        assert (settings["bill_reference"], settings["suppliers_must_exist"]) == ("{po}{number}", True)


def test_the_qbd_screens_on_a_phone(qbd: QbdScreens, live_app: LiveApp) -> None:
    base = local(live_app)
    with chromium() as browser:
        page = browser.new_page(viewport=PHONE)
        browser_sign_in(page, base, "admin@dunmore.test", PASSWORD)
        pending = page.locator("section[aria-labelledby=pending-h]")
        expect(pending).to_contain_text(WAITS)
        for path in ("/export", "/connection", "/settings", "/import"):
            page.goto(f"{base}{path}")
            overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
            wider = [] if overflow <= 0 else page.evaluate(WIDER_THAN_THE_SCREEN)
            assert overflow <= 0, f"{path}: {overflow}px wider than a phone: {wider}"
        page.goto(f"{base}/connection")
        expect(page.get_by_role("heading", name="Set up the Web Connector")).to_be_visible()
        expect(page.get_by_role("link", name="Download the setup file")).to_be_visible()
        page.on("dialog", lambda dialog: dialog.accept())
        page.get_by_role("button", name="New password").click()
        secret = page.locator("code.secret")
        expect(secret).to_be_visible()
        box = secret.bounding_box()
        assert box is not None and box["x"] + box["width"] <= PHONE["width"]  # the password fits, to be copied
        page.goto(f"{base}/connection")  # shown once: not when the page is opened again
        expect(page.locator("code.secret")).to_have_count(0)

        # the Web Connector still has the old password: its next session is refused, and health says so
        assert qbd.web_connector.update_selected().outcome == "nvu"
        page.goto(f"{base}/connection")
        refused = page.locator("dt", has_text="Refused sign-in").locator("xpath=following-sibling::dd[1]")
        expect(refused).not_to_have_text("none")
        wide = browser.new_page(viewport=LAPTOP)
        browser_sign_in(wide, base, "admin@dunmore.test", PASSWORD)
        wide.goto(f"{base}/connection")
        shoot(wide, "qbd-connection")


def test_a_package_that_does_not_read_the_rule_neither_shows_nor_loses_it(store: Store, live_app: LiveApp) -> None:
    with session_scope(store.sessions) as session:  # a Xero connection, the rule set through the API once
        session.add(Connection(organisation_id=store.org_id, kind="xero", name="Xero", status="connected",
                               api_base_url="", identity_base_url="", client_id="", client_secret_enc="",
                               redirect_uri="", settings={"bill_reference": "{po}{number}"}))
    web = sign_in(live_app, "admin@dunmore.test")
    page = web.get("/settings")
    assert 'name="bill_reference"' not in page.text and 'name="suppliers_must_exist"' not in page.text
    saved = web.post("/settings", data={"csrf_token": csrf_of(page.text), "reference_field": "customer_po"},
                     follow_redirects=True)
    assert "Accounting settings saved" in saved.text
    with session_scope(store.sessions) as session:
        settings = session.scalars(select(Connection.settings).where(Connection.organisation_id == store.org_id)).one()
        assert (settings["reference_field"], settings["bill_reference"]) == ("customer_po", "{po}{number}")
