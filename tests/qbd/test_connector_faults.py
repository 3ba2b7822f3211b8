"""What goes wrong between ledgerbridge and QuickBooks Desktop, through the real engine: an answer lost after
QuickBooks ran the message (resolved by QuickBooks' error recovery, or by a query confirmed by ExternalGUID when
QuickBooks no longer knows), a message lost before QuickBooks saw it, QuickBooks not running, the Web Connector
gone. Whatever happened, each document is in QuickBooks exactly once: the company's transactions are counted."""

from __future__ import annotations

from collections import Counter

from lxml import etree
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from ledgerbridge.connectors.mailbox import Mailbox
from ledgerbridge.connectors.protocol import ConnectorCallFailed
from ledgerbridge.packages.qbd.connector import QbdConnector
from ledgerbridge.packages.qbd.sandbox.company import USER_APP
from ledgerbridge.store.db import session_scope
from ledgerbridge.store.models.mailbox import MailboxMessage, MailboxState
from ledgerbridge.store.models.sync import RecordType, SyncStatus
from ledgerbridge.sync.exporter import Exporter

from .pump import APP_NAME
from .test_connector_export import UNMAPPED, records
from .world import QbdWorld, open_world

SENT = 29  # documents that go out (all but the unmapped one)
CUSTOMERS = {"C001": "Aldgate Bakery Ltd", "C002": "Bramley Florists", "C003": "Castle Hill Dental",
             "C004": "Dunmore Joinery", "C005": "Eastgate Motors", "C006": "Fernside Cafe",
             "C007": "Greyfriars Books", "C008": "Harbour Lights Hotel"}


def copies(world: QbdWorld) -> Counter[str]:
    return Counter(str(t.ref_number) for t in world.txns("Invoice", "CreditMemo", "Bill"))


def states(world: QbdWorld) -> Counter[str]:
    with session_scope(world.sessions) as session:
        return Counter(session.scalars(select(MailboxMessage.state)))


def status_checks(world: QbdWorld) -> int:
    return sum("oldMessageSetID" in m for m in world.pump.messages)


def upload_without_the_web_connector(world: QbdWorld) -> None:
    """An upload during which the Web Connector goes away: what waits is withdrawn, and the run's read-back (if
    any record awaits its tick) fails saying the work goes at the next session."""
    try:
        world.exporter().upload()
    except ConnectorCallFailed as failure:
        assert "next session" in failure.message and not failure.outcome_unknown


def test_a_lost_answer_is_asked_about_at_once_and_bound_in_the_same_run(sessions: sessionmaker[Session]) -> None:
    with open_world(sessions) as world:
        # the answer to the run's last write message is lost (one call at a time: no other write of the run goes
        # out after it, which would replace what QuickBooks keeps; when one does, the next run's look-up binds)
        world.pump.drop_next_answer(lambda message: "<CreditMemoAddRq" in message)
        report = Exporter(sessions, world.conn_id, world.connector(), parallel_calls=1).upload()
        # the Web Connector came back while the run waited: QuickBooks' error recovery told what it made
        assert (report.exported, report.failed, report.seen) == (SENT, 1, SENT)
        assert status_checks(world) == 1 and states(world)[MailboxState.RESOLVED] >= 1
        assert len(copies(world)) == SENT and max(copies(world).values()) == 1
        docs = records(world)
        assert {n for n, r in docs.items() if r.status == SyncStatus.SEEN.value} == set(docs) - {UNMAPPED}
        # its total was not in the recovered answer: the read-back confirmed it before the tick
        assert world.pump.request_kinds["CreditMemoQueryRq"] == 1


def test_a_lost_answer_is_resolved_by_error_recovery_at_the_next_run(sessions: sessionmaker[Session]) -> None:
    with open_world(sessions) as world:
        # the Web Connector does not come back until its next scheduled run
        world.pump.drop_next_answer(lambda message: "<InvoiceAddRq" in message, resume=False)
        upload_without_the_web_connector(world)
        unknown = [n for n, r in records(world).items() if r.status == SyncStatus.ERROR.value and n != UNMAPPED]
        assert unknown and states(world)[MailboxState.IN_DOUBT] >= 1
        # QuickBooks made those of the lost message (the invoices, and what was packed with them); the rest of
        # the run was withdrawn, never handed out
        recovered = [n for n in unknown if copies(world)[n]]
        assert {n for n in unknown if n.startswith("INV")} <= set(recovered)
        world.pump.resume()
        second = world.exporter().upload()
        assert second.recovered == len(recovered) and second.exported == len(unknown) - len(recovered)
        assert len(copies(world)) == SENT and max(copies(world).values()) == 1
        assert status_checks(world) == 1  # asked once, answered from QuickBooks' error recovery
        assert not states(world)[MailboxState.IN_DOUBT]
        assert {n for n, r in records(world).items() if r.status == SyncStatus.SEEN.value} == \
            set(records(world)) - {UNMAPPED}


