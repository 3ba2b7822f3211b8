"""What a host may send: nesting, text no store keeps, list and text sizes, the body's size. Each refusal is a
422 (413 for the body) in the intake's shape naming record and field, and nothing of the batch is written."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from ledgerbridge.api.app import create_app
from ledgerbridge.config import reset_settings
from ledgerbridge.security.apikeys import issue_api_key
from ledgerbridge.store.models.host import Document, DocumentLine, Party
from ledgerbridge.store.organisations import create_organisation

from .factories import count, document, line, reference_batch


@pytest.fixture
def client(engine: Engine) -> Iterator[TestClient]:
    with TestClient(create_app(engine, run_worker=False)) as client:
        yield client


@pytest.fixture
def auth(sessions: sessionmaker[Session]) -> dict[str, str]:
    with sessions() as session:
        organisation = create_organisation(session, "A")
        key = issue_api_key(session, organisation.id, "host")
        session.commit()
    return {"Authorization": f"Bearer {key}", "Content-Type": "application/json"}


def _errors(answer: Any, status: int = 422) -> list[dict[str, str]]:
    assert answer.status_code == status, answer.text
    detail = answer.json()["detail"]
    assert "nothing was written" in detail["message"]
    return list(detail["errors"])


def _nothing_written(sessions: sessionmaker[Session]) -> None:
    with sessions() as session:
        assert (count(session, Party), count(session, Document), count(session, DocumentLine)) == (0, 0, 0)


def _batch(*documents: dict[str, Any]) -> dict[str, Any]:
    return {**reference_batch(), "documents": list(documents)}


def test_deep_nesting_is_refused_before_parsing(client: TestClient, auth: dict[str, str],
                                                sessions: sessionmaker[Session]) -> None:
    body = '{"documents": ' + "[" * 5000 + "]" * 5000 + "}"
    [error] = _errors(client.post("/v1/batch", content=body, headers=auth))
    assert error["record"] == "body" and "5001 deep" in error["message"]
    _nothing_written(sessions)


def test_brackets_inside_strings_do_not_count_as_nesting(client: TestClient, auth: dict[str, str]) -> None:
    data = _batch(document("INV-1", lines=[line(description="[" * 100 + '"{' * 100)]))
    assert client.post("/v1/batch", content=json.dumps(data), headers=auth).status_code == 200


@pytest.mark.parametrize(("escaped", "said"), [("W\\ud800x", "lone UTF-16 surrogate"), ("W\\u0000x", "NUL")])
def test_text_no_store_keeps_is_refused_naming_record_and_field(
        client: TestClient, auth: dict[str, str], sessions: sessionmaker[Session], escaped: str, said: str) -> None:
    body = json.dumps(_batch(document("INV-1"), document("INV-2", lines=[line(), line(description="PLACE")])))
    [error] = _errors(client.post("/v1/batch", content=body.replace("PLACE", escaped), headers=auth))
    assert (error["record"], error["field"]) == ('documents[1] (host_id "INV-2")', "lines[1].description")
    assert said in error["message"]
    _nothing_written(sessions)


def test_a_nul_in_a_document_number_is_refused(client: TestClient, auth: dict[str, str],
                                               sessions: sessionmaker[Session]) -> None:
    body = json.dumps(_batch(document("INV-1", number="PLACE"))).replace("PLACE", "INV\\u00001")
    [error] = _errors(client.post("/v1/batch", content=body, headers=auth))
    assert (error["record"], error["field"]) == ('documents[0] (host_id "INV-1")', "number")
    _nothing_written(sessions)


def test_a_nul_in_a_key_is_quoted_escaped(client: TestClient, auth: dict[str, str],
                                          sessions: sessionmaker[Session]) -> None:
    body = json.dumps(_batch(document("PLACE", number="INV-1"))).replace("PLACE", "INV\\u00001")
    [error] = _errors(client.post("/v1/batch", content=body, headers=auth))
    assert (error["record"], error["field"]) == ('documents[0] (host_id "INV\\u00001")', "host_id")
    put = client.put("/v1/parties/C%009", content=json.dumps({"code": "C9", "name": "C"}), headers=auth)
    assert put.status_code == 422 and put.json()["detail"][0]["loc"] == ["path", "host_id"]
    _nothing_written(sessions)


def test_more_than_10000_documents_are_refused_naming_the_list(client: TestClient, auth: dict[str, str],
                                                               sessions: sessionmaker[Session]) -> None:
    one = document("INV-1")
    data = _batch(*({**one, "host_id": f"INV-{n}", "number": f"INV-{n}"} for n in range(10_001)))
    [error] = _errors(client.post("/v1/batch", content=json.dumps(data), headers=auth))
    assert error["record"] == "documents" and "10000" in error["message"]
    _nothing_written(sessions)


def test_a_description_longer_than_any_package_takes_is_refused(client: TestClient, auth: dict[str, str],
                                                                sessions: sessionmaker[Session]) -> None:
    data = _batch(document("INV-1", lines=[line(description="x" * 4001)]))
    [error] = _errors(client.post("/v1/batch", content=json.dumps(data), headers=auth))
    assert (error["record"], error["field"]) == ('documents[0] (host_id "INV-1")', "lines[0].description")
    assert "4000" in error["message"]
    _nothing_written(sessions)


@pytest.mark.parametrize("chunked", [False, True])
def test_a_body_past_the_cap_is_a_413(engine: Engine, auth: dict[str, str], sessions: sessionmaker[Session],
                                      monkeypatch: pytest.MonkeyPatch, chunked: bool) -> None:
    monkeypatch.setenv("LEDGERBRIDGE_MAX_BODY_BYTES", "2000")
    reset_settings()
    body = json.dumps(_batch(document("INV-1", lines=[line(description="x" * 3000)]))).encode()
    with TestClient(create_app(engine, run_worker=False)) as client:
        content: Any = iter([body[:1000], body[1000:]]) if chunked else body
        [error] = _errors(client.post("/v1/batch", content=content, headers=auth), 413)
    assert error["record"] == "body" and "2,000 bytes" in error["message"]
    _nothing_written(sessions)
