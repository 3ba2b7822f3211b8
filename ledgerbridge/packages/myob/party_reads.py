"""MYOB's cards as the import of parties reads them (R-I4): ``Contact/Customer`` or ``Contact/Supplier``, paged by
``NextPageLink``, incremental by ``$filter`` on ``LastModified`` with the payments' look-back.

A card's code is its DisplayID (MYOB's "Card ID"), which the export writes as the host's code; AccountRight shows a
card without one as ``*None``, which is no code. A card is a company (``CompanyName``) or an individual
(``FirstName`` and ``LastName``), named here as a person writes it, first name first.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any

from ledgerbridge.connectors.protocol import RemoteParty
from ledgerbridge.packages.myob.calls import MyobCalls, myob_datetime, q, when
from ledgerbridge.packages.myob.mapper import party_route
from ledgerbridge.packages.myob.reads import LOOK_BACK

#: What AccountRight shows as the Card ID of a card that has none.
NO_CARD_ID = "*None"


def card_name(row: dict[str, Any]) -> str:
    if row.get("IsIndividual"):
        return " ".join(str(row.get(part) or "").strip() for part in ("FirstName", "LastName")).strip()
    return str(row.get("CompanyName") or "").strip()


def remote_party(row: dict[str, Any], role: str) -> RemoteParty:
    code = str(row.get("DisplayID") or "").strip()
    email = next((str(a["Email"]) for a in row.get("Addresses") or [] if a.get("Email")), None)
    return RemoteParty(str(row["UID"]), None if code in ("", NO_CARD_ID) else code, card_name(row), role,
                       email=email, active=bool(row.get("IsActive", True)), updated_at=when(row.get("LastModified")))


def fetch_parties(conn: MyobCalls, role: str | None, since: datetime | None) -> Iterator[list[RemoteParty]]:
    """The cards of one role (None: customers, then suppliers), oldest change first, a page at a time."""
    if role not in ("customer", "supplier", None):
        raise ValueError(f"a party's role is customer or supplier, not {role!r}")
    where = f"LastModified gt datetime{q(myob_datetime(since - LOOK_BACK))}" if since is not None else ""
    for each in (role,) if role else ("customer", "supplier"):
        for page in conn.pages(party_route(each == "customer"), where=where, order="LastModified",
                               purpose=f"import {each}s"):
            yield [remote_party(row, each) for row in page]
