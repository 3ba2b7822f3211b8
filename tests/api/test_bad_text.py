"""Text no store keeps (a NUL, a lone UTF-16 surrogate) in any JSON body the API takes is a 422 naming the field
(and the record, for the intake's records), never a 500 and never stored: every operation with a body, on both
stores, with a body that is otherwise valid (so only the bad character can be why it is refused)."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from dbfixtures import every_row
from fastapi.testclient import TestClient
from intake.factories import document, line, party, payment, unconsented_books
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from ledgerbridge.api.app import create_app
from ledgerbridge.security.apikeys import issue_api_key
from ledgerbridge.store.organisations import create_organisation
from ledgerbridge.web.auth import create_user

PLACE = "PLACEHOLDER"
#: The character as the JSON escape a client sends, and the words the refusal uses for it.
BAD = {"nul": ("\\u0000", "NUL"), "surrogate": ("\\ud800", "lone UTF-16 surrogate")}


@dataclass(frozen=True)
class World:
    client: TestClient
    auth: dict[str, str]
    connection_id: int
    document_id: int
    engine: Engine


@pytest.fixture
def world(engine: Engine, sessions: sessionmaker[Session]) -> Iterator[World]:
    """An organisation with its codes, parties, a purchase invoice waiting for approval, users, and a connection
    that was never consented (nothing here reaches a package)."""
    with sessions() as session:
        org = create_organisation(session, "Komet Flowers")
        key = issue_api_key(session, org.id, "host")
        create_user(session, org.id, "ada@komet.test", "a long enough password", "admin")
        conn_id, document_id = unconsented_books(session, org.id)
    with TestClient(create_app(engine, run_worker=False)) as client:
        yield World(client, {"Authorization": f"Bearer {key}", "Content-Type": "application/json"}, conn_id,
                    document_id, engine)


#: What the refusal names: FastAPI's ``loc`` for the API's own bodies, or (record, field) for the intake's records.
Expect = list[str | int] | tuple[str, str]
#: An otherwise valid body with ``PLACE`` where the bad character goes, and what the refusal must name.
OPERATIONS: dict[tuple[str, str], Callable[[World], tuple[dict[str, Any], Expect]]] = {
    ("put", "/v1/connections/{connection_id}/settings"):
        lambda w: ({"rounding_account": f"79{PLACE}"}, ["body", "rounding_account"]),
    ("put", "/v1/connections/{connection_id}/mappings"):
        lambda w: ({"kind": "nominal", "local_code": "4000", "package_code": f"2{PLACE}00",
                    "relax_restrictions": True}, ["body", "package_code"]),
    ("post", "/v1/connections/{connection_id}/precheck"):
        lambda w: ({"document_ids": [w.document_id], f"note{PLACE}": 1}, ["body", f"note{PLACE}"]),
    ("post", "/v1/connections/{connection_id}/upload"):
        lambda w: ({"document_ids": [w.document_id], "note": PLACE}, ["body", "note"]),
    ("post", "/v1/connections/{connection_id}/mark-exported"):
        lambda w: ({"document_ids": [w.document_id], "reference": f"REF{PLACE}"}, ["body", "reference"]),
    ("post", "/v1/connections/{connection_id}/party-imports/{job_id}/settle"):
        lambda w: ({"choices": {"customer:1": f"skip{PLACE}"}}, ["body", "choices", "customer:1"]),
    ("put", "/v1/imported-parties/{party_id}"):
        lambda w: ({"host_id": f"H{PLACE}"}, ["body", "host_id"]),
    ("post", "/v1/purchase-invoices/approvals"):
        lambda w: ({"number": f"PI-1{PLACE}", "as": "procurement", "user": "ada@komet.test"}, ["body", "number"]),
    ("post", "/v1/purchase-invoices/send"):
        lambda w: ({"number": "PI-1", "user": f"ada{PLACE}@komet.test"}, ["body", "user"]),
    ("put", "/v1/purchase-rules"):
        lambda w: ({"approval_required": False, "user": f"ada@komet.test{PLACE}"}, ["body", "user"]),
    ("post", "/v1/connections"):
        lambda w: ({"package": "xero", "user": "ada@komet.test", "redirect_uri": f"http://h/cb{PLACE}"},
                   ["body", "redirect_uri"]),
    ("post", "/v1/connections/{connection_id}/consent"):
        lambda w: ({"user": "ada@komet.test", "callback_url": f"http://h/cb?code={PLACE}"}, ["body", "callback_url"]),
    ("post", "/v1/connections/{connection_id}/company"):
        lambda w: ({"user": "ada@komet.test", "company_id": f"T{PLACE}"}, ["body", "company_id"]),
    ("post", "/v1/connections/{connection_id}/disconnect"):
        lambda w: ({"user": f"ada{PLACE}@komet.test"}, ["body", "user"]),
    ("post", "/v1/connections/{connection_id}/reconnect"):
        lambda w: ({"user": "ada@komet.test", "redirect_uri": f"http://h/{PLACE}"}, ["body", "redirect_uri"]),
    ("post", "/v1/documents/{host_id}/write-off"):
        lambda w: ({"reason": f"gone{PLACE}"}, ["body", "reason"]),
    ("post", "/v1/batch"):
        lambda w: ({"parties": [party("P9", name=f"Party{PLACE}")]}, ('parties[0] (host_id "P9")', "name")),
    ("put", "/v1/parties/{host_id}"):
        lambda w: (party("H1", city=None, name=f"N{PLACE}"), ('parties[0] (host_id "H1")', "name")),
    ("put", "/v1/items/{host_id}"):
        lambda w: ({"code": "W2", "name": f"Widget{PLACE}"}, ('items[0] (host_id "H1")', "name")),
    ("put", "/v1/documents/{host_id}"):
        lambda w: (document("H1", lines=[line(description=f"W{PLACE}")]),
                   ('documents[0] (host_id "H1")', "lines[0].description")),
    ("put", "/v1/payments/{host_id}"):
        lambda w: (payment("H1", reference=f"R{PLACE}"), ('payments[0] (host_id "H1")', "reference")),
    ("put", "/v1/nominal-codes/{code}"):
        lambda w: ({"name": f"Sales{PLACE}", "type": "sales"}, ('nominal_codes[0] (code "C1")', "name")),
    ("put", "/v1/tax-codes/{code}"):
        lambda w: ({"name": f"Std{PLACE}", "rate": 20}, ('tax_codes[0] (code "C1")', "name")),
    ("put", "/v1/payment-methods/{code}"):
        lambda w: ({"name": f"BACS{PLACE}", "bank_nominal": "1200"}, ('payment_methods[0] (code "C1")', "name")),
    ("put", "/v1/numbering/{document_type}"):
        lambda w: ({"prefix": f"AS{PLACE}-"}, ["body", "prefix"]),
    ("post", "/v1/numbering/{document_type}/blocks"):
        lambda w: ({"device_id": f"tablet{PLACE}"}, ["body", "device_id"]),
    ("post", "/v1/numbering/{document_type}/devices/{device_id}/report"):
        lambda w: ({"used": [f"AS-{PLACE}1"]}, ["body", "used", 0]),
    ("post", "/v1/numbering/{document_type}/held"):
        lambda w: ({"numbers": [f"AS-{PLACE}1"]}, ["body", "numbers", 0]),
}


def _url(template: str, world: World) -> str:
    return template.format(connection_id=world.connection_id, host_id="H1", code="C1", document_type="sales_invoice",
                           device_id="tablet-1", job_id=1, party_id=1)


def test_every_operation_with_a_body_is_tried(world: World) -> None:
    """A new operation that takes a body needs its case above (the schema lists them)."""
    schema = world.client.get("/openapi.json").json()
    with_body = {(method, path) for path, item in schema["paths"].items() for method, operation in item.items()
                 if "requestBody" in operation}
    assert with_body == set(OPERATIONS)


@pytest.mark.parametrize("bad", BAD, ids=str)
@pytest.mark.parametrize("operation", OPERATIONS, ids=lambda op: f"{op[0]} {op[1]}")
def test_bad_text_in_a_body_is_refused_naming_the_field_and_nothing_is_stored(
        world: World, operation: tuple[str, str], bad: str) -> None:
    method, template = operation
    body, expected = OPERATIONS[operation](world)
    escape, said = BAD[bad]
    before = every_row(world.engine)

    answer = world.client.request(method.upper(), _url(template, world), headers=world.auth,
                                  content=json.dumps(body).replace(PLACE, escape))

    assert answer.status_code == 422, answer.text
    detail = answer.json()["detail"]
    if isinstance(expected, tuple):  # the intake's refusal names the record and the field
        [error] = detail["errors"]
        assert (error["record"], error["field"]) == expected and said in error["message"], detail
    else:  # FastAPI's shape, as these operations document their 422
        [item] = detail
        shown = [part.replace(PLACE, escape) if isinstance(part, str) else part for part in expected]
        assert item["loc"] == shown and said in item["msg"], detail
    assert every_row(world.engine) == before


def test_the_same_bodies_without_the_bad_character_are_not_refused_for_it(world: World) -> None:
    """The cases above are refused for the character alone: with a plain one in its place none is a 422 about
    text, and none is a 500."""
    for (method, template), make in OPERATIONS.items():
        body, _expected = make(world)
        answer = world.client.request(method.upper(), _url(template, world), headers=world.auth,
                                      content=json.dumps(body).replace(PLACE, "x"))
        assert answer.status_code < 500, (template, answer.text)
        assert "NUL" not in answer.text and "surrogate" not in answer.text, (template, answer.text)


@pytest.mark.parametrize("url", ["/v1/connections/{connection_id}/pending?type=sales%00invoice",
                                 "/v1/connections/{connection_id}/payments?status=new%00",
                                 "/v1/purchase-invoices?status=Approved%00"])
def test_a_nul_in_a_query_is_refused_naming_the_parameter(world: World, url: str) -> None:
    answer = world.client.get(_url(url, world), headers=world.auth)
    assert answer.status_code == 422, answer.text
    [item] = answer.json()["detail"]
    assert item["loc"] == ["query", url.split("?")[1].split("=")[0]] and "NUL" in item["msg"]


def test_a_surrogates_bytes_in_a_query_are_not_a_server_error(world: World) -> None:
    """Percent-escaped bytes are read as UTF-8 with replacement: a surrogate's never reach a route as one."""
    answer = world.client.get(_url("/v1/connections/{connection_id}/pending?type=x%ED%A0%80", world),
                              headers=world.auth)
    assert answer.status_code == 200, answer.text
