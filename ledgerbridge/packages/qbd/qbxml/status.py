"""QuickBooks' statusCode and statusSeverity, classified in one table: what ledgerbridge does with each answer.

Sources: Intuit, "Status codes in response messages" (the ranges: 0-499 Info, 500-999 Warning, 1000-1999 general
errors, 2000-2999 not supported, 3000-3099 format errors, 3100-9099 other errors, 9100-9199 macro errors; for an
Error no data is returned) and observed answers (``../shared/apis/qbwc.md`` §6). QuickBooks' ``statusMessage`` is
always shown verbatim (R-E10: Error Feedback names QuickBooks' own words); this table adds what ledgerbridge does
(:class:`Action`), the failure type the engine records (``store.models.sync.FailureType``: retriable, config,
data, system) and a hint of what the user should do. The first rule whose range holds the code wins.

A few modify and save errors (3170, 3175, 3176, 3180) mean "someone has the record open" when the message says
so ("modified by another user", "could not be locked", "in use"); those are retried later rather than refused,
as consolibyte's QuickBooks integration does after years of real answers.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

__all__ = ["Action", "STATUS_TABLE", "StatusRule", "StatusVerdict", "classify"]


class Action(enum.StrEnum):
    OK = "ok"
    EMPTY = "empty"  # a query found nothing: no Rets, not an error
    WARNING = "warning"  # done (data returned), but QuickBooks warns: keep the message in the history
    ADOPT = "adopt"  # the name exists: look it up by FullName and bind to it (another list's name: rename)
    REREAD_RETRY = "reread_retry"  # stale EditSequence: read the record again and send the Mod once more
    RETRY_LATER = "retry_later"  # QuickBooks could not do it now (locked record, internal error)
    REFUSE = "refuse"  # the record is in error with QuickBooks' message and the hint


@dataclass(frozen=True, slots=True)
class StatusRule:
    low: int
    high: int
    action: Action
    failure_type: str | None  # None when the answer is not a failure
    meaning: str
    hint: str | None = None

    def holds(self, code: int) -> bool:
        return self.low <= code <= self.high


def _one(code: int, action: Action, failure_type: str | None, meaning: str, hint: str | None = None) -> StatusRule:
    return StatusRule(code, code, action, failure_type, meaning, hint)


_REFRESH = "refresh the chart of accounts, check the mappings and the customer or supplier, then upload again"
STATUS_TABLE: tuple[StatusRule, ...] = (
    _one(0, Action.OK, None, "Status OK"),
    _one(1, Action.EMPTY, None, "A query found no matching object"),
    _one(500, Action.WARNING, None, "Some of the objects asked for by id or name were not found"),
    StatusRule(501, 999, Action.WARNING, None, "Done, with a warning (a field or value this version or edition "
                                               "does not support was ignored)"),
    _one(1000, Action.RETRY_LATER, "retriable", "QuickBooks had an internal error",
         "Nothing to change: ledgerbridge sends it again at the Web Connector's next run."),
    _one(1030, Action.REFUSE, "config", "This QuickBooks does not support the request",
         "Update QuickBooks Desktop on the PC that runs the Web Connector, then upload again."),
    _one(1060, Action.REFUSE, "system", "The request's requestID was invalid (over 50 characters?)",
         "ledgerbridge sent a request QuickBooks could not answer by its id; upload again, and report it if it "
         "happens again."),
    StatusRule(1001, 1999, Action.REFUSE, "system", "QuickBooks could not process the request",
               "Check that QuickBooks is open in the right company file and not busy, then upload again."),
    StatusRule(2000, 2999, Action.REFUSE, "config", "This edition of QuickBooks does not support the request",
               "Use a QuickBooks Desktop edition that supports it (Pro, Premier, Enterprise)."),
    _one(3000, Action.REFUSE, "config", "An id in the request is not valid in this company file",
         f"The record may have been deleted or the Web Connector opened another company file: {_REFRESH}."),
    _one(3020, Action.REFUSE, "data", "A date in the request is not valid",
         "Correct the document's dates in the host, then upload again."),
    StatusRule(3001, 3099, Action.REFUSE, "data", "A value in the request has the wrong format",
               "Correct the record in the host as QuickBooks' message says, then upload again."),
    _one(3100, Action.ADOPT, "data", "The name is already in use in QuickBooks' lists",
         "Another QuickBooks customer, vendor, employee or other name has this name: rename one of them."),
    _one(3120, Action.REFUSE, "config", "An object the request names cannot be found", f"{_REFRESH}."),
    _one(3140, Action.REFUSE, "config", "The request refers to a list object QuickBooks does not have",
         "Add the missing customer, vendor, item or account in QuickBooks (or map to one it has): "
         f"{_REFRESH}."),
    _one(3150, Action.REFUSE, "system", "The request lacks an element QuickBooks needs",
         "ledgerbridge sent an incomplete request; upload again, and report it if it happens again."),
    _one(3170, Action.REFUSE, "system", "QuickBooks refused to modify the transaction",
         "Check the transaction in QuickBooks (reconciled, in a closed period, or open in another window)."),
    _one(3171, Action.REFUSE, "system", "The transaction is dated on or before QuickBooks' closing date",
         "Ask the accountant to move the closing date, or date the document in an open period."),
    _one(3175, Action.RETRY_LATER, "retriable", "The record is locked by another QuickBooks user",
         "Nothing to change: ledgerbridge sends it again at the Web Connector's next run."),
    _one(3176, Action.RETRY_LATER, "retriable", "The record is in use by another QuickBooks user",
         "Close the record in QuickBooks; ledgerbridge sends it again at the Web Connector's next run."),
    _one(3180, Action.REFUSE, "system", "QuickBooks refused to save the transaction",
         "Check the transaction in QuickBooks as its message says (a closed period, an account or item it cannot "
         "use), then upload again."),
    _one(3200, Action.REREAD_RETRY, "retriable", "The EditSequence is out of date: the record changed in QuickBooks",
         "Someone changed this record in QuickBooks while we were sending it: upload again."),
    _one(3210, Action.REFUSE, "data", "A value in the request is not allowed here",
         "Correct the record as QuickBooks' message says (e.g. a payment larger than what is due), then upload "
         "again."),
    _one(3250, Action.REFUSE, "config", "The feature is not enabled in this QuickBooks company",
         "Turn the feature on in QuickBooks' preferences (e.g. multiple currencies, sales tax), then upload again."),
    StatusRule(3260, 3261, Action.REFUSE, "config", "The application lacks permission in QuickBooks",
               "In QuickBooks, as the administrator: Edit > Preferences > Integrated Applications, allow ledgerbridge "
               "(and its automatic login), then run the Web Connector again."),
    StatusRule(9100, 9199, Action.REFUSE, "system", "A macro (defMacro/useMacro) in the message failed",
               "The transaction the payment names was not created in the same message; upload again."),
    StatusRule(3100, 9099, Action.REFUSE, "data", "QuickBooks refused the request",
               "Correct the record in the host as QuickBooks' message says, then upload again."),
)
#: Words of a modify or save error that mean "someone has it open": retried later instead of refused.
_LOCKED = ("modified by another user", "could not be locked", "in use")
_LOCKABLE = {3170, 3175, 3176, 3180}


@dataclass(frozen=True, slots=True)
class StatusVerdict:
    code: int
    severity: str
    message: str  # QuickBooks' statusMessage, verbatim
    action: Action
    failure_type: str | None
    meaning: str
    hint: str | None

    @property
    def ok(self) -> bool:
        """Done, or nothing found, or done with a warning: the request's Rets (if any) are QuickBooks' state."""
        return self.action in (Action.OK, Action.EMPTY, Action.WARNING)

    def text(self) -> str:
        """What Error Feedback shows: QuickBooks' words verbatim, then the code."""
        return f"{self.message} (QuickBooks status {self.code})" if self.message else \
            f"{self.meaning} (QuickBooks status {self.code})"


def classify(code: int, severity: str, message: str = "") -> StatusVerdict:
    """The verdict on one ``...Rs``. An unknown code is read by its severity: Error refuses (data), Info or Warn
    is a warning."""
    rule = next((r for r in STATUS_TABLE if r.holds(code)), None)
    if rule is None:
        rule = (StatusRule(code, code, Action.REFUSE, "data", "QuickBooks refused the request",
                           "Correct the record in the host as QuickBooks' message says, then upload again.")
                if severity == "Error" else StatusRule(code, code, Action.WARNING, None, "Done, with a warning"))
    action, failure_type, hint = rule.action, rule.failure_type, rule.hint
    if code in _LOCKABLE and any(words in message.lower() for words in _LOCKED):
        action, failure_type = Action.RETRY_LATER, "retriable"
        hint = "The record is open or locked in QuickBooks; ledgerbridge sends it again at the next run."
    return StatusVerdict(code, severity, message, action, failure_type, rule.meaning, hint)
