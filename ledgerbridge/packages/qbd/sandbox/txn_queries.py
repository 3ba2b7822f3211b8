"""Transaction queries: InvoiceQuery, CreditMemoQuery, BillQuery, VendorCreditQuery, ReceivePaymentQuery,
BillPaymentCheckQuery, BillPaymentCreditCardQuery.

A query names transactions (``TxnID``+, ``RefNumber``+ case-insensitive, ``RefNumberCaseSensitive``+; one that
does not exist makes the status 500) or filters them: ``ModifiedDateRangeFilter`` or ``TxnDateRangeFilter`` (dates
or a ``DateMacro``), ``EntityFilter``, ``AccountFilter``, ``RefNumberFilter`` / ``RefNumberRangeFilter``,
``PaidStatus`` on invoices and bills. Lines (and a payment's AppliedToTxnRet) come only with
``IncludeLineItems`` true, linked transactions only with ``IncludeLinkedTxns`` true: both default to false
(Intuit's OSR). Deleted transactions are gone from these queries (TxnDeletedQuery lists them). Answers are in
transaction-date order, then in the order entered; ``MaxReturned`` and iterators as in :mod:`.paging`.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta

from .balances import open_amount
from .context import Answer, Context, Handler
from .elements import Element, as_bool, as_date, as_datetime
from .paging import answer_query
from .payments import payment_ret
from .purchases import purchase_ret
from .sales import sales_ret
from .store import Txn

__all__ = ["HANDLERS", "txn_ret"]

_SALES, _PURCHASES = ("Invoice", "CreditMemo"), ("Bill", "VendorCredit")
_KINDS = ("Invoice", "CreditMemo", "Bill", "VendorCredit", "ReceivePayment", "BillPaymentCheck",
          "BillPaymentCreditCard")


def txn_ret(ctx: Context, txn: Txn, with_lines: bool, with_links: bool,
            include: list[str] | None = None) -> Element:
    if txn.kind in _SALES:
        return sales_ret(ctx, txn, with_lines, with_links, include)
    if txn.kind in _PURCHASES:
        return purchase_ret(ctx, txn, with_lines, with_links, include)
    return payment_ret(ctx, txn, with_lines, include)


def _month_start(day: date) -> date:
    return day.replace(day=1)


def _macro_range(macro: str, today: date) -> tuple[date | None, date | None]:
    """The DateMacro values a sync needs; others mean no date limit (assumed)."""
    last_month_end = _month_start(today) - timedelta(days=1)
    ranges: dict[str, tuple[date | None, date | None]] = {
        "Today": (today, today), "Yesterday": (today - timedelta(days=1), today - timedelta(days=1)),
        "ThisWeek": (today - timedelta(days=today.weekday()), today - timedelta(days=today.weekday()) + timedelta(6)),
        "ThisMonth": (_month_start(today), (_month_start(today) + timedelta(days=32)).replace(day=1)
                      - timedelta(days=1)),
        "ThisMonthToDate": (_month_start(today), today),
        "LastMonth": (_month_start(last_month_end), last_month_end),
        "ThisCalendarYear": (date(today.year, 1, 1), date(today.year, 12, 31)),
        "ThisCalendarYearToDate": (date(today.year, 1, 1), today),
        "LastCalendarYear": (date(today.year - 1, 1, 1), date(today.year - 1, 12, 31)),
    }
    return ranges.get(macro, (None, None))


def _ref_matches(request: Element) -> Callable[[str | None], bool]:
    ref_filter, ref_range = request.find("RefNumberFilter"), request.find("RefNumberRangeFilter")
    if ref_filter is not None:
        criterion = ref_filter.findtext("MatchCriterion")
        wanted = (ref_filter.findtext("RefNumber") or "").casefold()
        test: Callable[[str], bool] = (
            (lambda ref: ref.startswith(wanted)) if criterion == "StartsWith"
            else (lambda ref: ref.endswith(wanted)) if criterion == "EndsWith" else (lambda ref: wanted in ref))
        return lambda ref: ref is not None and test(ref.casefold())
    if ref_range is not None:
        low, high = ref_range.findtext("FromRefNumber"), ref_range.findtext("ToRefNumber")

        def key(value: str) -> tuple[int, int, str]:  # numbers compare as numbers, as QuickBooks sorts them
            return (0, int(value), "") if value.isdigit() else (1, 0, value.casefold())

        return lambda ref: ref is not None and (low is None or key(ref) >= key(low)) \
            and (high is None or key(ref) <= key(high))
    return lambda ref: True


def _entities(ctx: Context, request: Element) -> set[str] | None:
    entity = request.find("EntityFilter")
    if entity is None:
        return None
    ids = {node.text or "" for node in entity.findall("ListID")}
    names = {(node.text or "").casefold() for node in entity.findall("FullName")}
    parent_id, parent_name = entity.findtext("ListIDWithChildren"), entity.findtext("FullNameWithChildren")
    tops = [obj.full_name for obj in ctx.books.lists.values()
            if obj.list_id == parent_id or (parent_name and obj.full_name.casefold() == parent_name.casefold())]
    return {obj.list_id for obj in ctx.books.lists.values()
            if obj.list_id in ids or obj.full_name.casefold() in names
            or any(obj.full_name == top or obj.full_name.startswith(top + ":") for top in tops)}


def _accounts_of(txn: Txn) -> set[str]:
    found = set()
    nodes = [value for value in txn.fields.values() if isinstance(value, Element)]
    nodes += [value for line in txn.lines for value in line.fields.values() if isinstance(value, Element)]
    for node in nodes:
        for ref in node.iter():
            if isinstance(ref.tag, str) and ref.tag.endswith("AccountRef"):
                found.add(ref.findtext("ListID") or "")
    return found


def _filtered(ctx: Context, request: Element, kind: str) -> list[Txn]:
    zone, today = ctx.config.zone, ctx.now.date()
    modified, dated = request.find("ModifiedDateRangeFilter"), request.find("TxnDateRangeFilter")
    mod_low = mod_high = None
    if modified is not None:
        since, until = modified.findtext("FromModifiedDate"), modified.findtext("ToModifiedDate")
        mod_low, mod_high = (as_datetime(since, zone) if since else None), (as_datetime(until, zone) if until else None)
    day_low = day_high = None
    if dated is not None:
        if dated.findtext("DateMacro"):
            day_low, day_high = _macro_range(dated.findtext("DateMacro") or "", today)
        else:
            since, until = dated.findtext("FromTxnDate"), dated.findtext("ToTxnDate")
            day_low, day_high = (as_date(since) if since else None), (as_date(until) if until else None)
    entities = _entities(ctx, request)
    account_filter = request.find("AccountFilter")
    accounts = {node.text or "" for node in account_filter.findall("ListID")} if account_filter is not None else None
    if account_filter is not None:
        names = {(node.text or "").casefold() for node in account_filter.findall("FullName")}
        accounts = (accounts or set()) | {obj.list_id for obj in ctx.books.of_kinds(("Account",))
                                          if obj.full_name.casefold() in names}
    ref_ok = _ref_matches(request)
    paid = request.findtext("PaidStatus") or "All"
    found = []
    for txn in ctx.books.txns.values():
        if txn.kind != kind or (entities is not None and txn.entity_id not in entities):
            continue
        if (mod_low and txn.modified < mod_low) or (mod_high and txn.modified > mod_high):
            continue
        if (day_low and txn.txn_date < day_low) or (day_high and txn.txn_date > day_high):
            continue
        if not ref_ok(txn.ref_number) or (accounts is not None and not accounts & _accounts_of(txn)):
            continue
        if paid != "All" and ((open_amount(ctx.books, txn) <= 0) != (paid == "PaidOnly")):
            continue
        found.append(txn)
    found.sort(key=lambda txn: (txn.txn_date, txn.txn_number))
    return found


def _query(ctx: Context, request: Element) -> Answer:
    kind = str(request.tag)[:-len("QueryRq")]
    includes = [node.text or "" for node in request.findall("IncludeRetElement")]
    with_lines = as_bool(request.findtext("IncludeLineItems"))
    with_links = as_bool(request.findtext("IncludeLinkedTxns"))
    by_id = [node.text or "" for node in request.findall("TxnID")]
    by_ref = [node.text or "" for node in request.findall("RefNumber")]
    by_exact = [node.text or "" for node in request.findall("RefNumberCaseSensitive")]
    named: list[tuple[str, list[Txn]]] = []
    if by_id:
        named = [(txn_id, [t] if (t := ctx.books.txns.get(txn_id)) is not None and t.kind == kind else [])
                 for txn_id in by_id]
    elif by_ref or by_exact:
        of_kind = sorted((t for t in ctx.books.txns.values() if t.kind == kind),
                         key=lambda t: (t.txn_date, t.txn_number))
        named = [(ref, [t for t in of_kind if (t.ref_number or "").casefold() == ref.casefold()]) for ref in by_ref]
        named += [(ref, [t for t in of_kind if t.ref_number == ref]) for ref in by_exact]

    def matches() -> list[str]:
        if named:
            return list(dict.fromkeys(t.txn_id for _, found in named for t in found))
        return [t.txn_id for t in _filtered(ctx, request, kind)]

    def missing() -> str | None:
        return next((asked for asked, found in named if not found), None)

    def render(txn_id: str) -> Element | None:
        txn = ctx.books.txns.get(txn_id)
        return None if txn is None else txn_ret(ctx, txn, with_lines, with_links, includes)

    return answer_query(ctx, request, matches, render, missing)


HANDLERS: dict[str, Handler] = {f"{kind}QueryRq": _query for kind in _KINDS}
