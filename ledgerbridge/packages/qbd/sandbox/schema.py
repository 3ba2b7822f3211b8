"""Intuit's qbXML schema, as the sandbox company uses it: to refuse what QuickBooks refuses, and to write its
answers in the order the schema's sequences demand.

QuickBooks checks every message against its schema before running any of it: an unknown element, one out of
order or a malformed amount fails the whole message with HRESULT 0x80040400 and nothing is applied. A string
longer than its field allows is the exception: QuickBooks runs the message and answers that one request with
status 3070 ("The string "…" in the field "…" is too long."), so :meth:`QbxmlSchema.check` tells the two apart.

Where the XSDs come from. They are Intuit's files, vendored in the repository's ``specs/qbxml`` folder for the
tests (``specs/README.md``), and the sandbox reads them from there, found from this file's location; a folder
can be given instead (e.g. the ``xmlfiles`` of an installed QuickBooks SDK). They are deliberately not package
data: whether Intuit's qbXML developer agreement allows redistributing them is not established
(``specs/README.md``), a wheel would hand 1.9 MB of them to every user who never runs the sandbox, and one copy
in the repository stays the only one to update. A sandbox without its schema would accept messages QuickBooks
refuses, so a missing schema is an error (:class:`SchemaMissing`), never a silent skip.

Why hand-written: lxml validates but does not expose a schema's content models, and ``xmlschema`` (which does)
is a test-only dependency and 15 times slower to load, so the element order is read from the XSDs' own XML.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

from lxml import etree
from lxml.etree import _Element as Element  # lxml's element type: public in use, underscored in name

__all__ = ["SCHEMA_FILES", "QbxmlSchema", "SchemaFinding", "SchemaMissing", "default_schema_dir", "load_schema"]

SCHEMA_FILES = {"13.0": "qbxmlops130.xsd", "16.0": "qbxmlops160.xsd"}
_XS = "{http://www.w3.org/2001/XMLSchema}"
_TOO_LONG = "SCHEMAV_CVC_MAXLENGTH_VALID"


class SchemaMissing(FileNotFoundError):
    """The qbXML XSDs are not where the sandbox looks for them."""


def default_schema_dir() -> Path:
    """``specs/qbxml`` of the repository this package lives in (ledgerbridge/packages/qbd/sandbox/ -> root)."""
    return Path(__file__).resolve().parents[4] / "specs" / "qbxml"


@dataclass(frozen=True, slots=True, eq=False)
class SchemaFinding:
    """One schema violation: ``request`` is the request element of ``QBXMLMsgsRq`` it is in (None when the
    violation is outside any request); ``too_long`` findings are answered by QuickBooks per request (3070)."""

    too_long: bool
    request: Element | None
    field: str
    value: str
    message: str


class _Definitions:
    """The global elements, groups and complex types of one version's XSD files, for reading content models."""

    def __init__(self, ops_file: Path) -> None:
        self.elements: dict[str, Element] = {}
        self.groups: dict[str, Element] = {}
        self.types: dict[str, Element] = {}
        self._read(ops_file, set())
        self._orders: dict[str, dict[str, int]] = {}
        self._lock = threading.Lock()

    def _read(self, path: Path, seen: set[Path]) -> None:
        if path in seen:
            return
        seen.add(path)
        root = etree.parse(str(path), etree.XMLParser(resolve_entities=False, no_network=True)).getroot()
        for node in root:
            if not isinstance(node.tag, str):
                continue
            name = node.get("name")
            if node.tag == f"{_XS}include":
                self._read(path.parent / str(node.get("schemaLocation")), seen)
            elif node.tag == f"{_XS}element" and name:
                self.elements[name] = node
            elif node.tag == f"{_XS}group" and name:
                self.groups[name] = node
            elif node.tag == f"{_XS}complexType" and name:
                self.types[name] = node

    def _children(self, element: Element) -> list[tuple[str, Element]]:
        """The child elements an element may hold, in schema order (choices flattened in document order)."""
        complex_type = element.find(f"{_XS}complexType")
        if complex_type is None and element.get("type") in self.types:
            complex_type = self.types[str(element.get("type"))]
        found: list[tuple[str, Element]] = []
        if complex_type is not None:
            self._walk(complex_type, found)
        return found

    def _walk(self, node: Element, found: list[tuple[str, Element]]) -> None:
        for child in node:
            tag = child.tag
            if tag == f"{_XS}element":
                ref = child.get("ref")
                if ref is not None:
                    found.append((ref, self.elements[ref]))
                else:
                    found.append((str(child.get("name")), child))
            elif tag == f"{_XS}group" and child.get("ref"):
                self._walk(self.groups[str(child.get("ref"))], found)
            elif tag in (f"{_XS}sequence", f"{_XS}choice", f"{_XS}all", f"{_XS}group"):
                self._walk(child, found)

    def order(self, path: str) -> dict[str, int]:
        """Position of each child element name for the element at ``path`` (``InvoiceRet``,
        ``QBXMLMsgsRs/InvoiceQueryRs``, ``CompanyRet/Address``)."""
        with self._lock:
            cached = self._orders.get(path)
            if cached is not None:
                return cached
            first, *rest = path.split("/")
            node = self.elements.get(first)
            if node is None:
                raise KeyError(f"{first} is not a global element of the qbXML schema")
            for name in rest:
                node = dict(self._children(node))[name]
            order: dict[str, int] = {}
            for name, _ in self._children(node):
                order.setdefault(name, len(order))
            self._orders[path] = order
            return order


