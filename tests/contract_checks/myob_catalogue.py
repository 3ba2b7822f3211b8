"""MYOB's type catalogue (``specs/myob/myob-sdk-contracts.json``, from the official .NET SDK) read as JSON shapes.

The catalogue records C# classes: each property's C# type, base classes (some generic, ``InvoiceWithLines<
ServiceInvoiceLine>``), enums with their members. This module turns that into what a JSON body may hold: for a
type, every property name (its own and its bases', generic parameters substituted) with a :class:`Shape`
(a scalar kind, an enum, an object type, or an array of one of those). :mod:`contract_checks.myob` checks bodies
with it; :mod:`contract_checks.myob_fields` renders it for the sandbox.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cache
from typing import Any

from contract_checks.spec_files import vendored_spec_dir

CATALOGUE = "myob-sdk-contracts.json"

#: C# primitive -> scalar kind of the JSON value.
SCALARS = {"string": "str", "String": "str", "Guid": "guid", "decimal": "dec", "Decimal": "dec", "double": "dec",
           "float": "dec", "int": "int", "long": "int", "short": "int", "Byte": "int", "bool": "bool",
           "Boolean": "bool", "DateTime": "dt", "Uri": "uri", "DayOfWeek": "str"}
_ARRAY = re.compile(r"^(?:IEnumerable|IList|List|ICollection)<(?P<item>.+)>$")
_GENERIC = re.compile(r"^(?P<name>[A-Za-z_][A-Za-z0-9_]*)<(?P<args>.+)>$")


@dataclass(frozen=True, slots=True)
class Shape:
    """What one property holds: ``kind`` is a scalar kind (:data:`SCALARS` values), ``"enum"`` or ``"object"``;
    ``ref`` the catalogue key of the enum or class; ``array`` whether it is a JSON array of them."""

    kind: str
    ref: str = ""
    array: bool = False
    #: Whether JSON ``null`` is allowed: strings, URIs, objects and arrays always; value types (decimal, bool,
    #: int, DateTime, Guid, enums) only when the C# type is nullable (``decimal?``), as Json.NET reads them.
    nullable: bool = True

    def encode(self) -> str:
        base = f"{self.kind}={self.ref}" if self.ref else self.kind
        return "[]" + base if self.array else base


@cache
def catalogue() -> dict[str, Any]:
    path = vendored_spec_dir("myob", CATALOGUE) / CATALOGUE
    return json.loads(path.read_text(encoding="utf-8"))  # type: ignore[no-any-return]


def routes() -> dict[str, dict[str, Any]]:
    return {route["route"]: route for route in catalogue()["routes"]}


def resolve(name: str, namespace: str = "") -> str | None:
    """A short C# type name -> its catalogue key (preferring ``namespace`` when the name is ambiguous)."""
    types = catalogue()["types"]
    if name in types:
        return name
    found = catalogue()["by_name"].get(name.split(".")[-1])
    if found is None:
        return None
    keys = found if isinstance(found, list) else [found]
    for key in keys:
        if types[key].get("namespace") == namespace:
            return str(key)
    return str(keys[0])


def _shape(csharp: str, namespace: str, generics: dict[str, str]) -> Shape:
    text = csharp.strip()
    optional = text.endswith("?")
    text = text.rstrip("?")
    array = False
    match = _ARRAY.match(text)
    if match:
        text, array = match.group("item").strip().rstrip("?"), True
    elif text.endswith("[]"):
        text, array = text[:-2].rstrip("?"), True
    text = generics.get(text, text)
    if text in SCALARS:
        kind = SCALARS[text]
        return Shape(kind, "", array, array or optional or kind in ("str", "uri"))
    key = resolve(text, namespace)
    if key is None:
        return Shape("any", "", array)
    kind = "enum" if catalogue()["types"][key]["kind"] == "enum" else "object"
    return Shape(kind, key, array, array or optional or kind == "object")


@cache
def properties(type_key: str, generic_args: tuple[str, ...] = ()) -> dict[str, Shape]:
    """JSON property name -> shape, for a class and its bases (json-ignored properties left out)."""
    entry = catalogue()["types"][type_key]
    namespace = entry.get("namespace", "")
    params = re.findall(r"[A-Za-z_][A-Za-z0-9_]*", entry["name"].partition("<")[2])
    generics = dict(zip(params, generic_args, strict=False))
    out: dict[str, Shape] = {}
    for base in entry.get("base", []):
        match = _GENERIC.match(base)
        base_name, args = (match.group("name"), tuple(a.strip() for a in match.group("args").split(","))) \
            if match else (base, ())
        base_key = resolve(base_name, namespace)
        if base_key is not None and catalogue()["types"][base_key]["kind"] == "class":
            out.update(properties(base_key, tuple(generics.get(a, a) for a in args)))
    for prop in entry.get("properties", []):
        if prop.get("json_ignore"):
            continue
        out[prop.get("json_name") or prop["name"]] = _shape(prop["type"], namespace, generics)
    return out


def enum_members(type_key: str) -> tuple[str, ...]:
    return tuple(member["name"] for member in catalogue()["types"][type_key]["members"])


def route_entity(route: str) -> str:
    """The catalogue key of the entity a route serves (``Sale/Invoice/Service`` -> ``Sale.ServiceInvoice``)."""
    entry = routes()[route]
    namespace = route.split("/", 1)[0]
    key = resolve(entry["entity"].split(".")[-1], namespace)
    if key is None:
        raise KeyError(f"no type for route {route}")
    return key


def reachable(roots: tuple[str, ...]) -> dict[str, dict[str, Shape]]:
    """Every class reachable from ``roots`` through object properties, with its properties."""
    seen: dict[str, dict[str, Shape]] = {}
    todo = list(roots)
    while todo:
        key = todo.pop()
        if key in seen:
            continue
        seen[key] = properties(key)
        todo.extend(shape.ref for shape in seen[key].values() if shape.kind == "object")
    return seen
