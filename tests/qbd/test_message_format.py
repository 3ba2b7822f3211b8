"""QuickBooks Desktop's envelope for the mailbox, and the mailbox's resolution of in-doubt writes, on both stores:
messages the schema accepts, ``newMessageSetID`` only on messages that write, a status check that travels alone
and is answered under the requestIDs it asks about, answers split by requestID; and the connector's factory."""

from __future__ import annotations

import re
import threading
from concurrent.futures import ThreadPoolExecutor

from lxml import etree
from sqlalchemy.orm import Session, sessionmaker

from ledgerbridge.connectors.budget import CallBudget
from ledgerbridge.connectors.limits import BudgetLimits
from ledgerbridge.connectors.mailbox import (
    Mailbox,
    OutgoingRequest,
    break_session,
    deliver,
    hand_out,
    in_doubt_messages,
    pending_count,
    resolve_doubt,
    resolved_messages,
)
from ledgerbridge.connectors.spec import ConnectorOptions
from ledgerbridge.packages.qbd.connector import QbdConnector, connector_for
from ledgerbridge.packages.qbd.message_format import STATUS_REQUEST, QbdMessageFormat, status_check_rule
from ledgerbridge.packages.qbd.qbxml.envelope import request_text
from ledgerbridge.packages.qbd.qbxml.list_queries import account_query
from ledgerbridge.packages.qbd.qbxml.voids import txn_void
from ledgerbridge.packages.qbd.sandbox import CompanyConfig, QuickBooksCompany
from ledgerbridge.store.db import session_scope
from ledgerbridge.store.models.host import Organisation
from ledgerbridge.store.models.sync import Connection
from tests.contract_checks.qbxml import check_qbxml

FMT = QbdMessageFormat()


def _connection(sessions: sessionmaker[Session]) -> int:
    with session_scope(sessions) as session:
        org = Organisation(name="Desk Ltd")
        session.add(org)
        session.flush()
        conn = Connection(organisation_id=org.id, kind="qbd", name="QuickBooks Desktop", api_base_url="",
                          identity_base_url="", client_id="", client_secret_enc="", redirect_uri="")
        session.add(conn)
        session.flush()
        return conn.id


def _wait_queued(sessions: sessionmaker[Session], connection_id: int, n: int) -> None:
    ready = threading.Event()
    for _ in range(500):
        if pending_count(sessions, connection_id) >= n:
            return
        ready.wait(0.01)
    raise AssertionError(f"{n} messages were never queued")


def test_only_a_message_that_writes_carries_a_new_message_set_id() -> None:
    read = request_text(account_query(request_id="q-1"))
    write = request_text(txn_void("Invoice", "1-1", request_id="d7-1"))
    reads_only = FMT.wrap([read], version="13.0", on_error="continueOnError", message_set_id="abc")
    writing = FMT.wrap([read, write], version="16.0", on_error="stopOnError", message_set_id="abc")
    assert check_qbxml(reads_only) == "13.0" and check_qbxml(writing) == "16.0"
    assert "MessageSetID" not in reads_only  # a read never replaces what QuickBooks keeps of the last write
    assert 'newMessageSetID="abc"' in writing and 'onError="stopOnError"' in writing


def test_a_status_check_asks_about_one_set_and_runs_nothing() -> None:
    rule = status_check_rule()
    assert len(rule) <= 20 and rule != status_check_rule()  # unique: the mailbox never packs it with another
    message = FMT.wrap(["abc123"], version="13.0", on_error=rule, message_set_id="ignored")
    assert check_qbxml(message) == "13.0"
    root = etree.fromstring(message.encode())
    requests = root.find("QBXMLMsgsRq")
    assert requests is not None and requests.get("oldMessageSetID") == "abc123" and len(requests) == 0


def test_an_answer_is_split_by_request_id_with_the_message_sets_status() -> None:
    company = QuickBooksCompany(CompanyConfig())
    write = FMT.wrap([request_text(account_query(request_id="q-1"))], version="13.0", on_error="continueOnError",
                     message_set_id="s1")
    parts = FMT.split(company.process(write))
    assert set(parts) == {"q-1"} and parts["q-1"].startswith("<AccountQueryRs")
    check = FMT.wrap(["never-sent"], version="13.0", on_error=status_check_rule(), message_set_id="x")
    parts = FMT.split(company.process(check))
    assert re.search(r'messageSetStatusCode="600"', parts[STATUS_REQUEST])
    assert FMT.split("not qbXML at all") == {}


def test_an_in_doubt_set_is_resolved_with_what_quickbooks_recorded(sessions: sessionmaker[Session]) -> None:
    conn_id = _connection(sessions)
    company = QuickBooksCompany(CompanyConfig())
    box = Mailbox(sessions, conn_id, reachable=lambda: True)
    pool = ThreadPoolExecutor(2)
    write = txn_void("Invoice", "1-1", request_id="d42-a1")
    lost = pool.submit(lambda: box.exchange([OutgoingRequest("d42-a1", request_text(write))], writes=True,
                                            purpose="void"))
    _wait_queued(sessions, conn_id, 1)
    message = hand_out(sessions, conn_id, 1, FMT, version="13.0", max_bytes=10_000)
    assert message is not None
    company.process(message)  # QuickBooks ran it (3120: no such invoice, but recorded), the answer is lost
    break_session(sessions, conn_id, 1, "cut")
    assert lost.exception(timeout=10) is not None
    [(set_id, ids)] = in_doubt_messages(sessions, conn_id)
    outgoing = [OutgoingRequest(STATUS_REQUEST, set_id), OutgoingRequest("d42-a1", "")]
    asked = pool.submit(lambda: box.exchange(outgoing, writes=False, purpose="status", on_error=status_check_rule()))
    _wait_queued(sessions, conn_id, 1)
    check = hand_out(sessions, conn_id, 2, FMT, version="13.0", max_bytes=10_000)
    assert check is not None and f'oldMessageSetID="{set_id}"' in check
    deliver(sessions, conn_id, 2, FMT, company.process(check))
    answers = dict(asked.result(timeout=10).answers)
    assert 'messageSetStatusCode="0"' in answers.pop(STATUS_REQUEST) and set(answers) == {"d42-a1"}
    assert resolve_doubt(sessions, conn_id, set_id, answers, "asked") == 1
    assert in_doubt_messages(sessions, conn_id) == []
    [resolved] = resolved_messages(sessions, conn_id, "d42-")
    assert resolved.message_set_id == set_id and resolved.answers == answers
    assert resolved_messages(sessions, conn_id, "d43-") == []
    pool.shutdown()


def test_the_factory_makes_the_connector_with_the_reachability_it_is_given(sessions: sessionmaker[Session]) -> None:
    conn_id = _connection(sessions)
    budget = CallBudget(conn_id, BudgetLimits(), unlimited=True)
    made = connector_for(sessions, conn_id, budget, ConnectorOptions(), reachable=lambda: False)
    assert isinstance(made, QbdConnector) and made.kind == "qbd" and made.separate_party_roles
    assert made.max_number_length == 20 and made.tax_rounding == "total"  # US until the chart says otherwise
    assert made.calls.mailbox._reachable() is False
