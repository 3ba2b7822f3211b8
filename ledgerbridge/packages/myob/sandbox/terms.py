"""A document's payment terms: taken from the request, else the card's, with ``DueDate`` worked out from them.

``PaymentIsDue`` (the SDK's ``TermsPaymentType``): CashOnDelivery and Prepaid are due on the date;
InAGivenNumberOfDays ``BalanceDueDate`` days after it; OnADayOfTheMonth on that day of the month (the next month's
when the day has passed); NumberOfDaysAfterEOM that many days after the month's end; DayOfMonthAfterEOM on that day
of the next month (assumed from AccountRight's terms screen).
"""

from __future__ import annotations

import calendar
from datetime import date, datetime, timedelta
from typing import Any

from .store import Record
from .wire import myob_time


def document_terms(sent: Any, card: Record | None, details_name: str, on: str) -> Record | None:
    terms = sent if isinstance(sent, dict) else ((card or {}).get(details_name) or {}).get("Terms")
    if not isinstance(terms, dict):
        return None
    out = {k: v for k, v in terms.items() if k in ("PaymentIsDue", "DiscountDate", "BalanceDueDate",
                                                   "DiscountForEarlyPayment", "MonthlyChargeForLatePayment",
                                                   "Discount", "FinanceCharge")}
    due = due_date(str(out.get("PaymentIsDue") or ""), out.get("BalanceDueDate"),
                   datetime.fromisoformat(on).date())
    if due is not None:
        out["DueDate"] = myob_time(due)
    return out


def due_date(kind: str, days: Any, issued: date) -> date | None:
    count = days if isinstance(days, int) and not isinstance(days, bool) else 0
    if kind in ("CashOnDelivery", "Prepaid"):
        return issued
    if kind == "InAGivenNumberOfDays":
        return issued + timedelta(days=count)
    month_end = issued.replace(day=calendar.monthrange(issued.year, issued.month)[1])
    if kind == "NumberOfDaysAfterEOM":
        return month_end + timedelta(days=count)
    if kind in ("OnADayOfTheMonth", "DayOfMonthAfterEOM"):
        base = month_end + timedelta(days=1) if kind == "DayOfMonthAfterEOM" or count < issued.day else issued
        return base.replace(day=max(1, min(count, calendar.monthrange(base.year, base.month)[1])))
    return None
