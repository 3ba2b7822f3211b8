"""QuickBooks Online's customers and vendors as the import of parties reads them (R-I4): the query language,
``SELECT * FROM Customer`` then ``Vendor``, pages of ``MAXRESULTS`` 1,000 (QuickBooks' largest) by
``STARTPOSITION``, ordered by ``MetaData.LastUpdatedTime`` and, for a later run, only what changed since.

A Customer and a Vendor are records of their own (``separate_party_roles``), each with its own Id sequence: a
party in both roles is a Customer and a Vendor. The code is ``AcctNum`` (the export writes the host's code there
for vendors; a customer QuickBooks made by hand may carry one too), the name ``DisplayName``. Sub-customers
(jobs: ``ParentRef``) are a customer's projects, not parties of their own, and are not imported. The query
answers active records only (QuickBooks' default), so inactive ones are never imported.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import datetime
from typing import Any

from ledgerbridge.connectors.protocol import RemoteParty

#: ``QboCalls.query``: (entity, where, order, purpose) -> pages of rows.
Query = Callable[[str, str, str, str], Iterator[list[dict[str, Any]]]]


def remote_party(row: dict[str, Any], role: str, when: Callable[[str], datetime]) -> RemoteParty:
    updated = (row.get("MetaData") or {}).get("LastUpdatedTime")
    email = (row.get("PrimaryEmailAddr") or {}).get("Address")
    return RemoteParty(str(row["Id"]), str(row.get("AcctNum") or "").strip() or None,
                       str(row.get("DisplayName") or "").strip(), role, email=email or None,
                       active=bool(row.get("Active", True)), updated_at=when(updated) if updated else None)


def fetch_parties(query: Query, role: str | None, since_where: str,
                  when: Callable[[str], datetime]) -> Iterator[list[RemoteParty]]:
    """Customers, then vendors (or the one ``role``), a page at a time; ``since_where`` limits to changes."""
    if role not in ("customer", "supplier", None):
        raise ValueError(f"a party's role is customer or supplier, not {role!r}")
    for each, entity in (("customer", "Customer"), ("supplier", "Vendor")):
        if role in (None, each):
            for page in query(entity, since_where, "MetaData.LastUpdatedTime", f"import {each}s"):
                yield [remote_party(row, each, when) for row in page if not row.get("ParentRef")]
