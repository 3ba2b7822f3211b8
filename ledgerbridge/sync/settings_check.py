"""The accounting settings checked before they are saved, the same way from the Settings page and the API (R-C4).

Nothing is saved half-checked: the reference field must be one the host fills, every account must be in the
package's refreshed chart and of a kind its use allows, and the default payment method must be one of the host's
(payments that name no method take it, ``payment_plan.method_of``).
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from ledgerbridge.domain.accounting_settings import ConnectionSettings
from ledgerbridge.store.models.host import PaymentMethod
from ledgerbridge.store.models.sync import Connection
from ledgerbridge.sync.mappings import load_mapping_set


def settings_problems(session: Session, conn: Connection, settings: ConnectionSettings) -> list[str]:
    chart = load_mapping_set(session, conn.id)
    problems = settings.validate() + settings.check_accounts(chart.accounts if chart.chart_loaded else None)
    method = settings.default_payment_method
    if method and session.scalar(select(PaymentMethod.id).where(
            PaymentMethod.organisation_id == conn.organisation_id, PaymentMethod.code == method)) is None:
        problems.append(f"Default payment method: {method} is not one of the host's payment methods")
    return problems
