"""The qbXML version a session speaks: never above what the request processor announces; 16.0 where offered,
else 13.0; below 13.0 a clear refusal naming the version."""

from __future__ import annotations

import pytest

from ledgerbridge.packages.qbd.qbxml.version import UnsupportedQbxmlVersion, choose_version

HCP_16 = ("UK2.0", "12.0", "13.0", "14.0", "15.0", "16.0")


@pytest.mark.parametrize("major, minor, offered, chosen", [
    (16, 0, HCP_16, "16.0"),
    (16, 0, (), "16.0"),  # later calls of a session carry no HCP list
    (17, 0, (), "16.0"),  # never above what ledgerbridge has a schema for
    (15, 0, HCP_16, "13.0"),  # the processor's level caps the list
    (16, 0, ("13.0", "14.0", "15.0"), "13.0"),  # the list caps the level
    (13, 0, ("13.0",), "13.0"),
    (None, None, HCP_16, "16.0"),
    (0, 0, ("12.0", "13.0"), "13.0"),
])
def test_the_best_version_both_allow(major: int | None, minor: int | None, offered: tuple[str, ...],
                                     chosen: str) -> None:
    assert choose_version(major, minor, offered) == chosen


@pytest.mark.parametrize("major, minor, offered, named", [
    (12, 0, (), "12.0"),
    (16, 0, ("11.0", "12.0"), "12.0"),
    (8, 0, ("UK2.0", "8.0"), "8.0"),
    (None, None, (), "(none announced)"),
])
def test_below_13_is_refused_naming_the_version(major: int | None, minor: int | None, offered: tuple[str, ...],
                                                named: str) -> None:
    with pytest.raises(UnsupportedQbxmlVersion, match=r"supports qbXML " + named.replace("(", r"\(").replace(
            ")", r"\)") + r" at most; ledgerbridge needs qbXML 13.0"):
        choose_version(major, minor, offered)
