"""MyobClient and MYOB's OAuth against the tiny MYOB: headers, the business in the path, 403 RateLimitError backed
off, 504 retried, 401 refreshed with a rotated refresh token saved first, ``invalid_request`` = reconnect needed,
pages followed by NextPageLink, consent with the businessId of the redirect."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlparse

import pytest

from ledgerbridge.connectors.budget import BudgetExhausted
from ledgerbridge.connectors.oauth import ReauthorisationRequired
from ledgerbridge.connectors.protocol import ConnectorCallFailed
from ledgerbridge.packages.myob import auth
from ledgerbridge.packages.myob.client import MyobClient, PackageCallError
from ledgerbridge.packages.myob.connector import MyobConnector
from ledgerbridge.store.models.sync import Connection

from .conftest import Db, add_connection
from .tiny_myob import BUSINESS, CLIENT_ID, DAY_LIMITED, GATEWAY_TIMEOUT, RATE_LIMITED, TinyMyob, error


class FakeClock:
    """Wall time that only moves when someone sleeps."""

    def __init__(self) -> None:
        self.now = time.time()
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


def client(db: Db, conn_id: int, myob: TinyMyob, clock: FakeClock) -> MyobClient:
    return MyobClient(db.sessions, conn_id, transport=myob.transport(), clock=clock, sleep=clock.sleep)


def test_every_call_names_the_business_and_carries_the_api_key_and_version(
        db: Db, myob: TinyMyob, connection: tuple[int, dict[str, object]]) -> None:
    with client(db, connection[0], myob, FakeClock()) as http:
        http.request("POST", "Contact/Customer", params={"returnBody": "true"}, json_body={"CompanyName": "Acme"})
    call = myob.calls[0]
    assert call.path == f"/accountright/{BUSINESS}/Contact/Customer"
    assert call.headers["authorization"] == f"Bearer {connection[1]['access_token']}"
    assert call.headers["x-myobapi-key"] == CLIENT_ID and call.headers["x-myobapi-version"] == "v2"
    assert "idempotency-key" not in call.headers  # MYOB has none: the connector looks records up instead


def test_a_403_rate_limit_is_backed_off_and_retried(db: Db, myob: TinyMyob,
                                                    connection: tuple[int, dict[str, object]]) -> None:
    myob.script.append(RATE_LIMITED)
    clock = FakeClock()
    with client(db, connection[0], myob, clock) as http:
        assert http.request("GET", "Contact/Customer").status_code == 200
    assert len(myob.calls) == 2 and clock.sleeps and all(s >= 1.0 for s in clock.sleeps)


def test_other_403s_are_refusals_not_rate_limits(db: Db, myob: TinyMyob,
                                                 connection: tuple[int, dict[str, object]]) -> None:
    myob.script.append(error(403, "DeveloperInactive", "API key is missing or inactive"))
    with client(db, connection[0], myob, FakeClock()) as http, pytest.raises(PackageCallError) as failed:
        http.request("GET", "Contact/Customer")
    assert failed.value.decision.failure_type == "config" and len(myob.calls) == 1


def test_the_daily_limit_stops_the_run_until_the_next_day(db: Db, myob: TinyMyob,
                                                          connection: tuple[int, dict[str, object]]) -> None:
    myob.script.append(DAY_LIMITED)
    clock = FakeClock()
    with client(db, connection[0], myob, clock) as http, pytest.raises(BudgetExhausted) as spent:
        http.request("GET", "Contact/Customer")
    assert spent.value.until.hour == 0 and spent.value.until > datetime.now(UTC) and clock.sleeps == []


def test_a_504_gateway_timeout_is_retried(db: Db, myob: TinyMyob,
                                          connection: tuple[int, dict[str, object]]) -> None:
    myob.script.append(GATEWAY_TIMEOUT)
    with client(db, connection[0], myob, FakeClock()) as http:
        assert http.request("GET", "Contact/Customer").status_code == 200
    assert len(myob.calls) == 2


def test_a_401_refreshes_in_the_form_body_and_saves_the_rotated_refresh_token(
        db: Db, myob: TinyMyob, connection: tuple[int, dict[str, object]]) -> None:
    myob.access_tokens.clear()  # MYOB forgot the access token (it lives 20 minutes)
    with client(db, connection[0], myob, FakeClock()) as http:
        assert http.request("GET", "Contact/Customer").status_code == 200
    (refresh,) = myob.token_calls
    assert refresh["grant_type"] == "refresh_token" and refresh["client_secret"]  # client_secret_post, as MYOB wants
    with db.sessions() as session:
        row = session.get_one(Connection, connection[0])
        assert db.cipher.decrypt(row.refresh_token_enc) in myob.refresh_tokens  # the new one, committed
        assert db.cipher.decrypt(row.refresh_token_enc) != connection[1]["refresh_token"]


def test_a_token_within_a_minute_of_expiry_is_refreshed_before_the_call(
        db: Db, myob: TinyMyob, connection: tuple[int, dict[str, object]]) -> None:
    with db.sessions() as session:
        session.get_one(Connection, connection[0]).access_expires_at = datetime.now(UTC) + timedelta(seconds=50)
        session.commit()
    with client(db, connection[0], myob, FakeClock()) as http:
        http.request("GET", "Contact/Customer")
    assert len(myob.token_calls) == 1 and len(myob.calls) == 1


def test_invalid_request_on_refresh_means_reconnect_needed(db: Db, myob: TinyMyob,
                                                           connection: tuple[int, dict[str, object]]) -> None:
    myob.access_tokens.clear()
    myob.refresh_tokens.clear()  # the saved refresh token is spent: MYOB answers invalid_request
    with client(db, connection[0], myob, FakeClock()) as http, pytest.raises(PackageCallError) as failed:
        http.request("GET", "Contact/Customer")
    assert failed.value.decision.failure_type == "config" and "reconnect needed" in str(failed.value)
    with db.sessions() as session:
        assert session.get_one(Connection, connection[0]).status == "reauthorise"
    with pytest.raises(ReauthorisationRequired):  # no further refresh is tried with the spent token
        auth.fresh_access_token(db.sessions, connection[0], transport=myob.transport(),
                                rejected_access_token=str(connection[1]["access_token"]))
    assert len(myob.token_calls) == 1


def test_pages_follow_next_page_link_to_the_end(db: Db, myob: TinyMyob,
                                                connection: tuple[int, dict[str, object]]) -> None:
    myob.records["Contact/Customer"] = [{"UID": f"u{n}", "DisplayID": f"C{n}", "IsActive": True} for n in range(5)]
    with MyobConnector(client(db, connection[0], myob, FakeClock())) as connector:
        pages = list(connector.pages("Contact/Customer", where="IsActive eq true"))
    assert [len(p) for p in pages] == [2, 2, 1]
    assert [c.query.get("$skip") for c in myob.calls] == [None, "2", "4"]
    assert all(c.query["$filter"] == "IsActive eq true" for c in myob.calls)


def test_a_refused_write_carries_myobs_message(db: Db, myob: TinyMyob,
                                               connection: tuple[int, dict[str, object]]) -> None:
    myob.script.append(error(400, "Required", "CompanyName is required", "CompanyName"))
    with MyobConnector(client(db, connection[0], myob, FakeClock())) as connector, \
            pytest.raises(ConnectorCallFailed) as failed:
        connector.create("Contact/Customer", {"IsIndividual": False}, "export customers")
    assert "CompanyName is required (Required)" in failed.value.message and failed.value.failure_type == "data"


def test_consent_keeps_the_business_of_the_redirect_and_binds_it(db: Db, myob: TinyMyob) -> None:
    conn_id = add_connection(db)
    with db.sessions() as session:
        conn = session.get_one(Connection, conn_id)
        url = auth.begin_consent(session, conn)
        query = parse_qs(urlparse(url).query)
        assert query["scope"][0].split() == auth.DEFAULT_SCOPES.split() and query["prompt"] == ["consent"]
        callback = f"http://localhost:8000/myob/callback?code=abc&state={query['state'][0]}&businessId={BUSINESS}"
        (business,) = auth.complete_consent(session, conn, callback, transport=myob.transport())
        assert business.tenant_id == BUSINESS and business.tenant_name == "Clearwater Plumbing"
        auth.choose_tenant(session, conn, BUSINESS, transport=myob.transport())
        session.commit()
        assert conn.status == "connected" and conn.tenant_id == BUSINESS
        assert auth.disconnect(session, conn) == [] and conn.status == "disconnected"
    assert myob.token_calls[0]["grant_type"] == "authorization_code"
