"""A connection's iterator page (``reads.page_size_of``): the default, a setting taken, a bad one refused naming
the setting and the connection. That the connector pages by it is shown in ``test_connector_payments.py``."""

from __future__ import annotations

import pytest

from ledgerbridge.packages.qbd.reads import MAX_PAGE_SIZE, PAGE_SIZE_SETTING, READ_PAGE, page_size_of


def test_the_default_page_and_one_a_connection_sets() -> None:
    assert page_size_of({}, 4) == READ_PAGE
    assert page_size_of({PAGE_SIZE_SETTING: None}, 4) == READ_PAGE
    assert page_size_of({PAGE_SIZE_SETTING: 3}, 4) == 3
    assert page_size_of({PAGE_SIZE_SETTING: MAX_PAGE_SIZE}, 4) == MAX_PAGE_SIZE


@pytest.mark.parametrize("value", [0, -1, MAX_PAGE_SIZE + 1, "3", 2.5, True])
def test_a_bad_page_size_is_refused_naming_the_setting_and_the_connection(value: object) -> None:
    with pytest.raises(ValueError, match=rf"connection 4: the setting {PAGE_SIZE_SETTING} must be a whole number"):
        page_size_of({PAGE_SIZE_SETTING: value}, 4)
