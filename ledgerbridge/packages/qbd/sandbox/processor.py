"""What the Web Connector asks of the QuickBooks it runs qbXML in: the request processor's contract.

On a user's PC the Web Connector hands each qbXML message to QuickBooks through the request processor
(``QBXMLRP2.RequestProcessor``: ``OpenConnection2``, ``BeginSession``, ``ProcessRequest``, ``EndSession``). A call
that QuickBooks cannot run at all fails with a COM HRESULT rather than a qbXML answer (the Web Connector then
passes ``hresult`` and ``message`` to ``receiveResponseXML`` or ``connectionError``); business errors (3100,
3140, ...) come back inside a well-formed response. The sandbox company implements :class:`QuickBooksLike`, the
Web Connector simulator drives it through it, and this module is kept tiny so both can import it.
"""

from __future__ import annotations

from typing import Protocol

__all__ = [
    "ACCESS_DENIED",
    "COULD_NOT_ACCESS",
    "NOT_RUNNING_NO_FILE",
    "PARSE_ERROR",
    "UNEXPECTED_ERROR",
    "VERSION_NOT_SUPPORTED",
    "QuickBooksLike",
    "RequestProcessorError",
    "hresult_text",
]

#: HRESULTs QBXMLRP2 raises, with the text it gives (Intuit's QBXMLRP2 error list; the Web Connector
#: Programmer's Guide p70 for the first three).
PARSE_ERROR = 0x80040400
COULD_NOT_ACCESS = 0x80040401
UNEXPECTED_ERROR = 0x80040402
NOT_RUNNING_NO_FILE = 0x80040416
ACCESS_DENIED = 0x80040420
VERSION_NOT_SUPPORTED = 0x80040423

_TEXTS = {
    PARSE_ERROR: "QuickBooks found an error when parsing the provided XML text stream.",
    COULD_NOT_ACCESS: "Could not access QuickBooks.",
    UNEXPECTED_ERROR: "Unexpected error. Check the qbsdklog.txt file for possible, additional information.",
    NOT_RUNNING_NO_FILE: "If QuickBooks is not running, the company data file name must be supplied to "
                         "BeginSession.",
    ACCESS_DENIED: "The QuickBooks user has denied access.",
    VERSION_NOT_SUPPORTED: "The version of qbXML that was requested is not supported or is unknown.",
}


def hresult_text(hresult: int) -> str:
    """``0x80040400``: the form the Web Connector writes an HRESULT in (``receiveResponseXML``'s ``hresult``)."""
    return f"0x{hresult & 0xFFFFFFFF:08X}"


class RequestProcessorError(Exception):
    """``ProcessRequest`` (or ``BeginSession``) failed: no qbXML answer, an HRESULT and QuickBooks' text."""

    def __init__(self, hresult: int, message: str | None = None) -> None:
        self.hresult = hresult
        self.message = message if message is not None else _TEXTS.get(hresult, "Unexpected error.")
        super().__init__(f"{hresult_text(hresult)}: {self.message}")

    @property
    def hresult_hex(self) -> str:
        return hresult_text(self.hresult)


class QuickBooksLike(Protocol):
    """QuickBooks as the Web Connector sees it through the request processor.

    A Web Connector session is ``begin_session`` (``OpenConnection2`` + ``BeginSession`` under the ``.qwc``'s
    AppName), ``host_response`` once (the HostQuery, CompanyQuery and PreferencesQuery answers it sends as
    ``strHCPResponse``), ``process`` per message, ``end_session``. Iterators live only within the session that
    started them; error-recovery state (``newMessageSetID``/``oldMessageSetID``) is kept per application across
    sessions. ``process`` outside a session runs in an implicit one for the default application.
    """

    def begin_session(self, app_name: str) -> None:
        """Open a session for the application ``app_name``; raises :class:`RequestProcessorError` when QuickBooks
        cannot be reached (e.g. ``NOT_RUNNING_NO_FILE``)."""

    def host_response(self) -> str:
        """The qbXML response to HostQuery + CompanyQuery + PreferencesQuery (``strHCPResponse``)."""

    def process(self, request_qbxml: str) -> str:
        """Run one qbXML request message set; the qbXML response text. Raises :class:`RequestProcessorError`
        (``PARSE_ERROR`` for a message that is not valid against the schema, nothing applied)."""

    def end_session(self) -> None:
        """End the session: its iterators are gone."""
