"""The demo's numbering (R-N1): two devices reserve blocks of invoice numbers, use some offline, one gives the
rest back, the other is reinstalled under a new id; the numbers the month's invoices already hold are skipped.

The start number is set where the month's invoices run (INV-1101), as a business that kept its package's
numbering would set it: the month's invoices hold INV-1101 to INV-1103 (two read back from the package, one here
waiting for its nominal's mapping, which will be the package's once it goes out), so the first block starts after
them, and the skip is listed as a gap with its cause.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from ledgerbridge.numbering.allocate import reserve_block
from ledgerbridge.numbering.devices import replace_device, report_numbers
from ledgerbridge.numbering.overview import numbering_overview
from ledgerbridge.numbering.sequences import set_numbering
from ledgerbridge.store.db import write_locked_scope
from ledgerbridge.store.models.numbering import IssuedNumber

INVOICE = "sales_invoice"
PREFIX, START = "INV-", 1101


def demo_numbering(sessions: sessionmaker[Session], organisation_id: int,
                   say: Callable[[str], None]) -> dict[str, Any]:
    """Run the devices' day and return what ``demo --json`` reports under ``numbering``."""
    with write_locked_scope(sessions) as session:
        set_numbering(session, organisation_id, INVOICE, prefix=PREFIX, next_number=START)
        tablet = reserve_block(session, organisation_id, INVOICE, "tablet-1")
        phone = reserve_block(session, organisation_id, INVOICE, "phone-1")
    say(f"Numbering: tablet-1 reserved {tablet.numbers[0]} to {tablet.numbers[-1]}, phone-1 {phone.numbers[0]} to "
        f"{phone.numbers[-1]} (skipped, already held: {', '.join(tablet.skipped_held_by_package) or 'none'})")
    with write_locked_scope(sessions) as session:  # back online: what each device did without a connection
        report_numbers(session, organisation_id, INVOICE, "tablet-1", used=tablet.numbers[:4],
                       voided=[tablet.numbers[4]], give_back_rest=True)
        report_numbers(session, organisation_id, INVOICE, "phone-1", used=phone.numbers[:2])
        replace_device(session, organisation_id, "phone-1", "phone-2")
        again = reserve_block(session, organisation_id, INVOICE, "phone-2")
    say(f"Numbering: phone-1 reinstalled as phone-2, which reserved {again.numbers[0]} to {again.numbers[-1]}")
    with sessions() as session:
        (invoices,) = [t for t in numbering_overview(session, organisation_id) if t.setting.document_type == INVOICE]
        handed_out = session.scalar(select(func.count()).select_from(IssuedNumber)) or 0
        distinct = session.scalar(select(func.count(func.distinct(IssuedNumber.number)))) or 0
    return {
        "document_type": INVOICE, "prefix": PREFIX, "start": f"{PREFIX}{START}", "next": invoices.setting.next_text,
        "skipped_held_by_package": tablet.skipped_held_by_package,
        "blocks": [{"device": b.device_id, "first": b.first, "last": b.last, "used": b.used, "voided": b.voided,
                    "free": b.free, "state": b.state} for b in reversed(invoices.blocks)],
        "devices": invoices.devices,
        "numbers_used": invoices.numbers_used,
        "gaps": [{"first": g.first, "last": g.last, "count": g.count, "cause": g.cause, "device": g.device_id}
                 for g in invoices.gaps],
        "numbers_handed_out": handed_out,
        "never_handed_out_twice": handed_out == distinct,
    }
