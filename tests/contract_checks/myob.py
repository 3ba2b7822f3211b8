"""MYOB bodies checked against MYOB's type catalogue (``specs/myob/myob-sdk-contracts.json``, the official SDK's
contract classes): :func:`check_body` for one JSON body, :class:`MyobContractChecker` for whole exchanges, and two
ways to feed it: :class:`MyobContractTransport` (an httpx transport, for the connector and test clients) and
:meth:`MyobContractChecker.tap` (the sandbox's exchange tap, which sees every answer whatever the client, pymyob
included).

What is checked, for the route and method of the exchange:

* the entity body of a POST/PUT request and of a record answer, each item of a list answer
  (``{"Items","NextPageLink","Count"}``, nothing else), the business root and the company-file list;
* unknown properties at any depth (the type's own and inherited ones, generics resolved, ``json_ignore`` left out);
* types: ``Guid`` (36 characters), ``decimal``/``double`` (a JSON number), integers, booleans, ``DateTime``
  (``YYYY-MM-DDTHH:MM:SS``, no zone), ``Uri`` (absolute http(s)), enums by member name, nested link objects and
  arrays; ``null`` only where the C# type allows it (``decimal?``, strings, objects);
* lengths the catalogue does not carry but the research note states (:data:`LENGTHS`);
* error answers: ``{"Errors":[{Name, Message, AdditionalDetails, ErrorCode, Severity, LearnMore}],
  "Information"}`` with ``ErrorCode`` an integer or null and ``Severity`` Error or Warning.

Violations are recorded, never raised, so a test asserts ``checker.violations == []`` at the end.
"""

from __future__ import annotations

import json
import re
import threading
from decimal import Decimal
from typing import Any

import httpx

from contract_checks.myob_catalogue import Shape, enum_members, properties, route_entity, routes

API_PREFIX = "/accountright"
_GUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}$")
_URI = re.compile(r"^https?://[^\s/]+(/\S*)?$")
_ABN = re.compile(r"^\d{2} \d{3} \d{3} \d{3}$")
_ERROR_KEYS = frozenset({"Name", "Message", "AdditionalDetails", "ErrorCode", "Severity", "LearnMore"})

#: (type, property) -> maximum length (characters, or items for an array): the research note's §5 and
#: developer.myob.com's field tables; the SDK records none.
LENGTHS: dict[tuple[str, str], int] = {
    **{(t, "Number"): 13 for t in ("Sale.Sale", "Purchase.Bill", "Sale.CreditSettlement", "Purchase.DebitSettlement")},
    ("Sale.CustomerPayment", "ReceiptNumber"): 13,
    ("Purchase.SupplierPayment", "PaymentNumber"): 13,
    ("Purchase.Bill", "SupplierInvoiceNumber"): 255,
    ("Contact.Contact", "CompanyName"): 50,
    ("Contact.Contact", "FirstName"): 20,
    ("Contact.Contact", "LastName"): 30,
    ("Contact.Contact", "DisplayID"): 15,
    ("Contact.Contact", "Addresses"): 5,
    ("GeneralLedger.TaxCode", "Code"): 3,
}


def _owners(type_key: str) -> set[str]:
    """The type and every base it inherits from (so a length stated on ``Sale.Sale`` holds for invoices)."""
    from contract_checks.myob_catalogue import catalogue, resolve

    seen: set[str] = set()
    todo = [type_key]
    while todo:
        key = todo.pop()
        if key in seen:
            continue
        seen.add(key)
        entry = catalogue()["types"].get(key, {})
        for base in entry.get("base", []):
            found = resolve(base.partition("<")[0], entry.get("namespace", ""))
            if found is not None:
                todo.append(found)
    return seen


def check_body(type_key: str, body: Any, where: str = "") -> list[str]:
    """Every way ``body`` departs from the catalogue's ``type_key`` (empty when it conforms)."""
    found: list[str] = []
    _object(type_key, body, where or type_key, found)
    return found


def _object(type_key: str, body: Any, where: str, found: list[str]) -> None:
    if not isinstance(body, dict):
        found.append(f"{where}: expected an object of {type_key}, got {type(body).__name__}")
        return
    props = properties(type_key)
    owners = _owners(type_key)
    for name, value in body.items():
        path = f"{where}.{name}"
        shape = props.get(name)
        if shape is None:
            found.append(f"{path}: not a property of {type_key}")
            continue
        limit = next((LENGTHS[(owner, name)] for owner in owners if (owner, name) in LENGTHS), None)
        _value(shape, value, path, limit, found)
        if name == "ABN" and isinstance(value, str) and value and not _ABN.match(value):
            found.append(f"{path}: ABN {value!r} is not written XX XXX XXX XXX")


