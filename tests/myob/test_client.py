"""MyobClient and MYOB's OAuth against the MYOB sandbox over loopback (faults, limits and clock through its admin
API): headers, the business in the path, 403 RateLimitError backed off, 504 retried, 401 refreshed with a rotated
refresh token saved first, ``invalid_grant`` = reconnect needed, pages followed by NextPageLink, consent with the
businessId of the redirect."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlparse

import httpx
import pytest

from ledgerbridge.connectors.budget import BudgetExhausted
from ledgerbridge.connectors.oauth import ReauthorisationRequired
from ledgerbridge.connectors.protocol import ConnectorCallFailed
from ledgerbridge.packages.myob import auth
from ledgerbridge.packages.myob.client import MyobClient, PackageCallError
from ledgerbridge.packages.myob.connector import MyobConnector
from ledgerbridge.packages.myob.sandbox import SandboxConfig
from ledgerbridge.packages.myob.sandbox.seed import tax_code_uid
from ledgerbridge.store.models.sync import Connection

from .conftest import BUSINESS, BUSINESS_NAME, Db, FakeClock, Myob, add_connection

#: At most two a page, so that five customers take three pages (MYOB's most is 1000).
SANDBOX_CONFIG = SandboxConfig(rate_limits_enabled=False, default_page_size=2, max_page_size=2)
AU_SEED = SANDBOX_CONFIG.businesses[0]
TAX_CODES = {"TaxCode": {"UID": tax_code_uid(AU_SEED, "GST")}, "FreightTaxCode": {"UID": tax_code_uid(AU_SEED, "FRE")}}


def consent_in_browser(myob: Myob, url: str) -> str:
    """What the user's browser does with the consent URL: open MYOB's page, choose the business, allow; the
    redirect MYOB answers with (code, state, businessId)."""
    page = httpx.get(url)
    assert page.status_code == 200 and BUSINESS in page.text
    query = {k: v[0] for k, v in parse_qs(urlparse(url).query).items()}
    allowed = httpx.post(myob.sandbox.authorize_url, data={
        "client_id": query["client_id"], "redirect_uri": query["redirect_uri"], "state": query["state"],
        "scope": query["scope"], "businessId": BUSINESS})
    assert allowed.status_code == 302, allowed.text
    return allowed.headers["location"]


def client(db: Db, conn_id: int, myob: Myob, clock: FakeClock) -> MyobClient:
    return MyobClient(db.sessions, conn_id, transport=myob.transport(), clock=clock, sleep=clock.sleep)


def test_every_call_names_the_business_and_carries_the_api_key_and_version(
        db: Db, myob: Myob, connection: tuple[int, dict[str, object]]) -> None:
    with client(db, connection[0], myob, FakeClock()) as http:
        http.request("POST", "Contact/Customer", params={"returnBody": "true"}, json_body={
            "CompanyName": "Acme", "IsIndividual": False, "SellingDetails": TAX_CODES})
    (call,) = myob.calls
    assert call.status == 201 and call.path == f"/accountright/{BUSINESS}/Contact/Customer"
    assert call.headers["authorization"] == f"Bearer {connection[1]['access_token']}"
    assert call.headers["x-myobapi-key"] == myob.client_id and call.headers["x-myobapi-version"] == "v2"
    assert "idempotency-key" not in call.headers  # MYOB has none: the connector looks records up instead


def test_a_403_rate_limit_is_backed_off_and_retried(db: Db, myob: Myob,
                                                    connection: tuple[int, dict[str, object]]) -> None:
    myob.fault(rate_limit_storm=1)  # MYOB's 403 RateLimitError, once
    clock = FakeClock()
    with client(db, connection[0], myob, clock) as http:
        assert http.request("GET", "Contact/Customer").status_code == 200
    assert [c.status for c in myob.calls] == [403, 200] and clock.sleeps and all(s >= 1.0 for s in clock.sleeps)


def test_other_403s_are_refusals_not_rate_limits(db: Db, myob: Myob,
                                                 connection: tuple[int, dict[str, object]]) -> None:
    with db.sessions() as session:  # the app's key was deactivated: MYOB answers 403 DeveloperInactive
        session.get_one(Connection, connection[0]).client_id = "retired-key"
        session.commit()
    with client(db, connection[0], myob, FakeClock()) as http, pytest.raises(PackageCallError) as failed:
        http.request("GET", "Contact/Customer")
    assert failed.value.decision.failure_type == "config" and len(myob.calls) == 1
    assert myob.calls[0].answer["Errors"][0]["Name"] == "DeveloperInactive"


def test_the_daily_limit_stops_the_run_until_the_next_day(db: Db, myob: Myob,
                                                          connection: tuple[int, dict[str, object]]) -> None:
    myob.admin.post("/rate-limits", json={"enabled": True, "per_day": 0}).raise_for_status()  # the day's spent
    clock = FakeClock()
    with client(db, connection[0], myob, clock) as http, pytest.raises(BudgetExhausted) as spent:
        http.request("GET", "Contact/Customer")
    assert spent.value.until.hour == 0 and spent.value.until > datetime.now(UTC) and clock.sleeps == []
    assert "daily" in myob.calls[0].answer["Errors"][0]["Message"]


def test_a_504_gateway_timeout_is_retried(db: Db, myob: Myob,
                                          connection: tuple[int, dict[str, object]]) -> None:
    myob.fault(fail_with_status=504, count=1)  # MYOB's GatewayTimeout
    with client(db, connection[0], myob, FakeClock()) as http:
        assert http.request("GET", "Contact/Customer").status_code == 200
    assert [c.status for c in myob.calls] == [504, 200]


def test_a_504_after_a_post_is_not_sent_again_but_left_in_doubt(db: Db, myob: Myob,
                                                                  connection: tuple[int, dict[str, object]]) -> None:
    """MYOB's gateway may give up after the record was saved: a second POST could make it twice (MYOB has no
    idempotency key), so the call fails with its outcome unknown and the next run looks the record up first."""
    myob.fault(fail_with_status=504, count=1)
    body = {"CompanyName": "Gateway Pty Ltd", "IsIndividual": False, "DisplayID": "GW1",
            "SellingDetails": TAX_CODES}
    with client(db, connection[0], myob, FakeClock()) as http, pytest.raises(PackageCallError) as failed:
        http.request("POST", "Contact/Customer", json_body=body, purpose="export customers and suppliers")
    assert [c.status for c in myob.calls] == [504] and failed.value.outcome_unknown


def test_a_401_refreshes_in_the_form_body_and_saves_the_rotated_refresh_token(
        db: Db, myob: Myob, connection: tuple[int, dict[str, object]]) -> None:
    myob.admin.post("/clock", json={"advance_seconds": 1201}).raise_for_status()  # MYOB's 20 minutes are up
    with client(db, connection[0], myob, FakeClock()) as http:
        assert http.request("GET", "Contact/Customer").status_code == 200
    assert [c.status for c in myob.calls] == [401, 200]
    (refresh,) = myob.token_calls
    assert refresh["grant_type"] == "refresh_token" and refresh["client_secret"]  # client_secret_post, as MYOB wants
    with db.sessions() as session:
        row = session.get_one(Connection, connection[0])
        (answer,) = myob.wire.token_answers
        assert db.cipher.decrypt(row.refresh_token_enc) == answer["refresh_token"]  # the new one, committed
        assert db.cipher.decrypt(row.refresh_token_enc) != connection[1]["refresh_token"]


def test_a_token_within_a_minute_of_expiry_is_refreshed_before_the_call(
        db: Db, myob: Myob, connection: tuple[int, dict[str, object]]) -> None:
    with db.sessions() as session:
        session.get_one(Connection, connection[0]).access_expires_at = datetime.now(UTC) + timedelta(seconds=50)
        session.commit()
    with client(db, connection[0], myob, FakeClock()) as http:
        http.request("GET", "Contact/Customer")
    assert len(myob.token_calls) == 1 and len(myob.calls) == 1


def test_invalid_request_on_refresh_means_reconnect_needed(db: Db, myob: Myob,
                                                           connection: tuple[int, dict[str, object]]) -> None:
    # the business's administrator removed the app: the access token answers 401, the refresh token invalid_grant
    myob.admin.post(f"/businesses/{BUSINESS}/disconnect").raise_for_status()
    with client(db, connection[0], myob, FakeClock()) as http, pytest.raises(PackageCallError) as failed:
        http.request("GET", "Contact/Customer")
    assert failed.value.decision.failure_type == "config" and "reconnect needed" in str(failed.value)
    with db.sessions() as session:
        assert session.get_one(Connection, connection[0]).status == "reauthorise"
    with pytest.raises(ReauthorisationRequired):  # no further refresh is tried with the spent token
        auth.fresh_access_token(db.sessions, connection[0], transport=myob.transport(),
                                rejected_access_token=str(connection[1]["access_token"]))
    assert len(myob.token_calls) == 1 and myob.wire.token_answers[0]["error"] == "invalid_grant"


def test_pages_follow_next_page_link_to_the_end(db: Db, myob: Myob,
                                                connection: tuple[int, dict[str, object]]) -> None:
    for n in range(5):
        myob.post("Contact/Customer", {"CompanyName": f"Customer {n}", "DisplayID": f"C{n}", "IsIndividual": False,
                                       "IsActive": True, "SellingDetails": TAX_CODES})
    myob.post("Contact/Customer", {"CompanyName": "Gone", "IsIndividual": False, "IsActive": False,
                                   "SellingDetails": TAX_CODES})  # left out by the filter
    with MyobConnector(client(db, connection[0], myob, FakeClock())) as connector:
        pages = list(connector.pages("Contact/Customer", where="IsActive eq true"))
    assert [len(p) for p in pages] == [2, 2, 1]
    assert [c.query.get("$skip") for c in myob.calls] == [None, "2", "4"]
    assert all(c.query["$filter"] == "IsActive eq true" for c in myob.calls)


def test_a_refused_write_carries_myobs_message(db: Db, myob: Myob,
                                               connection: tuple[int, dict[str, object]]) -> None:
    with MyobConnector(client(db, connection[0], myob, FakeClock())) as connector, \
            pytest.raises(ConnectorCallFailed) as failed:
        connector.create("Contact/Customer", {"IsIndividual": False, "SellingDetails": TAX_CODES}, "export customers")
    assert "CompanyName is required (Required, 100)" in failed.value.message and failed.value.failure_type == "data"


def test_consent_keeps_the_business_of_the_redirect_and_binds_it(db: Db, myob: Myob) -> None:
    conn_id = add_connection(db, myob)
    with db.sessions() as session:
        conn = session.get_one(Connection, conn_id)
        url = auth.begin_consent(session, conn)
        query = parse_qs(urlparse(url).query)
        assert query["scope"][0].split() == auth.DEFAULT_SCOPES.split() and query["prompt"] == ["consent"]
        callback = consent_in_browser(myob, url)
        assert f"businessId={BUSINESS}" in callback
        (business,) = auth.complete_consent(session, conn, callback, transport=myob.transport())
        assert business.tenant_id == BUSINESS and business.tenant_name == BUSINESS_NAME
        auth.choose_tenant(session, conn, BUSINESS, transport=myob.transport())
        session.commit()
        assert conn.status == "connected" and conn.tenant_id == BUSINESS
        assert auth.disconnect(session, conn) == [] and conn.status == "disconnected"
    assert myob.token_calls[0]["grant_type"] == "authorization_code"
