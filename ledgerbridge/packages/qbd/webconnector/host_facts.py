"""What the Web Connector tells us about the books on the first ``sendRequestXML`` of a session (``strHCPResponse``).

That parameter holds QuickBooks' answers to HostQuery, CompanyQuery and PreferencesQuery (Programmer's Guide p22,
p80): the product, its country, the qbXML versions it supports, the company's name. The session keeps them (what
connection health shows, and what the version of the messages is chosen from). Read leniently: a part missing or a
document we cannot read leaves the facts unknown and the session carries on; nothing here may stop an update.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass

from lxml import etree

from ledgerbridge.packages.qbd.webconnector.soap import SoapFault, parse_xml

__all__ = ["HostFacts", "parse_host_response", "version_ceiling"]

logger = logging.getLogger(__name__)

_VERSION = re.compile(r"^\s*(\d{1,3})\.(\d{1,3})\s*$")


@dataclass(frozen=True, slots=True)
class HostFacts:
    product: str | None = None
    country: str | None = None
    company_name: str | None = None
    versions: tuple[str, ...] = ()  # the qbXML versions QuickBooks supports, lowest first ("13.0", "16.0")

    @property
    def version_min(self) -> str | None:
        return self.versions[0] if self.versions else None

    @property
    def version_max(self) -> str | None:
        return self.versions[-1] if self.versions else None


def _key(version: str) -> tuple[int, int]:
    found = _VERSION.match(version)
    if not found:
        raise ValueError(version)
    return int(found.group(1)), int(found.group(2))


def parse_host_response(text: str) -> HostFacts:
    """The facts in ``strHCPResponse`` (empty facts if it is empty or unreadable)."""
    if not text.strip():
        return HostFacts()
    try:
        root = parse_xml(text.encode("utf-8"))
    except SoapFault as exc:
        logger.warning("the Web Connector's host and company answer could not be read: %s", exc.reason)
        return HostFacts()
    host = root.find(".//HostRet")
    company = root.find(".//CompanyRet")
    versions: list[str] = []
    if host is not None:
        for element in host.findall("SupportedQBXMLVersion"):
            # Older products list country-specific ones too ("CA2.0", "UK2.0"): only the plain ones are ours.
            if element.text and _VERSION.match(element.text):
                versions.append(element.text.strip())
    return HostFacts(
        product=_text(host, "ProductName"), country=_text(host, "Country"),
        company_name=_text(company, "CompanyName"),
        versions=tuple(sorted(set(versions), key=_key)),
    )


def _text(parent: etree._Element | None, tag: str) -> str | None:
    if parent is None:
        return None
    value = parent.findtext(tag)
    return value.strip() if value and value.strip() else None


def version_ceiling(processor_major: int, processor_minor: int, supported_max: str | None) -> str:
    """The highest qbXML version a message may announce: the request processor's (``qbXMLMajorVers`` and
    ``qbXMLMinorVers``, never above it), lowered to the highest QuickBooks itself lists when that is lower."""
    ceiling = (processor_major, processor_minor)
    if supported_max:
        try:
            ceiling = min(ceiling, _key(supported_max))
        except ValueError:
            pass
    return f"{ceiling[0]}.{ceiling[1]}"
