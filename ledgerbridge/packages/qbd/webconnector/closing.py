"""The request that ends a session whose work turned out to need nothing (more) from QuickBooks.

The Web Connector has one clean end for a session it opened: ``receiveResponseXML`` answering 100, after which it
calls ``closeConnection`` and shows the update as done (Programmer's Guide p24, p77). An empty ``sendRequestXML``
is not one: it makes the Web Connector call ``getLastError``, whose ``NoOp`` only pauses 5 seconds and asks again
(p23, p72: it would loop for as long as the session lasts) and whose any other text it shows its user as an error
before it closes (``../shared/apis/qbwc.md`` §4). ``authenticate`` answering ``none`` is the clean way when nothing
is due, but whether due work needs QuickBooks is known only once the engine has run it (a pre-check that refuses
every document, an import that finds nothing to ask): the session is open by then.

So when the work is finished and nothing waits, ``sendRequestXML`` hands out this request instead of "": a
``HostQuery``, the cheapest there is (it reads no company data, exists in every qbXML version, and changes nothing,
so a session cut before its answer leaves nothing in doubt), and its answer is taken as 100.
"""

from __future__ import annotations

from ledgerbridge.packages.qbd.qbxml.envelope import MessageOptions, build_message
from ledgerbridge.packages.qbd.qbxml.hcp import host_query

__all__ = ["CLOSING_REQUEST_ID", "closing_message"]

CLOSING_REQUEST_ID = "ledgerbridge-done"


def closing_message(version: str) -> str:
    """The closing message at ``version`` (the session's ceiling, never above what the request processor takes)."""
    options = MessageOptions(version=version or "13.0", on_error="continueOnError")
    return build_message([host_query(request_id=CLOSING_REQUEST_ID)], options).decode("utf-8")
