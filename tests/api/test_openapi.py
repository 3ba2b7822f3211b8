"""What ``/openapi.json`` and ``/docs`` say, beyond what the fuzzer checks: how to authenticate, the bodies, the
CSV downloads, and a documentation page that loads nothing from the internet."""

from __future__ import annotations

import re
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import create_engine

from ledgerbridge.api.app import create_app


@pytest.fixture(scope="module")
def client() -> TestClient:
    return TestClient(create_app(create_engine("sqlite://"), run_worker=False))  # the schema needs no store


@pytest.fixture(scope="module")
def spec(client: TestClient) -> dict[str, Any]:
    return client.get("/openapi.json").json()  # type: ignore[no-any-return]


def _operations(spec: dict[str, Any]) -> list[dict[str, Any]]:
    return [op for item in spec["paths"].values() for op in item.values()]


def test_the_api_key_is_a_security_scheme_not_a_header_parameter(spec: dict[str, Any]) -> None:
    schemes = spec["components"]["securitySchemes"]
    assert schemes["ApiKey"] == {"type": "apiKey", "in": "header", "name": "X-API-Key",
                                 "description": schemes["ApiKey"]["description"]}
    assert schemes["Bearer"]["scheme"] == "bearer"
    for op in _operations(spec):
        headers = [p["name"].lower() for p in op.get("parameters", []) if p["in"] == "header"]
        assert headers == [], op["operationId"]
        assert op["security"] == [{"ApiKey": []}, {"Bearer": []}], op["operationId"]
        assert "401" in op["responses"], op["operationId"]


def test_intake_bodies_are_declared(spec: dict[str, Any]) -> None:
    schemas = spec["components"]["schemas"]
    batch = spec["paths"]["/v1/batch"]["post"]["requestBody"]["content"]["application/json"]["schema"]
    assert batch == {"$ref": "#/components/schemas/Batch"}
    assert set(schemas["Batch"]["properties"]) >= {"documents", "parties", "payments"}
    put = spec["paths"]["/v1/documents/{host_id}"]["put"]
    assert put["requestBody"]["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/DocumentIn"}
    assert put["responses"]["422"]["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/Refusal"}


def test_csv_downloads_are_declared(spec: dict[str, Any]) -> None:
    for path in ("/v1/connections/{connection_id}/reconciliation", "/v1/audit"):
        content = spec["paths"][path]["get"]["responses"]["200"]["content"]
        assert set(content) == {"application/json", "text/csv"}, path


def test_docs_load_only_from_the_app(client: TestClient) -> None:
    page = client.get("/docs")
    assert page.status_code == 200
    urls = re.findall(r"""(?:src|href)=["']([^"']+)""", page.text) + re.findall(r"url: ?'([^']+)'", page.text)
    assert urls and all(url.startswith("/") for url in urls), urls
    for url in urls:
        assert client.get(url).status_code == 200, url
    assert "Apache License" in client.get("/docs/assets/LICENSE").text
    assert client.get("/docs/assets/..%2Fcore.py").status_code == 404
    assert client.get("/redoc").status_code == 404
