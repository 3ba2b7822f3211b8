"""Integers from the URL and the body are bounded at the edge: out of range is a 422 naming the parameter, never a
500 from the store (SQLite's OverflowError, PostgreSQL's "bigint out of range") nor a grid without a limit."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session, sessionmaker

from ledgerbridge.api.app import create_app
from ledgerbridge.connectors.connections import create_connection, sandbox_endpoints
from ledgerbridge.packages.registry import DEFAULT
from ledgerbridge.security.apikeys import issue_api_key
from ledgerbridge.store.models.sync import Job, SyncRecord
from ledgerbridge.store.organisations import create_organisation

HUGE = "31342596608195907584"  # past 2**64
GRIDS = ("pending", "exported", "errors", "payments")


@pytest.fixture
def client(engine: Engine) -> Iterator[TestClient]:
    with TestClient(create_app(engine, run_worker=False)) as client:
        yield client


@pytest.fixture
def setup(sessions: sessionmaker[Session]) -> tuple[dict[str, str], int]:
    """An API key and a connection of its organisation (never consented: nothing here reaches the package)."""
    with sessions() as session:
        org = create_organisation(session, "A")
        key = issue_api_key(session, org.id, "host")
        conn = create_connection(session, org.id, DEFAULT.kind, sandbox_endpoints(DEFAULT.kind, "http://127.0.0.1:9"),
                                 client_id="id", client_secret="secret", redirect_uri="http://127.0.0.1/cb")
        session.commit()
        return {"Authorization": f"Bearer {key}"}, conn.id


def _refused_param(answer: Any, where: str, name: str) -> None:
    """FastAPI's own 422 (what these endpoints document), naming the parameter."""
    assert answer.status_code == 422, answer.text
    assert [where, name] == answer.json()["detail"][0]["loc"][:2], answer.text


@pytest.mark.parametrize("url", ["/v1/parties", "/v1/documents"])
@pytest.mark.parametrize("offset", [HUGE, "9223372036854775807"])
def test_list_offsets_past_the_store_are_refused(client: TestClient, setup: tuple[dict[str, str], int], url: str,
                                                offset: str) -> None:
    auth, _conn = setup
    _refused_param(client.get(url, params={"offset": offset}, headers=auth), "query", "offset")


@pytest.mark.parametrize("grid", GRIDS)
@pytest.mark.parametrize(("name", "value"), [("limit", "-1"), ("limit", "0"), ("limit", "1001"), ("limit", HUGE),
                                             ("offset", "-1"), ("offset", HUGE)])
def test_grid_paging_is_bounded(client: TestClient, setup: tuple[dict[str, str], int], grid: str, name: str,
                                value: str) -> None:
    auth, conn = setup
    _refused_param(client.get(f"/v1/connections/{conn}/{grid}", params={name: value}, headers=auth), "query", name)


@pytest.mark.parametrize("url", [f"/v1/connections/{HUGE}/pending", f"/v1/connections/{HUGE}/health",
                                 f"/v1/connections/{HUGE}/reconciliation", f"/v1/jobs/{HUGE}"])
def test_ids_in_the_path_past_the_store_are_refused(client: TestClient, setup: tuple[dict[str, str], int],
                                                   url: str) -> None:
    auth, _conn = setup
    name = "job_id" if "/jobs/" in url else "connection_id"
    _refused_param(client.get(url, headers=auth), "path", name)


@pytest.mark.parametrize("action", ["upload", "mark-exported", "precheck"])
@pytest.mark.parametrize("raw_id", [HUGE, "9223372036854775807", "-3"])
def test_document_ids_past_the_store_are_refused_and_nothing_is_queued(
        client: TestClient, setup: tuple[dict[str, str], int], sessions: sessionmaker[Session], action: str,
        raw_id: str) -> None:
    auth, conn = setup
    body = '{"document_ids": [1, ' + raw_id + ']}'
    answer = client.post(f"/v1/connections/{conn}/{action}", content=body,
                         headers={**auth, "Content-Type": "application/json"})
    _refused_param(answer, "body", "document_ids")
    assert answer.json()["detail"][0]["loc"][2] == 1  # the position in the list
    with sessions() as session:
        assert session.scalar(select(func.count()).select_from(Job)) == 0
        assert session.scalar(select(func.count()).select_from(SyncRecord)) == 0


def test_a_selection_longer_than_a_batch_is_refused(client: TestClient, setup: tuple[dict[str, str], int]) -> None:
    auth, conn = setup
    answer = client.post(f"/v1/connections/{conn}/upload", json={"document_ids": list(range(1, 10_002))},
                         headers=auth)
    _refused_param(answer, "body", "document_ids")
