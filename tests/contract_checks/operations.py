"""Operations of an OpenAPI document and matching a concrete request path to one.

Matching rules (why they are not a plain regex table):

* Literal segments beat templates, left to right: ``/Reports/BalanceSheet`` is the
  BalanceSheet operation, not ``/Reports/{ReportID}``.
* Xero declares *structurally identical* templates that differ only in the
  parameter's type: ``/Contacts/{ContactID}`` (uuid) vs ``/Contacts/{ContactNumber}``,
  ``/Journals/{JournalID}`` vs ``{JournalNumber}``, ``.../Attachments/{AttachmentID}``
  vs ``{FileName}``. Typed templates (uuid/integer/enum) rank before free-text ones,
  and the first candidate whose path parameters validate wins; so a uuid goes to
  ``getContact`` and ``CUST-001`` to ``getContactByContactNumber``.
* Only candidates that declare the HTTP method are considered, so the error for
  ``DELETE /Invoices`` is "method not allowed" rather than a wrong operation.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote

HTTP_METHODS = ("get", "put", "post", "delete", "patch", "head", "options", "trace")


@dataclass(frozen=True)
class Parameter:
    name: str
    location: str  # query | header | path | cookie
    required: bool
    schema: Mapping[str, Any]
    explode: bool


@dataclass(frozen=True)
class Body:
    """Declared body: media type -> OpenAPI schema (or None when not described)."""

    required: bool
    content: Mapping[str, Mapping[str, Any] | None]


@dataclass
class Operation:
    method: str  # upper case
    template: str  # e.g. "/Invoices/{InvoiceID}"
    operation_id: str
    segments: tuple[str, ...]  # literal text, or "{Name}" for a template segment
    parameters: dict[tuple[str, str], Parameter]  # (location, name) -> Parameter
    request_body: Body | None
    responses: dict[str, Body]  # "200" | "2XX" | "default" -> Body
    validators: dict[tuple[Any, ...], Any] = field(default_factory=dict, repr=False)

    @property
    def specificity(self) -> tuple[int, ...]:
        """Per segment: 0 literal, 1 typed template (uuid, integer, enum), 2 free-text template."""
        def rank(segment: str) -> int:
            if not segment.startswith("{"):
                return 0
            param = self.parameters.get(("path", segment[1:-1]))
            schema = param.schema if param else {}
            typed = bool(schema.get("format") or schema.get("enum")) or schema.get("type") not in (None, "string")
            return 1 if typed else 2

        return tuple(rank(s) for s in self.segments)

    def params_in(self, location: str) -> dict[str, Parameter]:
        return {name: p for (loc, name), p in self.parameters.items() if loc == location}

    def response_for(self, status: int) -> tuple[str, Body] | None:
        for key in (str(status), f"{status // 100}XX", f"{status // 100}xx", "default"):
            if key in self.responses:
                return key, self.responses[key]
        return None

    def __str__(self) -> str:
        return f"{self.operation_id} ({self.method} {self.template})"


def _deref(node: Any, components: Mapping[str, Any], kind: str) -> Any:
    seen = 0
    while isinstance(node, Mapping) and "$ref" in node:
        ref = str(node["$ref"])
        prefix = f"#/components/{kind}/"
        if not ref.startswith(prefix) or seen > 20:
            raise ValueError(f"unsupported {kind} $ref {ref!r}")
        node = components.get(kind, {})[ref[len(prefix):]]
        seen += 1
    return node


def _body(node: Any, components: Mapping[str, Any], kind: str, required_default: bool) -> Body:
    node = _deref(node, components, kind)
    content = node.get("content") or {}
    return Body(
        required=bool(node.get("required", required_default)),
        content={str(media).lower(): (spec or {}).get("schema") for media, spec in content.items()},
    )


def parse_operations(spec: Mapping[str, Any]) -> list[Operation]:
    components = spec.get("components") or {}
    ops: list[Operation] = []
    for template, item in (spec.get("paths") or {}).items():
        shared = [_deref(p, components, "parameters") for p in item.get("parameters", [])]
        for method in HTTP_METHODS:
            if method not in item:
                continue
            raw = item[method]
            params: dict[tuple[str, str], Parameter] = {}
            for p in shared + [_deref(p, components, "parameters") for p in raw.get("parameters", [])]:
                loc = p["in"]
                name = p["name"].lower() if loc == "header" else p["name"]
                params[(loc, name)] = Parameter(
                    name=p["name"],
                    location=loc,
                    required=bool(p.get("required", loc == "path")),
                    schema=p.get("schema") or {},
                    explode=bool(p.get("explode", p.get("style", "form") == "form")),
                )
            ops.append(
                Operation(
                    method=method.upper(),
                    template=template,
                    operation_id=str(raw.get("operationId") or f"{method.upper()} {template}"),
                    segments=tuple(s for s in template.strip("/").split("/") if s),
                    parameters=params,
                    request_body=(
                        _body(raw["requestBody"], components, "requestBodies", False) if "requestBody" in raw else None
                    ),
                    responses={
                        str(code): _body(resp, components, "responses", False)
                        for code, resp in (raw.get("responses") or {}).items()
                    },
                )
            )
    return ops


@dataclass(frozen=True)
class PathMatch:
    """Candidates for a concrete path, most specific first, all allowing the method."""

    candidates: tuple[tuple[Operation, dict[str, str]], ...]
    methods_on_path: tuple[str, ...]  # methods the matching templates allow at all


class OperationIndex:
    def __init__(self, operations: list[Operation], case_insensitive: bool = False) -> None:
        self.operations = operations
        self.case_insensitive = case_insensitive
        self._by_len: dict[int, list[Operation]] = {}
        for op in operations:
            self._by_len.setdefault(len(op.segments), []).append(op)
        for group in self._by_len.values():
            group.sort(key=lambda o: o.specificity)  # stable: spec order breaks ties

    def _bind(self, op: Operation, parts: list[str]) -> dict[str, str] | None:
        bound: dict[str, str] = {}
        for seg, part in zip(op.segments, parts, strict=True):
            if seg.startswith("{") and seg.endswith("}"):
                if not part:
                    return None
                bound[seg[1:-1]] = part
            elif seg != part and not (self.case_insensitive and seg.lower() == part.lower()):
                return None
        return bound

    def match(self, method: str, rel_path: str) -> PathMatch:
        parts = [unquote(p) for p in rel_path.split("/")[1:]] if rel_path.startswith("/") else []
        # A trailing slash yields an empty last part, which binds nothing: unmatched.
        found: list[tuple[Operation, dict[str, str]]] = []
        methods: list[str] = []
        for op in self._by_len.get(len(parts), []):
            bound = self._bind(op, parts)
            if bound is None:
                continue
            if op.method not in methods:
                methods.append(op.method)
            if op.method == method.upper():
                found.append((op, bound))
        return PathMatch(tuple(found), tuple(methods))
