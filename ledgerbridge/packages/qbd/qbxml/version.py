"""Which qbXML version a session speaks: the highest ledgerbridge has a schema for that the request processor
takes.

The Web Connector tells the request processor's level on every ``sendRequestXML`` (``qbXMLMajorVers``,
``qbXMLMinorVers``) and, on the first of a session, lists the versions QuickBooks supports (``HostRet``'s
``SupportedQBXMLVersion``, in ``strHCPResponse``). A message announcing a higher version than the processor's is
refused with HRESULT 0x80040400 for the whole message (``../shared/apis/qbwc.md`` §4), so the choice never goes
above either. ledgerbridge builds and checks its requests against the 13.0 and 16.0 schemas (``specs/qbxml``):
16.0 where offered, else 13.0 (QuickBooks Desktop 2014 and later); below 13.0 it refuses, naming the version,
rather than send requests an older QuickBooks would read differently.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

__all__ = ["MINIMUM", "SUPPORTED", "UnsupportedQbxmlVersion", "choose_version", "version_tuple"]

#: The versions ledgerbridge speaks, best first (each has its schema in specs/qbxml and its tests).
SUPPORTED = ("16.0", "13.0")
MINIMUM = "13.0"
_NUMBER = re.compile(r"^(?:[A-Z]{2})?(\d+)\.(\d+)$")


class UnsupportedQbxmlVersion(ValueError):
    def __init__(self, offered: str) -> None:
        super().__init__(
            f"QuickBooks' request processor supports qbXML {offered} at most; ledgerbridge needs qbXML "
            f"{MINIMUM} or later (QuickBooks Desktop 2014 or later): update QuickBooks on the PC that runs the "
            "Web Connector")
        self.offered = offered


def version_tuple(text: str) -> tuple[int, int] | None:
    """``"13.0"`` -> (13, 0); old editions' country-prefixed entries (``"UK2.0"``) count by their number; None for
    anything else."""
    found = _NUMBER.match(text.strip())
    return (int(found.group(1)), int(found.group(2))) if found else None


def choose_version(major: int | None, minor: int | None, offered: Sequence[str] = ()) -> str:
    """The version to announce. ``major``/``minor``: the processor's level from ``sendRequestXML`` (None or 0
    when not told); ``offered``: HostRet's SupportedQBXMLVersion list (empty after a session's first call)."""
    ceiling = (major, minor or 0) if major else None
    listed = {v for v in (version_tuple(x) for x in offered) if v is not None}
    for candidate in SUPPORTED:
        wanted = version_tuple(candidate)
        assert wanted is not None
        if ceiling is not None and wanted > ceiling:
            continue
        if listed and wanted not in listed:
            continue
        if ceiling is None and not listed:
            continue  # told nothing: nothing is known to be safe
        return candidate
    highest = [v for v in [ceiling, max(listed) if listed else None] if v is not None]
    shown = min(highest) if highest else None
    raise UnsupportedQbxmlVersion(f"{shown[0]}.{shown[1]}" if shown else "(none announced)")