def _value(shape: Shape, value: Any, path: str, limit: int | None, found: list[str]) -> None:
    if value is None:
        if not shape.nullable:
            found.append(f"{path}: null where the contract's type is not nullable")
        return
    if shape.array:
        if not isinstance(value, list):
            found.append(f"{path}: expected an array")
            return
        if limit is not None and len(value) > limit:
            found.append(f"{path}: {len(value)} items, at most {limit}")
        for index, item in enumerate(value):
            _one(shape, item, f"{path}[{index}]", None, found)
        return
    _one(shape, value, path, limit, found)


def _one(shape: Shape, value: Any, path: str, limit: int | None, found: list[str]) -> None:
    kind = shape.kind
    if value is None:
        return
    if kind == "object":
        _object(shape.ref, value, path, found)
    elif kind == "enum":
        if not isinstance(value, str) or value not in enum_members(shape.ref):
            found.append(f"{path}: {value!r} is not a member name of {shape.ref}")
    elif kind in ("str", "uri"):
        if not isinstance(value, str):
            found.append(f"{path}: expected a string, got {type(value).__name__}")
        elif kind == "uri" and not _URI.match(value):
            found.append(f"{path}: {value!r} is not an absolute URI")
        elif limit is not None and len(value) > limit:
            found.append(f"{path}: {len(value)} characters, at most {limit}")
    elif kind == "guid":
        if not isinstance(value, str) or not _GUID.match(value):
            found.append(f"{path}: {value!r} is not a Guid")
    elif kind == "dec":
        if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
            found.append(f"{path}: expected a number, got {value!r}")
    elif kind == "int":
        if isinstance(value, bool) or not isinstance(value, int):
            found.append(f"{path}: expected an integer, got {value!r}")
    elif kind == "bool":
        if not isinstance(value, bool):
            found.append(f"{path}: expected true or false, got {value!r}")
    elif kind == "dt":
        if not isinstance(value, str) or not _DATETIME.match(value):
            found.append(f"{path}: {value!r} is not a DateTime written YYYY-MM-DDTHH:MM:SS")


def check_error(body: Any, where: str) -> list[str]:
    found: list[str] = []
    if not isinstance(body, dict) or not isinstance(body.get("Errors"), list) or not body["Errors"]:
        return [f"{where}: an error answer must be {{\"Errors\": [...], \"Information\": ...}}"]
    for key in set(body) - {"Errors", "Information"}:
        found.append(f"{where}.{key}: not a key of MYOB's error body")
    for index, item in enumerate(body["Errors"]):
        path = f"{where}.Errors[{index}]"
        if not isinstance(item, dict) or set(item) != _ERROR_KEYS:
            found.append(f"{path}: keys {sorted(item) if isinstance(item, dict) else item!r}, "
                         f"expected {sorted(_ERROR_KEYS)}")
            continue
        if item["ErrorCode"] is not None and (isinstance(item["ErrorCode"], bool)
                                              or not isinstance(item["ErrorCode"], int)):
            found.append(f"{path}.ErrorCode: {item['ErrorCode']!r} is not an integer or null")
        if item["Severity"] not in ("Error", "Warning"):
            found.append(f"{path}.Severity: {item['Severity']!r}")
        for key in ("Name", "Message"):
            if not isinstance(item[key], str) or not item[key]:
                found.append(f"{path}.{key}: empty")
    return found


def split_path(path: str) -> tuple[str, str, bool] | None:
    """``/accountright/{bid}/Sale/Invoice/Service/{uid}/`` -> (``{bid}``, ``Sale/Invoice/Service``, True)."""
    if not path.startswith(API_PREFIX):
        return None
    parts = [p for p in path[len(API_PREFIX):].split("/") if p]
    if not parts:
        return "", "", False
    business, rest = parts[0], parts[1:]
    if rest and _GUID.match(rest[-1]) and "/".join(rest[:-1]) in routes():
        return business, "/".join(rest[:-1]), True
    return business, "/".join(rest), False


