"""Unit tests of the wire format and the listing language, without a server."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal

import pytest

from ledgerbridge.packages.xero.sandbox.errors import PostDataInvalid, QueryParseError
from ledgerbridge.packages.xero.sandbox.listing import apply_where_and_order, parse_order, parse_page, parse_where
from ledgerbridge.packages.xero.sandbox.reader import Reader
from ledgerbridge.packages.xero.sandbox.wire import (
    decode_json,
    encode_json,
    ms_date,
    parse_bool,
    parse_modified_since,
    parse_request_date,
)


@pytest.mark.parametrize("text", ["2019-02-26", "2019-02-26T00:00:00", "2019-02-26T13:45:00Z",
                                  "/Date(1551139200000)/", "/Date(1551139200000+0000)/"])
def test_request_dates_in_every_form_xero_accepts(text: str) -> None:
    assert parse_request_date(text) == date(2019, 2, 26)


@pytest.mark.parametrize("text", ["26/02/2019", "2019-02-30", "tomorrow", ""])
def test_unreadable_dates_are_refused(text: str) -> None:
    with pytest.raises(ValueError):
        parse_request_date(text)


def test_dates_go_out_in_ms_json_form() -> None:
    assert ms_date(date(2019, 2, 26)) == "/Date(1551139200000+0000)/"


def test_amounts_are_written_as_json_numbers_keeping_their_decimals() -> None:
    encoded = encode_json({"Total": Decimal("40.00"), "Rate": Decimal("1.000000"), "Name": 'Bob "40.00"'})
    assert encoded == b'{"Total":40.00,"Rate":1.000000,"Name":"Bob \\"40.00\\""}'
    assert json.loads(encoded, parse_float=Decimal)["Total"] == Decimal("40.00")


def test_request_text_loses_nul_characters_so_number_markers_stay_unambiguous() -> None:
    reader = Reader({"Name": "Bob\x00"}, "Contacts[0]")
    assert reader.text("Name") == "Bob"


def test_request_numbers_are_read_as_decimals_not_floats() -> None:
    assert decode_json(b'{"UnitAmount": 0.1}')["UnitAmount"] == Decimal("0.1")
    with pytest.raises(PostDataInvalid):
        decode_json(b'{"Invoices": [')


@pytest.mark.parametrize("value, expected", [("False", False), ("false", False), ("FALSE", False),
                                             ("true", True), (None, True)])
def test_summarize_errors_flag_is_read_case_blind(value: str | None, expected: bool) -> None:
    assert parse_bool(value, True) is expected


def test_if_modified_since_accepts_iso_and_http_dates() -> None:
    iso = parse_modified_since("2026-07-01T12:00:00+00:00")
    assert iso == parse_modified_since("Wed, 01 Jul 2026 12:00:00 GMT")
    assert parse_modified_since("2026-07-01T12:00:00") == iso
    assert parse_modified_since("not a date") is None


VIEWS = [
    {"InvoiceNumber": "INV-2", "Status": "AUTHORISED", "Total": Decimal("10"), "Contact": {"Name": "Acme"},
     "Date": "/Date(1719792000000+0000)/"},
    {"InvoiceNumber": "INV-1", "Status": "DRAFT", "Total": Decimal("25"), "Contact": {"Name": "Bolt & Co"},
     "Date": "/Date(1722470400000+0000)/"},
]


@pytest.mark.parametrize("where, numbers", [
    ('Status=="AUTHORISED"', ["INV-2"]),
    ('status == "draft"'.replace("status", "Status"), ["INV-1"]),
    ('Total > 12', ["INV-1"]),
    ('Contact.Name.StartsWith("bolt")', ["INV-1"]),
    ('Status=="DRAFT" OR Total<=10', ["INV-2", "INV-1"]),
    ('Status=="DRAFT" && Total<=10', []),
    ('Date >= DateTime(2024, 08, 01)', ["INV-1"]),
    ('NOT (Status=="DRAFT")', ["INV-2"]),
])
def test_where_filters(where: str, numbers: list[str]) -> None:
    result = apply_where_and_order(VIEWS, parse_where(where), [])
    assert [v["InvoiceNumber"] for v in result] == numbers


def test_order_sorts_by_several_fields() -> None:
    result = apply_where_and_order(VIEWS, None, parse_order("InvoiceNumber ASC"))
    assert [v["InvoiceNumber"] for v in result] == ["INV-1", "INV-2"]
    result = apply_where_and_order(VIEWS, None, parse_order("Date DESC"))
    assert [v["InvoiceNumber"] for v in result] == ["INV-1", "INV-2"]


@pytest.mark.parametrize("where", ['Status=="DRAFT', "Status ~ 1", "Total >", "(Status==\"A\""])
def test_unreadable_where_is_a_query_parse_error(where: str) -> None:
    with pytest.raises(QueryParseError):
        parse_where(where)


def test_page_size_is_capped_at_1000() -> None:
    page = parse_page("2", "5000")
    assert page is not None and (page.number, page.size) == (2, 1000)
    assert parse_page(None, "10") is None
