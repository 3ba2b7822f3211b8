"""Which host payments may go to the package (R-PAY1, R-E6, seed 004 "payments both ways").

The payment export is built on this one decision, kept apart so it is the same for every
package and every caller (export, pending list, reconciliation):

- prepayments against sales orders made here while the integration was on: always (R-E6);
- any other payment made here while the integration was on, in or out: only with the
  connection's "payments both ways" setting (seed 004: payments taken in the field);
- never a payment made while the integration was off (seed 002: the books were kept apart
  then, so the package may already hold it; R-PAY1 says so on the record);
- never a payment that came from the package (it is there already), a reversed payment, or a
  payment on account (R-E1: payments on account are never exported).

The function answers *may go*, not *has gone*: whether one was already exported is the
sync record's business, and a prepayment still waits for its invoices to be confirmed
(R-E6) in the exporter that uses this.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from ledgerbridge.domain.accounting_settings import ConnectionSettings
from ledgerbridge.packages.registry import package_name
from ledgerbridge.store.models.host import Payment, PaymentKind, PaymentOrigin
from ledgerbridge.store.models.sync import Connection
from ledgerbridge.store.organisations import CONNECTED

MADE_WHILE_OFF = "made while the integration was off: never exported (record it in the package by hand if needed)"
FROM_PACKAGE = "imported from the accounting package: it is there already"
REVERSED = "reversed: never exported"
ON_ACCOUNT = "a payment on account: never exported (allocate it to invoices first)"
ONE_WAY = ("taken here while integrated: exported only with the 'payments both ways' setting on; record it in the "
           "accounting package instead")


def exportable_payments_query(connection: Connection) -> Select[int]:
    """The ids of the organisation's payments that may go to the package, oldest first (see the module doc)."""
    both_ways = ConnectionSettings.from_json(connection.settings).payments_both_ways
    q = select(Payment.id).where(
        Payment.organisation_id == connection.organisation_id,
        Payment.origin == PaymentOrigin.HOST.value,
        Payment.made_while_integrated.is_(True),
        Payment.reversed_at.is_(None),
        Payment.kind != PaymentKind.ON_ACCOUNT.value,
    )
    if not both_ways:
        q = q.where(Payment.kind == PaymentKind.PREPAYMENT.value)
    return q.order_by(Payment.payment_date, Payment.id)


def exportable_payments(session: Session, connection_id: int) -> list[int]:
    """Payment ids (``payments.id``) that may be exported on this connection, by payment date then id.

    Prepayments by default; with ``payments_both_ways`` also invoice payments made here while
    integrated; never payments made while the integration was off, never payments from the
    package, never reversed ones, never payments on account.
    """
    connection = session.get_one(Connection, connection_id)
    return list(session.scalars(exportable_payments_query(connection)))


def why_not_exported(payment: Payment, settings: ConnectionSettings) -> str | None:
    """The reason this payment never goes to the package, in words for the pending list; None if it may go."""
    if payment.origin == PaymentOrigin.PACKAGE.value:
        return FROM_PACKAGE
    if payment.reversed_at is not None:
        return REVERSED
    if not payment.made_while_integrated:
        return MADE_WHILE_OFF
    if payment.kind == PaymentKind.ON_ACCOUNT.value:
        return ON_ACCOUNT
    if payment.kind != PaymentKind.PREPAYMENT.value and not settings.payments_both_ways:
        return ONE_WAY
    return None




@dataclass(frozen=True, slots=True)
class IntakePolicy:
    """What intake does with a payment taken here now (R-PAY1)."""

    integrated: bool  # a connection is live: new payments are marked made_while_integrated
    refuse_account_payments: bool  # account customers' payments belong in the package (no "payments both ways")
    record_in: str  # where to record them instead, e.g. 'Xero ("Demo Company")'

    def refusal(self, party_host_id: str) -> str:
        return (f'party "{party_host_id}" is an account customer and the integration is on: record this payment '
                f"in {self.record_in} and bring it here with Create & Allocate Payments (Import tab, or "
                "'ledgerbridge import-payments'); prepayments against sales orders can still be taken here, and "
                "the 'payments both ways' setting lets payments taken here go to the package")


def intake_policy(session: Session, organisation_id: int) -> IntakePolicy:
    """R-PAY1 now: refused while any connection is live, unless every live one sends payments both ways."""
    live = session.scalars(select(Connection).where(Connection.organisation_id == organisation_id,
                                                    Connection.status == CONNECTED)).all()
    if not live:
        return IntakePolicy(False, False, "")
    one_way = [c for c in live if not ConnectionSettings.from_json(c.settings).payments_both_ways]
    names = " or ".join(f'{package_name(c.kind)} ("{c.tenant_name or c.name}")' for c in one_way)
    return IntakePolicy(True, bool(one_way), names)


__all__ = ["exportable_payments", "exportable_payments_query", "why_not_exported", "intake_policy", "IntakePolicy",
           "MADE_WHILE_OFF"]