def test_when_quickbooks_no_longer_knows_the_records_are_found_by_number_and_guid(
        sessions: sessionmaker[Session]) -> None:
    with open_world(sessions) as world:
        world.pump.drop_next_answer(lambda message: "<InvoiceAddRq" in message, resume=False)
        upload_without_the_web_connector(world)
        world.company.recovery.clear(APP_NAME)  # e.g. another application's run cleared it
        world.pump.resume()
        # and someone keyed a same-numbered invoice for the same customer and day by hand: not ours
        ours = world.one("INV-1002", "Invoice")
        world.company.run_as_user(etree.fromstring(
            f"<InvoiceAddRq><InvoiceAdd><CustomerRef><ListID>{ours.entity_id}</ListID></CustomerRef>"
            f"<TxnDate>{ours.txn_date.isoformat()}</TxnDate><RefNumber>INV-1002</RefNumber><InvoiceLineAdd>"
            "<ItemRef><FullName>Consulting</FullName></ItemRef><Amount>10.00</Amount></InvoiceLineAdd>"
            "</InvoiceAdd></InvoiceAddRq>"))
        second = world.exporter().upload()
        assert second.recovered > 0
        assert copies(world)["INV-1002"] == 2 and records(world)["INV-1002"].external_id == ours.txn_id
        assert len(copies(world)) == SENT and max((copies(world) - Counter({"INV-1002": 1})).values()) == 1
        assert status_checks(world) == 1
        assert world.pump.request_kinds["InvoiceQueryRq"] >= 1  # by RefNumber, party and date


def test_a_message_quickbooks_never_saw_is_sent_again_once(sessions: sessionmaker[Session]) -> None:
    with open_world(sessions) as world:
        world.pump.drop_next_answer(lambda message: "<InvoiceAddRq" in message, run=False)
        first = world.exporter().upload()
        missing = [n for n, r in records(world).items() if r.status == SyncStatus.ERROR.value and n != UNMAPPED]
        assert missing and not any(copies(world)[n] for n in missing)
        second = world.exporter().upload()
        assert second.recovered == 0 and second.exported == len(missing) == SENT - first.exported
        assert len(copies(world)) == SENT and max(copies(world).values()) == 1


def test_quickbooks_not_running_fails_the_run_with_its_words_and_nothing_is_in_doubt(
        sessions: sessionmaker[Session]) -> None:
    with open_world(sessions) as world:
        world.pump.quickbooks_down()
        report = world.exporter().upload()
        assert report.exported == 0
        problem = next(p for p in report.problems if p["document"] != UNMAPPED)
        assert "0x80040416" in problem["message"] and "QuickBooks is not running" in problem["message"]
        assert not states(world)[MailboxState.IN_DOUBT]
        world.pump.quickbooks_down(False)
        again = world.exporter().upload()
        assert again.exported == SENT and again.recovered == 0
        assert len(copies(world)) == SENT


def test_without_the_web_connector_the_call_says_it_goes_at_the_next_session(
        sessions: sessionmaker[Session]) -> None:
    with open_world(sessions) as world:
        world.pump.stop()
        gone = QbdConnector(sessions, world.conn_id, Mailbox(sessions, world.conn_id, reachable=lambda: False,
                                                             package="QuickBooks Desktop"))
        try:
            gone.fetch_chart()
        except ConnectorCallFailed as failure:
            assert "next session" in failure.message and not failure.outcome_unknown
        else:
            raise AssertionError("the call should have failed")
        assert states(world)[MailboxState.WITHDRAWN] == 1


def test_user_actions_keep_no_recovery_state_of_ours(sessions: sessionmaker[Session]) -> None:
    """(The sandbox keeps error recovery per application: what a QuickBooks user does never replaces ours.)"""
    with open_world(sessions) as world:
        world.exporter().upload()
        assert set(world.company.recovery.snapshot()) == {APP_NAME} and USER_APP != APP_NAME


def test_customers_whose_answer_was_lost_are_found_by_name_and_code(sessions: sessionmaker[Session]) -> None:
    with open_world(sessions) as world:
        world.pump.drop_next_answer(lambda message: "<CustomerAddRq" in message, resume=False)
        first = world.exporter().upload()
        assert first.exported == 0  # every document waits for its party (and the Web Connector is gone)
        made = world.names("Customer")
        assert len(made) == 8  # QuickBooks made them all the same
        world.pump.resume()
        second = world.exporter().upload()
        assert second.exported == SENT
        parties = records(world, RecordType.PARTY)
        assert {code: parties[code].external_id for code in parties if code.startswith("C")} == {
            code: made[name] for code, name in CUSTOMERS.items()}
        assert len(world.names("Customer")) == 8 and world.pump.request_kinds["CustomerAddRq"] == 8


def test_quickbooks_missing_a_message_or_two_is_waited_out(sessions: sessionmaker[Session]) -> None:
    with open_world(sessions) as world:
        world.pump.quickbooks_down(True, messages=2)  # QuickBooks busy or closing: two messages not run
        report = world.exporter().upload()
        assert (report.exported, report.failed) == (SENT, 1) and report.problems[0]["document"] == UNMAPPED
        assert len(copies(world)) == SENT and not states(world)[MailboxState.IN_DOUBT]
