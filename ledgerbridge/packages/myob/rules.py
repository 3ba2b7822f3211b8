"""The company file's own rules a document must meet before it goes out (pre-check), read once per connector:
the current financial year (``GeneralLedger/AccountingProperties``: MYOB refuses a transaction dated before it
starts, error 25008), the lock period (``Company/Preferences`` ``System.LockPeriodPriorTo``) and whether
transactions may be changed at all (``TransactionsCannotBeChangedMustBeReversed``: then a void is a reversal).

A company file that does not answer these (an older file, a sandbox without them) is taken to have no such rule:
MYOB still refuses, with its own message, what breaks one.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from ledgerbridge.connectors.protocol import ConnectorCallFailed, Problem
from ledgerbridge.store.views import DocumentView

if TYPE_CHECKING:
    from ledgerbridge.packages.myob.calls import MyobCalls


@dataclass(frozen=True, slots=True)
class CompanyRules:
    year_start: date | None = None
    year_end: date | None = None
    locked_before: date | None = None
    must_reverse: bool = False

    def problems(self, doc: DocumentView) -> list[Problem]:
        out = []
        day = doc.issue_date
        # MYOB refuses a date before the start of the current financial year (25008); a later one it takes (the
        # year is rolled over in MYOB when its books are closed, so a date past its end is not refused here).
        if self.year_start is not None and day < self.year_start:
            out.append(Problem(
                f"{doc.label()}: its date {day} is before the start of MYOB's current financial year "
                f"({self.year_start} to {self.year_end}), which MYOB refuses",
                hint="Date the document within the financial year, or ask the accountant whether the year in MYOB "
                     "was closed too early.", failure_type="data"))
        if self.locked_before is not None and day < self.locked_before:
            out.append(Problem(
                f"{doc.label()}: its date {day} is in MYOB's lock period (before {self.locked_before})",
                hint="Ask the accountant to move MYOB's lock date, or date the document later.", failure_type="data"))
        return out


def _day(value: object) -> date | None:
    return date.fromisoformat(str(value)[:10]) if value else None


def financial_year(current: int, last_month: int) -> tuple[date, date]:
    """The year ending in month ``last_month`` of ``current`` (AU: 2027 and 6 -> 1 July 2026 to 30 June 2027)."""
    first_month = last_month % 12 + 1
    start = date(current - 1 if last_month < 12 else current, first_month, 1)
    end = date(current + 1, 1, 1) if last_month == 12 else date(current, last_month + 1, 1)
    return start, date.fromordinal(end.toordinal() - 1)


def read_rules(calls: MyobCalls) -> CompanyRules:
    start = end = locked = None
    must_reverse = False
    try:
        props = calls.get("GeneralLedger/AccountingProperties", "read the financial year")
        row = (props.get("Items") or [props])[0] if props else {}
        if row.get("CurrentFinancialYear") and row.get("LastMonthFinancialYear"):
            start, end = financial_year(int(row["CurrentFinancialYear"]), int(row["LastMonthFinancialYear"]))
    except ConnectorCallFailed:
        pass
    try:
        system = calls.get("Company/Preferences", "read the company's preferences").get("System") or {}
        locked = _day(system.get("LockPeriodPriorTo"))
        must_reverse = bool(system.get("TransactionsCannotBeChangedMustBeReversed"))
    except ConnectorCallFailed:
        pass
    return CompanyRules(start, end, locked, must_reverse)
