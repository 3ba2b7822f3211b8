"""The intake API in-process: error shape, status codes, and organisations that never see each other."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from ledgerbridge.api.app import create_app
from ledgerbridge.security.apikeys import issue_api_key, organisation_for_key, revoke_api_key
from ledgerbridge.store.models.host import Document
from ledgerbridge.store.organisations import create_organisation

from .factories import count, document, line, reference_batch


@pytest.fixture
def client(engine: Engine) -> Iterator[TestClient]:
    with TestClient(create_app(engine)) as client:
        yield client


def _key(sessions: sessionmaker[Session], name: str) -> str:
    with sessions() as session:
        organisation = create_organisation(session, name)
        key = issue_api_key(session, organisation.id, "host")
        session.commit()
        return key


def _auth(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}", "Content-Type": "application/json"}


def _send(client: TestClient, method: str, url: str, key: str, body: Any = None) -> Any:
    content = None if body is None else json.dumps(body)
    return client.request(method, url, content=content, headers=_auth(key))


def test_a_refused_batch_is_a_422_naming_record_and_field(client: TestClient, sessions: sessionmaker[Session]) -> None:
    key = _key(sessions, "A")
    data = reference_batch()
    data["documents"] = [document("INV-1"), document("INV-2", lines=[line(tax_code="T9")])]

    response = _send(client, "POST", "/v1/batch", key, data)

    assert response.status_code == 422
    assert response.json() == {"detail": {
        "message": "Refused: 1 error(s); nothing was written.",
        "errors": [{"record": 'documents[1] (host_id "INV-2")', "field": "lines[0].tax_code",
                    "message": 'tax code "T9" is not known'}],
    }}
    with sessions() as session:
        assert count(session, Document) == 0


def test_malformed_json_is_a_422_of_the_same_shape(client: TestClient, sessions: sessionmaker[Session]) -> None:
    response = client.post("/v1/batch", content=b'{"documents": [', headers=_auth(_key(sessions, "A")))
    assert response.status_code == 422
    error = response.json()["detail"]["errors"][0]
    assert error["record"] == "body" and error["message"].startswith("not valid JSON")


def test_batch_then_put_then_status_actions(client: TestClient, sessions: sessionmaker[Session]) -> None:
    key = _key(sessions, "A")
    assert _send(client, "POST", "/v1/batch", key, reference_batch()).json()["parties"]["created"] == 3

    draft = document("INV-1", status="draft", lines=[line(unit_price="19.99")])
    assert _send(client, "PUT", "/v1/documents/INV-1", key, draft).status_code == 201
    again = _send(client, "PUT", "/v1/documents/INV-1", key, draft)
    assert (again.status_code, again.json()["outcome"]) == (200, "unchanged")
    mismatch = _send(client, "PUT", "/v1/documents/INV-1", key, document("INV-2"))
    assert mismatch.status_code == 422
    assert mismatch.json()["detail"]["errors"][0]["field"] == "host_id"

    issued = _send(client, "POST", "/v1/documents/INV-1/issue", key)
    assert issued.status_code == 200
    body = issued.json()
    assert (body["status"], body["version"], body["gross_total"]) == ("issued", 2, "47.98")
    assert body["lines"][0]["unit_price"] == "19.99" and body["lines"][0]["quantity"] == "2"
    assert _send(client, "POST", "/v1/documents/INV-1/post", key).status_code == 409

    page = _send(client, "GET", "/v1/documents?type=sales_invoice&status=issued&limit=1", key).json()
    assert (page["total"], [d["host_id"] for d in page["items"]]) == (1, ["INV-1"])
    assert _send(client, "GET", "/v1/documents?status=draft", key).json()["total"] == 0
    parties = _send(client, "GET", "/v1/parties?limit=2&offset=1", key).json()
    assert parties["total"] == 3 and [p["host_id"] for p in parties["items"]] == ["C2", "S1"]
    retaxed = _send(client, "PUT", "/v1/tax-codes/T1", key, {"name": "Standard", "rate": "17.5"})
    assert retaxed.json()["outcome"] == "updated"


def test_another_organisation_cannot_see_or_touch_a_document(client: TestClient,
                                                             sessions: sessionmaker[Session]) -> None:
    key_a, key_b = _key(sessions, "A"), _key(sessions, "B")
    data = reference_batch()
    data["documents"] = [document("INV-1")]
    assert _send(client, "POST", "/v1/batch", key_a, data).status_code == 200

    assert _send(client, "GET", "/v1/documents/INV-1", key_b).status_code == 404
    assert _send(client, "GET", "/v1/documents", key_b).json() == {"items": [], "total": 0, "limit": 100, "offset": 0}
    assert _send(client, "GET", "/v1/parties/C1", key_b).status_code == 404
    for action in ("issue", "void"):
        assert _send(client, "POST", f"/v1/documents/INV-1/{action}", key_b).status_code == 404
    # B's references are B's own: A's party and codes do not exist for B.
    refused = _send(client, "PUT", "/v1/documents/INV-1", key_b, document("INV-1")).json()["detail"]["errors"]
    assert {e["field"] for e in refused} == {"party_host_id", "lines[0].nominal_code", "lines[0].tax_code"}

    document_a = _send(client, "GET", "/v1/documents/INV-1", key_a).json()
    assert (document_a["status"], document_a["version"]) == ("issued", 1)


def test_keys_are_required_and_revocable(client: TestClient, sessions: sessionmaker[Session]) -> None:
    key = _key(sessions, "A")
    assert client.get("/v1/documents").status_code == 401
    assert client.get("/v1/documents", headers={"X-API-Key": key + "x"}).status_code == 401
    assert client.get("/v1/documents", headers={"X-API-Key": key}).status_code == 200
    with sessions() as session:
        assert revoke_api_key(session, organisation_for_key(session, key) or 0, key[:12])
        session.commit()
    assert client.get("/v1/documents", headers={"X-API-Key": key}).status_code == 401
