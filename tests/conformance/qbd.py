"""QuickBooks Desktop in the conformance suite: the sandbox company behind its books page, the Web Connector played by
the tests' pump (``tests/qbd/pump.py``), and its books as a QuickBooks user sees them.

Not in ``fixtures.HARNESSES`` yet: the package is not registered (``packages/registry.py``) and the suite's
connection and fault tests assume a package reached over HTTP with OAuth. To run the suite with it, add
``"qbd": QBD`` to ``HARNESSES``; what fails, and why, is in the report of the connector's branch.

What differs from the HTTP packages, and how this harness maps it:

* *connecting*: there is no consent page; the Web Connector polls us (a password and a ``.qwc`` file, another
  part's). :meth:`QbdHarness.opened` connects as ``tests/qbd/world.connect_world`` does, with the package
  registered for the test (``tests/qbd/world.registered``);
* *the contract check*: the pump checks every message and answer against the qbXML schema of its version; the
  check fails when the pump met a violation, or saw no message at all;
* *faults*: ``drop_response_after_commit=N``: QuickBooks runs the next N messages that write and their answers
  are lost (the Web Connector comes back at once: the connector asks QuickBooks what it did, unless the run's
  connector makes one attempt only); ``fail_with_status=..., count=N``: QuickBooks cannot be reached for the next
  N messages (HRESULT 0x80040416, which the connector tries again); ``rate_limit_storm``: QuickBooks Desktop has
  no rate limits, so nothing happens (the counter is spent at once);
* *the books*: the seed's own names and items (the tax agency, Widget...) are the company's, not the test's:
  left out of what the world reports.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, ClassVar

import httpx
from qbd.pump import Pump
from qbd.world import QbdWorld, connect_world, registered
from sqlalchemy.orm import Session, sessionmaker

from ledgerbridge.connectors.mailbox import Mailbox
from ledgerbridge.connectors.protocol import Connector
from ledgerbridge.packages.qbd.connector import QbdConnector
from ledgerbridge.packages.qbd.sandbox import CompanyConfig, QuickBooksCompany, RunningSandbox, start_qbd_sandbox
from ledgerbridge.packages.qbd.sandbox.seed import SEED_TIME
from ledgerbridge.packages.qbd.sandbox.user_actions import add_line, delete_payment, pay_bill, receive_payment

from .harness import PackageHarness, PackageWorld, RemoteDoc

DOC_TYPES = {"Invoice": "sales_invoice", "CreditMemo": "sales_credit_note", "Bill": "purchase_invoice",
             "VendorCredit": "purchase_credit_note"}


def _seeded(list_id: str) -> bool:
    """Made by the sandbox's seed (its ListIDs carry the seed's time), not by the test."""
    return list_id.endswith(f"-{int(SEED_TIME.timestamp())}")


class QbdContract:
    """The qbXML schema on every message and answer of one test (checked by its pump)."""

    def __init__(self) -> None:
        self.pump: Pump | None = None

    def transport(self) -> httpx.BaseTransport:
        return httpx.HTTPTransport()  # the books page's admin API only: QuickBooks itself is not on HTTP

    @property
    def exchanges_checked(self) -> int:
        return self.pump.round_trips if self.pump is not None else 0

    def assert_clean(self) -> None:
        assert self.pump is not None and not self.pump.errors, "qbXML broke the schema: see the pump's errors"
        assert self.exchanges_checked > 0, "the qbXML check saw no message: is the pump wired in?"


@dataclass
class QbdConformanceWorld(PackageWorld):
    desk: QbdWorld | None = None
    spent: dict[str, int] = field(default_factory=dict)

    @property
    def books(self) -> QbdWorld:
        assert self.desk is not None
        return self.desk

    def connector(self, max_attempts: int = 5) -> Connector:
        mailbox = Mailbox(self.sessions, self.conn_id, reachable=self.books.pump.in_session,
                          package="QuickBooks Desktop")
        made = QbdConnector(self.sessions, self.conn_id, mailbox, max_attempts=max_attempts)
        self.opened.append(made)
        return made

    # -- faults: the pump's, not an HTTP sandbox's -----------------------------------------------------------
    def arm_fault(self, **plan: int) -> None:
        pump = self.books.pump
        for _ in range(plan.get("drop_response_after_commit", 0)):
            pump.drop_next_answer(lambda message: "newMessageSetID" in message)
        if plan.get("fail_with_status"):
            pump.quickbooks_down(True, plan.get("count", 1))

    def clear_faults(self) -> None:
        if self.desk is not None:
            self.desk.pump.clear_faults()

    def faults(self) -> dict[str, int]:
        drops, down = self.books.pump.pending_faults()
        return {"drop_response_after_commit": drops, "rate_limit_storm": 0, "fail_count": max(down, 0)}

    # -- the books as a QuickBooks user sees them ------------------------------------------------------------
    def remote_documents(self) -> list[RemoteDoc]:
        items = {list_id: name for name, list_id in self.remote_items().items()}
        docs = []
        for txn in self.books.txns(*DOC_TYPES):
            named = {line.fields.get("ItemRef") for line in txn.lines}
            codes = frozenset(items[ref.findtext("ListID") or ""] for ref in named
                              if ref is not None and not isinstance(ref, str) and ref.findtext("ListID") in items)
            state = "voided" if txn.voided else ("paid" if self._open(txn) == 0 and txn.total else "open")
            first = txn.lines[0].fields.get("Desc") or txn.lines[0].fields.get("Memo") if txn.lines else None
            docs.append(RemoteDoc(number=str(txn.ref_number), doc_type=DOC_TYPES[txn.kind], external_id=txn.txn_id,
                                  total=txn.total, state=state, first_line=str(first) if first else None,
                                  item_codes=codes, party_id=txn.entity_id))
        return docs

    def _open(self, txn: Any) -> Decimal:
        from ledgerbridge.packages.qbd.sandbox.balances import open_amount

        return open_amount(self.books.company.books, txn)

    def remote_parties(self) -> dict[str, str]:
        return {name: list_id for name, list_id in {**self.books.names("Customer"),
                                                    **self.books.names("Vendor")}.items() if not _seeded(list_id)}

    def remote_items(self) -> dict[str, str]:
        return {name: list_id for name, list_id in self.books.names("ItemNonInventory").items()
                if not _seeded(list_id)}

    def record_payment(self, number: str, amount: Decimal) -> str:
        txn = self.books.one(number)
        if txn.kind == "Bill":
            return pay_bill(self.books.company, txn.txn_id, amount).txn_id
        return receive_payment(self.books.company, txn.txn_id, amount, reference=f"paid {number}").txn_id

    def delete_payment(self, payment_id: str) -> None:
        delete_payment(self.books.company, payment_id)

    def edit_total(self, number: str) -> None:
        txn = self.books.one(number, "Invoice")
        add_line(self.books.company, txn.txn_id, Decimal("10.00"), "Added in QuickBooks")


class QbdHarness(PackageHarness):
    kind = "qbd"
    label = "QuickBooks Desktop"
    # QuickBooks Desktop voids all four (TxnVoid): nothing is deleted (ledgerbridge/packages/qbd/documents.py).
    void_outcome: ClassVar[dict[str, str]] = {"sales_invoice": "voided", "sales_credit_note": "voided",
                                              "purchase_invoice": "voided"}
    spare_income_account = "4100"
    world_class = QbdConformanceWorld

    def start_sandbox(self) -> AbstractContextManager[RunningSandbox]:
        return start_qbd_sandbox(QuickBooksCompany(CompanyConfig(flavour="UK")))

    def reset(self, sandbox: RunningSandbox) -> None:
        sandbox.company.reset()

    def contract(self) -> QbdContract:
        return QbdContract()

    @contextmanager
    def opened(self, sessions: sessionmaker[Session], sandbox: RunningSandbox,
               approve_purchases: bool = True) -> Iterator[PackageWorld]:
        self.reset(sandbox)
        check = self.contract()
        with registered():
            desk = connect_world(sessions, sandbox.company, approve_purchases=approve_purchases)
            check.pump = desk.pump
            world = QbdConformanceWorld(self, sessions, sandbox.base_url, check.transport(), desk.org_id,
                                        desk.conn_id, "company", desk=desk)
            try:
                yield world
            finally:
                world.close()
                desk.close()
                desk.pump.stop()
        check.assert_clean()


QBD = QbdHarness()
