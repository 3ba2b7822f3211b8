"""The QuickBooks Online v3 contract: Intuit's own XSDs (Finance.xsd and what it includes), applied to JSON.

Why XSDs and not an OpenAPI file: Intuit publishes no OpenAPI for the Accounting API; the XSDs the Java SDK is
generated from are the only machine-readable definition. The JSON wire format uses the same names, with these
conventions, which :func:`check_entity` applies:

* elements that may repeat (``maxOccurs>1``, e.g. ``Line``, ``LinkedTxn``, ``CustomField``) are JSON arrays;
* complex types with simple content (``ReferenceType`` and friends) are objects whose text is ``value`` and whose
  XML attributes (``name``, ``type``) sit beside it;
* XML attributes of entities (``domain``, ``sparse``, ``status``) are JSON properties;
* ``xs:decimal``/``xs:int``/``xs:double`` are JSON numbers, ``xs:boolean`` JSON booleans, everything else a string
  (``Id`` and ``SyncToken`` included); enumerated simple types must use one of their values;
* inherited fields count (Invoice -> SalesTransaction -> Transaction -> IntuitEntity); ``xs:any`` allows anything.

Anything else (an unknown field, a wrong nesting, an object where a scalar belongs) is reported as a violation
string: ``"response Invoice.Line[0].Foo: not in the schema of Line"``.
"""

from __future__ import annotations

import re
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

import xmlschema
from xmlschema.validators import XsdAnyElement, XsdComplexType, XsdElement, XsdGroup

from contract_checks.spec_files import vendored_spec_dir

Direction = Literal["request", "response"]

#: The root that includes Finance.xsd, Report.xsd and the REST envelope types (Fault, QueryResponse, ...).
ROOT_XSD = "IntuitRestServiceDef.xsd"

_NUMBER_TYPES = frozenset({"decimal", "double", "float"})
_INTEGER_TYPES = frozenset({"int", "integer", "long", "short", "byte", "nonNegativeInteger", "positiveInteger",
                            "unsignedInt", "unsignedLong", "unsignedShort", "unsignedByte", "negativeInteger",
                            "nonPositiveInteger"})
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}([+-]\d{2}:\d{2}|Z)?$")
_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?([+-]\d{2}:\d{2}|Z)?$")


def spec_dir() -> Path:
    """The repository's ``specs/qbo`` (Intuit's XSDs, vendored)."""
    return vendored_spec_dir("qbo", ROOT_XSD)


@lru_cache(maxsize=1)
def load_schema() -> xmlschema.XMLSchema:
    """Parse once per process (about a second); the schema object is read-only afterwards."""
    return xmlschema.XMLSchema(str(spec_dir() / ROOT_XSD))


def entity_names() -> frozenset[str]:
    """Every concrete entity the API can carry (members of the ``IntuitObject`` substitution group)."""
    return _entity_names()


@lru_cache(maxsize=1)
def _entity_names() -> frozenset[str]:
    schema = load_schema()
    base = schema.types["IntuitEntity"]
    return frozenset(
        name for name, element in schema.elements.items()
        if isinstance(element.type, XsdComplexType) and element.type.is_derived(base)
        and name == element.type.local_name
    )


def check_entity(entity_name: str, json_obj: Any, direction: Direction = "response") -> list[str]:
    """Violations of ``json_obj`` against the complex type of entity ``entity_name`` (e.g. ``"Invoice"``)."""
    schema = load_schema()
    xsd_type = schema.types.get(entity_name)
    if not isinstance(xsd_type, XsdComplexType):
        return [f"{direction} {entity_name}: no such entity type in the QBO schema"]
    out: list[str] = []
    _walk(xsd_type, json_obj, entity_name, direction, out)
    return out


def check_fault(json_obj: Any, direction: Direction = "response") -> list[str]:
    """A ``Fault`` object (the REST service definition's Fault/Error types)."""
    out: list[str] = []
    _walk(load_schema().types["Fault"], json_obj, "Fault", direction, out)
    return out


# ------------------------------------------------------------------------------------------------- walking


@lru_cache(maxsize=512)
def _members(xsd_type: XsdComplexType) -> tuple[dict[str, XsdElement], bool]:
    """Child elements by name (including substitutes of abstract heads) and whether a wildcard allows more."""
    elements: dict[str, XsdElement] = {}
    wildcard = False

    def visit(group: Any) -> None:
        nonlocal wildcard
        for item in group:
            if isinstance(item, XsdGroup):
                visit(item)
            elif isinstance(item, XsdAnyElement):
                wildcard = True
            elif isinstance(item, XsdElement):
                elements[item.local_name] = item
                for substitute in load_schema().substitution_groups.get(item.name, []):
                    elements[substitute.local_name] = substitute

    if isinstance(xsd_type.content, XsdGroup):
        visit(xsd_type.content)
    return elements, wildcard


