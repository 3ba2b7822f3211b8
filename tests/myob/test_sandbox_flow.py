"""The MYOB connector end to end against the MYOB sandbox, through the engine: consent with the businessId, the
chart (detail accounts only), the demo's customers, suppliers, invoices, credit notes and bills out, each once,
read back and ticked seen; every exchange checked against MYOB's type catalogue."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from conformance.fixtures import SandboxPool, open_world, sandboxes  # noqa: F401 (sandboxes: a fixture)
from conformance.myob import MYOB, MyobWorld
from sqlalchemy.orm import Session, sessionmaker

from ledgerbridge.sync.mappings import MappingError, MappingKind, set_mapping


@pytest.fixture
def world(sessions: sessionmaker[Session], sandboxes: SandboxPool) -> Iterator[MyobWorld]:  # noqa: F811
    for made in open_world(MYOB, sessions, sandboxes):
        assert isinstance(made, MyobWorld)
        yield made


def test_a_header_account_is_refused_at_mapping(world: MyobWorld) -> None:
    from ledgerbridge.store.db import session_scope

    with session_scope(world.sessions) as session, pytest.raises(MappingError):
        set_mapping(session, world.conn_id, MappingKind.NOMINAL, "4000", "4-0000")  # "Income", a header


def test_the_demo_goes_out_once_and_reads_back(world: MyobWorld) -> None:
    report = MYOB.upload(world)
    # INV-1103 is on the demo's unmapped nominal 4090, on purpose
    assert [p["document"] for p in report["problems"]] == ["INV-1103"], report["problems"][:5]
    numbers = world.remote_numbers()
    assert len(numbers) == report["exported"] and set(numbers.values()) == {1}, numbers
    credit = world.raw("CN-2001")
    assert credit["Status"] == "Credit" and credit["TotalAmount"] < 0
    again = MYOB.upload(world)
    assert again["exported"] == 0 and world.remote_numbers() == numbers
