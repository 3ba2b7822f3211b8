"""The Purchases, Audit and Settings screens over real HTTP: buttons only for the roles that may press them (and
the server refusing the others), the approval flow to "Sent to External System", the audit filters and download,
and the seed-004 account settings checked against the chart."""

from __future__ import annotations

import re

import httpx
import pytest

from ledgerbridge.store.db import session_scope
from ledgerbridge.store.models.sync import ChartEntry
from ledgerbridge.web.auth import create_user

from .conftest import PASSWORD, LiveApp, Store
from .test_auth import csrf_of, sign_in
from .test_pages import connected, message_of  # noqa: F401 - the fixture is used by name

__all__ = ["connected"]


@pytest.fixture
def procurement(store: Store) -> str:
    with session_scope(store.sessions) as session:
        create_user(session, store.org_id, "buyer@dunmore.test", PASSWORD, "procurement")
    return "buyer@dunmore.test"


def _row(page: str, number: str) -> str:
    match = re.search(rf'<tr data-number="{number}">.*?</tr>', page, re.S)
    assert match, f"{number} is not on the page"
    return match.group(0)


def _act(client: httpx.Client, number: str, action: str) -> httpx.Response:
    token = csrf_of(client.get("/purchases").text)
    return client.post("/purchases/action", data={"csrf_token": token, "number": number, "action": action})


def test_approve_and_send_buttons_follow_the_roles(live_app: LiveApp, procurement: str) -> None:
    admin = sign_in(live_app, "admin@dunmore.test")
    token = csrf_of(admin.get("/purchases").text)
    assert message_of(admin.post("/purchases/rules", data={"csrf_token": token, "approval_required": "on"}))[
        "msg"] == ["Purchase rules saved."]
    buyer, accounts, viewer = (sign_in(live_app, e) for e in (procurement, "accounts@dunmore.test",
                                                              "viewer@dunmore.test"))
    row = _row(buyer.get("/purchases").text, "SUP-881")
    assert "Awaiting approval" in row and "Approve (Procurement)" in row
    assert "Approve (Accounting)" not in row and "Send to External System</button>" not in row
    assert "approval by Procurement and approval by Accounting and Send to External System" in row
    assert "<button" not in _row(viewer.get("/purchases").text, "SUP-881")
    # The server refuses what the page does not offer.
    assert _act(viewer, "SUP-881", "procurement").status_code == 403
    assert _act(buyer, "SUP-881", "accounting").status_code == 403
    assert _act(buyer, "SUP-881", "send").status_code == 403
    refused = message_of(_act(accounts, "SUP-881", "send"))
    assert refused["err"] == ["Purchase invoice SUP-881 cannot be sent: it waits for approval by Procurement and "
                              "approval by Accounting."]

    assert message_of(_act(buyer, "SUP-881", "procurement"))["msg"] == [
        "Purchase invoice SUP-881: approval by Procurement given."]
    row = _row(accounts.get("/purchases").text, "SUP-881")
    assert "buyer@dunmore.test" in row and "Approve (Accounting)" in row and "Send to External System</button>" \
        not in row
    message_of(_act(accounts, "SUP-881", "accounting"))
    row = _row(accounts.get("/purchases").text, "SUP-881")
    assert "Approved" in row and "Send to External System</button>" in row
    assert message_of(_act(accounts, "SUP-881", "send"))["msg"] == [
        "Purchase invoice SUP-881: Sent to External System."]
    page = accounts.get("/purchases", params={"status": "Sent to External System"}).text
    assert re.findall(r'data-number="([^"]+)"', page) == ["SUP-881"]
    document = accounts.get(re.search(r'href="(/documents/\d+)">SUP-881<', page).group(1)).text  # type: ignore[union-attr]
    assert "Vendor invoice status</dt><dd>Sent to External System" in document
    assert "send to external system" in document  # the history, from the audit trail
    # Only an administrator changes the rules.
    assert accounts.post("/purchases/rules", data={"csrf_token": csrf_of(page)}).status_code == 403


