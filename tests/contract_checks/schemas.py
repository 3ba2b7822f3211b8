"""Turn OpenAPI 3.0 schemas into *strict* JSON Schema 2020-12 and report failures readably.

Why jsonschema plus our own conversion, rather than openapi-core or a plain validator:

* Xero's spec never says ``additionalProperties: false``; every validator (openapi-core
  included) therefore accepts unknown field names, which is exactly the class of bug
  (a typo'd or invented field silently ignored by Xero) we want to catch. We close
  every object schema ourselves.
* OpenAPI 3.0 is not JSON Schema: ``nullable``, boolean ``exclusiveMinimum``, ``$ref``
  siblings that must be ignored, vendor date flags (``x-is-msdate``). A small explicit
  converter is easier to audit than a framework's defaults, and the published spec
  does not even pass openapi-core's spec validator (string defaults on booleans).
* Component schemas stay separate resources in a ``referencing.Registry`` and are
  linked by ``$ref`` instead of being inlined, so recursive models
  (Invoice -> Payments -> Payment -> Invoice) cost nothing and messages can name
  the schema (``... not allowed by schema Invoice``).

``readOnly``/``writeOnly`` are deliberately ignored: the official SDK sends read-only
flags (``HasErrors``, ``HasAttachments``) in requests, so they must be allowed there,
but they are still type-checked because they keep their type.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from contract_checks.formats import FORMAT_DESCRIPTIONS, make_format_checker

_COMPONENT_PREFIX = "#/components/schemas/"
# Keywords whose meaning is identical in OpenAPI 3.0 and JSON Schema 2020-12.
_COPY = (
    "type", "enum", "maxLength", "minLength", "pattern", "maximum", "minimum", "multipleOf",
    "maxItems", "minItems", "uniqueItems", "required", "maxProperties", "minProperties", "const",
)
_FORMATS = {
    "uuid": "uuid",
    "date": "xero-date",
    "date-time": "xero-datetime",
    "int32": "int32",
    "int64": "int64",
    "byte": "byte",
}
NAME_KEY = "x-contract-name"
KNOWN_KEY = "x-contract-declared-properties"


@dataclass(frozen=True)
class SchemaIssue:
    """One failure of an instance against a schema, already phrased for humans."""

    pointer: str  # RFC 6901 pointer into the instance, e.g. "/Invoices/0/Foo"
    keyword: str  # the JSON Schema keyword that failed, e.g. "additionalProperties"
    message: str


class SchemaCompiler:
    """Converts one spec's schemas and builds validators sharing one registry.

    ``schemas`` is ``components.schemas`` after any wire-quirk overlay. The
    instance is cheap to keep: validators are built lazily by the caller and the
    registry is immutable.
    """

    def __init__(self, schemas: Mapping[str, Any], base_uri: str) -> None:
        self.base_uri = base_uri.rstrip("/")
        self.raw = schemas
        self.format_checker = make_format_checker()
        resources: list[tuple[str, Resource[Any]]] = []
        for name, schema in schemas.items():
            # Every component twice: closed (normal use) and open at its top level
            # (referenced from allOf, whose composite closes itself). Conversion of
            # the whole accounting spec, both variants, takes a few tens of ms.
            for open_variant in (False, True):
                uri = self.ref_uri(name, open_variant)
                converted = self.convert(schema, name, top_open=open_variant)
                resources.append((uri, self._resource(uri, converted)))
        self.registry: Registry[Any] = Registry().with_resources(resources).crawl()

    # -- conversion ---------------------------------------------------------
    def ref_uri(self, name: str, open_variant: bool = False) -> str:
        return f"{self.base_uri}/{'open-schemas' if open_variant else 'schemas'}/{name}"

    @staticmethod
    def _resource(uri: str, converted: dict[str, Any]) -> Resource[Any]:
        return DRAFT202012.create_resource({"$id": uri, **converted})

    def convert(self, node: Any, name: str, top_open: bool = False) -> dict[str, Any]:
        """Convert one OpenAPI schema object; ``name`` is used in messages.

        ``top_open`` leaves the outermost object open (used for ``allOf`` members,
        whose siblings contribute properties; the composite closes itself with
        ``unevaluatedProperties: false``).
        """
        if not isinstance(node, Mapping):
            return {}
        if "$ref" in node:  # OpenAPI 3.0: siblings of $ref are ignored
            ref = str(node["$ref"])
            if not ref.startswith(_COMPONENT_PREFIX):
                raise ValueError(f"unsupported schema $ref {ref!r} in {name}")
            target = ref[len(_COMPONENT_PREFIX):]
            if target not in self.raw:
                raise ValueError(f"dangling schema $ref {ref!r} in {name}")
            return {"$ref": self.ref_uri(target, open_variant=top_open), NAME_KEY: name}
        out: dict[str, Any] = {NAME_KEY: name}
        for key in _COPY:
            if key in node:
                out[key] = list(node[key]) if isinstance(node[key], list) else node[key]
        if node.get("exclusiveMinimum") is True and "minimum" in out:
            out["exclusiveMinimum"] = out.pop("minimum")
        if node.get("exclusiveMaximum") is True and "maximum" in out:
            out["exclusiveMaximum"] = out.pop("maximum")
        fmt = self._format_for(node)
        if fmt:
            out["format"] = fmt
        if "properties" in node and "type" not in out:
            # Xero declares some models (LineItemItem, Action, ...) without
            # "type: object"; their intent is unambiguous, so be strict about it.
            out["type"] = "object"
        if node.get("nullable") is True:
            self._allow_null(out)
        if isinstance(node.get("properties"), Mapping):
            out["properties"] = {
                prop: self.convert(sub, f"{name}.{prop}") for prop, sub in node["properties"].items()
            }
        # ("type: string" with "items" occurs on one query param: the type wins.)
        if isinstance(node.get("items"), Mapping) and out.get("type") in ("array", None):
            out["items"] = self.convert(node["items"], f"{name}[]")
        for key in ("allOf", "anyOf", "oneOf"):
            if isinstance(node.get(key), list):
                # allOf members must stay open: each only knows part of the properties.
                out[key] = [
                    self.convert(sub, f"{name}.{key}[{i}]", top_open=(key == "allOf"))
                    for i, sub in enumerate(node[key])
                ]
        if isinstance(node.get("not"), Mapping):
            out["not"] = self.convert(node["not"], f"{name}.not")
        self._close(node, out, top_open)
        return out

    def _close(self, node: Mapping[str, Any], out: dict[str, Any], top_open: bool) -> None:
        declared = node.get("additionalProperties")
        if declared is not None:
            out["additionalProperties"] = (
                declared if isinstance(declared, bool) else self.convert(declared, f"{out[NAME_KEY]}{{}}")
            )
            return
        if top_open:
            return
        if "allOf" in node:
            out["unevaluatedProperties"] = False
            # 2020-12 drops the annotations of a failing member, so a member's bad
            # field would also show up as "unevaluated"; remember what is declared.
            out[KNOWN_KEY] = sorted(self._declared_properties(node, set()))
        elif "properties" in node:
            # A bare {"type": "object"} with no properties is a free-form map in
            # OpenAPI; closing it would make it unusable, so only modelled objects close.
            out["additionalProperties"] = False

    def _declared_properties(self, node: Any, seen: set[str]) -> set[str]:
        if not isinstance(node, Mapping):
            return set()
        if "$ref" in node:
            target = str(node["$ref"])[len(_COMPONENT_PREFIX):]
            if target in seen:
                return set()
            return self._declared_properties(self.raw.get(target), seen | {target})
        names = set(node.get("properties") or {})
        for key in ("allOf", "anyOf", "oneOf"):
            for sub in node.get(key) or []:
                names |= self._declared_properties(sub, seen)
        return names

    @staticmethod
    def _format_for(node: Mapping[str, Any]) -> str | None:
        if node.get("x-is-msdate") or node.get("x-is-msdate-time"):
            return "xero-datetime"
        fmt = node.get("format")
        if fmt == "date" and node.get("type") == "string":
            return "xero-date"
        return _FORMATS.get(fmt) if isinstance(fmt, str) else None

    @staticmethod
    def _allow_null(out: dict[str, Any]) -> None:
        if isinstance(out.get("type"), str):
            out["type"] = [out["type"], "null"]
        if "enum" in out and None not in out["enum"]:
            out["enum"] = [*out["enum"], None]

    # -- validation ---------------------------------------------------------
    def validator(self, schema: Mapping[str, Any]) -> Draft202012Validator:
        return Draft202012Validator(dict(schema), registry=self.registry, format_checker=self.format_checker)

    def check(self, validator: Draft202012Validator, instance: Any) -> list[SchemaIssue]:
        issues: list[SchemaIssue] = []
        for error in validator.iter_errors(instance):
            issues.extend(_issues_from_error(error))
        issues.sort(key=lambda i: (i.pointer, i.keyword, i.message))
        return issues


# -- error translation ------------------------------------------------------
def pointer_of(parts: Iterable[Any]) -> str:
    return "".join("/" + str(p).replace("~", "~0").replace("/", "~1") for p in parts)


def _describe(value: Any, limit: int = 60) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    return "object"


_UNEXPECTED_RE = re.compile(r"\((.*) (?:was|were) unexpected\)")


def _issues_from_error(error: ValidationError) -> list[SchemaIssue]:
    path = list(error.absolute_path)
    schema = error.schema if isinstance(error.schema, Mapping) else {}
    where = schema.get(NAME_KEY, "?")
    kw = str(error.validator)
    inst = error.instance
    if kw == "additionalProperties" and isinstance(inst, Mapping):
        known = set(schema.get("properties", {}))
        return [
            SchemaIssue(pointer_of([*path, key]), kw, f"additional property {key!r} not allowed by schema {where}")
            for key in inst
            if key not in known
        ]
    if kw == "unevaluatedProperties" and isinstance(inst, Mapping):
        m = _UNEXPECTED_RE.search(error.message)
        keys = re.findall(r"'([^']*)'", m.group(1)) if m else []
        declared = set(schema.get(KNOWN_KEY) or ())
        if m and all(key in declared for key in keys):
            return []  # only a side effect of a failing allOf member, reported on its own
        return [
            SchemaIssue(pointer_of([*path, key]), kw, f"additional property {key!r} not allowed by schema {where}")
            for key in keys
            if key not in declared
        ] or [SchemaIssue(pointer_of(path), kw, error.message)]
    if kw == "required" and isinstance(error.validator_value, list) and isinstance(inst, Mapping):
        missing = [k for k in error.validator_value if k not in inst]
        return [
            SchemaIssue(pointer_of([*path, key]), kw, f"required property {key!r} missing (schema {where})")
            for key in missing
        ]
    if kw == "type":
        expected = error.validator_value
        expected_text = " or ".join(expected) if isinstance(expected, list) else str(expected)
        msg = f"{_describe(inst)} is a {_json_type(inst)}, schema {where} requires {expected_text}"
    elif kw == "enum":
        allowed = [str(v) for v in error.validator_value]
        shown = ", ".join(allowed[:12]) + (f", ... ({len(allowed)} values)" if len(allowed) > 12 else "")
        msg = f"{_describe(inst)} is not an allowed value of {where} (allowed: {shown})"
    elif kw == "format":
        desc = FORMAT_DESCRIPTIONS.get(str(error.validator_value), str(error.validator_value))
        msg = f"{_describe(inst)} is not a valid {desc} for {where}"
    elif kw in ("anyOf", "oneOf") and error.context:
        best = min(error.context, key=lambda e: len(list(e.absolute_path)))
        msg = f"matches no alternative of {where}; e.g. {best.message}"
    else:
        msg = f"{error.message} (schema {where})"
    return [SchemaIssue(pointer_of(path), kw, msg)]
