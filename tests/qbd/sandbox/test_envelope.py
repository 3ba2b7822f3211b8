"""The message as QuickBooks' request processor runs it: schema, version, onError, requestID, macros, 3070."""

from __future__ import annotations

from pathlib import Path

import pytest

from ledgerbridge.packages.qbd.sandbox.company import QuickBooksCompany
from ledgerbridge.packages.qbd.sandbox.config import CompanyConfig
from ledgerbridge.packages.qbd.sandbox.processor import (
    PARSE_ERROR,
    VERSION_NOT_SUPPORTED,
    QuickBooksLike,
    RequestProcessorError,
)
from ledgerbridge.packages.qbd.sandbox.schema import SchemaMissing
from tests.contract_checks.qbxml import QbxmlViolation, check_qbxml

from .conftest import Qb, line, make_qb


def _customers(qb: Qb) -> list[str]:
    found = qb.run("<CustomerQueryRq><ActiveStatus>All</ActiveStatus></CustomerQueryRq>")[0]
    return [ret.findtext("Name") or "" for ret in found]


def test_the_company_is_what_the_simulator_drives(qb: Qb) -> None:
    company: QuickBooksLike = qb.company  # the Protocol the Web Connector simulator types against
    company.begin_session("komet_sales")
    for version in ("13.0", "16.0"):
        assert check_qbxml(company.host_response(), version) == version
    company.end_session()


def test_a_message_out_of_schema_order_is_refused_whole_and_nothing_runs(qb: Qb) -> None:
    good = "<CustomerAddRq><CustomerAdd><Name>First</Name></CustomerAdd></CustomerAddRq>"
    out_of_order = ("<CustomerAddRq><CustomerAdd><IsActive>true</IsActive><Name>Second</Name></CustomerAdd>"
                    "</CustomerAddRq>")
    text = qb.message(good + out_of_order)
    with pytest.raises(QbxmlViolation):
        check_qbxml(text)  # the schema check agrees that the message is bad
    with pytest.raises(RequestProcessorError) as failure:
        qb.company.process(text)
    assert failure.value.hresult == PARSE_ERROR
    assert failure.value.hresult_hex == "0x80040400"
    assert failure.value.message == "QuickBooks found an error when parsing the provided XML text stream."
    assert _customers(qb) == []


@pytest.mark.parametrize("text", [
    "<QBXML><QBXMLMsgsRq onError='stopOnError'></QBXMLMsgsRq></QBXML>",  # no version
    '<?xml version="1.0"?><?qbxml version="13.0"?><QBXML><QBXMLMsgsRq onError="stopOnError">',  # not well-formed
    '<?xml version="1.0"?><?qbxml version="13.0"?><QBXML><QBXMLMsgsRq onError="rollbackOnError"/></QBXML>',
    '<?xml version="1.0"?><?qbxml version="13.0"?><QBXML><QBXMLMsgsRq onError="stopOnError">'
    "<InvoiceAddRq><InvoiceAdd><CustomerRef><FullName>A</FullName></CustomerRef><InvoiceLineAdd>"
    "<Amount>12,50</Amount></InvoiceLineAdd></InvoiceAdd></InvoiceAddRq></QBXMLMsgsRq></QBXML>",
])
def test_what_quickbooks_cannot_parse_is_0x80040400(qb: Qb, text: str) -> None:
    with pytest.raises(RequestProcessorError) as failure:
        qb.company.process(text)
    assert failure.value.hresult == PARSE_ERROR


def test_a_version_above_the_announced_one_is_refused() -> None:
    qb = make_qb(max_version="13.0")
    assert "<SupportedQBXMLVersion>16.0" not in qb.company.host_response()
    with pytest.raises(RequestProcessorError) as failure:
        qb.company.process(qb.message("<CustomerQueryRq/>", version="16.0"))
    assert failure.value.hresult == VERSION_NOT_SUPPORTED
    assert qb.run("<CustomerQueryRq/>", version="13.0")[0].get("statusCode") == "1"


def test_stop_on_error_leaves_what_ran_before_and_runs_nothing_after(qb: Qb) -> None:
    answer = qb.run("<CustomerAddRq requestID='a'><CustomerAdd><Name>Kept</Name></CustomerAdd></CustomerAddRq>"
                    "<CustomerAddRq requestID='b'><CustomerAdd><Name>Kept</Name></CustomerAdd></CustomerAddRq>"
                    "<CustomerAddRq requestID='c'><CustomerAdd><Name>Never</Name></CustomerAdd></CustomerAddRq>")
    assert [(rs.get("requestID"), rs.get("statusCode")) for rs in answer] == [("a", "0"), ("b", "3100")]
    assert _customers(qb) == ["Kept"]


