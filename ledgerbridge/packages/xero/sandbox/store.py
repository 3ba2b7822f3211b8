"""The sandbox's organisations and the single lock that serialises every change to them.

Business rules live in the rule modules (:mod:`.contacts`, :mod:`.items`, :mod:`.documents`,
:mod:`.settlements`, :mod:`.banking`), which work on one :class:`~.books.TenantBooks` at a time; this module
owns the books, hands them out under the lock, and offers the few operations that more than one front end
needs (the API, the HTML pages and the admin helpers all record payments through :meth:`record_payment`).
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from .books import TenantBooks, name_key
from .config import SandboxConfig
from .contacts import ContactInput, save_contact
from .errors import NotFound
from .inputs import read_payment
from .reader import Reader
from .settlements import create_payment
from .views import payment_view


class SandboxStore:
    def __init__(self, config: SandboxConfig) -> None:
        self.config = config
        self._lock = threading.RLock()
        self._books: dict[str, TenantBooks] = {}
        self.reset()

    def reset(self) -> None:
        """Back to the seed organisations: empty books, seed chart of accounts, same tenant ids."""
        with self._lock:
            self._books = {seed.tenant_id: TenantBooks(seed, self.config) for seed in self.config.tenants}

    def tenant_names(self) -> dict[str, str]:
        return {tenant_id: books.name for tenant_id, books in self._books.items()}

    @contextmanager
    def open(self, tenant_id: str) -> Iterator[TenantBooks]:
        """One tenant's books, held under the store lock for the duration of the ``with`` block."""
        with self._lock:
            books = self._books.get(tenant_id)
            if books is None:
                raise NotFound()
            yield books

    def add_contacts(self, tenant_id: str, rows: list[dict[str, Any]]) -> tuple[list[str], list[str]]:
        """Contacts a user made in Xero by hand (the books an organisation keeps before it connects), under
        Xero's uniqueness rules; ``IsCustomer`` / ``IsSupplier`` as its documents would have set them. (ids, errors):
        nothing is added when one is refused."""
        with self.open(tenant_id) as books:
            made, errors = [], []
            for row in rows:
                details = {"EmailAddress": row["EmailAddress"]} if row.get("EmailAddress") else {}
                contact, refused = save_contact(books, ContactInput(frozenset(), None, str(row.get("Name") or ""),
                                                                    row.get("ContactNumber"), None, details), None)
                if contact is None:
                    errors += [f"{row.get('Name')}: {e}" for e in refused]
                    continue
                contact.is_customer, contact.is_supplier = bool(row.get("IsCustomer")), bool(row.get("IsSupplier"))
                made.append(contact)
            if errors:
                for contact in made:
                    del books.contacts[contact.contact_id]
                    books.active_contact_by_name.pop(name_key(contact.name), None)
                    books.contact_by_number.pop(name_key(contact.number or ""), None)
                return [], errors
            return [c.contact_id for c in made], []

    def record_payment(self, tenant_id: str, payload: dict[str, Any]) -> tuple[dict[str, Any] | None, list[str]]:
        """Record a payment as a user would in Xero: same rules as ``PUT /Payments``."""
        given = read_payment(Reader(payload, "Payment"))
        with self.open(tenant_id) as books:
            payment, errors = create_payment(books, given)
            return (payment_view(books, payment) if payment else None), errors
