"""The vocabulary of call limits that every call budget and every package shares.

A package's spec gives its :class:`BudgetLimits` and a function that reads its answers' headers into a
:class:`LimitReading`; the budgets (``budget.CallBudget`` in one process, ``shared_budget.SharedCallBudget``
across workers) implement :class:`CallBudgetLike`, the one protocol the package client calls. Keeping the
vocabulary here, apart from both budgets, lets the spec, the client and the budgets meet without importing each
other.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from sqlalchemy.orm import Session

from ledgerbridge.store.models.sync import Connection


@dataclass(frozen=True, slots=True)
class TextLimits:
    """The longest text a package takes in each field ledgerbridge sends it, in characters.

    Why declared per package: the host may send what the longest of them takes (intake's caps), and each
    package takes less in places (a QuickBooks DocNumber is 21 characters); pre-check compares a document with
    its connection's package's limits (and the document's party and items with it) and names the record and the
    field, rather than letting the package refuse it or the mapper cut it short."""

    number: int  # the document's number (InvoiceNumber, DocNumber)
    reference: int  # the reference sent with it (the setting ``reference_field``: order number, customer PO...)
    description: int  # a line's description (with the long description when the settings send it), an item's
    party_name: int  # a customer's or supplier's name (a contact's Name, a customer's CompanyName)
    item_name: int  # an item's name (sent when item sync is on)


@dataclass(frozen=True, slots=True)
class BudgetLimits:
    """A package's call limits for one company. Every package's spec states all of them that apply; the defaults
    are the most cautious figures among the packages ledgerbridge speaks to, never a particular package's."""

    per_minute: int = 60
    per_day: int = 5000
    concurrent: int = 5
    minute_seconds: float = 60.0
    day_seconds: float = 86_400.0
    #: A day budget read as exhausted from the database (reset time unknown) is re-probed after this long.
    day_probe_seconds: float = 3_600.0
    #: Calls started in any one second; None where the package has no such limit.
    per_second: int | None = None
    #: Batch calls a minute, on top of the per-minute limit; None where the package counts none apart.
    batch_per_minute: int | None = None


#: A second as a package counts it, plus a margin: it counts arrivals, we count departures, and a call that left
#: first may arrive last. (A package may answer a refusal here with "wait 60 seconds".) Every per-second pace
#: (the budgets' and the app windows') is kept over this long.
PACING_WINDOW = 1.1


@dataclass(frozen=True, slots=True)
class AppLimits:
    """Limits a package counts per *app* (its API key or client id) across every company the app serves, beside
    or instead of its per-company limits: MYOB's 8 calls a second and 1,000,000 a day per API key, Xero's 10,000
    a minute per app. None: no such limit on that window."""

    per_second: int | None = None
    per_minute: int | None = None
    per_day: int | None = None
    minute_seconds: float = 60.0
    day_seconds: float = 86_400.0
    #: Count the second from each call's *answer* rather than its start: a call holds its place until it is
    #: answered and for :data:`ANSWERED_SECOND` after. A call reaches the package before its answer reaches us, so
    #: no more than ``per_second`` calls can arrive in any second there, however late a call leaves after it was
    #: counted (a busy machine, a slow commit): never a refusal, where counting starts needs a margin that a busy
    #: machine can still exceed (MYOB: 28 refusals in 1,433 calls at :data:`PACING_WINDOW`). The cost is a call's
    #: round trip added to each second instead of the margin.
    second_from_answer: bool = False


#: The second of :attr:`AppLimits.second_from_answer`: exact (the answer comes after the arrival), no margin.
ANSWERED_SECOND = 1.0


#: The ``problem`` of a refusal for the app's limit, shared by every company (MYOB's 403 ``RateLimitError``):
#: the budget blocks the app's window, so that every connection of the app waits, not just the one refused.
APP_PROBLEM = "app"
#: The same for the app's day (MYOB: "API key has exceeded the daily rate limit").
APP_DAY_PROBLEM = "app-day"


@dataclass(frozen=True, slots=True)
class LimitReading:
    """What one answer of the package says of its limits: calls left in its minute and day windows, and, on a
    refusal for too many calls, which limit was hit ("minute", "day", ...; None when it does not say)."""

    minute_left: int | None = None
    day_left: int | None = None
    problem: str | None = None


NO_READING = LimitReading()


def int_header(headers: Mapping[str, str], name: str) -> int | None:
    """A header's integer value; None when absent or not an integer (a package's header is advice, not law)."""
    raw = headers.get(name)
    if raw is None:
        return None
    try:
        return int(raw.strip())
    except ValueError:
        return None


def no_limit_headers(headers: Mapping[str, str]) -> LimitReading:
    """For a package whose answers say nothing of its limits."""
    return NO_READING


class BudgetExhausted(Exception):
    """No call may be made on this connection before ``until`` (the day's budget is used up)."""

    def __init__(self, until: datetime, reason: str = "the package's daily call limit is used up") -> None:
        super().__init__(f"{reason}; calls resume at {until.isoformat(timespec='seconds')}")
        self.until = until
        self.reason = reason


class BudgetBusy(Exception):
    """No call may be made on this connection now, and the caller must answer now rather than wait for one
    (see :func:`answer_now`): the request is answered 429 with ``retry_after`` seconds."""

    def __init__(self, retry_after: float, reason: str = "the package's call limit allows no call now") -> None:
        super().__init__(f"{reason}; retry in {max(1, math.ceil(retry_after))} s")
        self.retry_after = max(1, math.ceil(retry_after))
        self.reason = reason


_ANSWER_NOW: ContextVar[bool] = ContextVar("ledgerbridge_answer_now", default=False)
#: Inside :func:`answer_now`, a wait up to this long is still waited: a package's per-second pacing (QuickBooks'
#: 10 a second) makes any report of more than a few calls pause for a fraction of a second, which is the calls'
#: own cost, not waiting on a spent budget; only a longer wait (a minute's limit spent) is answered 429.
ANSWER_NOW_PATIENCE = 2.0


@contextmanager
def answer_now() -> Iterator[None]:
    """Within it a call budget with no slot free for longer than :data:`ANSWER_NOW_PATIENCE` raises
    :class:`BudgetBusy` instead of sleeping.

    Why: an API request or a screen that reads the package while someone waits (pre-check, reconciliation, the
    chart's refresh) would otherwise hold its worker thread, and the caller's connection, for up to a minute while
    a background upload spends the connection's calls; answering 429 with ``Retry-After`` lets the caller decide.
    A context variable rather than a parameter, so every budget and every package's client honour it without
    each connector passing it on; it covers the thread (or task) that entered it."""
    token = _ANSWER_NOW.set(True)
    try:
        yield
    finally:
        _ANSWER_NOW.reset(token)


def must_answer_now() -> bool:
    """Inside :func:`answer_now`: a budget may not wait longer than :data:`ANSWER_NOW_PATIENCE`."""
    return _ANSWER_NOW.get()


def may_not_wait(seconds: float) -> bool:
    """Inside :func:`answer_now`, a wait this long is refused (the caller raises :class:`BudgetBusy`)."""
    return _ANSWER_NOW.get() and seconds > ANSWER_NOW_PATIENCE


@dataclass(frozen=True, slots=True)
class BudgetSnapshot:
    minute_left: int | None
    day_left: int | None
    observed_at: datetime | None
    blocked_until: datetime | None
    in_flight: int


class CallBudgetLike(Protocol):
    """What the package client needs of a call budget, in one process or shared by every worker."""

    @property
    def connection_id(self) -> int | None:
        """The connection whose calls it counts (None: a budget for tests or a benchmark alone)."""

    @property
    def limits(self) -> BudgetLimits:
        """The package's limits it enforces."""

    def acquire(self, batch: bool = False) -> None:
        """Wait until a call may be made, then count it; raises :class:`BudgetExhausted` for the day limit."""

    def release(self) -> None:
        """The call is over (answered or failed)."""

    def observe(self, reading: LimitReading) -> None:
        """Take the package's own counts from an answer."""

    def observe_rate_limited(self, problem: str | None, retry_after: float) -> None:
        """The package refused a call for its limits: block the named window for ``retry_after`` seconds."""

    def load(self, connection: Connection) -> None:
        """Start from the figures left on the connection row."""

    @property
    def has_unflushed(self) -> bool:
        """Figures not yet written to the connection row."""

    def flush_due(self) -> bool:
        """Time to write the figures (in a transaction the caller makes anyway)."""

    def flush(self, session: Session) -> None:
        """Write the figures to the connection row, in the caller's transaction."""
