"""Helpers for the contract-checker tests: reading Xero's spec examples."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator, Mapping
from typing import Any

from contract_checks.openapi import OpenApiContract


def jsonable(value: Any) -> Any:
    """Spec examples come through YAML, which turns some strings into datetimes."""
    return json.loads(json.dumps(value, default=lambda v: v.isoformat() if isinstance(v, dt.date) else str(v)))


def example(contract: OpenApiContract, template: str, method: str, where: str = "request",
            status: str = "200") -> Any:
    """The JSON example the spec gives for a request body or a response."""
    op = contract.spec["paths"][template][method.lower()]
    components = contract.spec["components"]
    node = op["requestBody"] if where == "request" else op["responses"][status]
    kind = "requestBodies" if where == "request" else "responses"
    while "$ref" in node:
        node = components[kind][node["$ref"].rsplit("/", 1)[-1]]
    value = node["content"]["application/json"]["example"]
    return jsonable(json.loads(value) if isinstance(value, str) else value)


def iter_examples(contract: OpenApiContract) -> Iterator[tuple[str, str, str, str | None, Any]]:
    """(direction, METHOD, template, status, example) for every JSON example in the spec."""
    components = contract.spec["components"]

    def deref(node: Mapping[str, Any], kind: str) -> Mapping[str, Any]:
        while "$ref" in node:
            node = components[kind][node["$ref"].rsplit("/", 1)[-1]]
        return node

    for template, item in contract.spec["paths"].items():
        for method, op in item.items():
            if method not in ("get", "put", "post", "delete", "patch"):
                continue
            if "requestBody" in op:
                media = deref(op["requestBody"], "requestBodies")["content"].get("application/json") or {}
                if "example" in media:
                    yield "request", method.upper(), template, None, example(contract, template, method)
            for status, resp in op.get("responses", {}).items():
                media = (deref(resp, "responses").get("content") or {}).get("application/json") or {}
                if "example" in media:
                    yield "response", method.upper(), template, status, example(
                        contract, template, method, "response", status)


def concrete_url(contract: OpenApiContract, method: str, template: str) -> str:
    """A URL for ``template`` whose path parameters satisfy their schemas."""
    op = next(o for o in contract.index.operations if o.template == template and o.method == method)
    path = template
    for (loc, name), param in op.parameters.items():
        if loc == "path":
            schema = param.schema
            value = ("00000000-0000-0000-0000-000000000001" if schema.get("format") == "uuid"
                     else "1" if schema.get("type") == "integer" else "X-1")
            path = path.replace("{" + name + "}", value)
    return contract.server_prefix + path


TENANT_HEADERS = {"xero-tenant-id": "00000000-0000-0000-0000-000000000009", "content-type": "application/json"}