class MyobContractChecker:
    """Collects violations for exchanges with the MYOB API (thread-safe)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.violations: list[str] = []
        self.exchanges_checked = 0

    def _add(self, found: list[str]) -> None:
        if found:
            with self._lock:
                self.violations.extend(found)

    def check_request(self, method: str, path: str, body: bytes) -> None:
        where = split_path(path)
        if where is None or method not in ("POST", "PUT") or not body.strip():
            return
        route = where[1]
        payload = _decode(body)
        label = f"{method} {path}: request"
        if route not in routes():
            self._add([f"{label}: {route!r} is not a route of the catalogue"])
        elif payload is None:
            self._add([f"{label}: not JSON"])
        else:
            self._add(check_body(route_entity(route), payload, label))

    def check_response(self, method: str, path: str, status: int, content_type: str, body: bytes) -> None:
        where = split_path(path)
        if where is None:
            return
        with self._lock:
            self.exchanges_checked += 1
        label = f"{method} {path} -> {status}"
        if not body.strip():
            if status in (200, 201, 304) or method == "DELETE":
                return
            self._add([f"{label}: an error answer without a body"])
            return
        if "json" not in content_type:
            self._add([f"{label}: content-type {content_type!r}, not JSON"])
            return
        payload = _decode(body)
        if status >= 400:
            self._add(check_error(payload, label))
            return
        _, route, single = where
        self._add(self._answer(route, single or method in ("POST", "PUT"), payload, label))

    def _answer(self, route: str, single: bool, payload: Any, label: str) -> list[str]:
        if route == "":
            if isinstance(payload, list):
                return [v for i, item in enumerate(payload) for v in check_body("CompanyFile", item, f"{label}[{i}]")]
            found = [] if isinstance(payload, dict) and set(payload) == {"CompanyFile", "Resources"} else \
                [f"{label}: the business root is {{CompanyFile, Resources}}"]
            return found + check_body("CompanyFile", (payload or {}).get("CompanyFile"), f"{label}.CompanyFile")
        if route not in routes():
            return [f"{label}: {route!r} is not a route of the catalogue"]
        entity = route_entity(route)
        if single or route == "Company/Preferences":
            return check_body(entity, payload, label)
        if not isinstance(payload, dict) or set(payload) - {"Items", "NextPageLink", "Count"} \
                or "Items" not in payload:
            return [f"{label}: a list answer is {{Items, NextPageLink, Count}}, got "
                    f"{sorted(payload) if isinstance(payload, dict) else type(payload).__name__}"]
        found: list[str] = []
        link = payload.get("NextPageLink")
        if link is not None and (not isinstance(link, str) or not re.match(r"^https?://", link)):
            found.append(f"{label}.NextPageLink: {link!r} is not an absolute URI")
        count = payload.get("Count")
        if count is not None and (isinstance(count, bool) or not isinstance(count, int)):
            found.append(f"{label}.Count: {count!r} is not an integer")
        for index, item in enumerate(payload["Items"]):
            found.extend(check_body(entity, item, f"{label}.Items[{index}]"))
        return found

    def tap(self, exchange: Any) -> None:
        """The sandbox's exchange tap (``runtime.taps.append(checker.tap)``): check what it served."""
        self.check_request(exchange.method, exchange.path, exchange.request_body)
        self.check_response(exchange.method, exchange.path, exchange.status, exchange.content_type,
                            exchange.response_body)

    def assert_clean(self) -> None:
        assert not self.violations, "MYOB contract violations:\n" + "\n".join(self.violations)


def _decode(body: bytes) -> Any:
    try:
        return json.loads(body, parse_float=Decimal)
    except ValueError:
        return None


class MyobContractTransport(httpx.BaseTransport):
    """Wrap ``inner`` (normally ``httpx.HTTPTransport()``) and check every exchange; see ``checker.violations``."""

    def __init__(self, inner: httpx.BaseTransport | None = None, checker: MyobContractChecker | None = None) -> None:
        self.inner = inner or httpx.HTTPTransport()
        self.checker = checker or MyobContractChecker()

    @property
    def violations(self) -> list[str]:
        return self.checker.violations

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        self.checker.check_request(request.method, request.url.path, request.read())
        response = self.inner.handle_request(request)
        raw = response.read()
        self.checker.check_response(request.method, request.url.path, response.status_code,
                                    response.headers.get("content-type", ""), raw)
        headers = [(k, v) for k, v in response.headers.multi_items()
                   if k.lower() not in ("content-encoding", "content-length", "transfer-encoding")]
        return httpx.Response(response.status_code, headers=headers, content=raw, extensions=response.extensions,
                              request=request)

    def close(self) -> None:
        self.inner.close()
