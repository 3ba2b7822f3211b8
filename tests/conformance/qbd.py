"""QuickBooks Desktop in the conformance suite: the sandbox company, its Web Connector, the qbXML XSD on every
exchange, and the company's books as a QuickBooks user sees them.

QuickBooks Desktop cannot be called: the Web Connector on the user's PC polls us and the connector's calls wait in
the mailbox for its next session (``docs/qbd.md``). Where the suite drives the engine directly (``Exporter``,
``PaymentImporter`` with ``world.connector()``), the Web Connector is played by ``tests/qbd/pump.py`` (the mailbox
served in a thread; each message and answer checked against the XSD of the version it announces). Reconnecting
(``test_connection.py``) goes through the real thing: a new Web Connector password, the simulator
(``sandbox/web_connector.py``) reading the connection's .qwc and polling the app's SOAP endpoint on loopback, every
SOAP exchange checked against the Web Connector's WSDL and every qbXML one against the XSD; the upload after it is
handed out in those sessions.

What QuickBooks Desktop lacks, the harness says so and the test is skipped with the reason (``arm_fault``): it is
never called over HTTP, so it has no 429 with Retry-After and no 5xx to wait out.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, ClassVar

import httpx
import pytest
from sqlalchemy.orm import Session, sessionmaker

from ledgerbridge.api.app import create_app
from ledgerbridge.clock import Clock
from ledgerbridge.connectors.auth_flows import flow_for
from ledgerbridge.connectors.protocol import Connector
from ledgerbridge.packages.qbd.qwc import qwc_for_connection
from ledgerbridge.packages.qbd.sandbox import CompanyConfig, QuickBooksCompany
from ledgerbridge.packages.qbd.sandbox.context import Context
from ledgerbridge.packages.qbd.sandbox.server import RunningSandbox, start_qbd_sandbox
from ledgerbridge.packages.qbd.sandbox.store import Txn
from ledgerbridge.packages.qbd.sandbox.user import QuickBooksRefused
from ledgerbridge.packages.qbd.sandbox.user_actions import add_line, delete_payment, pay_bill, receive_payment
from ledgerbridge.packages.qbd.sandbox.web_connector import WebConnectorSimulator
from ledgerbridge.packages.qbd.webconnector.credentials import set_password
from ledgerbridge.queue.jobs import enqueue_job
from ledgerbridge.store.db import session_scope
from ledgerbridge.store.models.sync import Connection, Job
from ledgerbridge.web.serving import ServedApp, serve_in_thread
from tests.contract_checks.qbwc_wsdl import check_soap
from tests.contract_checks.qbxml import check_qbxml
from tests.qbd.cheap_hashing import cheap_argon2
from tests.qbd.world import QbdWorld, connect_world, registered

from .harness import PackageHarness, PackageWorld, RemoteDoc

KINDS = {"Invoice": "sales_invoice", "CreditMemo": "sales_credit_note", "Bill": "purchase_invoice",
         "VendorCredit": "purchase_credit_note"}
NO_HTTP_FAULTS = ("QuickBooks Desktop is never called over HTTP (the Web Connector polls us): it has no 429 with "
                  "Retry-After and no 5xx to wait out. Its outages (QuickBooks not running, the session cut, the "
                  "answer lost) are tests/qbd/test_connector_faults.py and tests/faults/test_web_connector_faults.py")


def _is_write(message: str) -> bool:
    return any(f"{verb}Rq" in message for verb in ("Add", "Mod", "Void", "Del"))


class QbdContract:
    """The qbXML XSD on every message and answer (checked by the pump and by the simulator's observer); a test
    whose world exchanged nothing fails, as on the other packages."""

    def __init__(self) -> None:
        self.world: QbdPackageWorld | None = None

    def transport(self) -> httpx.BaseTransport:
        return httpx.HTTPTransport()  # only the books page's user (the demo's package_user) goes over HTTP

    @property
    def exchanges_checked(self) -> int:
        world = self.world
        return 0 if world is None or world.qbd is None else world.qbd.pump.counts()[0] + world.soap_exchanges

    def assert_clean(self) -> None:
        assert self.world is not None and self.world.qbd is not None
        self.world.qbd.pump.stop()  # raises what broke the XSD in the pump's thread
        assert self.exchanges_checked > 0, "the qbXML check saw no traffic: is the pump serving the mailbox?"


@dataclass
class QbdPackageWorld(PackageWorld):
    qbd: QbdWorld | None = None
    drops_armed: int = 0
    soap_exchanges: int = 0
    seed_items: frozenset[str] = frozenset()
    seed_parties: frozenset[str] = frozenset()  # the company's own (its tax agency): not ledgerbridge's
    password: str | None = None

    @property
    def q(self) -> QbdWorld:
        assert self.qbd is not None
        return self.qbd

    def connector(self, max_attempts: int = 5, clock: Clock | None = None) -> Connector:
        return self.q.connector()

    def close(self) -> None:
        self.q.close()

    # -- faults ------------------------------------------------------------------------------------------------
    def arm_fault(self, **plan: int) -> None:
        unknown = set(plan) - {"drop_response_after_commit"}
        if unknown:
            pytest.skip(NO_HTTP_FAULTS)
        for _ in range(plan["drop_response_after_commit"]):  # QuickBooks writes; its answer never reaches us
            self.q.pump.drop_next_answer(_is_write)
        self.drops_armed += plan["drop_response_after_commit"]

    def clear_faults(self) -> None:
        self.q.pump._drops.clear()

    def faults(self) -> dict[str, int]:
        return {"drop_response_after_commit": len(self.q.pump._drops)}

    # -- the company's books -----------------------------------------------------------------------------------
    def _read(self, read: Any) -> Any:
        return self.q.company.read(read)

    def remote_documents(self) -> list[RemoteDoc]:
        items = {list_id: name for name, list_id in self.remote_items().items()}

        def read(ctx: Context) -> list[RemoteDoc]:
            from ledgerbridge.packages.qbd.sandbox.balances import open_amount

            docs = []
            for txn in ctx.books.txns.values():
                if txn.kind not in KINDS:
                    continue
                state = "voided" if txn.voided else "paid" if open_amount(ctx.books, txn) == 0 and txn.total \
                    else "open"
                lines = [ln for ln in txn.lines if ln.tag.endswith("LineRet")]
                first = lines[0].fields.get("Desc") if lines else None
                refs = {_ref(ln.fields.get("ItemRef")) for ln in lines}
                docs.append(RemoteDoc(str(txn.ref_number), KINDS[txn.kind], txn.txn_id, txn.total, state,
                                      first if isinstance(first, str) else None,
                                      frozenset(items[r] for r in refs if r in items), txn.entity_id,
                                      tuple(_ref(ln.fields.get("AccountRef")) or _ref(ln.fields.get("ItemRef"))
                                            for ln in lines)))
            return docs

        found: list[RemoteDoc] = self._read(read)
        return found

    def remote_parties(self) -> dict[str, str]:
        return {name: list_id for name, list_id in {**self.q.names("Customer"), **self.q.names("Vendor")}.items()
                if name not in self.seed_parties}

    def remote_items(self) -> dict[str, str]:
        return {name: list_id for name, list_id in self.q.names("ItemNonInventory").items()
                if name not in self.seed_items}

    def _txn(self, number: str) -> Txn:
        found = self.q.by_number(number)
        assert len(found) == 1, f"{len(found)} copies of {number} in QuickBooks"
        return found[0]

    def record_payment(self, number: str, amount: Decimal) -> str:
        txn = self._txn(number)
        if txn.kind == "Bill":
            return pay_bill(self.q.company, txn.txn_id, amount).txn_id
        return receive_payment(self.q.company, txn.txn_id, amount, reference=f"paid {number}").txn_id

    def delete_payment(self, payment_id: str) -> None:
        delete_payment(self.q.company, payment_id)

    def edit_total(self, number: str) -> None:
        add_line(self.q.company, self._txn(number).txn_id, Decimal("10.00"))

    # -- the Web Connector over SOAP (reconnecting) -----------------------------------------------------------
    @contextmanager
    def web_connector(self, password: str | None = None) -> Iterator[WebConnectorSimulator]:
        """The app served on loopback and the simulator on the connection's .qwc (``password``, or the world's Web
        Connector password, set the first time one is needed); the pump stands aside meanwhile, so that only the
        Web Connector's sessions hand out work."""
        self.q.pump.stop()  # from here only the Web Connector's sessions hand out work
        served: ServedApp = serve_in_thread(create_app(self.sessions.kw["bind"], run_worker=True),
                                            name="conformance-qbd-app")
        port = served.base_url.rsplit(":", 1)[1]
        with session_scope(self.sessions) as session:
            if password is None and self.password is None:  # set on first use: argon2 is the world's dearest step
                self.password = set_password(session, self.conn_id)
            secret = password or self.password
            assert secret is not None
            _, qwc = qwc_for_connection(session, self.conn_id, f"http://localhost:{port}/packages/qbd")

        def checked(operation: str, request: bytes, answer: bytes) -> None:
            check_soap(request, "request")
            check_soap(answer, "response")
            self.soap_exchanges += 1

        company = _Checked(self.q.company)
        simulator = WebConnectorSimulator(qwc, secret, company, country="UK",  # type: ignore[arg-type]
                                          observer=checked)
        try:
            simulator.add_application()
            yield simulator
        finally:
            simulator.close()
            served.stop()


