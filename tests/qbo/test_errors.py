"""QBO's Fault bodies, in either case (the gateway's 401/429 use lower-case keys), and what they mean."""

from __future__ import annotations

from ledgerbridge.packages.qbo.errors import explain, fault_message, parse_fault


def test_fault_in_both_cases() -> None:
    upper = parse_fault({"Fault": {"Error": [{"Message": "Duplicate Name Exists Error", "Detail": "The name supplied "
                                              "already exists.", "code": "6240", "element": ""}],
                                   "type": "ValidationFault"}})
    lower = parse_fault({"fault": {"error": [{"message": "message=ThrottleExceeded; errorCode=003001",
                                              "detail": "ThrottleExceeded", "code": "3001"}], "type": "SERVICE"}})
    assert [e.code for e in upper] == ["6240"] and [e.code for e in lower] == ["3001"]
    assert "6240" in fault_message(upper, "") and explain(upper)[0] == "data"
    assert parse_fault({"Invoice": {"Id": "1"}}) == [] and parse_fault(None) == []


def test_known_codes_have_a_way_out() -> None:
    stale = parse_fault({"Fault": {"Error": [{"Message": "Stale Object Error", "code": "5010"}]}})
    missing = parse_fault({"Fault": {"Error": [{"Message": "Invalid Reference Id", "code": "2500"}]}})
    assert explain(stale)[0] == "system" and explain(missing)[0] == "config"
    assert explain([])[0] == "data"
