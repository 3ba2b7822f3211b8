"""What the QuickBooks Online connector reads: the chart (accounts, tax codes, currencies), look-ups after a lost
answer (by DisplayName, Sku, DocNumber), the read-back for the seen tick, and money made in QuickBooks (payments
by CDC within 30 days or by query, credit notes applied: ``qbo.credits``). Writes are in ``qbo.connector``.
"""

from __future__ import annotations

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
    RemoteCredit,
    RemoteDocument,
    RemotePayment,
)
from ledgerbridge.packages.qbo import payments as qbo_payments
from ledgerbridge.packages.qbo.calls import QboCalls, _dec, _iso, _q, _when
from ledgerbridge.packages.qbo.credits import APPLIED_BY, HeldCredit, credits_with_applications
from ledgerbridge.packages.qbo.limits import IN_CHUNK
from ledgerbridge.packages.qbo.mapper import SALES_ENTITIES, entity_of
from ledgerbridge.packages.qbo.settlement import (
    PAYMENT_LINKS,
    SETTLED_BY,
    ReadByIds,
    cash_allocations,
    remote_document,
    split_settlements,
)
from ledgerbridge.store.views import ItemView, PartyView

SALES_ACCOUNT_TYPES = {"Income", "Other Income"}
PURCHASE_ACCOUNT_TYPES = {"Expense", "Other Expense", "Cost of Goods Sold", "Fixed Asset", "Other Current Asset",
                          "Other Asset"}
BANK_ACCOUNT_TYPES = {"Bank"}
CDC_DAYS = 29  # QBO's CDC looks back 30 days; keep a day's margin
CDC_MAX = 1000


def _voided(doc: dict[str, Any]) -> bool:
    return str(doc.get("PrivateNote") or "").startswith("Voided") and _dec(doc.get("TotalAmt")) == 0


def _remote(doc: dict[str, Any], entity: str = "Invoice") -> RemoteDocument:
    return remote_document(doc, voided=_voided(doc), credit=entity in ("CreditMemo", "VendorCredit"))



def line_reference_number(line: dict[str, Any]) -> str | None:
    """The number of the document a payment's line pays, from its ``LineEx`` (name-value pairs QuickBooks adds
    to a payment's lines: ``txnId``, ``txnOpenBalance``, ``txnReferenceNumber``); None when it is not there."""
    for entry in (line.get("LineEx") or {}).get("any") or []:
        pair = entry.get("value") or {}
        if pair.get("Name") == "txnReferenceNumber" and pair.get("Value") is not None:
            return str(pair["Value"])
    return None


#: A document entity -> the credit entity applied to it (through a Payment, a BillPayment).
CREDIT_OF = {"Invoice": "CreditMemo", "Bill": "VendorCredit"}


def _from(payments: dict[str, dict[str, Any]]) -> ReadByIds:
    """A reader answering from payments already read: a payment not among them applies no credit (it is cash
    only, nothing to split), so it is never read."""
    return lambda entity, ids, purpose: {i: payments[i] for i in ids if i in payments}


def _seen_all(awaited: set[str] | None) -> Callable[[list[dict[str, Any]]], bool] | None:
    """For ``_query_ahead``: true once every awaited Id has come back (the set is used up as pages arrive)."""
    if awaited is None:
        return None

    def enough(rows: list[dict[str, Any]]) -> bool:
        awaited.difference_update(str(row["Id"]) for row in rows)
        return not awaited

    return enough


