"""Xero's contacts as the import of parties reads them (R-I4): ``GET /Contacts`` with ``summaryOnly=true`` (the
contact's own fields, no addresses or people: what matching needs, a fraction of the bytes), pages of
``pageSize`` 1,000 (Xero's largest), ``If-Modified-Since`` for a later run, archived contacts left out.

One Contact serves both roles: Xero sets ``IsCustomer`` / ``IsSupplier`` once a sales or purchase document names
the contact, so a contact with both is one party in both roles, and a contact with neither (no documents yet) is
taken as a customer, the answer to "where are my customers?". The code is ``ContactNumber``, which the export
writes as the host's code.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import datetime
from typing import Any

from ledgerbridge.connectors.protocol import RemoteParty
from ledgerbridge.packages.xero.msdate import parse_xero_datetime

#: ``XeroConnector._pages``: (path, collection, params, since) -> pages of rows.
Pages = Callable[[str, str, dict[str, Any], datetime | None], Iterator[list[dict[str, Any]]]]


def contact_role(row: dict[str, Any]) -> str:
    customer, supplier = bool(row.get("IsCustomer")), bool(row.get("IsSupplier"))
    return "both" if customer and supplier else "supplier" if supplier else "customer"


def remote_party(row: dict[str, Any]) -> RemoteParty:
    updated = row.get("UpdatedDateUTC")
    return RemoteParty(str(row["ContactID"]), str(row.get("ContactNumber") or "").strip() or None,
                       str(row.get("Name") or "").strip(), contact_role(row), email=row.get("EmailAddress") or None,
                       active=row.get("ContactStatus", "ACTIVE") == "ACTIVE",
                       updated_at=parse_xero_datetime(updated) if updated else None)


def fetch_parties(pages: Pages, role: str | None, since: datetime | None) -> Iterator[list[RemoteParty]]:
    """Every contact once (one list serves both roles); with ``role``, those in that role."""
    if role not in ("customer", "supplier", None):
        raise ValueError(f"a party's role is customer or supplier, not {role!r}")
    for page in pages("/Contacts", "Contacts", {"summaryOnly": "true", "order": "UpdatedDateUTC ASC"}, since):
        parties = [remote_party(row) for row in page]
        yield parties if role is None else [p for p in parties if p.role in (role, "both")]