class QbxmlSchema:
    """One qbXML version's schema: the validator and the element order of every content model."""

    def __init__(self, version: str, folder: Path) -> None:
        ops = folder / version / SCHEMA_FILES[version]
        if not ops.is_file():
            raise SchemaMissing(
                f"the qbXML {version} schema is not at {ops}: the QuickBooks Desktop sandbox reads Intuit's XSDs from "
                "the repository's specs/qbxml folder (run it from a checkout of the repository) or from the folder "
                "given as schema_dir, which must hold 13.0/qbxmlops130.xsd and 16.0/qbxmlops160.xsd with their "
                "included files")
        self.version = version
        self.validator = etree.XMLSchema(etree.parse(str(ops), etree.XMLParser(resolve_entities=False,
                                                                                no_network=True)))
        self._definitions = _Definitions(ops)

    def child_order(self, path: str) -> Mapping[str, int]:
        return self._definitions.order(path)

    def check(self, document: Element) -> list[SchemaFinding]:
        """Every violation in ``document`` (a parsed request message); empty when it is valid."""
        if self.validator.validate(document):
            return []
        findings: list[SchemaFinding] = []
        # lxml-stubs leaves _ErrorLog empty; it iterates _LogEntry objects (type_name, path, message).
        for error in cast("Iterable[Any]", self.validator.error_log):
            too_long = error.type_name == _TOO_LONG
            path = str(error.path or "")
            value = ""
            if too_long and path:
                matched = document.xpath(path)
                if isinstance(matched, list) and matched and isinstance(matched[0], Element):
                    value = matched[0].text or ""
            findings.append(SchemaFinding(too_long, _request_of(document, path), path.rsplit("/", 1)[-1].split("[")[0],
                                          value, str(error.message)))
        return findings


def _request_of(document: Element, path: str) -> Element | None:
    """``/QBXML/QBXMLMsgsRq/InvoiceAddRq[2]/InvoiceAdd/RefNumber`` -> the ``InvoiceAddRq[2]`` element (None for
    a path outside any request)."""
    parts = path.split("/")
    if len(parts) < 5:
        return None
    matched = document.xpath("/".join(parts[:4]))
    if isinstance(matched, list) and matched and isinstance(matched[0], Element):
        return matched[0]
    return None


_cache: dict[tuple[Path, str], QbxmlSchema] = {}
_cache_lock = threading.Lock()


def load_schema(version: str, folder: Path | None = None) -> QbxmlSchema:
    """The schema of ``version`` (13.0 or 16.0), loaded once per folder and version for the whole process."""
    if version not in SCHEMA_FILES:
        raise ValueError(f"the sandbox has no qbXML schema for version {version!r} (it runs {sorted(SCHEMA_FILES)})")
    key = ((folder or default_schema_dir()).resolve(), version)
    with _cache_lock:
        schema = _cache.get(key)
        if schema is None:
            schema = _cache[key] = QbxmlSchema(version, key[0])
        return schema
