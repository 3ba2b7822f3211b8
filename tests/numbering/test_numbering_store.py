"""R-N1 on both stores: prefix and next number, device blocks of 25, numbers the package holds skipped, gaps with
their cause and never reused, documents numbered when issued."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from ledgerbridge.numbering.allocate import number_for_document, reserve_block
from ledgerbridge.numbering.devices import replace_device, report_numbers, void_document_number
from ledgerbridge.numbering.errors import NumberingRefused
from ledgerbridge.numbering.held import record_package_numbers
from ledgerbridge.numbering.overview import numbering_overview
from ledgerbridge.numbering.sequences import set_numbering
from ledgerbridge.store.db import write_locked_scope
from ledgerbridge.store.models.numbering import IssuedNumber

INVOICE = "sales_invoice"


def _setup(sessions: sessionmaker[Session], org_id: int, prefix: str = "AS-", start: int = 5000) -> None:
    with write_locked_scope(sessions) as session:
        set_numbering(session, org_id, INVOICE, prefix=prefix, next_number=start)


def _reserve(sessions: sessionmaker[Session], org_id: int, device: str) -> list[str]:
    with write_locked_scope(sessions) as session:
        return reserve_block(session, org_id, INVOICE, device).numbers


def _gaps(sessions: sessionmaker[Session], org_id: int) -> list[tuple[str, str, str]]:
    with sessions() as session:
        (invoices,) = [t for t in numbering_overview(session, org_id) if t.setting.document_type == INVOICE]
        return [(g.first, g.last, g.cause) for g in invoices.gaps]


def test_blocks_start_at_the_start_number_and_never_overlap(sessions: sessionmaker[Session], org_id: int) -> None:
    _setup(sessions, org_id)
    tablet = _reserve(sessions, org_id, "tablet-1")
    phone = _reserve(sessions, org_id, "phone-1")
    assert tablet == [f"AS-{n}" for n in range(5000, 5025)]
    assert phone == [f"AS-{n}" for n in range(5025, 5050)]
    with sessions() as session:
        (invoices,) = [t for t in numbering_overview(session, org_id) if t.setting.document_type == INVOICE]
    assert invoices.setting.next_text == "AS-5050"
    assert invoices.devices == ["phone-1", "tablet-1"]
    assert [(b.device_id, b.first, b.last, b.free) for b in invoices.blocks] == [
        ("phone-1", "AS-5025", "AS-5049", 25), ("tablet-1", "AS-5000", "AS-5024", 25)]


def test_numbers_the_package_holds_are_skipped_and_shown_as_gaps(sessions: sessionmaker[Session],
                                                                  org_id: int) -> None:
    _setup(sessions, org_id, start=100)
    with write_locked_scope(sessions) as session:
        # Made in the package before the start date (one written in another case): never handed out here.
        assert record_package_numbers(session, org_id, INVOICE, ["AS-103", "as-104 ", "AS-130", "AS-99"],
                                      "package_read") == 4
    block = _reserve(sessions, org_id, "tablet-1")
    assert len(block) == 25
    assert "AS-103" not in block and "AS-104" not in block
    assert block[:4] == ["AS-100", "AS-101", "AS-102", "AS-105"]
    assert block[-1] == "AS-126"
    second = _reserve(sessions, org_id, "tablet-1")
    assert "AS-130" not in second and second[0] == "AS-127"
    assert _gaps(sessions, org_id) == [("AS-103", "AS-104", "held_by_package"), ("AS-130", "AS-130", "held_by_package")]


def test_used_voided_given_back_and_reinstalled_are_gaps_never_reused(sessions: sessionmaker[Session],
                                                                       org_id: int) -> None:
    _setup(sessions, org_id, start=1)
    tablet = _reserve(sessions, org_id, "tablet-1")
    phone = _reserve(sessions, org_id, "phone-1")
    with write_locked_scope(sessions) as session:
        report = report_numbers(session, org_id, INVOICE, "tablet-1", used=tablet[:3], voided=[tablet[3]],
                                give_back_rest=True)
    assert report.as_dict() == {"used": 3, "voided": 1, "given_back": 21, "blocks_closed": 1, "unchanged": 0}
    with write_locked_scope(sessions) as session:
        report_numbers(session, org_id, INVOICE, "phone-1", used=phone[:2])
        assert replace_device(session, org_id, "phone-1", "phone-1-reinstalled") == 23
    assert _gaps(sessions, org_id) == [("AS-4", "AS-4", "void"), ("AS-5", "AS-25", "unused_block"),
                                       ("AS-28", "AS-50", "reinstalled_device")]
    after = _reserve(sessions, org_id, "phone-1-reinstalled")
    assert after[0] == "AS-51"  # nothing of the gaps comes round again
    with sessions() as session:
        assert session.scalar(select(func.count(IssuedNumber.id.distinct()))) == \
               session.scalar(select(func.count(func.distinct(IssuedNumber.number)))) == 75


def test_a_report_naming_another_devices_or_a_lost_number_is_refused_whole(sessions: sessionmaker[Session],
                                                                            org_id: int) -> None:
    _setup(sessions, org_id, start=1)
    tablet = _reserve(sessions, org_id, "tablet-1")
    phone = _reserve(sessions, org_id, "phone-1")
    with pytest.raises(NumberingRefused) as refused, write_locked_scope(sessions) as session:
        report_numbers(session, org_id, INVOICE, "tablet-1", used=[tablet[0], phone[0]])
    assert refused.value.field == "used[1]" and phone[0] in refused.value.record
    with write_locked_scope(sessions) as session:  # nothing of the refused report was kept
        assert report_numbers(session, org_id, INVOICE, "tablet-1", used=[tablet[0]]).used == 1
        replace_device(session, org_id, "tablet-1", "tablet-2")
    with pytest.raises(NumberingRefused, match="reinstalled_device: it is a gap now"), \
            write_locked_scope(sessions) as session:
        report_numbers(session, org_id, INVOICE, "tablet-1", used=[tablet[1]])


def test_next_number_only_moves_forward_once_numbers_were_handed_out(sessions: sessionmaker[Session],
                                                                     org_id: int) -> None:
    _setup(sessions, org_id, start=10)
    _setup(sessions, org_id, start=7)  # nothing handed out yet: any start will do
    _reserve(sessions, org_id, "tablet-1")
    with pytest.raises(NumberingRefused, match="can only move forward") as refused, \
            write_locked_scope(sessions) as session:
        set_numbering(session, org_id, INVOICE, next_number=20)
    assert refused.value.field == "next_number"
    _setup(sessions, org_id, start=40)
    assert _gaps(sessions, org_id) == [("AS-32", "AS-39", "moved_forward")]
    with pytest.raises(NumberingRefused, match="must not end with a digit"), write_locked_scope(sessions) as session:
        set_numbering(session, org_id, INVOICE, prefix="INV2")


def test_a_document_numbered_at_issue_keeps_its_number_and_its_void_is_a_gap(sessions: sessionmaker[Session],
                                                                              org_id: int) -> None:
    _setup(sessions, org_id, start=900)
    _reserve(sessions, org_id, "tablet-1")
    with write_locked_scope(sessions) as session:
        first = number_for_document(session, org_id, INVOICE, "JOB-1")
        again = number_for_document(session, org_id, INVOICE, "JOB-1")
        second = number_for_document(session, org_id, INVOICE, "JOB-2")
    assert (first, again, second) == ("AS-925", "AS-925", "AS-926")
    with write_locked_scope(sessions) as session:
        assert void_document_number(session, org_id, INVOICE, "JOB-1")
    assert _gaps(sessions, org_id) == [("AS-925", "AS-925", "void")]
