"""What the Web Connector shows its user about a session: the texts of ``getLastError`` and ``closeConnection``.

They appear in the Web Connector's status column and its log (QWCLog.txt), read by a bookkeeper, not a developer:
each says what happened and what happens next, in words. QuickBooks' own message is quoted as it gave it.
"""

from __future__ import annotations

__all__ = ["TIMED_OUT", "UNKNOWN_SESSION", "close_text", "closed_without_answer",
           "connection_error_text",
           "out_of_order_answer", "out_of_order_request", "source_failed", "superseded", "transport_failure"]

UNKNOWN_SESSION = ("This Web Connector session is unknown to ledgerbridge or has already ended; the next update "
                   "starts a new one.")
TIMED_OUT = ("The session was closed because the Web Connector made no call for too long; anything QuickBooks was "
             "given in it will be checked at the next update before it is sent again.")

# What the usual HRESULTs of connectionError mean for the user (Programmer's Guide p70; Intuit, "Making your
# application robust"; ../shared/apis/qbwc.md §6).
_CONNECTION_HINTS = {
    "0x80040401": "the Web Connector could not reach QuickBooks",
    "0x80040402": "QuickBooks gave an unexpected error",
    "0x80040408": "QuickBooks could not open the company file",
    "0x80040416": "QuickBooks is not running and no company file was given",
    "0x80040420": "the QuickBooks user refused this application access",
}


def superseded(awaiting_answer: bool) -> str:
    if awaiting_answer:
        return ("A new Web Connector session started while this one was still waiting for QuickBooks' answer; "
                "what that request wrote will be checked before anything is sent again.")
    return "A new Web Connector session started before this one was closed."


def closed_without_answer() -> str:
    return ("The Web Connector closed the session before QuickBooks' answer to the last request arrived; what that "
            "request wrote will be checked at the next update before it is sent again.")


def out_of_order_request() -> str:
    return ("The Web Connector asked for a new request before the answer to the last one arrived, so the session "
            "was stopped; what that request wrote will be checked at the next update before it is sent again.")


def out_of_order_answer() -> str:
    return "An answer arrived for a request ledgerbridge had not sent in this session, so the session was stopped."


def transport_failure(hresult: str, message: str) -> str:
    said = f": {message.strip()}" if message.strip() else ""
    return f"QuickBooks could not process the request ({hresult}){said}"


def connection_error_text(hresult: str, message: str) -> str:
    hint = _CONNECTION_HINTS.get(hresult.strip().lower())
    said = f" QuickBooks said: {message.strip()}" if message.strip() else ""
    what = hint or "the Web Connector could not open QuickBooks"
    return (f"{what[0].upper()}{what[1:]} ({hresult or 'no code'}).{said} Open QuickBooks with the company file, "
            "or let this application log in automatically (QuickBooks: Edit > Preferences > Integrated "
            "Applications); the next scheduled update tries again.")


def source_failed(doing: str, exc: BaseException) -> str:
    return f"ledgerbridge could not {doing} ({type(exc).__name__}); the error is in its log."


def close_text(round_trips: int, last_error: str | None, broken: bool, reason: str | None) -> str:
    if broken:
        return f"Stopped: {reason}" if reason else "Stopped."
    if last_error:
        return f"Stopped: {last_error}"
    if round_trips:
        return f"Done: {round_trips} request{'s' if round_trips != 1 else ''} exchanged with QuickBooks."
    return "Done."