class _Checked:
    """The company as the simulator runs it, every qbXML message and answer checked against the XSD."""

    def __init__(self, company: Any) -> None:
        self._company = company
        self._lock = threading.Lock()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._company, name)

    def process(self, request: str) -> str:
        check_qbxml(request)
        answer: str = self._company.process(request)
        check_qbxml(answer)
        return answer


def _ref(value: Any) -> str | None:
    from ledgerbridge.packages.qbd.sandbox.store import ref_list_id

    return ref_list_id(value)


class QbdHarness(PackageHarness):
    kind = "qbd"
    label = "QuickBooks Desktop"
    # QuickBooks Desktop voids all four (TxnVoid): kept, zeroed and marked (packages/qbd/documents.py).
    void_outcome: ClassVar[dict[str, str]] = {"sales_invoice": "voided", "sales_credit_note": "voided",
                                              "purchase_invoice": "voided"}
    spare_income_account = "4000"
    lost_writes_return_as = "exported"  # QuickBooks' error recovery hands back the lost message set's answers
    world_class = QbdPackageWorld

    def start_sandbox(self) -> AbstractContextManager[Any]:
        """One company and its books page for the test session (as the other packages' sandboxes): ``reset``
        makes it a fresh company file for each test, which costs milliseconds where a served page costs tenths of
        a second to start and stop."""
        return start_qbd_sandbox(QuickBooksCompany(CompanyConfig(flavour="UK")))

    def reset(self, sandbox: Any) -> None:
        assert isinstance(sandbox, RunningSandbox)
        sandbox.company.reset()

    def contract(self) -> QbdContract:
        return QbdContract()

    def user_was_refused(self, error: Exception) -> bool:
        return isinstance(error, QuickBooksRefused)  # the books page's 400, QuickBooks' own status code in it

    @contextmanager
    def opened(self, sessions: sessionmaker[Session], sandbox: Any, approve_purchases: bool = True,
               batch: dict[str, Any] | None = None) -> Iterator[PackageWorld]:
        assert isinstance(sandbox, RunningSandbox)
        self.reset(sandbox)
        check = self.contract()
        with registered(), cheap_argon2():  # the Web Connector's password (tests/qbd/cheap_hashing.py)
            qbd = connect_world(sessions, sandbox.company, batch=batch, approve_purchases=approve_purchases)
            try:
                seed = frozenset(qbd.names("ItemNonInventory")), frozenset({**qbd.names("Customer"),
                                                                            **qbd.names("Vendor")})
                # base_url: the company's books page and its user's admin API (the demo's package_user), not an
                # API of QuickBooks: QuickBooks Desktop has none over HTTP. The Web Connector's password is set
                # when a test first needs it (``web_connector``), as a user does on the Connection page.
                world = QbdPackageWorld(self, sessions, sandbox.base_url, check.transport(), qbd.org_id,
                                        qbd.conn_id, "", qbd=qbd, seed_items=seed[0], seed_parties=seed[1])
                check.world = world
                yield world
            finally:
                qbd.close()
                qbd.pump.stop()
        check.assert_clean()

    # -- connecting again (test_connection.py): no consent page; a password and the .qwc ----------------------
    def disconnect(self, world: PackageWorld, session: Session, conn: Connection) -> list[str]:
        return flow_for(self.kind).disconnect(session, conn)  # nothing to revoke over HTTP

    def reconnect(self, world: PackageWorld) -> None:
        """The Web Connector is refused ("nvu") once disconnected; a new password (the Connection page's) and the
        .qwc added again connect it."""
        assert isinstance(world, QbdPackageWorld)
        with world.web_connector(password="the-password-before") as simulator:
            refused = simulator.update_selected()
        assert refused.outcome == "nvu", refused
        with session_scope(world.sessions) as session:
            world.password = set_password(session, world.conn_id)
            session.get_one(Connection, world.conn_id).status = "connected"

    def upload(self, world: PackageWorld) -> dict[str, Any]:
        """The upload a user asks for runs as a job in the Web Connector's next sessions, over SOAP."""
        assert isinstance(world, QbdPackageWorld)
        with session_scope(world.sessions) as session:
            job_id = enqueue_job(session, world.conn_id, "upload", {"document_ids": None}, requested_by="test").id
        with world.web_connector(world.password) as simulator:
            results = simulator.poll_until_idle(max_updates=6)
        with session_scope(world.sessions) as session:
            job = session.get_one(Job, job_id)
            # A session whose work needed nothing of QuickBooks ends cleanly too (its closing request answered 100),
            # never with a getLastError text, which the Web Connector would show as an error.
            assert all(r.outcome in ("done", "none") for r in results), \
                [(r.outcome, r.message) for r in results]
            assert job.status == "done", (job.status, job.result)
            return dict(job.result or {})


QBD = QbdHarness()
