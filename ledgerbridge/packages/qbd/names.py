"""Names in QuickBooks Desktop: the one name space of customers, vendors, employees and other names, and the names
of the items ledgerbridge makes.

A name is at most 41 characters and unique across the four lists (a vendor named like a customer answers 3100).
As on QuickBooks Online, ledgerbridge sends a party under its own name and, when QuickBooks says the name is
another list's, again as ``Name (CODE)``, which the binding keeps (``ExportOutcome.external_name``); so a party
that is both customer and supplier is a Customer and a Vendor, the second with the suffix. The suffix must fit in
41 characters, so the name before it is shortened (never the code, which is what tells the two apart). A colon
separates a sub-customer or sub-item from its parent in QuickBooks' full names, so it is never part of a name
ledgerbridge makes. Names longer than QuickBooks takes are refused, never cut: Komet's users match vendors by
exact name (seed 003).
"""

from __future__ import annotations

import difflib
import hashlib
from collections.abc import Iterable

from ledgerbridge.packages.qbd.limits import ITEM_NAME_MAX, NAME_MAX
from ledgerbridge.store.views import PartyView

__all__ = ["ROUNDING_ITEM", "account_item_name", "clash_name", "name_problem", "party_name", "similar_names"]

ROUNDING_ITEM = "Rounding"


def _clean(name: str) -> str:
    return " ".join(name.replace(":", "-").split())


def party_name(party: PartyView) -> str:
    """The name a party is first sent under (its own, tidied: no colon, single spaces)."""
    return _clean(party.name)


def name_problem(party: PartyView) -> str | None:
    """Why QuickBooks cannot take the party's name (None: it can)."""
    name = party_name(party)
    if not name:
        return f"party {party.code} has no name; QuickBooks needs one"
    if len(name) > NAME_MAX:
        return (f"party {party.code}: the name \"{name}\" is {len(name)} characters long; QuickBooks Desktop takes "
                f"at most {NAME_MAX} (shorten it in the host)")
    return None


def clash_name(party: PartyView) -> str:
    """The second name, after QuickBooks said the first is taken: ``Name (CODE)`` in 41 characters."""
    suffix = f" ({_clean(party.code)})"
    room = NAME_MAX - len(suffix)
    base = party_name(party)
    if room < 1:  # a code as long as a name: the code alone tells them apart
        return _clean(party.code)[:NAME_MAX]
    return base[:room].rstrip() + suffix


def account_item_name(account_code: str) -> str:
    """The service item a sales line names to post to ``account_code`` (QuickBooks posts a sales line to its
    item's income account): ``Sales to 4000``; a code too long for 31 characters is shortened with a hash of it,
    so two long codes never share an item."""
    name = f"Sales to {_clean(account_code)}"
    if len(name) <= ITEM_NAME_MAX:
        return name
    digest = hashlib.sha256(account_code.encode()).hexdigest()[:6]
    return f"{name[:ITEM_NAME_MAX - 7]}~{digest}"


def similar_names(name: str, candidates: Iterable[str], limit: int = 3) -> list[str]:
    """QuickBooks names close to ``name`` (for "no vendor of this exact name: did you mean ...?")."""
    pool = list(dict.fromkeys(candidates))
    by_lower = {c.lower(): c for c in pool}
    close = difflib.get_close_matches(name.lower(), list(by_lower), n=limit, cutoff=0.6)
    return [by_lower[c] for c in close]
