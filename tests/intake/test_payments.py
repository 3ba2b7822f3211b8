"""Payments: R-PAY1 while integrated, prepayments, and allocations that never exceed what is owed."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from ledgerbridge.intake.apply import IntakeError, StatusRefused, void_document
from ledgerbridge.store.models.host import Allocation, Payment
from ledgerbridge.store.models.sync import Connection

from .factories import apply, connect_integration, count, document, payment, reference_batch

R_PAY1 = ('kind: party "C1" is an account customer and the integration is on: record this payment in Xero ("Xero") '
          "and bring it here with Create & Allocate Payments (Import tab, or 'ledgerbridge import-payments'); "
          "prepayments against sales orders can still be taken here, and the 'payments both ways' setting lets "
          "payments taken here go to the package")


def _batch_with_orders() -> dict:
    data = reference_batch()
    data["documents"] = [document("SO-1", type="sales_order"), document("INV-1", sales_order_host_id="SO-1"),
                         document("INV-C2", party_host_id="C2")]
    return data


def _refusals(session: Session, org_id: int, data: dict) -> list[str]:
    with pytest.raises(IntakeError) as caught:
        apply(session, org_id, data)
    session.rollback()
    return [str(e) for e in caught.value.errors]


def test_account_customer_payments_are_refused_while_integrated(session: Session, org_id: int) -> None:
    apply(session, org_id, _batch_with_orders())
    connect_integration(session, org_id)
    data = {"payments": [
        payment("P-1", allocations=[{"document_host_id": "INV-1", "amount": "24.00"}]),
        payment("P-2", kind="on_account"),
    ]}
    errors = _refusals(session, org_id, data)
    assert len(errors) == 2
    assert all(e.endswith(R_PAY1) for e in errors), errors
    assert errors[0].startswith('payments[0] (host_id "P-1")')
    assert count(session, Payment) == 0


def test_payments_both_ways_lets_account_customers_pay_here(session: Session, org_id: int) -> None:
    """Seed 004: with payments both ways on, a payment taken here is allowed and marked for export."""
    apply(session, org_id, _batch_with_orders())
    connect_integration(session, org_id)
    connection = session.scalars(select(Connection)).one()
    connection.settings = {"payments_both_ways": True}
    session.commit()
    data = {"payments": [payment("P-1", allocations=[{"document_host_id": "INV-1", "amount": "24.00"}])]}
    assert apply(session, org_id, data).payments.created == 1
    assert session.scalar(select(Payment.made_while_integrated)) is True


def test_prepayments_and_cash_customers_stay_allowed_while_integrated(session: Session, org_id: int) -> None:
    apply(session, org_id, _batch_with_orders())
    connect_integration(session, org_id)
    data = {"payments": [
        payment("PRE-1", kind="prepayment", sales_order_host_id="SO-1", amount="50.00"),
        payment("P-C2", party_host_id="C2", allocations=[{"document_host_id": "INV-C2", "amount": "24.00"}]),
    ]}
    assert apply(session, org_id, data).payments.created == 2
    flags = dict(session.execute(select(Payment.host_id, Payment.made_while_integrated)).all())
    assert flags == {"PRE-1": True, "P-C2": True}


def test_payments_made_while_not_integrated_say_so(session: Session, org_id: int) -> None:
    data = _batch_with_orders()
    data["payments"] = [payment("P-1", allocations=[{"document_host_id": "INV-1", "amount": "24.00"}])]
    apply(session, org_id, data)
    assert session.scalar(select(Payment.made_while_integrated)) is False
    assert session.scalar(select(Allocation.amount)) == 24


def test_a_prepayment_names_a_sales_order_of_its_party(session: Session, org_id: int) -> None:
    apply(session, org_id, _batch_with_orders())
    data = {"payments": [
        payment("PRE-1", kind="prepayment"),
        payment("PRE-2", kind="prepayment", sales_order_host_id="INV-1"),
        payment("PRE-3", kind="prepayment", sales_order_host_id="SO-1", party_host_id="C2"),
    ]}
    assert _refusals(session, org_id, data) == [
        'payments[0] (host_id "PRE-1"): sales_order_host_id: a prepayment names the sales order it is taken against',
        'payments[1] (host_id "PRE-2"): sales_order_host_id: document "INV-1" is a sales_invoice, not a sales_order',
        'payments[2] (host_id "PRE-3"): sales_order_host_id: sales order "SO-1" is for party "C1", not "C2"',
    ]


def test_allocations_never_exceed_the_document_or_the_payment(session: Session, org_id: int) -> None:
    data = _batch_with_orders()
    data["payments"] = [payment("P-1", amount="20.00", allocations=[{"document_host_id": "INV-1", "amount": "20.00"}])]
    apply(session, org_id, data)  # INV-1 is 24.00 gross: 4.00 left

    data = {"payments": [
        payment("P-2", amount="5.00", allocations=[{"document_host_id": "INV-1", "amount": "5.00"}]),
        payment("P-3", amount="1.00", allocations=[{"document_host_id": "INV-1", "amount": "2.00"}]),
        payment("P-4", allocations=[{"document_host_id": "INV-C2", "amount": "1.00"}]),
    ]}
    assert _refusals(session, org_id, data) == [
        'payments[0] (host_id "P-2"): allocations[0].amount: allocations to document "INV-1" would reach 25.00, '
        "above its total 24.00",
        'payments[1] (host_id "P-3"): allocations[0].amount: allocations to document "INV-1" would reach 27.00, '
        "above its total 24.00",
        "payments[1] (host_id \"P-3\"): allocations: allocations total 2.00, more than the payment's amount 1.00",
        'payments[2] (host_id "P-4"): allocations[0].document_host_id: document "INV-C2" is for party "C2", not "C1"',
    ]
    # Re-sending P-1 with a smaller allocation frees room: the stored allocation is replaced, not added to.
    data = {"payments": [
        payment("P-1", amount="20.00", allocations=[{"document_host_id": "INV-1", "amount": "19.00"}]),
        payment("P-2", amount="5.00", allocations=[{"document_host_id": "INV-1", "amount": "5.00"}]),
    ]}
    result = apply(session, org_id, data)
    assert (result.payments.updated, result.payments.created) == (1, 1)
    assert sorted(session.scalars(select(Allocation.amount))) == [5, 19]


def test_a_paid_document_cannot_be_voided_or_repriced_below_its_payments(session: Session, org_id: int) -> None:
    data = _batch_with_orders()
    data["payments"] = [payment("P-1", allocations=[{"document_host_id": "INV-1", "amount": "24.00"}])]
    apply(session, org_id, data)
    with pytest.raises(StatusRefused):
        void_document(session, org_id, "INV-1")
    session.rollback()
    cheaper = document("INV-1", sales_order_host_id="SO-1", lines=[{**data["documents"][1]["lines"][0], "quantity": 1}])
    assert _refusals(session, org_id, {"documents": [cheaper]}) == [
        'documents[0] (host_id "INV-1"): lines: payments already allocate 24.00 to this document, '
        "more than its new total 12.00"]
