"""PUT /v1/connections/{id}/settings checks the seed-004 accounts against the chart, as the Settings screen does."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from ledgerbridge.api.app import create_app
from ledgerbridge.connectors.connections import create_connection, sandbox_endpoints
from ledgerbridge.security.apikeys import issue_api_key
from ledgerbridge.store.models.sync import ChartEntry
from ledgerbridge.store.organisations import create_organisation


@pytest.fixture
def setup(engine: Engine, sessions: sessionmaker[Session]) -> Iterator[tuple[TestClient, dict[str, str], int]]:
    with sessions() as session:
        org = create_organisation(session, "Ascora Plumbing")
        key = issue_api_key(session, org.id, "host")
        conn = create_connection(session, org.id, "xero", sandbox_endpoints("xero", "http://127.0.0.1:9"),
                                 client_id="id", client_secret="s", redirect_uri="http://127.0.0.1/cb")
        session.flush()
        conn_id = conn.id
        session.commit()
    with TestClient(create_app(engine, run_worker=False)) as client:
        yield client, {"Authorization": f"Bearer {key}"}, conn_id


def test_accounts_need_the_chart_then_a_suitable_account(setup: tuple[TestClient, dict[str, str], int],
                                                         sessions: sessionmaker[Session]) -> None:
    client, auth, conn_id = setup
    url = f"/v1/connections/{conn_id}/settings"
    early = client.put(url, json={"labour_income_account": "200"}, headers=auth)
    assert early.status_code == 422
    assert early.json()["detail"] == ["Labour income account: refresh the chart of accounts first (Mapping tab)"]
    with sessions() as session:
        for code, name, category, usable in [("090", "Bank", "BANK", ["bank"]), ("200", "Sales", "REVENUE", ["sales"]),
                                             ("429", "General Expenses", "OVERHEADS", ["purchases"])]:
            session.add(ChartEntry(connection_id=conn_id, kind="account", code=code, name=name, category=category,
                                   usable_for=usable))
        session.commit()
    wrong = client.put(url, json={"bad_debt_account": "200", "credit_card_clearing_account": "429"}, headers=auth)
    assert wrong.status_code == 422
    assert wrong.json()["detail"] == [
        "Credit card clearing account: account 429 (General Expenses, OVERHEADS) is not a bank account; choose "
        "another or turn on 'relax restrictions'",
        "Bad debt account: account 200 (Sales, REVENUE) is not a purchases account; choose another or turn on "
        "'relax restrictions'"]
    saved = client.put(url, json={"bad_debt_account": "429", "credit_card_clearing_account": "090",
                                  "labour_income_account": "200", "payments_both_ways": True}, headers=auth)
    assert saved.status_code == 200
    body = saved.json()
    assert (body["bad_debt_account"], body["credit_card_clearing_account"], body["labour_income_account"],
            body["payments_both_ways"]) == ("429", "090", "200", True)
