"""Strict check of sandbox responses against Xero's published OpenAPI spec.

The spec's schemas do not forbid unknown properties, so a plain validator would accept any field name.  This
walker treats every object schema as closed, so a field the spec does not define (or a wrong type, a value
outside an enum, a malformed uuid) fails the test that received it.  The response envelope's ``Id``,
``Status``, ``ProviderName`` and ``DateTimeUTC`` are the one exception: Xero sends them on every response but
the spec's collection schemas leave them out.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path
from typing import Any

import yaml

SPEC_PATH = Path("/work/shared/specs/xero/xero_accounting.yaml")
for candidate in (Path(__file__).resolve().parents[2].parent / "shared/specs/xero/xero_accounting.yaml",):
    if candidate.exists():
        SPEC_PATH = candidate

API_PREFIX = "/api.xro/2.0"
ENVELOPE = {"Id", "Status", "ProviderName", "DateTimeUTC"}
_UUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")


@cache
def _spec() -> dict[str, Any]:
    with SPEC_PATH.open(encoding="utf-8") as handle:
        return yaml.safe_load(handle)  # type: ignore[no-any-return]


def _resolve(schema: dict[str, Any]) -> dict[str, Any]:
    """Follow ``$ref`` (keeping sibling keys such as ``type``), repeatedly."""
    while "$ref" in schema:
        target = schema["$ref"].split("/")
        resolved: Any = _spec()
        for part in target[1:]:
            resolved = resolved[part]
        merged = dict(resolved)
        merged.update({k: v for k, v in schema.items() if k != "$ref"})
        schema = merged
    return schema


def check_value(schema: dict[str, Any], value: Any, path: str, errors: list[str]) -> None:
    schema = _resolve(schema)
    for part in schema.get("allOf", []):
        check_value(part, value, path, errors)
    kind = schema.get("type")
    if "enum" in schema and value not in schema["enum"]:
        errors.append(f"{path}: {value!r} not in enum")
    if kind == "string":
        if not isinstance(value, str):
            errors.append(f"{path}: expected string, got {type(value).__name__}")
        elif schema.get("format") == "uuid" and not _UUID.match(value):
            errors.append(f"{path}: {value!r} is not a uuid")
    elif kind == "number":
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            errors.append(f"{path}: expected number, got {type(value).__name__}")
    elif kind == "integer":
        if isinstance(value, bool) or not isinstance(value, int):
            errors.append(f"{path}: expected integer, got {type(value).__name__}")
    elif kind == "boolean":
        if not isinstance(value, bool):
            errors.append(f"{path}: expected boolean, got {type(value).__name__}")
    elif kind == "array" or "items" in schema:
        if not isinstance(value, list):
            errors.append(f"{path}: expected array, got {type(value).__name__}")
            return
        for index, item in enumerate(value):
            check_value(schema.get("items", {}), item, f"{path}[{index}]", errors)
    if "properties" in schema or kind == "object":
        if not isinstance(value, dict):
            errors.append(f"{path}: expected object, got {type(value).__name__}")
            return
        properties = schema.get("properties", {})
        for key, item in value.items():
            if key not in properties:
                errors.append(f"{path}.{key}: not defined by the spec")
            else:
                check_value(properties[key], item, f"{path}.{key}", errors)


def check_schema(schema_name: str, body: Any, envelope: bool = True) -> list[str]:
    errors: list[str] = []
    if envelope and isinstance(body, dict):
        body = {k: v for k, v in body.items() if k not in ENVELOPE}
    check_value({"$ref": f"#/components/schemas/{schema_name}"}, body, schema_name, errors)
    return errors


@cache
def _operations() -> list[tuple[re.Pattern[str], str, dict[str, Any]]]:
    routes = []
    for template, operations in _spec()["paths"].items():
        pattern = re.compile("^" + re.sub(r"\\\{[^/]+?\\\}", "[^/]+", re.escape(template)) + "$")
        for method, operation in operations.items():
            if isinstance(operation, dict) and "responses" in operation:
                routes.append((pattern, method.upper(), operation["responses"]))
    return routes


def response_schema(method: str, path: str, status: int) -> str | None:
    """The spec's schema name for a response, or None when the spec describes no JSON body for it."""
    if not path.startswith(API_PREFIX):
        return None
    relative = path[len(API_PREFIX):]
    for pattern, op_method, responses in _operations():
        if op_method == method and pattern.match(relative):
            response = responses.get(str(status))
            if response is None:
                return None
            if "$ref" in response:
                response = _resolve(response)
            schema = response.get("content", {}).get("application/json", {}).get("schema", {})
            ref = schema.get("$ref")
            return ref.rsplit("/", 1)[-1] if ref else None
    return None


def check_response(method: str, path: str, status: int, body: Any) -> list[str]:
    name = response_schema(method, path, status)
    if name is None:
        return []
    return check_schema(name, body, envelope=status < 400)
