"""The preview of an import of parties (``sync.party_match``), in memory: which host party each of the package's
records matches in its role, what is ambiguous and why, and the new customer and supplier of one code that become
one party in both roles. The stores and the packages are ``tests/conformance/test_party_import.py``'s."""

from __future__ import annotations

from ledgerbridge.connectors.protocol import RemoteParty
from ledgerbridge.store.models.sync import RecordType, SyncStatus
from ledgerbridge.sync.party_match import HostParty, HostRecord, bound_key, plan_import

HOSTS = [HostParty(1, "C001", "Aldgate Bakery Ltd", True, False), HostParty(2, "C004", "Dunmore Joinery", True, True),
         HostParty(3, "S001", "Northern Timber", False, True), HostParty(4, "C002", "Bramley Florists", True, False),
         HostParty(5, "S003", "Bramley Florists", False, True), HostParty(6, "C009", "Fernside Cafe", True, False)]


def _party(ext: str, code: str | None, name: str, role: str, active: bool = True) -> RemoteParty:
    return RemoteParty(ext, code, name, role, active=active)


def _outcomes(preview_entries: list[dict[str, object]]) -> dict[str, tuple[object, ...]]:
    return {str(e["key"]): (e["outcome"], e.get("party_id"), e.get("joins")) for e in preview_entries}


def test_where_the_roles_are_apart_each_role_matches_its_own_and_new_ones_of_one_code_join() -> None:
    remote = [_party("1", None, "ALDGATE  bakery ltd", "customer"),  # by name, case and spacing aside
              _party("1", "C004", "Dunmore Joinery (C004)", "supplier"),  # QuickBooks numbers each list from 1
              _party("2", None, "Dunmore Joinery", "customer"),
              _party("3", None, "Bramley Florists", "customer"),  # the one customer of that name: not ambiguous
              _party("4", "N1", "Newport Glass", "customer"), _party("9", "N1", "Newport Glass", "supplier"),
              _party("5", None, "Closed Ltd", "customer", active=False),
              _party("6", "S001", "Northern Timber", "supplier"),
              _party("7", None, "Fernside Cafe", "customer")]
    records = {(6, RecordType.PARTY): HostRecord(SyncStatus.IN_PROGRESS.value, None, "attempt-1", False),
               (3, RecordType.PARTY): HostRecord(SyncStatus.EXPORTED.value, "6", None, False)}
    preview = plan_import(remote, HOSTS, records, {bound_key(True, "supplier", "6")}, separate_roles=True,
                          package="QuickBooks Online")
    assert _outcomes(preview.entries) == {
        "customer:1": ("matched", 1, None), "supplier:1": ("matched", 2, None), "customer:2": ("matched", 2, None),
        "customer:3": ("matched", 4, None), "customer:4": ("new", None, None),
        "supplier:9": ("new", None, "customer:4"), "customer:7": ("ambiguous", None, None)}
    (doubt,) = [e for e in preview.entries if e["outcome"] == "ambiguous"]
    assert doubt["reason"] == "Fernside Cafe (C009) was being sent when the import ran; the next upload looks it up"
    assert (preview.read, preview.already_bound, preview.inactive) == (9, 1, 1)
    assert preview.counts()["roles"] == {"customer": 6, "supplier": 3, "both": 0}


def test_where_one_record_serves_both_roles_any_party_matches_and_a_second_claim_is_ambiguous() -> None:
    remote = [_party("a", None, "Bramley Florists", "supplier"), _party("b", "C001", "Aldgate", "both"),
              _party("c", None, "Aldgate Bakery Ltd", "customer"), _party("b", "C001", "Aldgate", "both")]
    preview = plan_import(remote, HOSTS, {}, set(), separate_roles=False, package="Xero")
    assert _outcomes(preview.entries) == {"supplier:a": ("ambiguous", None, None), "both:b": ("matched", 1, None),
                                          "customer:c": ("ambiguous", None, None)}
    reasons = [e["reason"] for e in preview.entries if e["outcome"] == "ambiguous"]
    assert reasons == ["ambiguous: 2 parties here have this name (C002, S003); choose one",
                       "Aldgate Bakery Ltd (C001) matches another record of Xero too; choose one"]
    assert preview.read == 3  # the contact read twice (a page shifted under the reads) counts once
