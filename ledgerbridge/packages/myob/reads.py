"""What the MYOB connector reads: the chart (detail accounts, tax codes by Code, the file's currency), look-ups
after a lost answer (DisplayID, Number, SupplierInvoiceNumber, the host id stamped in JournalMemo), the read-back
for the seen tick, and payments made in MYOB (``LastModified`` with a look-back, pages by ``NextPageLink``).
Writes are in ``myob.connector`` and ``myob.payments``.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

from ledgerbridge.connectors.protocol import (
    ChartAccount,
    ChartSnapshot,
    ChartTaxRate,
    DocumentExport,
    ImportedPayment,
    RemoteDocument,
    RemotePayment,
)
from ledgerbridge.packages.myob.calls import MyobCalls, dec, guid, myob_datetime, q, when
from ledgerbridge.packages.myob.limits import CREDIT_TYPES, IDS_PER_READ, READ_ROUTES, SALES_TYPES
from ledgerbridge.packages.myob.mapper import memo_stamp, party_route
from ledgerbridge.store.views import ItemView, PartyView

SALES_ACCOUNT_TYPES = {"Income", "OtherIncome"}
PURCHASE_ACCOUNT_TYPES = {"Expense", "CostOfSales", "OtherExpense", "FixedAsset", "OtherAsset", "OtherCurrentAsset"}
BANK_ACCOUNT_TYPES = {"Bank", "CreditCard"}
CURRENCY_OF_COUNTRY = {"AU": "AUD", "NZ": "NZD"}
#: Payments are read from a little before the last import: MYOB stamps LastModified when the transaction is saved,
#: and one saved while we read could otherwise fall between two imports.
LOOK_BACK = timedelta(minutes=10)
#: How far back payments imported here are checked for deletion in MYOB (each 20 a read).
DELETION_LOOK_BACK = timedelta(days=90)
#: (MYOB payment route, direction, the array of applied documents, the amount field, the number field)
PAYMENT_ROUTES = (("Sale/CustomerPayment", "in", "Invoices", "AmountReceived", "ReceiptNumber"),
                  ("Purchase/SupplierPayment", "out", "Lines", "AmountPaid", "PaymentNumber"))
#: Document route -> (its settlements' route, the line's document field, the card field): a credit note applied to
#: an invoice (a supplier credit to a bill), as ``myob.payments.SETTLEMENTS`` writes them.
SETTLED_BY = {"Sale/Invoice": ("Sale/CreditSettlement", "Sale", "Customer"),
              "Purchase/Bill": ("Purchase/DebitSettlement", "Purchase", "Supplier")}
_STAMP = re.compile(r"\[lb ([^\]]+)\]")


def remote_document(doc: dict[str, Any]) -> RemoteDocument:
    """A MYOB sale or bill as :class:`RemoteDocument`. A credit (status Credit or Debit: a negative document) is
    shown with the host's sign: positive total and amount still to use."""
    total, balance = dec(doc.get("TotalAmount")), dec(doc.get("BalanceDueAmount"))
    credit = total < 0 or doc.get("Status") in ("Credit", "Debit")
    if credit:
        total, balance = -total, -balance
    status = "PAID" if balance == 0 and total else "OPEN"
    settled = total - balance
    return RemoteDocument(str(doc["UID"]), doc.get("Number") if "Customer" in doc else (
        doc.get("SupplierInvoiceNumber") or doc.get("Number")), total, balance, status,
        amount_paid=Decimal(0) if credit else settled, amount_credited=settled if credit else Decimal(0),
        currency=(doc.get("ForeignCurrency") or {}).get("Code"), updated_at=when(doc.get("LastModified")))


def _split_settled(doc: RemoteDocument, credited: Decimal) -> RemoteDocument:
    """What was settled of a sale or bill, told apart: applied credit, the rest paid."""
    credited = min(credited, doc.amount_paid)
    if not credited:
        return doc
    return replace(doc, amount_paid=doc.amount_paid - credited, amount_credited=credited)


def _awaiting(wanted: set[str] | None) -> Callable[[list[dict[str, Any]]], bool]:
    def enough(rows: list[dict[str, Any]]) -> bool:
        if wanted is None:
            return False
        wanted.difference_update(str(r.get("UID")) for r in rows)
        return not wanted
    return enough