def test_the_audit_page_filters_by_record_and_time_and_downloads(live_app: LiveApp, procurement: str) -> None:
    admin = sign_in(live_app, "admin@dunmore.test")
    buyer = sign_in(live_app, procurement)
    message_of(_act(buyer, "SUP-882", "procurement"))
    message_of(_act(admin, "SUP-883", "accounting"))
    page = admin.get("/audit", params={"record": "purchase_invoice:SUP-882"}).text
    assert "History of purchase invoice SUP-882" in page
    body = page.split("<tbody>", 1)[1]
    assert "approve procurement" in body and "buyer@dunmore.test" in body and "admin@dunmore.test" not in body
    assert 'href="/audit.csv?record=purchase_invoice%3ASUP-882"' in page
    download = admin.get("/audit.csv", params={"record": "purchase_invoice:SUP-882"})
    assert download.headers["content-type"].startswith("text/csv")
    lines = download.text.strip().split("\n")
    assert lines[0].startswith("id,at,actor,action") and len(lines) == 2 and "buyer@dunmore.test" in lines[1]
    future = admin.get("/audit", params={"since": "2999-01-01"}).text
    assert "Nothing in the audit trail matches." in future
    unknown = admin.get("/audit", params={"record": "sales_invoice:NOPE"}).text
    assert "no sales invoice &#39;NOPE&#39; in this organisation" in unknown
    # Another organisation's administrator sees none of it.
    other = sign_in(live_app, "admin@elsewhere.test")
    assert "buyer@dunmore.test" not in other.get("/audit").text.split("<tbody>", 1)[1]
    assert other.get("/audit.csv", params={"record": "purchase_invoice:SUP-882"}).status_code == 400


def test_seed_004_account_settings_are_saved_and_checked(store: Store, live_app: LiveApp, connected: int) -> None:  # noqa: F811
    with session_scope(store.sessions) as session:
        session.add(ChartEntry(connection_id=connected, kind="account", code="429", name="General Expenses",
                               category="OVERHEADS", usable_for=["purchases"]))
    client = sign_in(live_app, "admin@dunmore.test")
    page = client.get("/settings").text
    for label in ("Credit card clearing account", "Default supplier invoice account",
                  "Default supplier expense account", "Labour income account", "Materials income account",
                  "Credit note account", "Bad debt account"):
        assert label in page
    token = csrf_of(page)

    def save(**values: str) -> dict[str, list[str]]:
        return message_of(client.post("/settings", data={"csrf_token": token, "reference_field": "order_number",
                                                          **values}))

    refused = save(labour_income_account="300", bad_debt_account="200")["err"][0]
    assert "Labour income account: account 300 (Purchases, DIRECTCOSTS) is not a sales account" in refused
    assert "Bad debt account: account 200 (Sales, REVENUE) is not a purchases account" in refused
    assert save(labour_income_account="300", relax_restrictions="on")["msg"] == ["Accounting settings saved."]
    assert save(credit_card_clearing_account="090", default_supplier_invoice_account="300",
                default_supplier_expense_account="429", labour_income_account="200", materials_income_account="200",
                credit_note_account="200", bad_debt_account="429")["msg"] == ["Accounting settings saved."]
    page = client.get("/settings").text
    chosen = {}
    for name, options in re.findall(r'<select name="(\w+_account)">(.*?)</select>', page, re.S):
        picked = re.search(r'<option value="(\w+)"\s+selected', options)
        if picked:
            chosen[name] = picked.group(1)
    assert chosen == {"credit_card_clearing_account": "090", "default_supplier_invoice_account": "300",
                      "default_supplier_expense_account": "429", "labour_income_account": "200",
                      "materials_income_account": "200", "credit_note_account": "200", "bad_debt_account": "429"}
