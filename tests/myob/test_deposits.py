"""Prepayments on MYOB through the engine (``ledgerbridge/packages/myob/deposits.py``): one customer payment applies
the split to the order's invoices and holds the rest as a deposit on a sale order; a prepayment no invoice can take
is held on the order in full, never refused; lost answers find the order and the payment, never make either twice.
Every exchange is checked against MYOB's type catalogue (the world's contract check)."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

import httpx
import pytest
from conformance.fixtures import SandboxPool, open_world, sandboxes  # noqa: F401 (sandboxes: a fixture)
from conformance.myob import MYOB, MyobWorld, in_aud
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from ledgerbridge.connectors.connections import ConnectorOptions, connector_for
from ledgerbridge.demo.data import demo_batch
from ledgerbridge.intake.apply import apply_batch
from ledgerbridge.intake.schemas import Batch
from ledgerbridge.packages.registry import spec_for
from ledgerbridge.store.db import session_scope
from ledgerbridge.store.models.host import Payment, PaymentKind
from ledgerbridge.store.models.sync import RecordType, SyncRecord, SyncStatus
from ledgerbridge.sync.exporter import Exporter

# What is tested here is MYOB's side; the store's (attempt keys, records) is every payment's path, which the conformance
# prepayment test runs on both stores. SQLite only, for CI's time.
pytestmark = pytest.mark.parametrize("engine", ["sqlite"], indirect=True)

# The demo's order SO-7001 in AUD (tests/conformance/test_prepayments.py): INV-1101 417.98, INV-1102 668.78.
INV_1101, INV_1102 = Decimal("417.98"), Decimal("668.78")
DEPOSIT = Decimal("1300.00")


@pytest.fixture
def world(sessions: sessionmaker[Session], sandboxes: SandboxPool) -> Iterator[MyobWorld]:  # noqa: F811
    for made in open_world(MYOB, sessions, sandboxes):
        assert isinstance(made, MyobWorld)
        yield made


def _take_deposit(world: MyobWorld, amount: Decimal = DEPOSIT) -> None:
    world.deposit_taken_while_integrated()
    with session_scope(world.sessions) as session:
        session.scalars(select(Payment).where(Payment.organisation_id == world.org_id,
                                              Payment.kind == PaymentKind.PREPAYMENT.value)).one().amount = amount


def _pay_in_myob(world: MyobWorld, number: str, amount: Decimal) -> None:
    user = spec_for("myob").demo.package_user(world.base_url, world.tenant_id, world.transport)
    try:
        user.pay(world.raw(number)["UID"], amount)
    finally:
        user.close()


def _deposit_record(world: MyobWorld) -> SyncRecord:
    with session_scope(world.sessions) as session:
        record = session.scalars(select(SyncRecord).where(
            SyncRecord.connection_id == world.conn_id, SyncRecord.record_type == RecordType.PAYMENT.value)).one()
        session.expunge(record)
        return record


def test_the_rest_of_a_prepayment_is_held_as_a_deposit_on_a_sale_order(world: MyobWorld) -> None:
    MYOB.upload(world)
    _take_deposit(world)
    report = MYOB.upload(world)["payments"]
    assert (report["exported"], report["failed"]) == (1, 0), report["problems"]
    held = DEPOSIT - INV_1101 - INV_1102
    (payment,) = world.items("Sale/CustomerPayment")
    (order,) = world.items("Sale/Order/Service")
    lines = [(ln["Type"], ln["UID"], Decimal(str(ln["AmountApplied"]))) for ln in payment["Invoices"]]
    assert lines == [("Invoice", world.raw("INV-1101")["UID"], INV_1101),
                     ("Invoice", world.raw("INV-1102")["UID"], INV_1102), ("Order", order["UID"], held)]
    assert Decimal(str(payment["AmountReceived"])) == DEPOSIT and payment["Memo"].startswith("[lb PP-1]")
    assert (order["Number"], order["Status"], order["JournalMemo"][:16]) == ("SO-7001", "Open", "[lb PP-1] deposi")
    assert (Decimal(str(order["TotalAmount"])), Decimal(str(order["AppliedToDate"])),
            Decimal(str(order["BalanceDueAmount"]))) == (held, held, 0)
    record = _deposit_record(world)
    assert record.status == SyncStatus.SEEN.value and record.external_id == payment["UID"]
    assert report["prepayments"][0]["remaining"] == str(held)
    # What MYOB holds is read back as it is: nothing more to send, no error, no second order.
    again = MYOB.upload(world)["payments"]
    assert (again["exported"], again["allocations_sent"], again["failed"]) == (0, 0, 0), again["problems"]
    assert again["prepayments"] == report["prepayments"] and len(world.items("Sale/Order/Service")) == 1


def test_a_prepayment_no_invoice_can_take_is_held_on_the_order_in_full(world: MyobWorld) -> None:
    MYOB.upload(world)
    _pay_in_myob(world, "INV-1101", INV_1101)
    _pay_in_myob(world, "INV-1102", INV_1102)
    _take_deposit(world)
    report = MYOB.upload(world)["payments"]
    assert (report["exported"], report["failed"]) == (1, 0), report["problems"]
    (ours,) = [p for p in world.items("Sale/CustomerPayment") if str(p.get("Memo")).startswith("[lb PP-1]")]
    (order,) = world.items("Sale/Order/Service")
    assert [(ln["Type"], Decimal(str(ln["AmountApplied"]))) for ln in ours["Invoices"]] == [("Order", DEPOSIT)]
    assert Decimal(str(order["AppliedToDate"])) == DEPOSIT
    assert report["prepayments"][0]["allocated"] == "0.00" and report["prepayments"][0]["remaining"] == str(DEPOSIT)


@pytest.mark.parametrize("lost", [1, 2], ids=["order's answer lost", "order's and payment's answers lost"])
def test_lost_answers_find_the_deposit_order_and_payment_never_make_them_twice(world: MyobWorld, lost: int) -> None:
    MYOB.upload(world)
    _take_deposit(world)
    world.arm_fault(drop_response_after_commit=lost)
    runs = [MYOB.upload(world)["payments"] for _ in range(lost + 1)]
    assert [r["failed"] for r in runs[:-1]] == [1] * lost and runs[-1]["failed"] == 0, runs
    assert runs[-1]["exported"] + runs[-1]["recovered"] == 1 and world.faults()["drop_response_after_commit"] == 0
    assert len(world.items("Sale/Order/Service")) == 1 and len(world.items("Sale/CustomerPayment")) == 1
    (order,) = world.items("Sale/Order/Service")
    assert Decimal(str(order["BalanceDueAmount"])) == 0
    assert _deposit_record(world).status == SyncStatus.SEEN.value


class OutageAtTheDueRead(httpx.BaseTransport):
    """The sandbox, answering 503 (its own fault, armed just in time) to the read of the invoices' amounts due."""

    def __init__(self, inner: httpx.BaseTransport, world: MyobWorld) -> None:
        self.inner, self.world, self.armed = inner, world, False

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        if (not self.armed and request.method == "GET" and request.url.path.rstrip("/").endswith("/Sale/Invoice")
                and "UID eq" in request.url.params.get("$filter", "")):
            self.armed = True
            self.world.arm_fault(fail_with_status=503, count=1)
        return self.inner.handle_request(request)


