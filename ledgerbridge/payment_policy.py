"""Which host payments may go out to the package (R-PAY1, seed 004 "payments both ways").

MINIMAL STAND-IN written on branch ``payments`` so the payment export can call it; the
``approvals`` branch owns this module and its full rules (the lead keeps theirs on
merge). The rule here: with payments both ways on, a payment made here while the
integration was on, against a document, goes out; one made while it was off never does.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from ledgerbridge.models_host import Payment, PaymentKind, PaymentOrigin
from ledgerbridge.models_sync import Connection


def exportable_payments(session: Session, connection_id: int) -> list[int]:
    """Ids of the host's invoice payments that may be exported on this connection (prepayments always may)."""
    connection = session.get_one(Connection, connection_id)
    return list(session.scalars(select(Payment.id).where(
        Payment.organisation_id == connection.organisation_id, Payment.origin == PaymentOrigin.HOST.value,
        Payment.kind == PaymentKind.INVOICE_PAYMENT.value, Payment.made_while_integrated.is_(True),
        Payment.reversed_at.is_(None))))
