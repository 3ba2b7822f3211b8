"""What the QuickBooks Desktop connector reads: the chart (with the company's country), look-ups of parties and
items, the read-back for the seen tick, and documents changed since a time. Writes are in ``qbd.writes``,
money in ``qbd.money``.

Round trips are what a Web Connector session costs (each exchange waits for the Web Connector's next poll and
QuickBooks' run), so reads are gathered: the whole chart is one exchange (two in a multi-currency company, whose
currencies are asked once the preferences say so); a read-back asks every kind of document in one exchange; paged
reads advance every kind's iterator in the same exchange (``QbdCalls.pages``).

What was just written could be ticked from QuickBooks' answer itself (an Add's or Mod's Ret *is* its record: TxnID,
number, total), as ``docs/qbd.md`` proposes ("exported and seen at once"): the writes keep those answers in
``written`` and, with ``read_back_from_answers``, the read-back answers from there. It saves one round trip per
upload of up to 100 documents (beyond, the engine pages through what changed, which this does not shorten), but it
would tick a document a QuickBooks user changed between our write and the read-back, which the seen tick (R-E7,
``tests/conformance/test_seen_tick.py``) exists to catch; so it is off by default, and then nothing is kept (the
answers of a whole upload would make memory grow with the number of documents).

The read-back itself asks QuickBooks by TxnID: the engine knows every TxnID it waits for, so the queries of up to
``READ_BACK_IDS`` documents travel in one exchange (a round trip), where paging through what changed would cost a
round trip per page, one after the other (an iterator's next page is asked with the previous page's answer). Each
query names only the fields the tick and the reconciliation read (``IncludeRetElement``, ``READ_BACK_FIELDS``): a
tenth of a whole Ret, so the answer to 10,000 documents is some 3 MB, not 15.

An iterator's page (MaxReturned) is :data:`READ_PAGE` unless the connection's settings say otherwise
(:data:`PAGE_SIZE_SETTING`, read by :func:`page_size_of`): a smaller page keeps each message short on a slow PC, and
the fault tests (``tests/faults/test_web_connector_faults.py``) use one of 3 so that an import spans several pages
and sessions can be cut between them.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator, Mapping, Sequence
from datetime import datetime

from lxml import etree
from sqlalchemy.orm import Session, sessionmaker

from ledgerbridge.connectors.protocol import ChartSnapshot, RemoteDocument
from ledgerbridge.packages.qbd.calls import QbdCalls
from ledgerbridge.packages.qbd.currency import CURRENCIES_SETTING, currency_setting
from ledgerbridge.packages.qbd.lookups import QbdLookups
from ledgerbridge.packages.qbd.mapper import COUNTRY_SETTING, entity_of, rounding_mode
from ledgerbridge.packages.qbd.names import clash_name, party_name
from ledgerbridge.packages.qbd.qbxml.chart_rets import (
    read_account,
    read_currency,
    read_payment_method,
    read_tax_code,
    read_tax_item,
    read_terms,
)
from ledgerbridge.packages.qbd.qbxml.hcp import (
    HostCompanyPreferences,
    company_query,
    host_query,
    parse_hcp_response,
    preferences_query,
)
from ledgerbridge.packages.qbd.qbxml.list_queries import (
    ListFilter,
    account_query,
    currency_query,
    customer_query,
    item_query,
    payment_method_query,
    sales_tax_code_query,
    terms_query,
    vendor_query,
)
from ledgerbridge.packages.qbd.qbxml.nodes import Element
from ledgerbridge.packages.qbd.qbxml.responses import RequestResult
from ledgerbridge.packages.qbd.qbxml.rets import read_list, read_txn
from ledgerbridge.packages.qbd.qbxml.txn_queries import TXN_KINDS, changed_since, txn_query
from ledgerbridge.packages.qbd.readers import chart_snapshot, remote_document
from ledgerbridge.store.db import session_scope
from ledgerbridge.store.models.sync import Connection
from ledgerbridge.store.views import ItemView, PartyView

__all__ = ["MAX_PAGE_SIZE", "PAGE_SIZE_SETTING", "READ_BACK_FIELDS", "READ_BACK_IDS", "READ_PAGE", "QbdReads",
           "page_size_of"]

#: Objects per page of an iterator (MaxReturned): large enough for few round trips, small enough for the Web
#: Connector's message (a document Ret without lines is about 1.5 KB).
READ_PAGE = 500
#: Documents read back in one exchange: 20 queries of READ_PAGE TxnIDs, some 400 KB of request (a TxnID and its tags
#: are about 40 bytes), well under the message bound; the answer is about 300 bytes a document.
READ_BACK_IDS = 10_000
_COMMON = ("TxnID", "TimeModified", "RefNumber", "Memo", "LinkedTxn")
#: What ``readers.remote_document`` reads of each kind (``qbxml.rets._totals`` names the amounts; the Memo says
#: "VOID:"; LinkedTxn what was applied).
READ_BACK_FIELDS = {
    "Invoice": (*_COMMON, "Subtotal", "SalesTaxTotal", "BalanceRemaining"),
    "CreditMemo": (*_COMMON, "TotalAmount", "CreditRemaining"),
    "Bill": (*_COMMON, "AmountDue", "OpenAmount"),
    "VendorCredit": (*_COMMON, "CreditAmount", "OpenAmount"),
}

#: The connection's setting for another page size, a whole number from 1 to :data:`MAX_PAGE_SIZE` (a page of
#: payments with their lines is some 3 KB a payment: 2,000 of them keep a message of a few MB).
PAGE_SIZE_SETTING = "quickbooks_page_size"
MAX_PAGE_SIZE = 2000
_TAX_ITEMS = ("ItemSalesTaxRet", "ItemSalesTaxGroupRet")


def _hcp(results: Sequence[RequestResult]) -> HostCompanyPreferences:
    """The Host, Company and Preferences answers as ``parse_hcp_response`` reads them (the Web Connector's
    ``strHCPResponse`` has the same shape)."""
    root = etree.Element("QBXML")
    messages = etree.SubElement(root, "QBXMLMsgsRs")
    for result in results:
        messages.append(etree.fromstring(etree.tostring(result.element)))
    return parse_hcp_response(etree.tostring(root, encoding="unicode"))


def page_size_of(settings: Mapping[str, object], connection_id: int) -> int:
    """The connection's iterator page (:data:`PAGE_SIZE_SETTING`), :data:`READ_PAGE` when it sets none; a value
    that is not a whole number from 1 to :data:`MAX_PAGE_SIZE` is refused, naming the setting and the connection."""
    value = settings.get(PAGE_SIZE_SETTING)
    if value is None:
        return READ_PAGE
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MAX_PAGE_SIZE:
        raise ValueError(f"connection {connection_id}: the setting {PAGE_SIZE_SETTING} must be a whole number "
                         f"from 1 to {MAX_PAGE_SIZE}, not {value!r}")
    return value


class QbdReads:
    """Reads of one company; the connector (``qbd.connector``) is this with the writes."""

    sessions: sessionmaker[Session]
    connection_id: int
    calls: QbdCalls
    lookups: QbdLookups
    tax_rounding: str
    country: str
    #: Documents as QuickBooks answered our last Add or Mod of them (TxnID -> document): the read-back's source.
    written: dict[str, RemoteDocument]
    read_back_from_answers: bool
    _written_lock: threading.Lock
    #: MaxReturned of every iterator's page (``page_size_of``).
    page_size: int

    # -- the chart -------------------------------------------------------------------------------------------
    def fetch_chart(self) -> ChartSnapshot:
        rid = {name: self.calls.request_id() for name in ("host", "company", "prefs", "accounts", "tax", "items",
                                                           "terms", "methods")}
        results = self.calls.read([
            host_query(request_id=rid["host"]), company_query(request_id=rid["company"]),
            preferences_query(request_id=rid["prefs"]), account_query(request_id=rid["accounts"]),
            sales_tax_code_query(request_id=rid["tax"]),
            item_query(request_id=rid["items"], selection=ListFilter(active_status="All")),
            terms_query(request_id=rid["terms"]), payment_method_query(request_id=rid["methods"])],
            "refresh chart")
        hcp = _hcp([results[rid["host"]], results[rid["company"]], results[rid["prefs"]]])
        currencies = []
        if hcp.preferences is not None and hcp.preferences.multi_currency:
            cid = self.calls.request_id()
            currencies = [read_currency(r) for r in self.calls.read([currency_query(request_id=cid)],
                                                                    "refresh chart: currencies")[cid].rets]
        self.terms = [read_terms(r) for r in results[rid["terms"]].rets]
        self.payment_methods = [read_payment_method(r) for r in results[rid["methods"]].rets]
        tax_items = [read_tax_item(r) for r in results[rid["items"]].rets if r.tag in _TAX_ITEMS]
        chart = chart_snapshot([read_account(r) for r in results[rid["accounts"]].rets],
                               [read_tax_code(r) for r in results[rid["tax"]].rets], tax_items, currencies, hcp)
        self._remember_country(hcp, currency_setting(bool(hcp.preferences and hcp.preferences.multi_currency),
                                                     currencies))
        self.lookups.forget_chart()
        return chart

    def _remember_country(self, hcp: HostCompanyPreferences, currencies: dict[str, str] | None) -> None:
        """The edition's country (HostRet) decides the tax rules the mapper applies, and the currency list (None:
        multicurrency off) what a party's currency is sent as (``qbd.currency``): kept in the connection's
        settings, where the mapper and pre-check read them."""
        country = (hcp.host.country if hcp.host and hcp.host.country else "").upper()
        with session_scope(self.sessions) as session:
            conn = session.get_one(Connection, self.connection_id)
            settings = dict(conn.settings or {})
            if country in ("US", "UK", "CA"):
                self.country = country
                self.tax_rounding = rounding_mode(country)
                settings[COUNTRY_SETTING] = country
            if currencies is None:
                settings.pop(CURRENCIES_SETTING, None)
            else:
                settings[CURRENCIES_SETTING] = currencies
            if settings != (conn.settings or {}):
                conn.settings = settings

    # -- look-ups after a lost answer ------------------------------------------------------------------------
    def find_existing_parties(self, parties: Sequence[PartyView]) -> dict[int, tuple[str, str]]:
        """Ours by name (the plain name, or the clash name) and by our code in AccountNumber: a customer or vendor
        of that name without our code is someone else's, and is not taken."""
        queries: list[Element] = []
        for customers, build in ((True, customer_query), (False, vendor_query)):
            group = [p for p in parties if p.is_customer == customers]
            names = sorted({n for p in group for n in (party_name(p), clash_name(p))})
            if names:
                queries.append(build(request_id=self.calls.request_id(), full_names=names))
        if not queries:
            return {}
        results = self.calls.read(queries, "look up customers and suppliers")
        found: dict[int, tuple[str, str]] = {}
        for query in queries:
            customers = query.tag == "CustomerQueryRq"
            for ret in results[str(query.get("requestID"))].rets:
                record = read_list(ret)
                number = ret.findtext("AccountNumber")
                for party in parties:
                    if (party.is_customer == customers and record.is_active and number == party.code
                            and (record.name or "").lower() in (party_name(party).lower(), clash_name(party).lower())):
                        found[party.id] = (record.list_id, record.name or "")
        return found

    def find_existing_items(self, items: Sequence[ItemView]) -> dict[int, tuple[str, str]]:
        if not items:
            return {}
        rid = self.calls.request_id()
        rets = self.calls.read([item_query(request_id=rid, full_names=sorted({i.code for i in items}))],
                               "look up items")[rid].rets
        by_name = {(read_list(r).full_name or "").lower(): read_list(r) for r in rets}
        found: dict[int, tuple[str, str]] = {}
        for item in items:
            record = by_name.get(item.code.lower())
            if record is not None and record.is_active:
                found[item.id] = (record.list_id, record.name or item.code)
        return found

    # -- read-back (seen tick) -------------------------------------------------------------------------------
    def remember_written(self, doc: RemoteDocument) -> None:
        if not self.read_back_from_answers:
            return  # nothing reads them: memory stays the batch at work's
        with self._written_lock:
            self.written[doc.external_id] = doc

    def _read_back_query(self, kind: str, txn_ids: Sequence[str]) -> Element:
        return txn_query(kind, request_id=self.calls.request_id(), txn_ids=txn_ids, include_line_items=False,
                         include_linked_txns=True if TXN_KINDS[kind].linked_txns else None,
                         include_ret=READ_BACK_FIELDS.get(kind, ()))

    def _read_by_ids(self, by_kind: Mapping[str, Sequence[str]], purpose: str) -> Iterator[list[RemoteDocument]]:
        """Pages of these documents (kind -> TxnIDs), ``READ_BACK_IDS`` an exchange, ``READ_PAGE`` a query."""
        queries = [(kind, ids[start : start + READ_PAGE]) for kind, ids in sorted(by_kind.items())
                   for start in range(0, len(ids), READ_PAGE)]
        per_exchange = max(1, READ_BACK_IDS // READ_PAGE)
        for first in range(0, len(queries), per_exchange):
            sent = [self._read_back_query(kind, ids) for kind, ids in queries[first : first + per_exchange]]
            results = self.calls.read(sent, purpose)
            for query in sent:
                yield [remote_document(read_txn(ret)) for ret in results[str(query.get("requestID"))].rets]

    def read_back_documents(self, wanted: Sequence[tuple[str, str]]) -> dict[str, RemoteDocument]:
        """Documents by TxnID: those this connector just wrote from QuickBooks' answers, the rest in one
        exchange (one query per kind)."""
        out: dict[str, RemoteDocument] = {}
        ask: dict[str, list[str]] = {}
        with self._written_lock:
            for doc_type, ext in wanted:
                held = self.written.get(ext) if self.read_back_from_answers else None
                if held is not None:
                    out[ext] = held
                else:
                    ask.setdefault(entity_of(doc_type), []).append(ext)
        for page in self._read_by_ids({kind: sorted(set(ids)) for kind, ids in ask.items()}, "read back"):
            out.update((doc.external_id, doc) for doc in page)
        return out

    def remote_documents_since(self, since: datetime, doc_types: set[str],
                               wanted: Mapping[str, str] | None = None) -> Iterator[list[RemoteDocument]]:
        """Pages of what changed (an iterator says what remains, so no read is wasted on an ended list). When
        every one of ``wanted`` was written by this connector and its answer kept (``read_back_from_answers``),
        those answers are the pages: QuickBooks' record of what it saved, read back without a round trip.
        Otherwise, when the engine names what it waits for (``wanted``, TxnID -> host type), those are read by
        TxnID (module docstring: one round trip for up to ``READ_BACK_IDS``, not one a page)."""
        if wanted and self.read_back_from_answers:
            with self._written_lock:
                held = [self.written[ext] for ext in wanted if ext in self.written]
            if len(held) == len(wanted):
                for start in range(0, len(held), self.page_size):
                    yield held[start : start + self.page_size]
                return
        if wanted:
            by_kind: dict[str, list[str]] = {}
            for ext, doc_type in wanted.items():
                by_kind.setdefault(entity_of(doc_type), []).append(ext)
            yield from self._read_by_ids(by_kind, "read back changes")
            return
        kinds = sorted({entity_of(t) for t in doc_types})
        queries = {kind: changed_since(kind, since, request_id=self.calls.request_id(),
                                       page_size=self.page_size, include_line_items=False) for kind in kinds}
        for page in self.calls.pages(queries, "read back changes"):
            yield [remote_document(read_txn(ret)) for rets in page.values() for ret in rets]
