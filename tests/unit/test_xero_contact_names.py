"""The name a Xero contact takes after a name clash: the host's name and its code, within Xero's 255."""

from __future__ import annotations

from dataclasses import replace

from ledgerbridge.packages.xero.limits import XERO_TEXT_LIMITS
from ledgerbridge.packages.xero.mapper import renamed_contact
from ledgerbridge.store.views import PartyView

PARTY = PartyView(1, "C1", "CUST-0001", "Acme Ltd", True, False, None, None, None, None, [], 1)


def test_a_renamed_contact_is_its_name_and_code() -> None:
    assert renamed_contact(PARTY) == "Acme Ltd (CUST-0001)"


def test_a_long_name_gives_way_so_the_code_stays_whole_within_xeros_limit() -> None:
    name = renamed_contact(replace(PARTY, name="N" * XERO_TEXT_LIMITS.party_name))
    assert len(name) == XERO_TEXT_LIMITS.party_name and name.endswith("N (CUST-0001)")
