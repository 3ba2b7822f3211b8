"""``POST /v1/documents/{host_id}/write-off`` (issue 15 item 3: the bad debt account) and lines without a nominal at
intake (R-C4): the write-off is a tax-inclusive credit note of kind ``bad_debt`` crediting the invoice; every refusal
names the field and writes nothing. Both stores; what goes out is in tests/conformance/test_line_defaults.py."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session, sessionmaker

from ledgerbridge.api.app import create_app
from ledgerbridge.security.apikeys import issue_api_key
from ledgerbridge.store.models.host import Document
from ledgerbridge.store.organisations import create_organisation

from .factories import document, line, payment, reference_batch


@pytest.fixture
def api(engine: Engine, sessions: sessionmaker[Session]) -> Iterator[tuple[TestClient, dict[str, str]]]:
    with sessions() as session:
        org = create_organisation(session, "Ascora Plumbing")
        key = issue_api_key(session, org.id, "host")
        session.commit()
    with TestClient(create_app(engine, run_worker=False)) as client:
        auth = {"Authorization": f"Bearer {key}"}
        batch: dict[str, Any] = reference_batch()
        batch["documents"] = [document("INV-1"), document("INV-2", lines=[line(), line(tax_code="T0")]),
                              document("SO-1", type="sales_order")]
        batch["payments"] = [payment("P1", amount="4.00", allocations=[{"document_host_id": "INV-1",
                                                                       "amount": "4.00"}])]
        assert client.post("/v1/batch", json=batch, headers=auth).status_code == 200, "batch"
        yield client, auth


def test_a_write_off_credits_what_the_invoice_owes_and_refusals_name_the_field(
        api: tuple[TestClient, dict[str, str]], sessions: sessionmaker[Session]) -> None:
    client, auth = api

    def write_off(host_id: str, **body: Any) -> Any:
        return client.post(f"/v1/documents/{host_id}/write-off", json=body, headers=auth)

    assert write_off("NOPE").status_code == 404
    order = write_off("SO-1")
    assert order.status_code == 409 and "only an issued sales invoice" in order.json()["detail"]
    too_much = write_off("INV-1", amount="20.01")  # 24.00 less the 4.00 paid
    assert too_much.status_code == 422 and too_much.json()["detail"].startswith("amount: INV-1 owes GBP 20.00")
    mixed = write_off("INV-2")
    assert mixed.status_code == 422 and mixed.json()["detail"].startswith("tax_code: INV-2 has lines at T0, T1")
    unknown_tax = write_off("INV-2", tax_code="T9")
    assert unknown_tax.status_code == 422
    assert unknown_tax.json()["detail"]["errors"][0]["field"] == "lines[0].tax_code"
    with sessions() as session:
        assert session.scalar(select(func.count()).select_from(Document)) == 3  # nothing written

    made = write_off("INV-1", reason="customer gone", date="2024-04-30")
    assert made.status_code == 201, made.text
    assert made.json() == {"invoice": "INV-1", "credit_note_host_id": "write-off:INV-1",
                           "credit_note_number": "WO-INV-1", "amount": "20.00", "currency": "GBP"}
    stored = client.get("/v1/documents/write-off:INV-1", headers=auth).json()
    assert (stored["type"], stored["status"], stored["gross_total"], stored["credits_document_host_id"]) == \
        ("sales_credit_note", "issued", "20.00", "INV-1")
    assert [(ln["nominal_code"], ln["kind"], ln["tax_code"]) for ln in stored["lines"]] == [(None, "bad_debt", "T1")]
    again = write_off("INV-1")
    assert again.status_code == 409 and "written off already" in again.json()["detail"]


def test_a_line_without_a_nominal_needs_a_kind_its_document_type_takes(api: tuple[TestClient, dict[str, str]]) -> None:
    client, auth = api
    refused = client.post("/v1/batch", headers=auth, json={"documents": [
        document("INV-9", lines=[line(nominal_code=None)]),
        document("INV-8", lines=[line(nominal_code=None, kind="expense")])]})
    assert refused.status_code == 422
    errors = [(e["record"], e["field"], e["message"]) for e in refused.json()["detail"]["errors"]]
    needs = ("a sales invoice line needs a nominal code, or a kind (labour or materials) whose income account the "
             "connection's settings name")
    assert errors == [('documents[0] (host_id "INV-9")', "lines[0].nominal_code", needs),
                      ('documents[1] (host_id "INV-8")', "lines[0].nominal_code", needs)]
    unknown = client.post("/v1/batch", headers=auth, json={"documents": [
        document("INV-7", lines=[line(nominal_code=None, kind="cleaning")])]})
    assert unknown.status_code == 422
    [error] = unknown.json()["detail"]["errors"]
    assert (error["record"], error["field"]) == ('documents[0] (host_id "INV-7")', "lines[0].kind"), error
    accepted = client.post("/v1/batch", headers=auth, json={"documents": [
        document("INV-6", lines=[line(nominal_code=None, kind="labour"), line(nominal_code=None, kind="materials")]),
        document("CN-6", type="sales_credit_note", lines=[line(nominal_code=None)]),
        document("PI-6", type="purchase_invoice", party_host_id="S1", status="posted",
                 lines=[line(nominal_code=None), line(nominal_code=None, kind="expense")])]})
    assert accepted.status_code == 200, accepted.text
