"""What the demo's bookkeeper does in the package after the import, so that the reconciliation has something
honest to explain: a credit note allocated there only (R-I3: credit allocations do not sync) and a customer's
payment recorded after the last import (not imported yet). Both are done as a package user does them
(``sandboxes.package_user``, made by the package's spec), never through ledgerbridge.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from ledgerbridge.connectors.protocol import Connector
from ledgerbridge.sandboxes.package_user import PackageUser
from ledgerbridge.store.db import session_scope
from ledgerbridge.store.models.host import Document
from ledgerbridge.store.models.sync import RecordType, SyncRecord


def drift_in_package(user: PackageUser, sessions: sessionmaker[Session], conn_id: int,
                     connector: Connector) -> dict[str, Any]:
    """Allocate the first credit note to an open invoice of its customer; pay part of another open invoice."""
    with session_scope(sessions) as session:
        rows = session.execute(select(Document.number, Document.type, Document.party_id, Document.gross_total,
                                      SyncRecord.external_id)
                               .join(SyncRecord, SyncRecord.record_id == Document.id)
                               .where(SyncRecord.connection_id == conn_id,
                                      SyncRecord.record_type == RecordType.DOCUMENT.value,
                                      SyncRecord.external_id.is_not(None))
                               .order_by(Document.number)).all()
    remote = connector.read_back_documents([(r.type, r.external_id) for r in rows])
    due = {r.external_id: remote[r.external_id].amount_due for r in rows if r.external_id in remote}
    invoices = [r for r in rows if r.type == "sales_invoice" and due.get(r.external_id, Decimal(0)) > 0]
    done: dict[str, Any] = {}
    for credit in (r for r in rows if r.type == "sales_credit_note"):
        target = next((i for i in invoices if i.party_id == credit.party_id
                       and due[i.external_id] >= credit.gross_total), None)
        if target is not None:
            user.allocate_credit(credit.external_id, target.external_id, credit.gross_total)
            done["credit_allocated"] = {"credit_note": credit.number, "invoice": target.number,
                                        "amount": credit.gross_total}
            invoices.remove(target)
            break
    if invoices:
        late = invoices[0]
        amount = (due[late.external_id] / 2).quantize(Decimal("0.01"))
        user.pay(late.external_id, amount)
        done["paid_after_import"] = {"invoice": late.number, "amount": amount}
    return done
