"""MYOB's error bodies (``{"Errors":[{Name, Message, AdditionalDetails, ErrorCode, Severity, LearnMore}],
"Information"}``): parsing, and what each known error means for the user.

MYOB's own message is always shown verbatim (R-E10); this table adds the failure type and the way out.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

RATE_LIMIT = "RateLimitError"
#: Deleting (or changing) a transaction where Company/Preferences ``TransactionsCannotBeChangedMustBeReversed`` is on.
CANNOT_DELETE = {"TransactionsCannotBeDeleted", "TransactionsCannotBeChanged",
                 "TransactionsCannotBeChangedMustBeReversed"}
CANNOT_DELETE_CODES = {"25003"}
STALE_ROW_VERSION = "IncorrectRowVersionSupplied"


@dataclass(frozen=True, slots=True)
class MyobError:
    name: str
    message: str
    detail: str
    code: str

    def text(self) -> str:
        head = f"{self.message} ({self.name}{', ' + self.code if self.code else ''})"
        return f"{head}: {self.detail}" if self.detail else head


def loads(content: bytes | str | None) -> Any:
    if not content:
        return {}
    try:
        return json.loads(content, parse_float=Decimal)
    except ValueError:
        return {}


def parse_errors(payload: Any) -> list[MyobError]:
    """The errors of an error body; empty when it is not one."""
    if not isinstance(payload, dict) or not isinstance(payload.get("Errors"), list):
        return []
    out = []
    for err in payload["Errors"]:
        if isinstance(err, dict):
            code = err.get("ErrorCode")
            out.append(MyobError(str(err.get("Name") or ""), str(err.get("Message") or ""),
                                 str(err.get("AdditionalDetails") or ""), "" if code is None else str(code)))
    return out


def is_rate_limit(body: str | bytes | None) -> bool:
    """A 403 that is MYOB's rate limit (per second or per day), not a refusal of access."""
    return any(e.name == RATE_LIMIT for e in parse_errors(loads(body)))


def is_day_limit(body: str | bytes | None) -> bool:
    return any(e.name == RATE_LIMIT and "daily" in e.message.lower() for e in parse_errors(loads(body)))


def cannot_delete(errors: list[MyobError]) -> bool:
    return any(e.name in CANNOT_DELETE or e.code in CANNOT_DELETE_CODES for e in errors)


# error name -> (failure type, hint)
KNOWN: dict[str, tuple[str, str]] = {
    "NotFound": ("config", "MYOB cannot find a record this one names (deleted, or made inactive): refresh the chart "
                           "of accounts, check the mappings and the customer or supplier, then upload again."),
    "Required": ("data", "MYOB needs a value this record does not have: complete it in the host, then upload "
                         "again."),
    "HeaderNotAllowed": ("config", "The mapped account is a header account in MYOB: map the nominal code to a "
                                   "detail account."),
    STALE_ROW_VERSION: ("system", "Someone changed this record in MYOB while we were sending it: upload again."),
    "TransactionHasPayments": ("system", "MYOB will not delete a document with payments or settlements applied: "
                                         "delete them in MYOB first, or issue a credit note in the host instead."),
    "AmountBelowAppliedPayments": ("system", "MYOB has more paid or credited on this document than its new total: "
                                             "remove a payment in MYOB first, or issue a credit note in the host."),
    "DateOutsideFinancialYear": ("data", "The document's date is outside MYOB's financial year: ask the accountant "
                                         "to roll the year over, or date the document in the current year."),
    "TransactionsCannotBeDeleted": ("config", "The MYOB company file does not allow changing or deleting "
                                              "transactions: reverse it in MYOB."),
    "DeveloperInactive": ("config", "MYOB does not know the app's API key: check the connection's client id."),
}


def explain(errors: list[MyobError]) -> tuple[str, str | None]:
    """(failure type, hint) for an error body."""
    for err in errors:
        if err.name in KNOWN:
            return KNOWN[err.name]
        if err.name.endswith("HeaderNotAllowed"):
            return KNOWN["HeaderNotAllowed"]
        if "financial year" in err.message.lower() or "lock period" in err.message.lower() or \
                err.name in ("DateBeforeFinancialYear", "BusinessEvent_DateOccured_InLockPeriod"):
            return KNOWN["DateOutsideFinancialYear"]
    return "data", "Correct the record in the host as MYOB's message says, then upload again."


def error_message(errors: list[MyobError], fallback: str) -> str:
    return "; ".join(e.text() for e in errors) or fallback
