"""Checks a qbXML document against Intuit's qbXML schema of the version it announces (``specs/qbxml/<v>/``).

Every request ledgerbridge hands to the Web Connector and every answer the QuickBooks Desktop sandbox gives in the
tests goes through :func:`check_qbxml`: QuickBooks refuses out-of-order or unknown elements with HRESULT
0x80040400, so element order and types are part of the contract (``../shared/apis/qbwc.md`` §5). lxml's
``XMLSchema`` is used for speed (a schema loads in about 0.1 s and is kept per version).
"""

from __future__ import annotations

import re
from functools import cache

from lxml import etree

from tests.contract_checks.spec_files import vendored_spec_dir

__all__ = ["QbxmlViolation", "check_qbxml", "qbxml_schema", "qbxml_version_of"]

_VERSION_PI = re.compile(r"<\?qbxml\s+version\s*=\s*\"(\d+\.\d+)\"\s*\?>")
_SCHEMA_FILE = {"13.0": "qbxmlops130.xsd", "16.0": "qbxmlops160.xsd"}


class QbxmlViolation(AssertionError):
    """The document does not conform to the qbXML schema; ``errors`` are lxml's lines (line: message)."""

    def __init__(self, version: str, errors: list[str]) -> None:
        self.version = version
        self.errors = errors
        super().__init__(f"qbXML {version} schema violations:\n" + "\n".join(errors[:20]))


@cache
def qbxml_schema(version: str) -> etree.XMLSchema:
    """The schema of a vendored qbXML version (13.0 or 16.0)."""
    if version not in _SCHEMA_FILE:
        raise ValueError(f"no vendored qbXML schema for version {version!r} (have {sorted(_SCHEMA_FILE)})")
    folder = vendored_spec_dir(f"qbxml/{version}", _SCHEMA_FILE[version])
    return etree.XMLSchema(etree.parse(str(folder / _SCHEMA_FILE[version])))


def qbxml_version_of(text: str) -> str | None:
    """The version a document announces in its ``<?qbxml version="…"?>`` instruction."""
    found = _VERSION_PI.search(text[:400])
    return found.group(1) if found else None


def check_qbxml(text: str, version: str | None = None) -> str:
    """Validate ``text``; returns the version checked against. Raises :class:`QbxmlViolation`.

    The version is the one the document announces; a document that announces none is checked against
    ``version`` (a response: QuickBooks answers in the request's version), else 13.0.
    """
    announced = qbxml_version_of(text)
    if announced is not None and version is not None and announced != version:
        raise QbxmlViolation(announced, [f"announces version {announced}, expected {version}"])
    checked = announced or version or "13.0"
    schema = qbxml_schema(checked)
    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=True)
    try:
        document = etree.fromstring(text.encode("utf-8"), parser)
    except etree.XMLSyntaxError as exc:
        raise QbxmlViolation(checked, [f"not well-formed: {exc}"]) from exc
    if not schema.validate(document):
        raise QbxmlViolation(checked, [f"{e.line}: {e.message}" for e in schema.error_log])
    return checked
