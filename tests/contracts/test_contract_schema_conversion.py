"""OpenAPI 3.0 -> strict JSON Schema conversion on a small synthetic spec (features
Xero's spec does not use today but the next accounting API may: nullable, allOf,
declared additionalProperties, boolean exclusiveMinimum, free-form objects)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from contract_checks.openapi import OpenApiContract

SPEC = """
openapi: 3.0.0
info: {title: Tiny, version: "1"}
servers: [{url: "https://example.invalid/v1"}]
paths:
  /things/{ThingID}:
    parameters:
      - {in: path, name: ThingID, required: true, schema: {type: string, format: uuid}}
    post:
      operationId: updateThing
      parameters:
        - {in: query, name: mode, schema: {type: string, enum: [fast, slow]}}
        - {in: query, name: when, required: true, schema: {type: string, format: date}}
      requestBody:
        required: true
        content: {application/json: {schema: {$ref: "#/components/schemas/Special"}}}
      responses:
        "200": {description: ok, content: {application/json: {schema: {$ref: "#/components/schemas/Node"}}}}
        "204": {description: nothing}
components:
  schemas:
    Base:
      type: object
      properties: {Name: {type: string, nullable: true, maxLength: 5}}
    Special:
      allOf:
        - $ref: "#/components/schemas/Base"
        - type: object
          properties:
            Weight: {type: number, minimum: 0, exclusiveMinimum: true}
            Kind: {type: string, enum: [A, B], nullable: true}
            Tags: {type: object, additionalProperties: {type: string}}
            Blob: {type: object}
    Node:
      type: object
      properties:
        Children: {type: array, items: {$ref: "#/components/schemas/Node"}}
        Value: {type: integer, format: int32}
"""
URL = "/v1/things/430fa14a-f945-44d3-9f97-5df5e28441b8?when=2026-01-31"
JSON = {"content-type": "application/json"}


@pytest.fixture(scope="module")
def tiny(tmp_path_factory: pytest.TempPathFactory) -> OpenApiContract:
    path: Path = tmp_path_factory.mktemp("spec") / "tiny.yaml"
    path.write_text(SPEC)
    contract = OpenApiContract.load(path)
    assert OpenApiContract.load(path) is contract  # cached per process
    assert contract.server_prefix == "/v1"  # derived from servers[0].url
    return contract


def request(contract: OpenApiContract, body: Any, url: str = URL) -> list[str]:
    _, found = contract.check_request("POST", url, JSON, json.dumps(body).encode())
    return [f"{v.location}:{v.pointer}" for v in found]


def test_all_of_merges_members_and_stays_closed(tiny: OpenApiContract) -> None:
    assert request(tiny, {"Name": "abc", "Weight": 1.5, "Kind": "A", "Tags": {"x": "y"}, "Blob": {"any": [1]}}) == []
    assert request(tiny, {"Name": "abc", "Extra": 1}) == ["body:/Extra"]


def test_nullable_and_enum_null(tiny: OpenApiContract) -> None:
    assert request(tiny, {"Name": None, "Kind": None}) == []
    assert request(tiny, {"Weight": None}) == ["body:/Weight"]


def test_boolean_exclusive_minimum_and_max_length(tiny: OpenApiContract) -> None:
    assert request(tiny, {"Weight": 0}) == ["body:/Weight"]
    assert request(tiny, {"Name": "toolong"}) == ["body:/Name"]


def test_declared_additional_properties_are_typed(tiny: OpenApiContract) -> None:
    assert request(tiny, {"Tags": {"x": 1}}) == ["body:/Tags/x"]


def test_parameters(tiny: OpenApiContract) -> None:
    assert request(tiny, {}, URL + "&mode=fast") == []
    assert request(tiny, {}, URL + "&mode=medium") == ["query:mode"]
    assert request(tiny, {}, URL.replace("2026-01-31", "2026-02-31")) == ["query:when"]
    assert request(tiny, {}, URL.split("?")[0]) == ["query:when"]
    assert request(tiny, {}, URL.replace("430fa14a", "430fa14")) == ["path:ThingID"]


def test_recursive_response_schema(tiny: OpenApiContract) -> None:
    deep: dict[str, Any] = {"Value": 1}
    for _ in range(30):
        deep = {"Children": [deep]}
    assert tiny.check_response("POST", URL, 200, JSON, json.dumps(deep).encode()) == []
    deep["Children"][0]["Children"][0]["Value"] = 2**40
    found = tiny.check_response("POST", URL, 200, JSON, json.dumps(deep).encode())
    assert [v.pointer for v in found] == ["/Children/0/Children/0/Value"]
    assert "32-bit integer" in found[0].message
    assert tiny.check_response("POST", URL, 204, JSON, b"") == []
    assert "declares no body" in tiny.check_response("POST", URL, 204, JSON, b"{}")[0].message
