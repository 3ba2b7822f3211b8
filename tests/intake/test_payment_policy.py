"""payment_policy.exportable_payments: which host payments may go to the package (R-PAY1, R-E6, seed 004), and
the sync records the payment export gives them (``payment_plan.ensure_payment_records``)."""

from __future__ import annotations

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from ledgerbridge.domain.accounting_settings import ConnectionSettings
from ledgerbridge.domain.payment_policy import (
    MADE_WHILE_OFF,
    ON_ACCOUNT,
    ONE_WAY,
    exportable_payments,
    why_not_exported,
)
from ledgerbridge.store.db import utcnow
from ledgerbridge.store.models.host import Payment, PaymentOrigin
from ledgerbridge.store.models.sync import Connection, RecordType, SyncRecord, SyncStatus
from ledgerbridge.sync.payment_plan import ensure_payment_records
from ledgerbridge.sync.records import not_exported_reasons

from .factories import apply, connect_integration, document, payment, reference_batch


def _ids(session: Session) -> dict[str, int]:
    return dict(session.execute(select(Payment.host_id, Payment.id)).all())


def _world(session: Session, org_id: int) -> Connection:
    """Payments before the integration, then while it is on: prepayment, cash customer, supplier payment."""
    data = reference_batch()
    data["documents"] = [document("SO-1", type="sales_order"), document("INV-1", sales_order_host_id="SO-1"),
                         document("INV-C2", party_host_id="C2"), document("INV-C3", party_host_id="C2"),
                         document("PI-1", type="purchase_invoice", party_host_id="S1", status="posted")]
    data["payments"] = [payment("OFF-PRE", kind="prepayment", sales_order_host_id="SO-1", amount="10.00"),
                        payment("OFF-INV", allocations=[{"document_host_id": "INV-1", "amount": "5.00"}],
                                amount="5.00")]
    apply(session, org_id, data)
    connect_integration(session, org_id)
    apply(session, org_id, {"payments": [
        payment("ON-PRE", kind="prepayment", sales_order_host_id="SO-1", amount="20.00"),
        payment("ON-CASH", party_host_id="C2", allocations=[{"document_host_id": "INV-C2", "amount": "24.00"}]),
        payment("ON-ACCOUNT", party_host_id="C2", kind="on_account", amount="7.00"),
    ]})
    return session.scalars(select(Connection)).one()


def test_prepayments_made_while_integrated_only_by_default(session: Session, org_id: int) -> None:
    conn = _world(session, org_id)
    ids = _ids(session)
    assert exportable_payments(session, conn.id) == [ids["ON-PRE"]]
    settings = ConnectionSettings.from_json(conn.settings)
    reasons = {p.host_id: why_not_exported(p, settings) for p in session.scalars(select(Payment))}
    assert reasons == {"OFF-PRE": MADE_WHILE_OFF, "OFF-INV": MADE_WHILE_OFF, "ON-PRE": None, "ON-CASH": ONE_WAY,
                       "ON-ACCOUNT": ON_ACCOUNT}


def test_payments_both_ways_adds_payments_taken_here_while_integrated(session: Session, org_id: int) -> None:
    conn = _world(session, org_id)
    conn.settings = ConnectionSettings(payments_both_ways=True).merged_into(conn.settings)
    session.commit()
    # Both ways: an account supplier's payment taken here is allowed now (R-PAY1 refuses it otherwise).
    apply(session, org_id, {"payments": [payment("ON-OUT", direction="out", party_host_id="S1", allocations=[
        {"document_host_id": "PI-1", "amount": "24.00"}])]})
    ids = _ids(session)
    assert exportable_payments(session, conn.id) == [ids["ON-PRE"], ids["ON-CASH"], ids["ON-OUT"]]


def test_never_payments_from_the_package_nor_reversed_ones(session: Session, org_id: int) -> None:
    conn = _world(session, org_id)
    conn.settings = {"payments_both_ways": True}
    ids = _ids(session)
    session.execute(update(Payment).where(Payment.id == ids["ON-CASH"]).values(origin=PaymentOrigin.PACKAGE.value))
    session.execute(update(Payment).where(Payment.id == ids["ON-PRE"]).values(reversed_at=utcnow(),
                                                                               reversed_reason="deleted in Xero"))
    session.commit()
    assert exportable_payments(session, conn.id) == []
    settings = ConnectionSettings.from_json(conn.settings)
    assert why_not_exported(session.get_one(Payment, ids["ON-PRE"]), settings) == "reversed: never exported"
    assert why_not_exported(session.get_one(Payment, ids["ON-CASH"]), settings) == \
        "imported from the accounting package: it is there already"


def test_payments_made_while_off_say_so_in_the_not_exported_reasons(session: Session, org_id: int) -> None:
    conn = _world(session, org_id)
    reasons = not_exported_reasons(session, conn)
    assert reasons["payment"] == {MADE_WHILE_OFF: 2, ONE_WAY: 1, ON_ACCOUNT: 1}


def _payment_records(session: Session, conn: Connection) -> dict[str, str]:
    rows = session.execute(select(Payment.host_id, SyncRecord.status).join(
        SyncRecord, SyncRecord.record_id == Payment.id).where(SyncRecord.connection_id == conn.id,
                                                              SyncRecord.record_type == RecordType.PAYMENT.value))
    return {host_id: status for host_id, status in rows}


def test_a_prepayment_made_while_off_gets_no_sync_record_and_says_why(session: Session, org_id: int) -> None:
    conn = _world(session, org_id)
    ensure_payment_records(session, conn)
    session.commit()
    # Only what the policy lets out is pending: ON-PRE; OFF-PRE (a prepayment too) never waits for export.
    assert _payment_records(session, conn) == {"ON-PRE": SyncStatus.PENDING.value}
    off = session.scalars(select(Payment).where(Payment.host_id == "OFF-PRE")).one()
    assert off.kind == "prepayment" and not off.made_while_integrated
    assert why_not_exported(off, ConnectionSettings.from_json(conn.settings)) == MADE_WHILE_OFF
    assert not_exported_reasons(session, conn)["payment"][MADE_WHILE_OFF] == 2  # OFF-PRE and OFF-INV


def test_a_record_given_before_the_policy_rule_goes_unless_it_may_have_been_sent(session: Session,
                                                                                  org_id: int) -> None:
    conn = _world(session, org_id)
    ids = _ids(session)
    # As an earlier version left them: OFF-PRE pending, never tried; OFF-INV tried once (its answer was lost).
    session.add_all([SyncRecord(connection_id=conn.id, record_type=RecordType.PAYMENT.value, record_id=ids["OFF-PRE"],
                                status=SyncStatus.PENDING.value, action="create"),
                     SyncRecord(connection_id=conn.id, record_type=RecordType.PAYMENT.value, record_id=ids["OFF-INV"],
                                status=SyncStatus.ERROR.value, action="create", attempt_key="k-lost-answer")])
    session.commit()
    ensure_payment_records(session, conn)
    session.commit()
    assert _payment_records(session, conn) == {"ON-PRE": SyncStatus.PENDING.value,
                                               "OFF-INV": SyncStatus.ERROR.value}