def test_continue_on_error_runs_the_rest(qb: Qb) -> None:
    answer = qb.run("<CustomerAddRq requestID='a'><CustomerAdd><Name>Kept</Name></CustomerAdd></CustomerAddRq>"
                    "<CustomerAddRq requestID='b'><CustomerAdd><Name>kept</Name></CustomerAdd></CustomerAddRq>"
                    "<CustomerAddRq requestID='c'><CustomerAdd><Name>Also</Name></CustomerAdd></CustomerAddRq>",
                    on_error="continueOnError")
    assert [rs.get("statusCode") for rs in answer] == ["0", "3100", "0"]
    assert answer[1].get("statusSeverity") == "Error" and len(answer[1]) == 0  # an error carries no data
    assert _customers(qb) == ["Also", "Kept"]


def test_a_name_too_long_is_3070_for_that_request_alone(qb: Qb) -> None:
    long_name = "A customer name longer than forty-one chars"
    assert len(long_name) > 41
    request = qb.message(f"<CustomerAddRq requestID='long'><CustomerAdd><Name>{long_name}</Name></CustomerAdd>"
                         "</CustomerAddRq><CustomerAddRq requestID='fine'><CustomerAdd><Name>Fine</Name></CustomerAdd>"
                         "</CustomerAddRq>", on_error="continueOnError")
    answer = qb.company.process(request)
    check_qbxml(answer, "13.0")
    assert 'statusCode="3070"' in answer
    assert f"The string &quot;{long_name}&quot; in the field &quot;Name&quot; is too long." in answer
    assert _customers(qb) == ["Fine"]


def test_response_data_include_none_keeps_the_status_only(qb: Qb) -> None:
    rs = qb.run("<CustomerAddRq requestID='x'><CustomerAdd><Name>Quiet</Name></CustomerAdd></CustomerAddRq>",
                attrs=' responseData="includeNone"')[0]
    assert rs.get("requestID") == "x" and rs.get("statusCode") == "0" and len(rs) == 0
    assert _customers(qb) == ["Quiet"]


def test_a_macro_carries_a_new_invoice_to_its_payment_in_one_message(qb: Qb) -> None:
    qb.customer("Acme")
    answer = qb.run(
        "<InvoiceAddRq requestID='inv'><InvoiceAdd defMacro='TxnID:inv1'><CustomerRef><FullName>Acme</FullName>"
        f"</CustomerRef>{line('100.00')}</InvoiceAdd></InvoiceAddRq>"
        "<ReceivePaymentAddRq requestID='pay'><ReceivePaymentAdd><CustomerRef><FullName>Acme</FullName></CustomerRef>"
        "<TotalAmount>100.00</TotalAmount><AppliedToTxnAdd><TxnID useMacro='TxnID:inv1'/>"
        "<PaymentAmount>100.00</PaymentAmount></AppliedToTxnAdd></ReceivePaymentAdd></ReceivePaymentAddRq>")
    invoice_id = answer[0].findtext("InvoiceRet/TxnID")
    assert answer[1].findtext("ReceivePaymentRet/AppliedToTxnRet/TxnID") == invoice_id
    assert answer[1].findtext("ReceivePaymentRet/AppliedToTxnRet/BalanceRemaining") == "0.00"


def test_an_undefined_macro_is_a_macro_error(qb: Qb) -> None:
    qb.customer("Acme")
    rs = qb.one("<ReceivePaymentAddRq><ReceivePaymentAdd><CustomerRef><FullName>Acme</FullName></CustomerRef>"
                "<AppliedToTxnAdd><TxnID useMacro='TxnID:nowhere'/><PaymentAmount>1.00</PaymentAmount>"
                "</AppliedToTxnAdd></ReceivePaymentAdd></ReceivePaymentAddRq>")
    assert rs.get("statusCode") == "9102"


def test_a_request_the_sandbox_does_not_run_says_so(qb: Qb) -> None:
    rs = qb.one("<ClassQueryRq/>")
    assert rs.get("statusCode") == "1030"


def test_a_missing_schema_is_a_clear_error_not_a_silent_skip(tmp_path: Path) -> None:
    with pytest.raises(SchemaMissing, match="specs/qbxml"):
        QuickBooksCompany(CompanyConfig(schema_dir=tmp_path))