def _attributes(xsd_type: Any) -> dict[str, Any]:
    attributes = getattr(xsd_type, "attributes", None) or {}
    return {str(name).rsplit("}", 1)[-1]: attr for name, attr in attributes.items() if name}


def _walk(xsd_type: Any, value: Any, path: str, direction: Direction, out: list[str]) -> None:
    if isinstance(xsd_type, XsdComplexType):
        if xsd_type.has_simple_content():
            _walk_simple_content(xsd_type, value, path, direction, out)
            return
        if not isinstance(value, dict):
            out.append(f"{direction} {path}: expected an object ({xsd_type.local_name}), got {_kind(value)}")
            return
        elements, wildcard = _members(xsd_type)
        attributes = _attributes(xsd_type)
        for key, item in value.items():
            if key in attributes:
                _check_scalar(attributes[key].type, item, f"{path}.{key}", direction, out)
            elif key in elements:
                _walk_element(elements[key], item, f"{path}.{key}", direction, out)
            elif not wildcard:
                out.append(f"{direction} {path}.{key}: not in the schema of {xsd_type.local_name or path}")
        return
    _check_scalar(xsd_type, value, path, direction, out)


def _walk_element(element: XsdElement, value: Any, path: str, direction: Direction, out: list[str]) -> None:
    repeating = element.max_occurs is None or element.max_occurs > 1
    if repeating:
        if not isinstance(value, list):
            out.append(f"{direction} {path}: repeating element must be a JSON array, got {_kind(value)}")
            return
        for index, item in enumerate(value):
            _walk(element.type, item, f"{path}[{index}]", direction, out)
        return
    _walk(element.type, value, path, direction, out)


def _walk_simple_content(xsd_type: XsdComplexType, value: Any, path: str, direction: Direction,
                         out: list[str]) -> None:
    if not isinstance(value, dict):
        out.append(f"{direction} {path}: expected an object with 'value' ({xsd_type.local_name}), got {_kind(value)}")
        return
    attributes = _attributes(xsd_type)
    for key, item in value.items():
        if key == "value":
            _check_scalar(xsd_type.content, item, f"{path}.value", direction, out)
        elif key in attributes:
            _check_scalar(attributes[key].type, item, f"{path}.{key}", direction, out)
        else:
            out.append(f"{direction} {path}.{key}: not in the schema of {xsd_type.local_name}")


def _check_scalar(simple: Any, value: Any, path: str, direction: Direction, out: list[str]) -> None:
    if isinstance(value, dict | list):
        out.append(f"{direction} {path}: expected a scalar, got {_kind(value)}")
        return
    if value is None:
        return
    primitive = getattr(getattr(simple, "primitive_type", None), "local_name", None) or "string"
    base = _builtin_name(simple)
    if primitive == "boolean":
        ok = isinstance(value, bool)
    elif base in _INTEGER_TYPES:
        ok = isinstance(value, int) and not isinstance(value, bool)
    elif primitive in _NUMBER_TYPES:
        ok = isinstance(value, int | float | Decimal) and not isinstance(value, bool)
    else:
        ok = isinstance(value, str)
        if ok and primitive == "date" and not _DATE.match(value):
            out.append(f"{direction} {path}: {value!r} is not an xs:date")
        if ok and primitive == "dateTime" and not _DATETIME.match(value):
            out.append(f"{direction} {path}: {value!r} is not an xs:dateTime")
    if not ok:
        out.append(f"{direction} {path}: {_kind(value)} {value!r} where the schema has {base or primitive}")
        return
    enumeration = getattr(simple, "enumeration", None)
    if enumeration and value not in enumeration:
        out.append(f"{direction} {path}: {value!r} is not one of {sorted(map(str, enumeration))}")


def _builtin_name(simple: Any) -> str | None:
    """The nearest built-in ancestor (``int`` for a restriction of ``xs:int``)."""
    current = simple
    while current is not None:
        name = getattr(current, "name", None)
        if name and name.startswith("{http://www.w3.org/2001/XMLSchema}"):
            return str(name).rsplit("}", 1)[-1]
        current = getattr(current, "base_type", None)
    return None


def _kind(value: Any) -> str:
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, dict):
        return "object"
    if isinstance(value, list):
        return "array"
    if isinstance(value, str):
        return "string"
    if value is None:
        return "null"
    return "number"
