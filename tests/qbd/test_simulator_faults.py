"""The Web Connector simulator's cut mid-iterator (``sandbox/web_connector_faults.py``): it waits for an answer
that leaves an iterator open and is played once. The fault test (``tests/faults/test_web_connector_faults.py``)
plays it over the full path; here, which answers it takes."""

from __future__ import annotations

import pytest

from ledgerbridge.packages.qbd.sandbox.web_connector_faults import Cut, SimulatorFaults


def _answer(remaining: int | None) -> str:
    iterator = "" if remaining is None else f' iteratorRemainingCount="{remaining}" iteratorID="{{1-2}}"'
    return (f'<QBXML><QBXMLMsgsRs><ReceivePaymentQueryRs requestID="7" statusCode="0" statusSeverity="Info" '
            f'statusMessage="Status OK"{iterator} /></QBXMLMsgsRs></QBXML>')


def test_a_cut_mid_iterator_waits_for_an_open_iterator_and_plays_once() -> None:
    faults = SimulatorFaults()
    faults.cut_mid_iterator(Cut.AFTER_PROCESS)
    assert not faults.take_mid_iterator(Cut.AFTER_PROCESS, _answer(None))  # no iterator
    assert not faults.take_mid_iterator(Cut.AFTER_PROCESS, _answer(0))  # the iterator's last page
    assert not faults.take_mid_iterator(Cut.AFTER_ANSWER, _answer(10))  # armed for another point
    assert faults.take_mid_iterator(Cut.AFTER_PROCESS, _answer(10))
    assert not faults.take_mid_iterator(Cut.AFTER_PROCESS, _answer(10))  # played once


def test_a_cut_mid_iterator_follows_a_page_quickbooks_ran() -> None:
    with pytest.raises(ValueError, match="after_process or after_answer"):
        SimulatorFaults().cut_mid_iterator(Cut.BEFORE_PROCESS)