def test_a_prepayment_whose_invoices_could_not_be_read_waits_rather_than_go_unsplit(world: MyobWorld) -> None:
    """Its split goes with the create: unsplit, MYOB would hold all of it on the order, where it could not be moved
    onto the invoices later."""
    MYOB.upload(world)
    _take_deposit(world)
    outage = OutageAtTheDueRead(world.transport, world)
    connector = connector_for(world.sessions, world.conn_id, ConnectorOptions(transport=outage, max_attempts=1,
                                                                              unlimited_budget=True))
    try:
        report = Exporter(world.sessions, world.conn_id, connector).upload().payments
    finally:
        connector.close()
    assert outage.armed
    assert (report["exported"], report["failed"]) == (0, 1) and "amounts due" in report["problems"][0]["message"]
    assert world.items("Sale/CustomerPayment") == [] and world.items("Sale/Order/Service") == []
    again = MYOB.upload(world)["payments"]
    assert (again["exported"], again["failed"]) == (1, 0), again["problems"]
    assert again["prepayments"][0]["allocated"] == str(INV_1101 + INV_1102)


def test_a_deposit_held_is_not_moved_onto_an_invoice_made_later_and_says_what_to_do(world: MyobWorld) -> None:
    MYOB.upload(world)
    _take_deposit(world)
    assert MYOB.upload(world)["payments"]["exported"] == 1
    later = next(d for d in in_aud(demo_batch())["documents"] if d["number"] == "INV-1102")
    later = {**later, "host_id": "INV-1104", "number": "INV-1104"}
    with session_scope(world.sessions) as session:
        apply_batch(session, world.org_id, Batch.model_validate({"documents": [later]}))
    report = MYOB.upload(world)["payments"]
    assert report["failed"] == 1 and "cannot move" in report["problems"][0]["message"], report
    (payment,) = world.items("Sale/CustomerPayment")
    assert [ln["Type"] for ln in payment["Invoices"]] == ["Invoice", "Invoice", "Order"]  # unchanged
