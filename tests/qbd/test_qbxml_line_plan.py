"""A Mod that touches lines must name every line it keeps: the plan cannot be built any other way."""

from __future__ import annotations

import pytest

from ledgerbridge.packages.qbd.qbxml.line_plan import NEW_LINE, LinePlan, LinePlanError, LineSlot
from ledgerbridge.packages.qbd.qbxml.sales import invoice_mod
from tests.qbd.qbxml_examples import SALES_HEADER, SALES_LINES, TARGET

CURRENT = ("L1", "L2", "L3")


def test_replace_deletes_what_is_there_and_adds_the_new_lines() -> None:
    plan = LinePlan.replace(CURRENT, ["a", "b"])
    assert [(s.txn_line_id, s.line) for s in plan.slots] == [(NEW_LINE, "a"), (NEW_LINE, "b")]
    assert plan.deleted == CURRENT


def test_edit_keeps_every_line_not_deleted_in_order() -> None:
    plan = LinePlan.edit(CURRENT, change={"L2": "new"}, delete=["L3"], add=["x"])
    assert [(s.txn_line_id, s.line) for s in plan.slots] == [("L1", None), ("L2", "new"), (NEW_LINE, "x")]
    assert plan.deleted == ("L3",)


def test_a_line_left_out_without_saying_delete_is_refused() -> None:
    with pytest.raises(LinePlanError, match="L2, L3 is neither kept nor deleted"):
        LinePlan(CURRENT, [LineSlot("L1", "changed")])


@pytest.mark.parametrize("slots, deleted, problem", [
    ([LineSlot("L9", None)], (), "L9 is not a line of the transaction now"),
    ([LineSlot("L1", None), LineSlot("L1", None)], ("L2", "L3"), "sent twice"),
    ([LineSlot("L1", None), LineSlot("L2", None), LineSlot("L3", None)], ("L3",), "both kept and deleted"),
    ([LineSlot(NEW_LINE, None)], CURRENT, "needs its content"),
])
def test_inconsistent_plans_are_refused(slots: list[LineSlot[str]], deleted: tuple[str, ...], problem: str) -> None:
    with pytest.raises(LinePlanError, match=problem):
        LinePlan(CURRENT, slots, deleted)


def test_edit_refuses_a_change_to_an_unknown_line() -> None:
    with pytest.raises(LinePlanError, match="L7"):
        LinePlan.edit(CURRENT, change={"L7": "x"})


def test_the_mod_sends_kept_lines_by_id_alone() -> None:
    request = invoice_mod(TARGET, SALES_HEADER, LinePlan.edit(CURRENT, delete=["L2"], add=[SALES_LINES[0]]),
                          request_id="m")
    lines = request.findall("InvoiceMod/InvoiceLineMod")
    assert [line.findtext("TxnLineID") for line in lines] == ["L1", "L3", "-1"]
    assert [len(line) for line in lines[:2]] == [1, 1]  # TxnLineID alone: kept as QuickBooks has it


def test_an_untouched_mod_sends_no_line() -> None:
    request = invoice_mod(TARGET, SALES_HEADER, None, request_id="m")
    assert request.find("InvoiceMod/InvoiceLineMod") is None