class MyobReads(MyobCalls):
    """Reads of one business; the chart's UIDs are kept for the writes too."""

    _lock: threading.Lock
    _account_uids: dict[str, str] | None  # DisplayID -> UID
    _account_codes: dict[str, str]  # UID -> DisplayID
    _tax_uids: dict[str, str] | None  # Code -> UID
    _home_currency: str | None

    # -- chart -----------------------------------------------------------------------------------------------
    def fetch_chart(self) -> ChartSnapshot:
        """Detail accounts only: MYOB refuses a line on a header account, so a header account is left out of the
        chart and a mapping to it is refused there ("not in the package's chart")."""
        accounts, uids = [], {}
        for page in self.pages("GeneralLedger/Account", purpose="refresh chart"):
            for acc in page:
                if acc.get("IsHeader"):
                    continue
                kind = str(acc.get("Type") or "")
                usable = [side for side, kinds in (("sales", SALES_ACCOUNT_TYPES),
                                                   ("purchases", PURCHASE_ACCOUNT_TYPES),
                                                   ("bank", BANK_ACCOUNT_TYPES)) if kind in kinds]
                code = str(acc.get("DisplayID") or acc["UID"])
                uids[code] = str(acc["UID"])
                accounts.append(ChartAccount(code, str(acc["UID"]), str(acc.get("Name") or ""), kind, tuple(usable),
                                             bool(acc.get("IsActive", True))))
        rates, tax_uids = [], {}
        for page in self.pages("GeneralLedger/TaxCode", purpose="refresh chart"):
            for tax in page:
                rate = dec(tax.get("Rate"))
                tax_uids[str(tax["Code"])] = str(tax["UID"])
                rates.append(ChartTaxRate(str(tax["Code"]), str(tax.get("Description") or tax["Code"]),
                                          -rate if tax.get("IsRateNegative") else rate, ("sales", "purchases")))
        base = self._base_currency()
        with self._lock:
            self._remember(uids, tax_uids)
        return ChartSnapshot(tuple(accounts), tuple(rates), (base,), base)

    def _base_currency(self) -> str:
        if self._home_currency is None:
            info = self.get("", "read the company file").get("CompanyFile") or {}
            self._home_currency = CURRENCY_OF_COUNTRY.get(str(info.get("Country") or "AU").upper()[:2], "AUD")
        return self._home_currency

    def _remember(self, accounts: dict[str, str], tax_codes: dict[str, str]) -> None:
        self._account_uids = accounts
        self._account_codes = {v: k for k, v in accounts.items()}
        self._tax_uids = tax_codes

    def _load_chart(self) -> None:
        with self._lock:
            if self._account_uids is not None and self._tax_uids is not None:
                return
        accounts = {str(a.get("DisplayID") or a["UID"]): str(a["UID"])
                    for page in self.pages("GeneralLedger/Account", purpose="read accounts") for a in page
                    if not a.get("IsHeader")}
        tax = {str(t["Code"]): str(t["UID"]) for page in self.pages("GeneralLedger/TaxCode", purpose="read tax codes")
               for t in page}
        with self._lock:
            self._remember(accounts, tax)

    def account_uid(self, code: str) -> str:
        """The UID of the detail account with this DisplayID (the chart is read once per connector); the code
        itself when there is none, for MYOB to refuse with its own message."""
        self._load_chart()
        assert self._account_uids is not None
        return self._account_uids.get(code, code)

    def account_code(self, uid: str) -> str:
        return self._account_codes.get(uid, uid)

    def tax_uid(self, code: str) -> str:
        """The UID of the tax code with this Code (cached with the chart)."""
        self._load_chart()
        assert self._tax_uids is not None
        return self._tax_uids.get(code, code)

    def has_tax_code(self, code: str) -> bool:
        self._load_chart()
        return code in (self._tax_uids or {})

    # -- look-ups after a lost answer -----------------------------------------------------------------------
    def _by_field(self, route: str, field: str, values: Sequence[str], purpose: str) -> list[dict[str, Any]]:
        out: list[dict[str, Any]] = []
        values = list(dict.fromkeys(values))
        for start in range(0, len(values), IDS_PER_READ):
            where = " or ".join(f"{field} eq {q(v)}" for v in values[start : start + IDS_PER_READ])
            for page in self.pages(route, where=where, purpose=purpose):
                out += page
        return out

    def find_existing_parties(self, parties: Sequence[PartyView]) -> dict[int, tuple[str, str]]:
        found: dict[int, tuple[str, str]] = {}
        for is_customer in (True, False):
            group = {p.code.lower(): p for p in parties if p.is_customer == is_customer}
            if not group:
                continue
            for row in self._by_field(party_route(is_customer), "DisplayID", [p.code for p in group.values()],
                                      "look up customers and suppliers"):
                party = group.get(str(row.get("DisplayID") or "").lower())
                if party is not None and row.get("IsActive", True):
                    found[party.id] = (str(row["UID"]), str(row.get("CompanyName") or party.name))
        return found

    def find_existing_items(self, items: Sequence[ItemView]) -> dict[int, tuple[str, str]]:
        by_code = {i.code.lower(): i for i in items}
        found: dict[int, tuple[str, str]] = {}
        for row in self._by_field("Inventory/Item", "Number", [i.code for i in items], "look up items"):
            view = by_code.get(str(row.get("Number") or "").lower())
            if view is not None:
                found[view.id] = (str(row["UID"]), str(row.get("Name") or view.name))
        return found

    def find_existing_documents(self, items: Sequence[DocumentExport]) -> dict[int, RemoteDocument]:
        """By number (a sale's Number, a bill's SupplierInvoiceNumber) for the same customer or supplier, then by
        the host id stamped in JournalMemo for what the number did not find."""
        found: dict[int, RemoteDocument] = {}
        for sales in (True, False):
            group = [it for it in items if (it.document.type in SALES_TYPES) == sales]
            if not group:
                continue
            route = "Sale/Invoice" if sales else "Purchase/Bill"
            number_field, party_field = ("Number", "Customer") if sales else ("SupplierInvoiceNumber", "Supplier")
            rows = self._by_field(route, number_field, [it.document.number for it in group], "look up documents")
            missing = [it for it in group if not self._match(it, rows, number_field, party_field, found)]
            if missing:
                stamps = [f"substringof({q(memo_stamp(it.document.host_id))}, JournalMemo) eq true" for it in missing]
                rows = [r for start in range(0, len(stamps), IDS_PER_READ) for page in self.pages(
                    route, where=" or ".join(stamps[start : start + IDS_PER_READ]), purpose="look up documents")
                    for r in page]
                for it in missing:
                    for row in rows:
                        if memo_stamp(it.document.host_id) in str(row.get("JournalMemo") or ""):
                            found[it.sync_record_id] = remote_document(row)
                            break
        return found

    @staticmethod
    def _match(item: DocumentExport, rows: list[dict[str, Any]], number_field: str, party_field: str,
               found: dict[int, RemoteDocument]) -> bool:
        credit = item.document.type in CREDIT_TYPES
        for row in rows:
            if (str(row.get(number_field) or "") == item.document.number
                    and str((row.get(party_field) or {}).get("UID")) == item.party_external_id
                    and (dec(row.get("TotalAmount")) < 0) == credit):
                found[item.sync_record_id] = remote_document(row)
                return True
        return False

    # -- read-back (seen tick) -------------------------------------------------------------------------------
    def read_back_documents(self, wanted: Sequence[tuple[str, str]]) -> dict[str, RemoteDocument]:
        out: dict[str, RemoteDocument] = {}
        for route in {READ_ROUTES[t] for t, _ in wanted}:
            rows = self.by_uids(route, [ext for t, ext in wanted if READ_ROUTES[t] == route], "read back")
            out.update({doc.external_id: doc for doc in self._remote_documents(route, list(rows.values()))})
        return out

    def _remote_documents(self, route: str, rows: Sequence[dict[str, Any]]) -> list[RemoteDocument]:
        """Sales or bills as :class:`RemoteDocument`, what was settled of each told apart: applied credit (read
        from the settlements) and the rest paid."""
        docs = [remote_document(row) for row in rows]
        credited = self._credits_applied(route, [row for row, doc in zip(rows, docs, strict=True)
                                                 if doc.amount_paid > 0])
        return [_split_settled(doc, credited.get(doc.external_id, Decimal(0))) for doc in docs]

    def _credits_applied(self, route: str, rows: Sequence[dict[str, Any]]) -> dict[str, Decimal]:
        """Per sale (bill) UID, the credit the card's credit (debit) settlements applied to it. MYOB's
        BalanceDueAmount counts payments and credits alike; reconciliation tells a credit applied in MYOB only
        from a payment not yet imported, so the settlements of the cards of the documents something settled are
        read (none when nothing is settled: the read-back after an upload costs no call more)."""
        if route not in SETTLED_BY or not rows:
            return {}
        settle_route, doc_field, party_field = SETTLED_BY[route]
        wanted = {str(row["UID"]) for row in rows}
        cards = sorted({str((row.get(party_field) or {}).get("UID")) for row in rows})
        out: dict[str, Decimal] = {}
        for start in range(0, len(cards), IDS_PER_READ):
            where = " or ".join(f"{party_field}/UID eq {guid(c)}" for c in cards[start : start + IDS_PER_READ])
            for page in self.pages(settle_route, where=where, purpose="read credit settlements"):
                for settlement in page:
                    for line in settlement.get("Lines") or []:
                        uid = str((line.get(doc_field) or {}).get("UID"))
                        if uid in wanted:
                            out[uid] = out.get(uid, Decimal(0)) + dec(line.get("AmountApplied"))
        return out

    def remote_documents_since(self, since: datetime, doc_types: set[str],
                               wanted: Mapping[str, str] | None = None) -> Iterator[list[RemoteDocument]]:
        for route in sorted({READ_ROUTES[t] for t in doc_types}):
            awaited = None if wanted is None else {ext for ext, t in wanted.items() if READ_ROUTES.get(t) == route}
            if awaited is not None and not awaited:
                continue
            enough = _awaiting(awaited)
            for page in self.pages(route, where=f"LastModified ge datetime{q(myob_datetime(since))}",
                                   purpose="read back changes"):
                yield self._remote_documents(route, page)
                if enough(page):
                    break

    # -- payments made in MYOB -------------------------------------------------------------------------------
    def payment_parts_prefix(self, external_id: str) -> str:
        return f"{external_id}:"

    def whole_payment_id(self, external_id: str) -> str:
        return external_id.split(":", 1)[0]

    def host_id_in_reference(self, reference: str | None) -> str | None:
        """Our payments carry the host id stamped in their Memo (``[lb <host id>]``)."""
        found = _STAMP.search(reference or "")
        return found.group(1) if found else None

    def fetch_payments(self, since: datetime | None) -> Iterator[RemotePayment]:
        """Customer and supplier payments changed since ``since`` (less the look-back), oldest first; one paying
        several documents is imported as parts ``<payment UID>:<document UID>``. MYOB lists no deleted records:
        deletions are found by :meth:`deleted_payments`."""
        self._load_chart()
        for route, direction, lines_field, amount_field, number_field in PAYMENT_ROUTES:
            where = f"LastModified gt datetime{q(myob_datetime(since - LOOK_BACK))}" if since is not None else ""
            for page in self.pages(route, where=where, order="LastModified", purpose="read payments"):
                for raw in page:
                    yield from self._payment_parts(raw, route, direction, lines_field, amount_field, number_field)

    def _payment_parts(self, raw: dict[str, Any], route: str, direction: str, lines_field: str, amount_field: str,
                       number_field: str) -> Iterator[RemotePayment]:
        uid = str(raw["UID"])
        party = raw.get("Customer") or raw.get("Supplier") or {}
        applied = []
        for line in raw.get(lines_field) or []:
            doc = line if direction == "in" else (line.get("Purchase") or {})
            if line.get("Type") == "Order":  # a deposit held on a sale order: money on account here
                doc = {}
            applied.append((str(doc["UID"]) if doc.get("UID") else None, doc.get("Number"),
                            dec(line.get("AmountApplied"))))
        total = dec(raw.get(amount_field)) or sum((a for _, _, a in applied), Decimal(0))
        if not applied:
            applied = [(None, None, total)]
        memo = str(raw.get("Memo") or "")
        reference = memo if _STAMP.search(memo) else (raw.get(number_field) or memo or None)
        updated = when(raw.get("LastModified")) or when(raw.get("Date"))
        assert updated is not None
        for doc_uid, number, amount in applied:
            yield RemotePayment(
                external_id=uid if len(applied) == 1 else f"{self.payment_parts_prefix(uid)}{doc_uid}",
                payment_type=route.rsplit("/", 1)[-1], direction=direction,
                payment_date=date.fromisoformat(str(raw["Date"])[:10]), amount=amount,
                currency=(raw.get("ForeignCurrency") or {}).get("Code") or self._base_currency(),
                reference=reference, document_external_id=doc_uid, document_number=number,
                party_external_id=str(party["UID"]) if party.get("UID") else None,
                party_name=party.get("Name"), bank_account_code=self.account_code(
                    str((raw.get("Account") or {}).get("UID") or "")) or None,
                deleted=False, updated_at=updated, raw=raw)

    def deleted_payments(self, imported: Sequence[ImportedPayment]) -> list[str]:
        """Of the payments imported here earlier and dated within ``DELETION_LOOK_BACK``, those MYOB no longer
        holds: MYOB's lists show no deleted records, so a deletion is found by asking for the UIDs themselves
        (``IDS_PER_READ`` a call, on the payment's own route). Older payments are not checked: each is a read."""
        since = (datetime.now(UTC) - DELETION_LOOK_BACK).date()
        recent = [p for p in imported if p.payment_date >= since]
        gone: list[str] = []
        for route, direction, *_ in PAYMENT_ROUTES:
            wanted = [p.external_id for p in recent if p.direction == direction]
            if wanted:
                present = self.by_uids(route, wanted, "look for deleted payments")
                gone += [uid for uid in wanted if uid not in present]
        return gone
