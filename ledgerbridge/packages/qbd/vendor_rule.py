"""Komet's rule "suppliers must exist in QuickBooks" (seed 003; ``ConnectionSettings.suppliers_must_exist``).

Komet's users keep their vendors in QuickBooks and match them by name: a supplier's accounting name here must be
a QuickBooks vendor's name exactly, and ledgerbridge creates no vendor (no ``VendorAdd``) and changes none (no
``VendorMod``: QuickBooks is where vendors are kept). With the rule on:

* pre-check refuses a purchase document whose supplier's name is not a vendor's exactly, naming both names and
  offering the vendors of similar name (``names.similar_names``), so the user renames one side. Pre-check reads
  the vendor list through the Web Connector, so it can only tell while the Web Connector is in a session (a
  pre-check pressed between two sessions leaves the question to the upload);
* the upload binds the supplier to the vendor of that exact name, or refuses it with the same words.

The active vendor list is read once per connector (one job: a session), with an iterator for a large list.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

from ledgerbridge.connectors.protocol import ConnectorCallFailed, ExportOutcome, PartyExport
from ledgerbridge.packages.qbd.names import party_name, similar_names
from ledgerbridge.packages.qbd.qbxml.list_queries import ListFilter, vendor_query
from ledgerbridge.packages.qbd.qbxml.rets import read_list
from ledgerbridge.packages.qbd.reads import READ_PAGE
from ledgerbridge.store.views import PartyView

if TYPE_CHECKING:
    from ledgerbridge.packages.qbd.calls import QbdCalls

__all__ = ["RULE_SETTING", "VendorList", "bind_to_vendors", "rule_on", "vendor_problem"]

RULE_SETTING = "suppliers_must_exist"
HINT = ("Make the two names the same (rename the supplier here, or the vendor in QuickBooks), then pre-check "
        "again: with the rule \"suppliers must exist in QuickBooks\" on, ledgerbridge creates no vendor.")


def rule_on(settings: Mapping[str, object]) -> bool:
    return bool(settings.get(RULE_SETTING))


class VendorList:
    """QuickBooks' active vendors (Name -> ListID), read at first use and kept for the connector's life."""

    def __init__(self, calls: QbdCalls, page_size: int = READ_PAGE) -> None:
        self.calls = calls
        self.page_size = page_size
        self._names: dict[str, str] | None = None
        self._lock = threading.Lock()

    def names(self) -> dict[str, str]:
        with self._lock:
            if self._names is None:
                query = vendor_query(request_id=self.calls.request_id(), page_size=self.page_size,
                                     selection=ListFilter(active_status="ActiveOnly"))
                query_names: dict[str, str] = {}
                for page in self.calls.pages({"vendors": query}, "read the vendors (suppliers must exist)"):
                    for ret in page["vendors"]:
                        record = read_list(ret)
                        if record.name:
                            query_names[record.name] = record.list_id
                self._names = query_names
            return self._names

    def names_if_reachable(self) -> dict[str, str] | None:
        """The names, or None when QuickBooks cannot be asked now (the Web Connector not in a session)."""
        try:
            return self.names()
        except ConnectorCallFailed:
            return None


def vendor_problem(party: PartyView, vendors: Mapping[str, str]) -> str | None:
    """Why the supplier has no QuickBooks vendor (None: one of exactly its name)."""
    name = party_name(party)
    if name in vendors:
        return None
    close = similar_names(name, vendors)
    offer = (f"; QuickBooks vendors of similar name: {', '.join(repr(c) for c in close)}" if close
             else "; QuickBooks has no vendor of similar name")
    return (f"supplier {party.code}: its accounting name {name!r} is not the name of any QuickBooks vendor "
            f"(they must match exactly){offer}")


def bind_to_vendors(items: Sequence[PartyExport], vendors: Mapping[str, str]) -> list[ExportOutcome]:
    """Each supplier bound to the vendor of its exact name (a bound one kept: no Mod), or refused."""
    out = []
    for it in items:
        name = party_name(it.party)
        if name in vendors:
            out.append(ExportOutcome(it.sync_record_id, True, external_id=vendors[name], external_name=name))
        elif it.external_id and it.external_id in vendors.values():
            held = next(n for n, list_id in vendors.items() if list_id == it.external_id)
            out.append(ExportOutcome(it.sync_record_id, False, failure_type="data", hint=HINT, message=(
                f"supplier {it.party.code}: its accounting name {name!r} no longer matches the QuickBooks vendor "
                f"{held!r} it was bound to (they must match exactly)")))
        else:
            out.append(ExportOutcome(it.sync_record_id, False, failure_type="data", hint=HINT,
                                     message=vendor_problem(it.party, vendors)))
    return out