class QboReads(QboCalls):
    """Reads of one company; the chart's ids are kept for the writes (``qbo.connector``) too."""

    _lock: threading.Lock
    _account_ids: dict[str, str] | None  # chart code -> Id
    _account_codes: dict[str, str]  # Id -> chart code
    _bank_ids: list[str]  # the bank accounts' Ids, by chart code
    _home_currency: str | None
    credits_held: dict[str, HeldCredit]  # credit memos and vendor credits read, by Id (``qbo.credits``)

    # -- chart -----------------------------------------------------------------------------------------------
    def fetch_chart(self) -> ChartSnapshot:
        accounts = []
        rows = [acc for page in self.query("Account", purpose="refresh chart") for acc in page]
        for acc in rows:
            kind = acc.get("AccountType", "")
            usable = [side for side, kinds in (("sales", SALES_ACCOUNT_TYPES), ("purchases", PURCHASE_ACCOUNT_TYPES),
                                               ("bank", BANK_ACCOUNT_TYPES)) if kind in kinds]
            accounts.append(ChartAccount(str(acc.get("AcctNum") or acc["Id"]), str(acc["Id"]), acc.get("Name", ""),
                                         kind, tuple(usable), bool(acc.get("Active", True))))
        self._remember_accounts(rows)
        rates = {str(r["Id"]): _dec(r.get("RateValue")) for page in self.query("TaxRate", purpose="refresh chart")
                 for r in page}
        codes = []
        for page in self.query("TaxCode", purpose="refresh chart"):
            for tax_code in page:
                sides = {}
                for side, field in (("sales", "SalesTaxRateList"), ("purchases", "PurchaseTaxRateList")):
                    details = (tax_code.get(field) or {}).get("TaxRateDetail") or []
                    if details:
                        sides[side] = sum((rates.get(str(d["TaxRateRef"]["value"]), Decimal(0)) for d in details),
                                          Decimal(0))
                rate = sides.get("sales", sides.get("purchases", Decimal(0)))
                codes.append(ChartTaxRate(str(tax_code["Id"]), tax_code.get("Name", ""), rate, tuple(sides),
                                          bool(tax_code.get("Active", True))))
        prefs = self._call("GET", "/preferences", purpose="refresh chart").get("Preferences", {})
        currency = prefs.get("CurrencyPrefs") or {}
        base = (currency.get("HomeCurrency") or {}).get("value") or "GBP"
        currencies = [base]
        if currency.get("MultiCurrencyEnabled"):
            for page in self.query("CompanyCurrency", purpose="refresh chart"):
                currencies += [c["Code"] for c in page if c.get("Active", True) and c.get("Code") != base]
        self._home_currency = base
        return ChartSnapshot(tuple(accounts), tuple(codes), tuple(currencies), base)

    def _remember_accounts(self, rows: list[dict[str, Any]]) -> None:
        codes = {str(a["Id"]): str(a.get("AcctNum") or a["Id"]) for a in rows}
        self._account_ids = {code: account_id for account_id, code in codes.items()}
        self._account_codes = codes
        self._bank_ids = sorted((str(a["Id"]) for a in rows if a.get("AccountType") in BANK_ACCOUNT_TYPES
                                 and a.get("Active", True)), key=lambda account_id: codes[account_id])

    def account_id(self, code: str) -> str:
        """The Id of the chart account with this code (the chart is read once when the connector has not read
        it yet); the code itself when there is none, for QuickBooks to refuse with its own message."""
        with self._lock:
            if self._account_ids is None:
                self._remember_accounts([a for page in self.query("Account", purpose="read accounts") for a in page])
            assert self._account_ids is not None
            return self._account_ids.get(code, code)

    def bank_account_id(self) -> str | None:
        """The Id of the chart's first active bank account (by code), read with the accounts; None if none."""
        self.account_id("")
        return self._bank_ids[0] if self._bank_ids else None

    def account_code(self, account_id: str) -> str:
        """The chart code of the account with this Id, as the last chart read knew it (else the Id itself): item
        names quote it."""
        return self._account_codes.get(account_id, account_id)

    def find_existing_items(self, items: Sequence[ItemView]) -> dict[int, tuple[str, str]]:
        found: dict[int, tuple[str, str]] = {}
        by_code = {i.code.lower(): i for i in items}
        codes = [i.code for i in items]
        for start in range(0, len(codes), IN_CHUNK):
            where = "Sku IN (" + ", ".join(_q(c) for c in codes[start : start + IN_CHUNK]) + ")"
            for page in self.query("Item", where, purpose="look up items"):
                for item in page:
                    view = by_code.get(str(item.get("Sku", "")).lower())
                    if view is not None:
                        found[view.id] = (str(item["Id"]), item.get("Name", view.name))
        return found

    # -- lookups after a lost answer -------------------------------------------------------------------------
    def find_existing_parties(self, parties: Sequence[PartyView]) -> dict[int, tuple[str, str]]:
        found: dict[int, tuple[str, str]] = {}
        for entity, group in (("Customer", [p for p in parties if p.is_customer]),
                              ("Vendor", [p for p in parties if not p.is_customer])):
            names: dict[str, PartyView] = {}
            for p in group:
                names[p.name.strip().lower()] = p
                names[f"{p.name} ({p.code})".strip().lower()] = p
            keys = list(names)
            for start in range(0, len(keys), IN_CHUNK):
                where = "DisplayName IN (" + ", ".join(_q(k) for k in keys[start : start + IN_CHUNK]) + ")"
                for page in self.query(entity, where, purpose="look up customers and suppliers"):
                    for row in page:
                        name = str(row.get("DisplayName", ""))
                        party = names.get(name.strip().lower())
                        # the plain name may belong to another record: prefer the one carrying our code
                        if party is not None and row.get("Active", True) and (
                                party.id not in found or name.lower().endswith(f"({party.code.lower()})")):
                            found[party.id] = (str(row["Id"]), name)
        return found

    def find_existing_documents(self, items: Sequence[DocumentExport]) -> dict[int, RemoteDocument]:
        found: dict[int, RemoteDocument] = {}
        for entity in {entity_of(it.document.type) for it in items}:
            group = [it for it in items if entity_of(it.document.type) == entity]
            party_field = "CustomerRef" if entity in SALES_ENTITIES else "VendorRef"
            for start in range(0, len(group), IN_CHUNK):
                chunk = group[start : start + IN_CHUNK]
                where = "DocNumber IN (" + ", ".join(_q(it.document.number) for it in chunk) + ")"
                remote = [d for page in self.query(entity, where, purpose="look up documents") for d in page]
                for it in chunk:
                    for doc in remote:
                        if (doc.get("DocNumber") == it.document.number and not _voided(doc)
                                and str((doc.get(party_field) or {}).get("value")) == it.party_external_id
                                and (entity in SALES_ENTITIES or _dec(doc.get("TotalAmt")) == it.document.gross_total)):
                            found[it.sync_record_id] = _remote(doc, entity)
                            break
        return found

    # -- read-back (seen tick) -------------------------------------------------------------------------------
    def read_back_documents(self, wanted: Sequence[tuple[str, str]]) -> dict[str, RemoteDocument]:
        out: dict[str, RemoteDocument] = {}
        for entity in {entity_of(t) for t, _ in wanted}:
            rows = self.by_ids(entity, [ext for t, ext in wanted if entity_of(t) == entity], "read back")
            out.update(split_settlements(entity, rows, {i: _remote(d, entity) for i, d in rows.items()}, self.by_ids))
        return out

    def remote_documents_since(self, since: datetime, doc_types: set[str],
                               wanted: Mapping[str, str] | None = None) -> Iterator[list[RemoteDocument]]:
        """One query per entity, credits (credit memos, vendor credits) first: the payments that apply a credit
        are in its ``LinkedTxn``, so once every credit changed since ``since`` has been read (applying one changes
        it), splitting the invoices' (bills') settled amounts needs only those payments, not every payment that
        touches them. With ``wanted``, an entity's query stops once its wanted documents are all seen; a credit
        entity is read to its end when its documents are split in this pass."""
        entities = {entity_of(t) for t in doc_types}
        applying: dict[str, set[str]] = {}  # credit entity -> the payments that apply one of them
        for entity in sorted(entities, key=lambda e: (e not in CREDIT_OF.values(), e)):
            splits_here = any(CREDIT_OF.get(doc) == entity for doc in entities)
            awaited = (None if wanted is None or splits_here
                       else {ext for ext, t in wanted.items() if entity_of(t) == entity})
            if awaited is not None and not awaited:
                continue
            read: ReadByIds = self.by_ids
            if CREDIT_OF.get(entity) in applying:  # every payment that applies a credit, read once for all pages
                read = _from(self.by_ids(SETTLED_BY[entity][0], sorted(applying[CREDIT_OF[entity]]),
                                         "read settlements"))
            # the next page is prepared by QuickBooks while this one is ticked
            for page in self._query_ahead(entity, f"MetaData.LastUpdatedTime >= {_q(_iso(since))}",
                                          purpose="read back changes", enough=_seen_all(awaited)):
                rows = {str(doc["Id"]): doc for doc in page}
                if entity in CREDIT_OF.values():
                    applying.setdefault(entity, set()).update(
                        str(t["TxnId"]) for doc in page for t in doc.get("LinkedTxn") or []
                        if t.get("TxnType") in PAYMENT_LINKS)
                yield list(split_settlements(entity, rows, {i: _remote(d, entity) for i, d in rows.items()},
                                             read).values())

    # -- payments' identity: one Payment over several documents is imported as parts "Id:TxnId" (see below) ----
    PART_SEPARATOR = ":"

    def payment_parts_prefix(self, external_id: str) -> str:
        return f"{external_id}{self.PART_SEPARATOR}"

    def whole_payment_id(self, external_id: str) -> str:
        return external_id.split(self.PART_SEPARATOR, 1)[0]

    def host_id_in_reference(self, reference: str | None) -> str | None:
        """Our export writes the host id (cut to the field's 21 characters) as the reference: a cut one is not
        recognised, and such a payment is imported like any other."""
        return reference.strip() or None if reference else None

    def fetch_payments(self, since: datetime | None) -> Iterator[RemotePayment]:
        now = datetime.now(UTC)
        if since is not None and (since if since.tzinfo else since.replace(tzinfo=UTC)) > now - timedelta(
                days=CDC_DAYS):
            changed = self._cdc(since)
            if changed is not None:
                yield from self._payments(changed)
                return
        for entity in ("Payment", "BillPayment"):
            where = f"MetaData.LastUpdatedTime > {_q(_iso(since))}" if since is not None else ""
            for page in self.query(entity, where, "MetaData.LastUpdatedTime", purpose="read payments"):
                yield from self._payments([(entity, p) for p in page])

    def fetch_allocations(self, since: datetime | None) -> Iterator[RemoteCredit]:
        """Credit memos and vendor credits changed since ``since`` (applying one changes its LinkedTxn), with
        their applications."""
        where = f"MetaData.LastUpdatedTime > {_q(_iso(since))}" if since is not None else ""
        for entity in APPLIED_BY:
            for page in self.query(entity, where, "MetaData.LastUpdatedTime", purpose="read allocations"):
                for row, credit in zip(page, credits_with_applications(self, entity, page), strict=True):
                    yield replace(credit, updated_at=_when(str((row.get("MetaData") or {}).get("LastUpdatedTime"))))

    def read_credits(self, source_kind: str, external_ids: Sequence[str]) -> dict[str, RemoteCredit]:
        return qbo_payments.read_credits(self, source_kind, external_ids)

    def _cdc(self, since: datetime) -> list[tuple[str, dict[str, Any]]] | None:
        """Changed payments since ``since`` through CDC; None when the answer may be cut short (use the query)."""
        data = self._call("GET", "/cdc", params={"entities": "Payment,BillPayment", "changedSince": _iso(since)},
                          purpose="read changed payments")
        out = []
        for block in data.get("CDCResponse", []):
            for response in block.get("QueryResponse", []):
                for entity in ("Payment", "BillPayment"):
                    out += [(entity, row) for row in response.get(entity, []) or []]
        return None if len(out) >= CDC_MAX else out

    def _payments(self, rows: list[tuple[str, dict[str, Any]]]) -> Iterator[RemotePayment]:
        # The paid document's number is on the payment's line (LineEx's txnReferenceNumber); a line without it
        # costs a read of its documents.
        linked: dict[str, set[str]] = {}
        numbers: dict[str, str | None] = {}
        for _, raw in rows:
            for line in raw.get("Line") or []:
                number = line_reference_number(line)
                for txn in line.get("LinkedTxn") or []:
                    if txn.get("TxnType") in ("Invoice", "Bill"):
                        if number is not None:
                            numbers[str(txn["TxnId"])] = number
                        else:
                            linked.setdefault(txn["TxnType"], set()).add(str(txn["TxnId"]))
        for entity, ids in linked.items():
            ids.difference_update(numbers)
            numbers.update({i: d.get("DocNumber") for i, d in self.by_ids(entity, sorted(ids),
                                                                          "read paid documents").items()})
        if self._account_ids is None:
            self.account_id("")
        for entity, raw in rows:
            updated = _when(str((raw.get("MetaData") or {}).get("LastUpdatedTime")))
            if raw.get("status") == "Deleted":
                yield RemotePayment(str(raw["Id"]), entity, "out" if entity == "BillPayment" else "in", updated.date(),
                                    Decimal(0), "", None, None, None, None, None, None, True, updated, raw)
                continue
            party = raw.get("CustomerRef") or raw.get("VendorRef") or {}
            bank = (raw.get("DepositToAccountRef") or (raw.get("CheckPayment") or {}).get("BankAccountRef")
                    or (raw.get("CreditCardPayment") or {}).get("CCAccountRef") or {}).get("value")
            allocations: list[tuple[str | None, Decimal]] = list(
                cash_allocations(raw, "Invoice" if entity == "Payment" else "Bill"))
            unapplied = _dec(raw.get("UnappliedAmt"))
            if not allocations:
                if not _dec(raw.get("TotalAmt")):
                    continue  # only a credit applied: no money moved (R-I3), nothing to import
                allocations = [(None, _dec(raw.get("TotalAmt")))]
            elif unapplied > 0:  # the rest of a part-applied payment is on the customer's account
                allocations.append(("unapplied", unapplied))
            for txn_id, amount in allocations:
                yield RemotePayment(
                    external_id=str(raw["Id"]) if len(allocations) == 1 else self.payment_parts_prefix(str(raw["Id"]))
                    + str(txn_id),
                    payment_type=entity, direction="out" if entity == "BillPayment" else "in",
                    payment_date=date.fromisoformat(str(raw["TxnDate"])[:10]), amount=amount,
                    currency=(raw.get("CurrencyRef") or {}).get("value") or self._home_currency or "GBP",
                    reference=raw.get("PaymentRefNum") or raw.get("DocNumber"),
                    document_external_id=None if txn_id == "unapplied" else txn_id,
                    document_number=numbers.get(txn_id) if txn_id else None,
                    party_external_id=str(party["value"]) if party.get("value") else None,
                    party_name=party.get("name"), bank_account_code=self._account_codes.get(str(bank), bank),
                    deleted=False, updated_at=updated, raw=raw)

