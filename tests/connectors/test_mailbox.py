"""The mailbox of a polled package, on both stores: a connector's exchange waits for the package's ask and answer.

The package's side (its asks and answers) is played by calling ``hand_out`` / ``deliver`` / ``break_session`` from
the test's thread, as the web service does; the connector's side runs in a thread of its own, as in a worker. The
envelope below is a stand-in for a package's own (the mailbox never reads the text): each request is
``<r id="…">…</r>`` and an answer ``<a id="…">…</a>``.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from ledgerbridge.connectors.mailbox import (
    Delivery,
    Mailbox,
    OutgoingRequest,
    PartlyAnswered,
    break_session,
    deliver,
    end_session,
    hand_out,
    in_doubt_messages,
    pending_count,
    resolve_doubt,
    resolved_messages,
)
from ledgerbridge.connectors.protocol import ConnectorCallFailed
from ledgerbridge.store.db import session_scope
from ledgerbridge.store.models.host import Organisation
from ledgerbridge.store.models.mailbox import MailboxMessage, MailboxState
from ledgerbridge.store.models.sync import Connection

SESSION = 7


class TagFormat:
    def wrap(self, requests: Sequence[str], *, version: str, on_error: str, message_set_id: str) -> str:
        return f'<m v="{version}" e="{on_error}" set="{message_set_id}">{"".join(requests)}</m>'

    def split(self, answer: str) -> Mapping[str, str]:
        return {m.group(1): m.group(0) for m in re.finditer(r'<a id="([^"]+)">.*?</a>', answer)}


FMT = TagFormat()


@pytest.fixture
def connection_id(sessions: sessionmaker[Session]) -> int:
    with session_scope(sessions) as session:
        org = Organisation(name="Mailbox Ltd")
        session.add(org)
        session.flush()
        conn = Connection(organisation_id=org.id, kind="polled", name="Polled", api_base_url="http://x",
                          identity_base_url="http://x", client_id="c", client_secret_enc="s", redirect_uri="http://x")
        session.add(conn)
        session.flush()
        return conn.id


def req(rid: str, body: str = "x") -> OutgoingRequest:
    return OutgoingRequest(rid, f'<r id="{rid}">{body}</r>')


def in_thread(call: Callable[[], Delivery]) -> Future[Delivery]:
    pool = ThreadPoolExecutor(1)
    future = pool.submit(call)
    pool.shutdown(wait=False)
    return future


def wait_queued(sessions: sessionmaker[Session], connection_id: int, n: int) -> None:
    ready = threading.Event()
    for _ in range(500):
        if pending_count(sessions, connection_id) >= n:
            return
        ready.wait(0.01)
    raise AssertionError(f"{n} messages were never queued")


def test_an_exchange_is_answered_by_request_id(sessions: sessionmaker[Session], connection_id: int) -> None:
    box = Mailbox(sessions, connection_id, reachable=lambda: True, poll_seconds=0.05)
    future = in_thread(lambda: box.exchange([req("1"), req("2")], writes=True, purpose="2 invoices"))
    wait_queued(sessions, connection_id, 1)
    message = hand_out(sessions, connection_id, SESSION, FMT, version="13.0", max_bytes=10_000)
    assert message is not None and message.startswith('<m v="13.0" e="continueOnError" set="')
    assert '<r id="1">x</r><r id="2">x</r>' in message
    assert hand_out(sessions, connection_id, SESSION, FMT, version="13.0", max_bytes=10_000) is None
    assert deliver(sessions, connection_id, SESSION, FMT, '<a id="2">two</a><a id="1">one</a>') == 1
    got = future.result(timeout=10)
    assert got.answers == {"1": '<a id="1">one</a>', "2": '<a id="2">two</a>'}
    assert re.search(r'set="([0-9a-f]{20})"', message) and got.message_set_id in message


def test_messages_are_packed_in_order_up_to_the_bound(sessions: sessionmaker[Session], connection_id: int) -> None:
    boxes = [Mailbox(sessions, connection_id, reachable=lambda: True, poll_seconds=0.05) for _ in range(4)]
    futures = []
    rules = ["continueOnError", "continueOnError", "continueOnError", "stopOnError"]
    for n, (box, rule) in enumerate(zip(boxes, rules, strict=True)):
        futures.append(in_thread(lambda b=box, n=n, r=rule: b.exchange([req(str(n), "y" * 40)], writes=False,
                                                                          purpose="read", on_error=r)))
        wait_queued(sessions, connection_id, n + 1)  # queued in this order
    size = len('<r id="0">' + "y" * 40 + "</r>")
    first = hand_out(sessions, connection_id, SESSION, FMT, version="16.0", max_bytes=2 * size)
    assert first is not None and re.findall(r'<r id="(\d)">', first) == ["0", "1"]
    deliver(sessions, connection_id, SESSION, FMT, '<a id="0">a</a><a id="1">b</a>')
    second = hand_out(sessions, connection_id, SESSION, FMT, version="16.0", max_bytes=10 * size)
    assert second is not None and re.findall(r'<r id="(\d)">', second) == ["2"]  # the next rule waits
    deliver(sessions, connection_id, SESSION, FMT, '<a id="2">c</a>')
    third = hand_out(sessions, connection_id, SESSION, FMT, version="16.0", max_bytes=1)  # the first always goes
    assert third is not None and 'e="stopOnError"' in third
    deliver(sessions, connection_id, SESSION, FMT, '<a id="3">d</a>')
    assert [f.result(timeout=10).answers for f in futures] == [
        {"0": '<a id="0">a</a>'}, {"1": '<a id="1">b</a>'}, {"2": '<a id="2">c</a>'}, {"3": '<a id="3">d</a>'}]


def test_an_exchange_in_parts_fills_the_message_with_whole_requests(sessions: sessionmaker[Session],
                                                                   connection_id: int) -> None:
    """Two exchanges of six requests, each queued in parts of two: a bound of five requests' bytes takes four
    (two parts), so three messages carry the twelve; whole exchanges could not share a message under it."""
    size = len(req("a0", "y" * 40).text)
    boxes = [Mailbox(sessions, connection_id, reachable=lambda: True, poll_seconds=0.05) for _ in range(2)]
    futures = []
    for n, box in enumerate(boxes):
        batch = [req(f"{'ab'[n]}{i}", "y" * 40) for i in range(6)]
        futures.append(in_thread(lambda b=box, batch=batch: b.exchange(batch, writes=True, purpose="invoices",
                                                                       part_bytes=2 * size)))
        wait_queued(sessions, connection_id, 3 * (n + 1))
    carried = []
    while (message := hand_out(sessions, connection_id, SESSION, FMT, version="16.0", max_bytes=5 * size)):
        ids = re.findall(r'<r id="(\w+)">', message)
        carried.append(ids)
        deliver(sessions, connection_id, SESSION, FMT, "".join(f'<a id="{i}">{i}</a>' for i in ids))
    assert carried == [["a0", "a1", "a2", "a3"], ["a4", "a5", "b0", "b1"], ["b2", "b3", "b4", "b5"]]
    assert [sorted(f.result(timeout=10).answers) for f in futures] == [[f"a{i}" for i in range(6)],
                                                                       [f"b{i}" for i in range(6)]]


def test_an_exchange_in_parts_is_in_doubt_when_one_part_is(sessions: sessionmaker[Session],
                                                           connection_id: int) -> None:
    """The first part answered, the second taken by a session that broke: the exchange's outcome is unknown, and
    what was answered comes with the failure (``PartlyAnswered``) for the caller that recovers the rest."""
    size = len(req("c0", "y" * 40).text)
    box = Mailbox(sessions, connection_id, reachable=lambda: True, poll_seconds=0.05)
    future = in_thread(lambda: box.exchange([req(f"c{i}", "y" * 40) for i in range(4)], writes=True,
                                            purpose="invoices", part_bytes=2 * size))
    wait_queued(sessions, connection_id, 2)
    assert hand_out(sessions, connection_id, SESSION, FMT, version="16.0", max_bytes=2 * size) is not None
    deliver(sessions, connection_id, SESSION, FMT, '<a id="c0">0</a><a id="c1">1</a>')
    assert hand_out(sessions, connection_id, SESSION, FMT, version="16.0", max_bytes=2 * size) is not None
    break_session(sessions, connection_id, SESSION, "the Web Connector's session broke")
    with pytest.raises(PartlyAnswered) as failed:
        future.result(timeout=10)
    assert failed.value.outcome_unknown and sorted(failed.value.answers) == ["c0", "c1"]
    assert [ids for _, ids in in_doubt_messages(sessions, connection_id)] == ["c2 c3"]


@pytest.mark.parametrize("writes", [True, False])
def test_a_broken_session_leaves_writes_in_doubt(sessions: sessionmaker[Session], connection_id: int,
                                                 writes: bool) -> None:
    box = Mailbox(sessions, connection_id, reachable=lambda: True, poll_seconds=0.05)
    future = in_thread(lambda: box.exchange([req("9")], writes=writes, purpose="one"))
    wait_queued(sessions, connection_id, 1)
    assert hand_out(sessions, connection_id, SESSION, FMT, version="13.0", max_bytes=100) is not None
    assert break_session(sessions, connection_id, SESSION, "the Web Connector authenticated again") == int(writes)
    with pytest.raises(ConnectorCallFailed) as failed:
        future.result(timeout=10)
    assert failed.value.outcome_unknown is writes
    assert "authenticated again" in failed.value.message
    doubtful = in_doubt_messages(sessions, connection_id)
    assert [ids for _, ids in doubtful] == (["9"] if writes else [])


def test_a_message_not_taken_is_withdrawn_when_the_package_is_gone(sessions: sessionmaker[Session],
                                                                  connection_id: int) -> None:
    open_now = threading.Event()
    open_now.set()
    box = Mailbox(sessions, connection_id, reachable=open_now.is_set, poll_seconds=0.05)
    future = in_thread(lambda: box.exchange([req("5")], writes=True, purpose="one"))
    wait_queued(sessions, connection_id, 1)
    open_now.clear()
    with pytest.raises(ConnectorCallFailed) as failed:
        future.result(timeout=10)
    assert failed.value.outcome_unknown is False and "next session" in failed.value.message
    with session_scope(sessions) as session:
        assert session.scalars(select(MailboxMessage.state)).all() == [MailboxState.WITHDRAWN]
    assert hand_out(sessions, connection_id, SESSION, FMT, version="13.0", max_bytes=100) is None


def test_the_end_of_a_session_settles_everything(sessions: sessionmaker[Session], connection_id: int) -> None:
    held = Mailbox(sessions, connection_id, reachable=lambda: True, poll_seconds=0.05)
    waiting = Mailbox(sessions, connection_id, reachable=lambda: True, poll_seconds=0.05)
    first = in_thread(lambda: held.exchange([req("1")], writes=True, purpose="held"))
    wait_queued(sessions, connection_id, 1)
    assert hand_out(sessions, connection_id, SESSION, FMT, version="13.0", max_bytes=100) is not None
    second = in_thread(lambda: waiting.exchange([req("2")], writes=True, purpose="waiting"))
    wait_queued(sessions, connection_id, 1)
    end_session(sessions, connection_id, SESSION, "closed by the Web Connector")
    with pytest.raises(ConnectorCallFailed) as held_failed:
        first.result(timeout=10)
    with pytest.raises(ConnectorCallFailed) as waiting_failed:
        second.result(timeout=10)
    assert held_failed.value.outcome_unknown and not waiting_failed.value.outcome_unknown


def test_a_message_the_package_could_not_run_fails_with_its_words(sessions: sessionmaker[Session],
                                                                   connection_id: int) -> None:
    box = Mailbox(sessions, connection_id, reachable=lambda: True, poll_seconds=0.05)
    future = in_thread(lambda: box.exchange([req("1")], writes=True, purpose="one"))
    wait_queued(sessions, connection_id, 1)
    hand_out(sessions, connection_id, SESSION, FMT, version="13.0", max_bytes=100)
    deliver(sessions, connection_id, SESSION, FMT, None, error="0x80040400: QuickBooks found an error when parsing")
    with pytest.raises(ConnectorCallFailed, match="0x80040400") as failed:
        future.result(timeout=10)
    assert failed.value.outcome_unknown is False


def test_an_in_doubt_write_is_resolved_with_the_packages_word(sessions: sessionmaker[Session],
                                                               connection_id: int) -> None:
    box = Mailbox(sessions, connection_id, reachable=lambda: True, poll_seconds=0.05)
    future = in_thread(lambda: box.exchange([req("r7-1"), req("r8-2")], writes=True, purpose="two"))
    wait_queued(sessions, connection_id, 1)
    assert box.reachable()
    hand_out(sessions, connection_id, SESSION, FMT, version="13.0", max_bytes=100)
    break_session(sessions, connection_id, SESSION, "cut")
    with pytest.raises(ConnectorCallFailed):
        future.result(timeout=10)
    [(set_id, _)] = in_doubt_messages(sessions, connection_id)
    # the package ran the first request and not the second
    assert resolve_doubt(sessions, connection_id, set_id, {"r7-1": '<a id="r7-1">made</a>'}, "asked") == 1
    assert in_doubt_messages(sessions, connection_id) == []
    assert resolve_doubt(sessions, connection_id, set_id, None, "again") == 0  # resolved once
    [resolved] = resolved_messages(sessions, connection_id, "r7-")
    assert resolved.request_ids == ("r7-1", "r8-2") and resolved.answers == {"r7-1": '<a id="r7-1">made</a>'}
    assert resolved_messages(sessions, connection_id, "r9-") == []
    with session_scope(sessions) as session:
        assert session.scalars(select(MailboxMessage.state)).all() == [MailboxState.RESOLVED]
