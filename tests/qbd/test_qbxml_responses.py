"""Reading QuickBooks' answers: results by requestID with status, message verbatim, Rets, iterators and error
recovery; the typed readers of the Rets; the Web Connector's host/company/preferences answer. Every answer used
here first passes the qbXML schema."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from ledgerbridge.packages.qbd.qbxml import chart_rets
from ledgerbridge.packages.qbd.qbxml.hcp import parse_hcp_response
from ledgerbridge.packages.qbd.qbxml.responses import (
    QbxmlParseError,
    parse_qbxml,
    parse_response,
    parse_result,
    parse_results,
    split_response,
)
from ledgerbridge.packages.qbd.qbxml.rets import read_deleted, read_list, read_payment, read_txn
from tests.contract_checks.qbxml import check_qbxml
from tests.qbd import qbxml_answers as answers


@pytest.mark.parametrize("version", ["13.0", "16.0"])
@pytest.mark.parametrize("name", sorted(answers.ALL))
def test_every_answer_passes_the_schema(name: str, version: str) -> None:
    check_qbxml(answers.ALL[name], version)


def test_results_by_request_id_with_quickbooks_words_verbatim() -> None:
    parsed = parse_response(answers.ERRORS)
    assert [r.request_id for r in parsed.results] == ["c-1", "im-1", "q-1", "b-1"]
    clash = parsed.result("c-1")
    assert (clash.name, clash.status_code, clash.severity) == ("CustomerAdd", 3100, "Error")
    assert clash.message == 'The name "Acme Corp" of the list element is already in use.'
    assert clash.is_error and clash.rets == ()
    stale = parsed.result("im-1")
    assert stale.message == 'The provided edit sequence "1700000001" is out-of-date. '  # trailing space kept
    assert parsed.result("q-1").status_code == 1 and not parsed.result("q-1").is_error
    with pytest.raises(KeyError, match="no answer to request 'missing'"):
        parsed.result("missing")


def test_the_parts_of_an_answer_parsed_together_read_as_each_on_its_own() -> None:
    parts, _ = split_response(answers.ERRORS)
    together = parse_results(parts)
    assert list(together) == list(parts)
    for request_id, text in parts.items():
        alone = parse_result(text)
        got = together[request_id]
        assert (got.name, got.status_code, got.severity, got.message, len(got.rets)) == (
            alone.name, alone.status_code, alone.severity, alone.message, len(alone.rets))
    assert parse_results({}) == {}
    # A part that is not one well-formed answer is refused as on its own, not read as its neighbour's.
    broken = {**parts, "x-1": "<CustomerAddRs requestID='x-1' statusCode='0'"}
    with pytest.raises(QbxmlParseError, match="not a well-formed answer"):
        parse_results(broken)
    # Read together, an answer is taken for a request only when it names that request.
    swapped = {"c-1": parts["q-1"], "q-1": parts["c-1"]}
    assert {rid: r.request_id for rid, r in parse_results(swapped).items()} == {
        rid: parse_result(text).request_id for rid, text in swapped.items()}  # as each on its own
    two_in_one = {"c-1": parts["c-1"] + parts["q-1"], "q-1": ""}
    assert {rid: r.request_id for rid, r in parse_results(two_in_one).items()} == {"c-1": "c-1", "q-1": "q-1"}


def test_an_iterator_page_says_what_is_left() -> None:
    page = parse_response(answers.PAYMENTS_PAGE).result("pay-1")
    assert page.iterator_id == "{eb05f701-e727-472f-8ade-6753c4f67a46}"
    assert (page.iterator_remaining, page.ret_count, len(page.rets), page.more_pages) == (3, 2, 2, True)


def test_error_recovery_and_the_message_set_status() -> None:
    parsed = parse_response(answers.RECOVERED)
    assert (parsed.message_set_status_code, parsed.new_message_set_id) == (0, "set-7")
    recovery = parsed.result("inv-7").error_recovery
    assert recovery is not None
    assert (recovery.txn_id, recovery.txn_number, recovery.edit_sequence, recovery.external_guid) == (
        "1A2B-1700000000", 42, "1700000005", "{0A1B2C3D-0000-4000-8000-000000000001}")
    assert parse_response(answers.INVOICE_ADD_OK).result("inv-1").error_recovery is None


def test_an_invoice_ret_is_read_exactly() -> None:
    invoice = read_txn(parse_response(answers.INVOICE_ADD_OK).result("inv-1").rets[0])
    assert (invoice.kind, invoice.txn_id, invoice.edit_sequence, invoice.ref_number) == (
        "Invoice", "1A2B-1700000000", "1700000005", "INV-1001")
    assert invoice.total == Decimal("120.12")  # Subtotal + SalesTaxTotal: an InvoiceRet has no TotalAmount
    assert (invoice.open_amount, invoice.is_paid, invoice.voided) == (Decimal("50.12"), False, False)
    assert invoice.time_modified == datetime(2026, 12, 5, 18, 11, 12, tzinfo=UTC)
    assert invoice.party is not None and invoice.party.list_id == "80000001-1700000000"
    assert invoice.external_guid == "{0A1B2C3D-0000-4000-8000-000000000001}"
    assert invoice.line_ids() == ("1A2C-1700000000", "1A2D-1700000000")
    assert [(line.quantity, line.rate, line.amount) for line in invoice.lines] == [
        (Decimal(2), Decimal("42.50"), Decimal("85.00")), (None, None, Decimal("15.10"))]
    assert [(link.txn_type, link.amount) for link in invoice.linked] == [
        ("ReceivePayment", Decimal("-50.00")), ("CreditMemo", Decimal("-20.00"))]


def test_bills_credit_memos_and_vendor_credits_say_their_totals_their_own_way() -> None:
    parsed = parse_response(answers.DOCUMENTS_QUERY)
    bill = read_txn(parsed.result("b-q").rets[0])
    assert (bill.total, bill.open_amount, bill.is_paid, bill.ref_number) == (
        Decimal("149.00"), Decimal("0.00"), True, "PO-7 SUP-881")
    assert [(line.kind, line.txn_line_id) for line in bill.lines] == [("ExpenseLine", "E-1"), ("ItemLine", "I-1")]
    assert bill.line_ids("ExpenseLine") == ("E-1",) and bill.lines[1].rate == Decimal("1.25")  # Cost
    assert bill.lines[0].desc == "Timber"  # an expense line's Memo
    memo = read_txn(parsed.result("c-q").rets[0])
    assert (memo.total, memo.open_amount) == (Decimal("30.00"), Decimal("10.00"))
    assert memo.time_created == datetime(2026, 12, 7, 9, tzinfo=UTC)  # no offset: taken as UTC
    credit = read_txn(parsed.result("v-q").rets[0])
    assert credit.voided and credit.total == 0


def test_payments_with_what_they_apply_to() -> None:
    first, prepayment = (read_payment(r) for r in parse_response(answers.PAYMENTS_PAGE).result("pay-1").rets)
    assert (first.kind, first.amount, first.unused_payment, first.txn_date) == (
        "ReceivePayment", Decimal("75.00"), Decimal("5.00"), date(2026, 12, 6))
    assert first.account is not None and first.account.list_id == "A-BANK"
    assert [(a.txn_id, a.amount) for a in first.applied] == [("1A2B-1700000000", Decimal("50.00")),
                                                             ("INV-2", Decimal("20.00"))]
    assert [(link.txn_id, link.amount) for link in first.applied[0].linked] == [("CM-1", Decimal("-20.00"))]
    assert prepayment.applied == () and prepayment.unused_payment == Decimal("300.00")
    cheque = read_payment(parse_response(answers.BILL_PAYMENTS).result("bp-1").rets[0])
    assert (cheque.kind, cheque.amount, cheque.party.full_name if cheque.party else None) == (
        "BillPaymentCheck", Decimal("149.00"), "Timber & Co")


def test_voids_and_deletions() -> None:
    parsed = parse_response(answers.VOID_AND_DELETED)
    void = parsed.result("x-1")
    assert void.rets == () and void.element.findtext("TxnID") == "1A2B-1700000000"
    deleted = read_deleted(parsed.result("d-1").rets[0])
    assert (deleted.kind, deleted.txn_id, deleted.ref_number) == ("ReceivePayment", "PAY-9", "CHQ-9")
    assert deleted.time_deleted == datetime(2026, 12, 9, 11, tzinfo=UTC)


def test_the_chart_readers() -> None:
    parsed = parse_response(answers.CHART)
    accounts = [chart_rets.read_account(r) for r in parsed.result("a-1").rets]
    assert [(a.full_name, a.account_number, a.account_type, a.is_active) for a in accounts] == [
        ("Sales:Shelving", "4000", "Income", True), ("Purchases", None, "CostOfGoodsSold", True),
        ("Bank", "1200", "Bank", True), ("Old sales", None, "Income", False)]
    codes = [chart_rets.read_tax_code(r) for r in parsed.result("t-1").rets]
    assert [(c.name, c.is_taxable) for c in codes] == [("S", True), ("Z", True), ("O", False)]
    assert codes[0].sales_tax_item is not None and codes[0].sales_tax_item.full_name == "VAT 20%"
    rets = parsed.result("i-1").rets
    assert [str(r.tag) for r in rets] == ["ItemServiceRet", "ItemSalesTaxRet", "ItemSalesTaxRet"]
    assert chart_rets.read_tax_item(rets[1]).rate == Decimal("20.0")
    assert read_list(rets[0]).external_guid == "{0A1B2C3D-0000-4000-8000-000000000003}"
    assert chart_rets.read_terms(parsed.result("te-1").rets[0]).due_days == 30
    assert chart_rets.read_payment_method(parsed.result("pm-1").rets[0]).method_type == "ECheck"
    assert chart_rets.read_currency(parsed.result("cu-1").rets[0]).code == "GBP"


def test_the_name_space_answer_says_which_list_holds_the_name() -> None:
    holder = read_list(parse_response(answers.ENTITIES).result("e-1").rets[0])
    assert (holder.kind, holder.list_id, holder.name) == ("Vendor", "V-9", "Acme Corp")


def test_the_web_connector_host_company_and_preferences() -> None:
    hcp = parse_hcp_response(answers.HCP)
    assert hcp.host is not None and hcp.company is not None and hcp.preferences is not None
    assert hcp.host.country == "UK" and hcp.host.product_name == "QuickBooks Desktop Pro 2024"
    assert hcp.host.supported_versions == ("UK2.0", "12.0", "13.0", "14.0", "15.0", "16.0")
    assert hcp.company.file_id("{57f3b9b1-86f1-4FCC-b1ee-566de1813d20}") == "{90A44FB5-33D9-4815-AC85-BC87A7E7D1EB}"
    assert hcp.preferences.multi_currency and hcp.preferences.uses_account_numbers
    assert hcp.preferences.home_currency is not None
    assert hcp.preferences.home_currency.full_name == "British Pound Sterling"
    assert parse_hcp_response("") == parse_hcp_response("  ") == type(hcp)(None, None, None)


@pytest.mark.parametrize("entities, use", [
    ('<!ENTITY boom "BOOM">', "&boom;"),
    ('<!ENTITY file SYSTEM "file:///etc/passwd">', "&file;"),
    ('<!ENTITY a "BOOMBOOMBOOM"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;">', "&c;"),
])
def test_the_parser_expands_no_entity_and_fetches_nothing(entities: str, use: str) -> None:
    """An answer with entities is refused or read with them unexpanded: never expanded, never fetched."""
    hostile = (f'<?xml version="1.0"?><!DOCTYPE QBXML [{entities}]><QBXML><QBXMLMsgsRs><HostQueryRs requestID="1" '
               f'statusCode="0" statusSeverity="Info"><HostRet><ProductName>{use}</ProductName></HostRet>'
               "</HostQueryRs></QBXMLMsgsRs></QBXML>")
    try:
        parsed = parse_response(hostile)
    except QbxmlParseError:
        return
    text = "".join(parsed.result("1").rets[0].itertext())
    assert "BOOM" not in text and "root:" not in text


@pytest.mark.parametrize("text, problem", [
    ("<QBXML><QBXMLMsgsRs>", "not well-formed"),
    ("<Other/>", "not a QBXML document"),
    ("<QBXML/>", "no QBXMLMsgsRs"),
    ('<QBXML><QBXMLMsgsRs><A requestID="1" statusCode="0"/><ARs requestID="1" statusCode="0" statusSeverity="Info"/>'
     '<BRs requestID="1" statusCode="0" statusSeverity="Info"/></QBXMLMsgsRs></QBXML>', "answered twice"),
    ('<QBXML><QBXMLMsgsRs><ARs requestID="1" statusSeverity="Info"/></QBXMLMsgsRs></QBXML>', "no statusCode"),
])
def test_malformed_answers_are_refused(text: str, problem: str) -> None:
    with pytest.raises(QbxmlParseError, match=problem):
        parse_response(text)


def test_parse_qbxml_reads_a_request_too() -> None:
    assert parse_qbxml('<?xml version="1.0"?><?qbxml version="13.0"?><QBXML><QBXMLMsgsRq onError="stopOnError"/>'
                       "</QBXML>").tag == "QBXML"
