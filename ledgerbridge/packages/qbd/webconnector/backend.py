"""What the Web Connector's SOAP callbacks ask of the rest (``WebConnectorBackend``), and what the real backend asks
of the work (``MessageSource``).

Two seams, so that each side is tested on its own: ``service`` speaks the protocol over any
``WebConnectorBackend`` (``docs/qbd.md``, "Contracts between the parts"); ``sessions.PolledSessions`` is the real
backend (tickets, passwords, the session's facts in the store) and hands the *work* (is any due, the next message,
its answer) to a ``MessageSource``: the mailbox in production, a scripted list in the tests.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Protocol

from ledgerbridge.connectors.mailbox import FINISHED, Finished  # the sentinel is the mailbox's (neutral)

__all__ = ["FINISHED", "AuthAnswer", "AuthStatus", "Finished", "MessageSource", "WebConnectorBackend"]


class AuthStatus(enum.StrEnum):
    """``authenticate``'s second string (Programmer's Guide p62-63); a company-file path is also allowed there."""

    OPEN_COMPANY = ""  # work to do, in the company file QuickBooks has open
    NO_WORK = "none"
    INVALID_USER = "nvu"
    BUSY = "busy"


@dataclass(frozen=True, slots=True)
class AuthAnswer:
    """``authenticate``'s answer: the ticket, the status (an :class:`AuthStatus` or a company file's path), and
    the two optional numbers that need Auto-Run: wait N seconds before this update, run at most every N seconds."""

    ticket: str
    status: str
    postpone_seconds: int | None = None
    min_run_seconds: int | None = None

    def strings(self) -> list[str]:
        """The ``ArrayOfString`` the Web Connector reads: two members, or four when either number is given."""
        members = [self.ticket, self.status]
        if self.postpone_seconds is not None or self.min_run_seconds is not None:
            members.append(str(self.postpone_seconds or 0))
            members.append("" if self.min_run_seconds is None else str(self.min_run_seconds))
        return members


class WebConnectorBackend(Protocol):
    """The Web Connector's eight callbacks less the protocol; ``service`` turns each answer into SOAP."""

    def authenticate(self, user: str, password: str) -> AuthAnswer: ...

    def send_request(self, ticket: str, hcp_response: str, company_file: str, country: str, major: int,
                     minor: int) -> str:
        """The next qbXML message, or "" (nothing now: ``getLastError`` then says ``NoOp``, or why not)."""
        ...

    def receive_response(self, ticket: str, response: str, hresult: str, message: str) -> int:
        """Percent done (100 ends the session); negative only for transport failures (``hresult`` set)."""
        ...

    def connection_error(self, ticket: str, hresult: str, message: str) -> str:
        """QuickBooks could not be opened: "done" to stop, or a company file to try."""
        ...

    def last_error(self, ticket: str) -> str:
        """The text for ``getLastError``; "" when there is none (the service then answers ``NoOp``)."""
        ...

    def close(self, ticket: str) -> str:
        """The text the Web Connector shows when the session closes. Answers any ticket, unknown or empty too."""
        ...




class MessageSource(Protocol):
    """The work of a connection, as the sessions backend needs it. Called outside any of the backend's database
    transactions (on SQLite a source's own writes would otherwise wait for the backend's write lock)."""

    def work_due(self, connection_id: int) -> bool:
        """At ``authenticate``: is there anything to do? False answers the Web Connector "none"."""
        ...

    def begin(self, connection_id: int, session_id: int) -> None:
        """A session opened with work due: start the connection's run."""
        ...

    def next_message(self, connection_id: int, session_id: int, version: str,
                     wait_seconds: float) -> str | None | Finished:
        """The next qbXML message for the session, at most at ``version`` (the highest the request processor and
        QuickBooks both take); None if none came within ``wait_seconds`` (the Web Connector pauses and asks
        again); :data:`FINISHED` when the run has nothing more for this session."""
        ...

    def answer(self, connection_id: int, session_id: int, response: str | None, hresult: str, message: str) -> int:
        """The answer to the message last handed out, and the percent done (100: the run is over). With
        ``hresult`` set QuickBooks could not process the message (``response`` is None): the session then ends."""
        ...

    def broken(self, connection_id: int, session_id: int, why: str) -> None:
        """The session was cut (a new sign-in while it was open, a call out of order, a timeout): messages handed
        out and not answered may or may not have been applied by QuickBooks, so writes among them are in doubt."""
        ...

    def end(self, connection_id: int, session_id: int) -> None:
        """The session closed with nothing in flight; what was not handed out waits for the next session."""
        ...
