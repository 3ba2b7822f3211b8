"""Settings that take effect on payments going out (R-C4): the credit card clearing account for a card method's
payments, and the default payment method for payments that name none. ``bank_account_for`` is where every package's
payment export takes its bank account (``PaymentExport.bank``), so holding it here holds all of them."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy.orm import Session, sessionmaker

from ledgerbridge.connectors.connections import create_connection, sandbox_endpoints
from ledgerbridge.intake.apply import apply_batch
from ledgerbridge.intake.schemas import Batch
from ledgerbridge.store.db import session_scope
from ledgerbridge.store.models.host import Payment
from ledgerbridge.store.organisations import create_organisation
from ledgerbridge.sync.export_plan import export_context
from ledgerbridge.sync.mappings import MappingKind, set_mapping
from ledgerbridge.sync.payment_plan import bank_account_for

BATCH = {
    "nominal_codes": [{"code": "1200", "name": "Bank", "type": "bank"}, {"code": "1210", "name": "Card bank",
                                                                         "type": "bank"}],
    "payment_methods": [{"code": "BACS", "name": "Bank transfer", "bank_nominal": "1200"},
                        {"code": "CARD", "name": "Card", "bank_nominal": "1210", "card": True}],
}


@pytest.mark.parametrize(("method", "settings", "account"), [
    ("CARD", {"credit_card_clearing_account": "CLR"}, "CLR"),  # the clearing account wins for card payments
    ("CARD", {}, "091"),  # no clearing account: the method's bank nominal, as before
    ("BACS", {"credit_card_clearing_account": "CLR"}, "090"),  # not a card: untouched
    (None, {"default_payment_method": "CARD", "credit_card_clearing_account": "CLR"}, "CLR"),
    (None, {"default_payment_method": "BACS", "receiving_account": "RCV"}, "090"),  # the default method's account
    (None, {"receiving_account": "RCV"}, "RCV"),  # no method, no default: the receiving account
    (None, {}, None),
])
def test_card_clearing_account_and_default_payment_method_choose_the_bank_account(
        sessions: sessionmaker[Session], method: str | None, settings: dict[str, str], account: str | None) -> None:
    with session_scope(sessions) as session:
        org = create_organisation(session, "Card Payments Ltd")
        apply_batch(session, org.id, Batch.model_validate(BATCH))
        conn = create_connection(session, org.id, "xero", sandbox_endpoints("xero", "http://127.0.0.1:9"),
                                 client_id="c", client_secret="s", redirect_uri="http://127.0.0.1:9/cb",
                                 settings=dict(settings))
        session.flush()
        set_mapping(session, conn.id, MappingKind.NOMINAL, "1200", "090")
        set_mapping(session, conn.id, MappingKind.NOMINAL, "1210", "091")
        payment = Payment(organisation_id=org.id, host_id="P1", direction="in", kind="invoice_payment", party_id=0,
                          payment_date=date(2026, 11, 2), amount=Decimal("10.00"), currency="GBP",
                          method_code=method)
        assert bank_account_for(session, payment, export_context(session, conn)) == account
