"""/v1/numbering on both stores: settings, a device's block, its report, a reinstalled device, numbers the host
says the package holds, and a document numbered when the host issues it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from intake.factories import document, reference_batch
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from ledgerbridge.api.app import create_app
from ledgerbridge.security.apikeys import issue_api_key
from ledgerbridge.store.organisations import create_organisation

URL = "/v1/numbering/sales_invoice"


@pytest.fixture
def api(engine: Engine, sessions: sessionmaker[Session]) -> Iterator[tuple[TestClient, dict[str, str]]]:
    with sessions() as session:
        org = create_organisation(session, "Ascora Plumbing")
        key = issue_api_key(session, org.id, "host")
        session.commit()
    with TestClient(create_app(engine, run_worker=False)) as client:
        yield client, {"Authorization": f"Bearer {key}"}


def test_devices_reserve_use_and_give_back_and_the_gaps_say_why(api: tuple[TestClient, dict[str, str]]) -> None:
    client, auth = api
    assert client.put(URL, json={"prefix": "AS-", "next_number": 7000}, headers=auth).json()["next"] == "AS-7000"
    assert client.post(f"{URL}/held", json={"numbers": ["AS-7003"]}, headers=auth).json() == {"added": 1}
    tablet = client.post(f"{URL}/blocks", json={"device_id": "tablet-1"}, headers=auth)
    assert tablet.status_code == 201
    block = tablet.json()
    assert (len(block["numbers"]), block["numbers"][:4], block["skipped_held_by_package"]) == (
        25, ["AS-7000", "AS-7001", "AS-7002", "AS-7004"], ["AS-7003"])
    phone = client.post(f"{URL}/blocks", json={"device_id": "phone-1"}, headers=auth).json()
    assert phone["numbers"][0] == "AS-7026"

    stranger = client.post(f"{URL}/devices/tablet-1/report", json={"used": [phone["numbers"][0]]}, headers=auth)
    assert stranger.status_code == 422
    assert stranger.json()["detail"]["errors"][0]["field"] == "used[0]"
    done = client.post(f"{URL}/devices/tablet-1/report", headers=auth, json={
        "used": block["numbers"][:2], "voided": [block["numbers"][2]], "give_back_rest": True})
    assert done.json() == {"used": 2, "voided": 1, "given_back": 22, "blocks_closed": 1, "unchanged": 0}
    reinstalled = client.post(f"{URL}/blocks", json={"device_id": "phone-2", "replaces_device_id": "phone-1"},
                              headers=auth).json()
    assert reinstalled["numbers"][0] == "AS-7051"

    numbering = client.get(URL, headers=auth).json()
    assert numbering["devices"] == ["phone-1", "phone-2", "tablet-1"]
    assert [(b["device_id"], b["used"], b["voided"], b["free"], b["state"]) for b in numbering["blocks"]] == [
        ("phone-2", 0, 0, 25, "open"), ("phone-1", 0, 0, 0, "reinstalled_device"),
        ("tablet-1", 2, 1, 0, "unused_block")]
    assert [(g["first"], g["last"], g["cause"]) for g in numbering["gaps"]] == [
        ("AS-7002", "AS-7002", "void"), ("AS-7003", "AS-7003", "held_by_package"),
        ("AS-7004", "AS-7025", "unused_block"), ("AS-7026", "AS-7050", "reinstalled_device")]
    back = client.put(URL, json={"next_number": 7001}, headers=auth)
    assert back.status_code == 422 and back.json()["detail"]["errors"][0]["field"] == "next_number"
    assert client.put("/v1/numbering/invoice", json={"prefix": "X-"}, headers=auth).status_code == 422


def test_the_host_has_a_document_numbered_as_it_is_issued(api: tuple[TestClient, dict[str, str]]) -> None:
    client, auth = api
    client.put(URL, json={"prefix": "JOB-", "next_number": 300}, headers=auth)
    batch = {**reference_batch(), "documents": [document("D1", status="draft", number="draft-1"),
                                                 document("D2", status="draft", number="draft-2")]}
    assert client.post("/v1/batch", json=batch, headers=auth).status_code == 200
    first = client.post("/v1/documents/D1/issue?assign_number=true", headers=auth)
    assert (first.status_code, first.json()["number"], first.json()["status"]) == (200, "JOB-300", "issued")
    again = client.post("/v1/documents/D1/issue?assign_number=true", headers=auth)
    assert again.json()["number"] == "JOB-300"
    assert client.post("/v1/documents/D2/issue?assign_number=true", headers=auth).json()["number"] == "JOB-301"
    assert client.post("/v1/documents/D1/void", headers=auth).json()["status"] == "void"
    numbering = client.get(URL, headers=auth).json()
    assert (numbering["numbered_documents"], numbering["numbers_used"], numbering["next"]) == (2, 1, "JOB-302")
    assert [(g["first"], g["cause"]) for g in numbering["gaps"]] == [("JOB-300", "void")]
    missing = client.post("/v1/documents/NOPE/issue?assign_number=true", headers=auth)
    assert missing.status_code == 404
