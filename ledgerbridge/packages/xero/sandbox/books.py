"""One organisation's books in memory, with the indexes that keep batch writes fast.

Uniqueness checks (contact names, invoice numbers, item codes) are dictionary look-ups, never scans, so a
200-request export of 50 invoices each costs the same per invoice whether the books hold ten or ten thousand
documents.  Keys that Xero compares case-insensitively are normalised by :func:`name_key`.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from functools import lru_cache

from .chart import ACCOUNT_CLASS_BY_TYPE, ACCOUNT_SEEDS, CURRENCY_NAMES, TAX_RATE_SEEDS, seed_account_id
from .config import SandboxConfig, TenantSeed
from .records import (
    Account,
    Allocation,
    BankTransaction,
    Contact,
    Credit,
    Document,
    Item,
    Payment,
    TaxRate,
)
from .wire import date_of_ms, now_ms

ONE = Decimal("1.000000")


@lru_cache(maxsize=65_536)
def name_key(value: str) -> str:
    """Xero treats names, numbers and codes as equal regardless of case and surrounding spaces."""
    return " ".join(value.split()).casefold()


class TenantBooks:
    """The state of one sandbox organisation.  Not thread-safe: the store serialises access."""

    def __init__(self, seed: TenantSeed, config: SandboxConfig) -> None:
        self.seed = seed
        self.tenant_id = seed.tenant_id
        self.name = seed.name
        self.base_currency = seed.base_currency
        self.enabled_currencies = frozenset(seed.enabled_currencies)
        self.fx_rates = dict(config.fx_rates)
        self.created = now_ms()
        self._clock = 0

        self.accounts: dict[str, Account] = {}
        self.account_by_code: dict[str, Account] = {}
        self.tax_rates: dict[str, TaxRate] = {}
        self.contacts: dict[str, Contact] = {}
        self.active_contact_by_name: dict[str, str] = {}
        self.contact_by_number: dict[str, str] = {}
        self.items: dict[str, Item] = {}
        self.item_by_code: dict[str, str] = {}
        self.documents: dict[str, Document] = {}
        #: (document type, number key) -> ids; several because bill numbers may repeat.  Tuples of strings, which
        #: the garbage collector need not walk (one list per document was a measurable share of its work).
        self.documents_by_number: dict[tuple[str, str], tuple[str, ...]] = {}
        self.documents_by_contact: dict[str, list[str]] = {}
        self.credits: dict[str, Credit] = {}
        self.payments: dict[str, Payment] = {}
        self.allocations: dict[str, Allocation] = {}
        self.bank_transactions: dict[str, BankTransaction] = {}
        self.next_number: dict[str, int] = {"ACCREC": 1, "ACCRECCREDIT": 1}
        self._seed_chart()

    # ------------------------------------------------------------------------------------------ clock

    def tick(self) -> int:
        """The time of a change: wall-clock ms, never earlier than the previous change."""
        self._clock = max(now_ms(), self._clock)
        return self._clock

    def today(self) -> date:
        return date_of_ms(now_ms())

    # --------------------------------------------------------------------------------------- reference

    def _seed_chart(self) -> None:
        for seed in ACCOUNT_SEEDS:
            account = Account(
                account_id=seed_account_id(self.tenant_id, seed.code),
                code=seed.code,
                name=seed.name,
                type=seed.type,
                tax_type=seed.tax_type,
                account_class=ACCOUNT_CLASS_BY_TYPE[seed.type],
                system_account=seed.system_account,
                enable_payments=seed.enable_payments,
                bank_account_number=seed.bank_account_number,
                currency_code=self.base_currency if seed.type == "BANK" else "",
                updated=self.created,
            )
            self.accounts[account.account_id] = account
            self.account_by_code[name_key(account.code)] = account
        for rate in TAX_RATE_SEEDS:
            self.tax_rates[rate.tax_type] = TaxRate(
                tax_type=rate.tax_type,
                name=rate.name,
                rate=rate.rate,
                report_tax_type=rate.report_tax_type,
                can_apply={
                    "Revenue": rate.revenue,
                    "Expenses": rate.expenses,
                    "Assets": rate.assets,
                    "Liabilities": rate.liabilities,
                    "Equity": rate.equity,
                },
            )

    def currency_names(self) -> list[tuple[str, str]]:
        ordered = [self.base_currency] + sorted(self.enabled_currencies - {self.base_currency})
        return [(code, CURRENCY_NAMES.get(code, code)) for code in ordered]

    def default_rate(self, currency_code: str) -> Decimal:
        if currency_code == self.base_currency:
            return ONE
        return self.fx_rates.get(currency_code, ONE)

    def find_account(self, account_id: str | None, code: str | None) -> Account | None:
        if account_id:
            return self.accounts.get(account_id)
        if code:
            return self.account_by_code.get(name_key(code))
        return None

    # ----------------------------------------------------------------------------------------- indexes

    def index_contact(self, contact: Contact, previous_name: str | None, previous_number: str | None,
                      previous_status: str | None) -> None:
        """Keep the name and number indexes in step after a contact is created or changed."""
        if previous_name is not None and previous_status == "ACTIVE":
            key = name_key(previous_name)
            if self.active_contact_by_name.get(key) == contact.contact_id:
                del self.active_contact_by_name[key]
        if previous_number:
            key = name_key(previous_number)
            if self.contact_by_number.get(key) == contact.contact_id:
                del self.contact_by_number[key]
        if contact.status == "ACTIVE":
            self.active_contact_by_name[name_key(contact.name)] = contact.contact_id
        if contact.number:
            self.contact_by_number[name_key(contact.number)] = contact.contact_id

    def index_document(self, doc: Document, previous: tuple[str, str] | None) -> None:
        """Keep the number index in step; ``previous`` is the (type, number) the document was filed under."""
        if previous is not None:
            if previous == (doc.type, doc.number):
                return
            key = (previous[0], name_key(previous[1]))
            ids = self.documents_by_number.get(key, ())
            if doc.doc_id in ids:
                self.documents_by_number[key] = tuple(i for i in ids if i != doc.doc_id)
        if doc.number:
            key = (doc.type, name_key(doc.number))
            self.documents_by_number[key] = (*self.documents_by_number.get(key, ()), doc.doc_id)

    def documents_numbered(self, doc_type: str, number: str) -> list[Document]:
        ids = self.documents_by_number.get((doc_type, name_key(number)), ())
        return [self.documents[i] for i in ids]

    def number_taken(self, doc_type: str, number: str, except_id: str | None = None) -> bool:
        """Sales numbers are unique among documents that still count (deleted ones free their number)."""
        return any(
            doc.doc_id != except_id and doc.status != "DELETED" for doc in self.documents_numbered(doc_type, number)
        )

    def allocate_number(self, doc_type: str) -> str:
        """Xero's automatic sales numbering: INV-0001, CN-0001, ... skipping numbers already used."""
        prefix = "INV-" if doc_type == "ACCREC" else "CN-"
        while True:
            candidate = f"{prefix}{self.next_number[doc_type]:04d}"
            self.next_number[doc_type] += 1
            if not self.number_taken(doc_type, candidate):
                return candidate
