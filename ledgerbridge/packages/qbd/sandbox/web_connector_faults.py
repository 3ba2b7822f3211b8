"""The failures the Web Connector simulator plays on request, as the real Web Connector and QuickBooks fail.

Each is armed for the next session(s) or message(s) and disarms itself once played (``../shared/apis/qbwc.md``
§12, issue 13 §7):

* QuickBooks not running: the request processor cannot be opened (``0x80040401``, or ``0x80040416`` when no
  company file is given); the Web Connector reports it with ``connectionError`` and closes.
* Bad XML: the request processor refuses the message with ``0x80040400`` and an empty response (it happens on its
  own when ledgerbridge sends qbXML QuickBooks cannot parse; armed, it happens to a good message).
* A cut session: the Web Connector stops calling at a point of the session (the PC switched off, the network gone),
  and a later update authenticates again. ``AFTER_PROCESS`` is the worst case: QuickBooks has written and its
  answer is lost (``receiveResponseXML`` never sent). A cut *mid-iterator* waits for a message whose answer leaves
  an iterator with objects to hand out (``iteratorRemainingCount`` above 0), and stops there: that page's answer
  lost, or delivered and the next page never asked for (an iterator lives only as long as its session).
* The server restarted between two calls: a callable the test gives (stop the service, start it again) is run
  before a chosen call; the Web Connector carries on as if nothing happened.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Callable
from dataclasses import dataclass, field

from ledgerbridge.packages.qbd.sandbox.processor import COULD_NOT_ACCESS, NOT_RUNNING_NO_FILE

__all__ = ["OPEN_ITERATOR", "Cut", "SimulatorFaults"]

#: An answer's Rs that leaves objects to hand out (``iteratorRemainingCount="0"`` ends the iterator).
OPEN_ITERATOR = re.compile(r'iteratorRemainingCount="0*[1-9][0-9]*"')


class Cut(enum.StrEnum):
    BEFORE_PROCESS = "before_process"  # the request was received; QuickBooks never ran it
    AFTER_PROCESS = "after_process"  # QuickBooks ran it; its answer never reached the service
    AFTER_ANSWER = "after_answer"  # the answer was delivered; the next request is never asked for


@dataclass
class SimulatorFaults:
    """What the next sessions and messages suffer; each entry is used once."""

    not_running: list[int] = field(default_factory=list)  # an HRESULT per session to fail to open
    bad_xml: int = 0  # messages to refuse with 0x80040400
    cuts: list[tuple[Cut, int]] = field(default_factory=list)  # (where, at which message of a session, from 1)
    restarts: list[tuple[str, Callable[[], None]]] = field(default_factory=list)  # (before which call, restart)
    mid_iterator: list[Cut] = field(default_factory=list)  # AFTER_PROCESS or AFTER_ANSWER, at the next open iterator

    def quickbooks_not_running(self, hresult: int = COULD_NOT_ACCESS, sessions: int = 1) -> None:
        if hresult not in (COULD_NOT_ACCESS, NOT_RUNNING_NO_FILE):
            raise ValueError("QuickBooks not running is 0x80040401 or 0x80040416")
        self.not_running.extend([hresult] * sessions)

    def refuse_xml(self, messages: int = 1) -> None:
        self.bad_xml += messages

    def cut_session(self, where: Cut, at_message: int = 1) -> None:
        if at_message < 1:
            raise ValueError("messages are counted from 1")
        self.cuts.append((where, at_message))

    def lose_answer(self, at_message: int = 1) -> None:
        """QuickBooks applies the message, the answer never reaches the service."""
        self.cut_session(Cut.AFTER_PROCESS, at_message)

    def cut_mid_iterator(self, where: Cut = Cut.AFTER_ANSWER) -> None:
        """Cut the session at the next answer that leaves an iterator open: ``AFTER_PROCESS`` loses that page's
        answer, ``AFTER_ANSWER`` delivers it and never asks for the next request (the next page)."""
        if where is Cut.BEFORE_PROCESS:
            raise ValueError("a cut mid-iterator follows a page QuickBooks ran: after_process or after_answer")
        self.mid_iterator.append(where)

    def restart_server(self, restart: Callable[[], None], before: str = "receiveResponseXML") -> None:
        self.restarts.append((before, restart))

    # --- used by the simulator ---

    def take_not_running(self) -> int | None:
        return self.not_running.pop(0) if self.not_running else None

    def take_bad_xml(self) -> bool:
        if self.bad_xml:
            self.bad_xml -= 1
            return True
        return False

    def take_cut(self, where: Cut, message: int) -> bool:
        if (where, message) in self.cuts:
            self.cuts.remove((where, message))
            return True
        return False

    def take_mid_iterator(self, where: Cut, response: str) -> bool:
        """Whether to cut at ``where`` after QuickBooks answered ``response`` (a cut armed for an open iterator)."""
        if where in self.mid_iterator and OPEN_ITERATOR.search(response):
            self.mid_iterator.remove(where)
            return True
        return False

    def take_restart(self, operation: str) -> Callable[[], None] | None:
        for entry in self.restarts:
            if entry[0] == operation:
                self.restarts.remove(entry)
                return entry[1]
        return None
