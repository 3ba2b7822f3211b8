"""What the bookkeeper does in the package during ``ledgerbridge bench month``, as a package user would.

Customers pay: 40% of the month's invoices in full and 2% in part (half), recorded on the sandbox's books page
(the package's "record a payment"); the invoices of the prepaid orders and those a credit note credits are left
open (the deposit and the credit note settle them here). Where the sandbox pays bills, a third of the bills are
paid too. And one credit note in a hundred is allocated in the package to the invoice it credits (credit
allocations do not sync by default, R-I3: reconciliation must explain it). None of this is ledgerbridge's doing:
it goes through the package's own routes (``DemoWorld.record_payment``, ``PackageUser``), and the bench keeps its
calls out of the engine's count.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal

import httpx
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from ledgerbridge.bench.month_world import INVOICES_PER_ORDER, MonthSize, credited_invoice, invoice_number
from ledgerbridge.connectors.spec import PackageSpec
from ledgerbridge.store.db import session_scope
from ledgerbridge.store.models.host import Document
from ledgerbridge.store.models.sync import RecordType, SyncRecord

CENT = Decimal("0.01")


@dataclass(slots=True)
class Bookkeeping:
    """What the bookkeeper did: payments by kind ("receipt", "bill_payment"), credit notes allocated there."""

    payments: Counter[str] = field(default_factory=Counter)
    part_paid: int = 0
    credits_allocated: int = 0


def _exported(sessions: sessionmaker[Session], conn_id: int) -> dict[str, tuple[str, Decimal]]:
    """Document number -> (package id, gross total) of every document the upload bound."""
    with session_scope(sessions) as session:
        rows = session.execute(select(Document.number, SyncRecord.external_id, Document.gross_total)
                               .join(SyncRecord, SyncRecord.record_id == Document.id)
                               .where(SyncRecord.connection_id == conn_id,
                                      SyncRecord.record_type == RecordType.DOCUMENT.value,
                                      SyncRecord.external_id.is_not(None))).all()
    return {r.number: (str(r.external_id), r.gross_total) for r in rows}


def keep_the_books(spec: PackageSpec, base_url: str, tenant_id: str, size: MonthSize,
                   sessions: sessionmaker[Session], conn_id: int) -> Bookkeeping:
    """Pay, part-pay and allocate in the package as its user would; returns what was done."""
    done = Bookkeeping()
    bound = _exported(sessions, conn_id)
    untouched = set(range(size.orders * INVOICES_PER_ORDER))  # paid by the deposits here, in part
    untouched |= {credited_invoice(size, n) for n in range(size.credit_notes)}
    world = spec.demo
    with httpx.Client(base_url=base_url, timeout=30) as http:
        for n in range(size.invoices):
            if n in untouched or invoice_number(n) not in bound:
                continue
            ext, gross = bound[invoice_number(n)]
            if n % 5 in (0, 1):
                world.record_payment(http, tenant_id, ext, gross, f"Receipt {n}", False)
            elif n % 50 == 3:
                world.record_payment(http, tenant_id, ext, (gross / 2).quantize(CENT), f"Part {n}", False)
                done.part_paid += 1
            else:
                continue
            done.payments["receipt"] += 1
        if world.pays_bills:
            for n in range(0, size.bills, 3):
                ext, gross = bound.get(f"SUP-{n:06d}", ("", Decimal(0)))
                if ext:
                    world.record_payment(http, tenant_id, ext, gross, f"Supplier run {n}", True)
                    done.payments["bill_payment"] += 1
    user = world.package_user(base_url, tenant_id, None)
    try:
        for n in range(0, size.credit_notes, 100):
            credit = bound.get(f"MCN-{n:06d}")
            invoice = bound.get(invoice_number(credited_invoice(size, n)))
            if credit and invoice:
                user.allocate_credit(credit[0], invoice[0], credit[1])
                done.credits_allocated += 1
    finally:
        user.close()
    return done
