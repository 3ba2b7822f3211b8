"""What the connector knows of the company while it maps documents (``mapper.CompanyLookups``): accounts and tax
codes from the chart the engine stored, and the items sales lines name, found or made.

Accounts are named by ListID (the chart's ``external_id``; an unknown code goes by name, for QuickBooks to refuse
in its own words); sales tax codes by name (their names are unique, at most three characters, and the chart keeps
no ListID for them). QuickBooks posts a sales line to its item's income account, so every mapped income account
needs an item: the line's own item (push lines as items) when it posts there, else the service item
``Sales to <account>`` (``names.account_item_name``), as QuickBooks Online's ``items.py`` does. Before a batch is
mapped, :meth:`QbdLookups.prepare` finds every item it needs in one exchange and makes the missing ones in one more,
so a batch costs at most two exchanges of set-up, and later batches none. An item made by an earlier run whose
answer was lost is found by name; its ExternalGUID comes from the account, so a second run makes the same one.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from ledgerbridge.connectors.producers import waiting
from ledgerbridge.connectors.protocol import ConnectorCallFailed
from ledgerbridge.packages.qbd.calls import QbdCalls
from ledgerbridge.packages.qbd.names import ROUNDING_ITEM, account_item_name
from ledgerbridge.packages.qbd.party_mapper import account_item_request, rounding_item_request
from ledgerbridge.packages.qbd.qbxml.list_queries import item_query
from ledgerbridge.packages.qbd.qbxml.nodes import Element
from ledgerbridge.packages.qbd.qbxml.rets import read_list
from ledgerbridge.packages.qbd.qbxml.status import Action, classify
from ledgerbridge.packages.qbd.qbxml.values import Ref
from ledgerbridge.store.db import session_scope
from ledgerbridge.store.models.sync import ChartEntry

__all__ = ["QbdLookups", "income_account_of"]


def income_account_of(ret: Element) -> str | None:
    """The ListID of the account an item's sales post to (``SalesOrPurchase/AccountRef`` or
    ``SalesAndPurchase/IncomeAccountRef``)."""
    for path in ("SalesAndPurchase/IncomeAccountRef/ListID", "SalesOrPurchase/AccountRef/ListID"):
        found = ret.findtext(path)
        if found:
            return found
    return None


class QbdLookups:
    """One connector's view of the company for the mapper, cached for its life (one run)."""

    def __init__(self, calls: QbdCalls, sessions: sessionmaker[Session], connection_id: int) -> None:
        self.calls = calls
        self.sessions = sessions
        self.connection_id = connection_id
        self._lock = threading.RLock()
        self._accounts: dict[str, str] | None = None  # chart code -> ListID
        self._codes: dict[str, str] = {}  # ListID -> chart code
        self._account_items: dict[str, Ref] = {}  # income account code -> its "Sales to" item
        self._own: dict[str, tuple[Ref, str | None] | None] = {}  # item name -> (ref, income account ListID)
        self._rounding: dict[str, Ref] = {}

    # -- the chart -------------------------------------------------------------------------------------------
    @contextmanager
    def _locked(self) -> Iterator[None]:
        """The lock, whose holder may be waiting for QuickBooks (``prepare``): a thread that waits for it produces
        nothing meanwhile (``connectors.producers``), so the Web Connector's message is not held for it."""
        if not self._lock.acquire(blocking=False):
            with waiting(self.connection_id):
                self._lock.acquire()
        try:
            yield
        finally:
            self._lock.release()

    def _chart(self) -> dict[str, str]:
        with self._locked():
            if self._accounts is None:
                with session_scope(self.sessions) as session:
                    rows = session.execute(select(ChartEntry.code, ChartEntry.external_id).where(
                        ChartEntry.connection_id == self.connection_id, ChartEntry.kind == "account")).all()
                self._accounts = {code: ext for code, ext in rows if ext}
                self._codes = {ext: code for code, ext in self._accounts.items()}
            return self._accounts

    def forget_chart(self) -> None:
        with self._lock:
            self._accounts = None

    def account(self, code: str) -> Ref:
        list_id = self._chart().get(code)
        return Ref(list_id=list_id) if list_id else Ref(full_name=code)

    def account_code(self, list_id: str | None, full_name: str | None = None) -> str | None:
        """The chart code of an account QuickBooks named (None when the chart does not know it)."""
        self._chart()
        return self._codes.get(list_id or "") or full_name

    def tax_code(self, code: str) -> Ref:
        return Ref(full_name=code)

    # -- items -----------------------------------------------------------------------------------------------
    def prepare(self, income_accounts: Iterable[str], item_codes: Iterable[str] = ()) -> None:
        """Find the items these accounts' sales lines and these lines' own items need (one exchange for all),
        and make the accounts' items QuickBooks lacks (one more)."""
        with self._locked():
            accounts = sorted({a for a in income_accounts if a and a not in self._account_items})
            codes = sorted({c for c in item_codes if c and c not in self._own})
            names = {account_item_name(a): a for a in accounts}
            if not names and not codes:
                return
            rid = self.calls.request_id()
            answer = self.calls.read([item_query(request_id=rid, full_names=[*names, *codes])],
                                     "look up the items sales lines name")[rid]
            by_name = {}
            for ret in answer.rets:
                record = read_list(ret)
                by_name[(record.full_name or record.name or "").lower()] = (Ref(list_id=record.list_id),
                                                                            income_account_of(ret))
            for code in codes:
                self._own[code] = by_name.get(code.lower())
            missing = []
            for name, account in names.items():
                found = by_name.get(name.lower())
                if found is not None:
                    self._account_items[account] = found[0]
                else:
                    missing.append(account)
            if missing:
                self._make_account_items(missing)

    def _make_account_items(self, accounts: list[str]) -> None:
        requests = {self.calls.request_id("i"): a for a in accounts}
        built = [account_item_request(a, self, key=f"account-item:{self.connection_id}:{a}", request_id=rid)
                 for rid, a in requests.items()]
        results = self.calls.exchange(built, writes=True, purpose="make the items sales lines name")
        again = []
        for rid, account in requests.items():
            result = results.get(rid)
            verdict = classify(result.status_code, result.severity, result.message) if result else None
            if result is not None and verdict is not None and verdict.ok and result.rets:
                self._account_items[account] = Ref(list_id=read_list(result.rets[0]).list_id)
            elif verdict is not None and verdict.action is Action.ADOPT:
                again.append(account)  # made meanwhile (another run): found by name below
            else:
                said = verdict.text() if verdict else "no answer"
                raise ConnectorCallFailed(f"QuickBooks did not make the item {account_item_name(account)!r} that "
                                          f"sales lines on account {account} need: {said}",
                                          failure_type=(verdict.failure_type if verdict else None) or "config",
                                          source="package")
        if again:
            rid = self.calls.request_id()
            rets = self.calls.read([item_query(request_id=rid, full_names=[account_item_name(a) for a in again])],
                                   "look up the items sales lines name")[rid].rets
            made = {(read_list(r).full_name or "").lower(): read_list(r).list_id for r in rets}
            for account in again:
                list_id = made.get(account_item_name(account).lower())
                if list_id is None:
                    raise ConnectorCallFailed(f"QuickBooks says the name {account_item_name(account)!r} is in use, "
                                              "but has no item of that name: rename what holds it",
                                              failure_type="config", source="package")
                self._account_items[account] = Ref(list_id=list_id)

    def sales_item(self, account_code: str, item_code: str | None) -> Ref:
        if item_code:
            self.prepare((), [item_code])
            own = self._own.get(item_code)
            if own is not None and own[1] is not None and own[1] == self._chart().get(account_code):
                return own[0]
        if account_code not in self._account_items:
            self.prepare([account_code])
        return self._account_items[account_code]

    def purchase_item(self, item_code: str) -> Ref | None:
        self.prepare((), [item_code])
        own = self._own.get(item_code)
        return own[0] if own is not None else None

    def rounding_item(self, account_code: str) -> Ref:
        """"Rounding" posting to the rounding account; "Rounding <code>" when the company's own "Rounding" posts
        elsewhere."""
        with self._lock:
            if account_code in self._rounding:
                return self._rounding[account_code]
            names = (ROUNDING_ITEM, f"{ROUNDING_ITEM} {account_code}")
            wanted = self._chart().get(account_code)
            rid = self.calls.request_id()
            found = {(read_list(r).full_name or "").lower(): (read_list(r).list_id, income_account_of(r))
                     for r in self.calls.read([item_query(request_id=rid, full_names=list(names))],
                                              "look up the rounding item")[rid].rets}
            for name in names:
                held = found.get(name.lower())
                if held is not None and held[1] == wanted:
                    self._rounding[account_code] = Ref(list_id=held[0])
                    return self._rounding[account_code]
            free = next((n for n in names if n.lower() not in found), None)
            if free is None:
                raise ConnectorCallFailed(f"QuickBooks items {' and '.join(repr(n) for n in names)} post to other "
                                          f"accounts than the rounding account {account_code}: rename one of them",
                                          failure_type="config", source="package")
            rid = self.calls.request_id("i")
            request = rounding_item_request(account_code, self, key=f"rounding:{self.connection_id}:{account_code}",
                                            request_id=rid, name=free)
            result = self.calls.exchange([request], writes=True, purpose="make the rounding item").get(rid)
            if result is None or not result.rets:
                said = classify(result.status_code, result.severity, result.message).text() if result else "no answer"
                raise ConnectorCallFailed(f"QuickBooks did not make the rounding item {free!r}: {said}",
                                          failure_type="config", source="package")
            self._rounding[account_code] = Ref(list_id=read_list(result.rets[0]).list_id)
            return self._rounding[account_code]
