"""QuickBooks Desktop's customers and vendors as the import of parties reads them (R-I4): a ``CustomerQueryRq``
and a ``VendorQueryRq`` iterator started in the same exchange and continued together (``QbdCalls.pages``: the
round trips of the longer list, not of both), ``MaxReturned`` the connection's page (``reads.page_size_of``). Like
every read of this package they go through the Web Connector's mailbox: queued for its next poll, answered when
QuickBooks has run them.

A Customer and a Vendor are records of their own (``separate_party_roles``): a party in both roles is one of each.
The code is ``AccountNumber`` (the export writes the host's code there), the name ``Name``. Jobs (a customer's
``ParentRef``: "Customer:Job") are a customer's projects, not parties of their own, and are not imported. The
queries ask for active records only (QuickBooks' default ``ActiveStatus``). A later run asks for what changed from
``since`` less the look-back (QuickBooks' modified times are its PC's clock).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta

from ledgerbridge.connectors.protocol import RemoteParty
from ledgerbridge.packages.qbd.calls import QbdCalls
from ledgerbridge.packages.qbd.qbxml.list_queries import ListFilter, customer_query, vendor_query
from ledgerbridge.packages.qbd.qbxml.nodes import Element
from ledgerbridge.packages.qbd.qbxml.rets import read_list

ROLES = {"customer": customer_query, "supplier": vendor_query}


def remote_party(ret: Element, role: str) -> RemoteParty:
    record = read_list(ret)
    return RemoteParty(record.list_id, (ret.findtext("AccountNumber") or "").strip() or None,
                       (record.name or "").strip(), role, email=(ret.findtext("Email") or "").strip() or None,
                       active=record.is_active, updated_at=record.time_modified)


def fetch_parties(calls: QbdCalls, page_size: int, look_back: timedelta, role: str | None,
                  since: datetime | None) -> Iterator[list[RemoteParty]]:
    """Customers and vendors (or the one ``role``), a page of each an exchange."""
    if role not in ("customer", "supplier", None):
        raise ValueError(f"a party's role is customer or supplier, not {role!r}")
    selection = ListFilter(from_modified=since - look_back) if since is not None else None
    queries = {each: build(request_id=calls.request_id(), selection=selection, page_size=page_size)
               for each, build in ROLES.items() if role in (None, each)}
    for page in calls.pages(queries, "import customers and suppliers"):
        yield [remote_party(ret, each) for each, rets in page.items() for ret in rets
               if ret.find("ParentRef") is None]
