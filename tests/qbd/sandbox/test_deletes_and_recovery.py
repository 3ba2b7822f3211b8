"""TxnDel, TxnVoid, TxnDeletedQuery, and error recovery (newMessageSetID / oldMessageSetID) including a crash
half-way through a message."""

from __future__ import annotations

import pytest

from ledgerbridge.packages.qbd.sandbox.processor import PARSE_ERROR, UNEXPECTED_ERROR, RequestProcessorError

from .conftest import Qb, line


def test_deleted_transactions_leave_the_queries_and_show_in_txn_deleted_query(qb: Qb) -> None:
    qb.customer("Acme")
    invoice = qb.invoice("Acme", line("10.00"), ref="GONE-1")
    txn_id = invoice.findtext("TxnID")
    qb.clock.advance(120)
    qb.ok(f"<TxnDelRq><TxnDelType>Invoice</TxnDelType><TxnID>{txn_id}</TxnID></TxnDelRq>")
    assert qb.one("<InvoiceQueryRq/>").get("statusCode") == "1"
    deleted = qb.ok("<TxnDeletedQueryRq><TxnDelType>Invoice</TxnDelType><TxnDelType>ReceivePayment</TxnDelType>"
                    "<DeletedDateRangeFilter><FromDeletedDate>2025-03-01T09:01:00-08:00</FromDeletedDate>"
                    "</DeletedDateRangeFilter></TxnDeletedQueryRq>")
    assert (deleted.findtext("TxnDelType"), deleted.findtext("TxnID"), deleted.findtext("RefNumber")) == (
        "Invoice", txn_id, "GONE-1")
    assert (deleted.findtext("TimeCreated"), deleted.findtext("TimeDeleted")) == ("2025-03-01T09:00:00-08:00",
                                                                                   "2025-03-01T09:02:00-08:00")
    later = qb.one("<TxnDeletedQueryRq><TxnDelType>Invoice</TxnDelType><DeletedDateRangeFilter><FromDeletedDate>"
                   "2025-03-02</FromDeletedDate></DeletedDateRangeFilter></TxnDeletedQueryRq>")
    assert later.get("statusCode") == "1"
    again = qb.one(f"<TxnDelRq><TxnDelType>Invoice</TxnDelType><TxnID>{txn_id}</TxnID></TxnDelRq>")
    assert again.get("statusCode") == "3120"


def test_a_void_keeps_the_invoice_at_zero(qb: Qb) -> None:
    qb.customer("Acme")
    invoice = qb.invoice("Acme", line("10.00"), extra="<Memo>March</Memo>")
    qb.ok(f"<TxnVoidRq><TxnVoidType>Invoice</TxnVoidType><TxnID>{invoice.findtext('TxnID')}</TxnID></TxnVoidRq>")
    voided = qb.ok("<InvoiceQueryRq><IncludeLineItems>true</IncludeLineItems></InvoiceQueryRq>")
    assert (voided.findtext("Subtotal"), voided.findtext("BalanceRemaining"), voided.findtext("Memo")) == (
        "0.00", "0.00", "VOID: March")
    assert voided.findtext("InvoiceLineRet/Amount") == "0.00"


def test_a_customer_payment_cannot_be_voided_only_deleted(qb: Qb) -> None:
    request = qb.message("<TxnVoidRq><TxnVoidType>ReceivePayment</TxnVoidType><TxnID>1-1</TxnID></TxnVoidRq>")
    with pytest.raises(RequestProcessorError) as failure:
        qb.company.process(request)
    assert failure.value.hresult == PARSE_ERROR  # not in TxnVoidType: QuickBooks cannot parse it


def test_an_invoice_with_a_payment_is_not_deleted_under_it(qb: Qb) -> None:
    qb.customer("Acme")
    txn_id = qb.invoice("Acme", line("10.00")).findtext("TxnID")
    qb.ok("<ReceivePaymentAddRq><ReceivePaymentAdd><CustomerRef><FullName>Acme</FullName></CustomerRef>"
          f"<AppliedToTxnAdd><TxnID>{txn_id}</TxnID><PaymentAmount>10.00</PaymentAmount></AppliedToTxnAdd>"
          "</ReceivePaymentAdd></ReceivePaymentAddRq>")
    for request in (f"<TxnDelRq><TxnDelType>Invoice</TxnDelType><TxnID>{txn_id}</TxnID></TxnDelRq>",
                    f"<TxnVoidRq><TxnVoidType>Invoice</TxnVoidType><TxnID>{txn_id}</TxnID></TxnVoidRq>"):
        assert qb.one(request).get("statusCode") == "3170"
    assert qb.ok("<InvoiceQueryRq/>").findtext("TxnID") == txn_id


ADD = ("<CustomerAddRq requestID='c'><CustomerAdd><Name>Acme</Name><ExternalGUID>"
       "{11111111-2222-3333-4444-555555555555}</ExternalGUID></CustomerAdd></CustomerAddRq>"
       "<InvoiceAddRq requestID='i'><InvoiceAdd><CustomerRef><FullName>Acme</FullName></CustomerRef>"
       f"{line('10.00')}</InvoiceAdd></InvoiceAddRq>"
       "<InvoiceQueryRq requestID='q'><MaxReturned>1</MaxReturned></InvoiceQueryRq>")


def test_error_recovery_returns_the_saved_state_of_the_last_message_set(qb: Qb) -> None:
    qb.company.begin_session("komet_sales")
    answer = qb.run(ADD, attrs=' newMessageSetID="set-0001"')
    assert (answer.get("newMessageSetID"), answer.get("messageSetStatusCode")) == ("set-0001", "0")
    customer_id, invoice_id = answer[0].findtext("CustomerRet/ListID"), answer[1].findtext("InvoiceRet/TxnID")
    qb.company.end_session()  # the answer was lost; a new session asks what happened
    qb.company.begin_session("komet_sales")
    status = qb.run("", attrs=' oldMessageSetID="set-0001"')
    assert status.get("messageSetStatusCode") == "0"
    assert [(rs.tag, rs.get("requestID"), rs.get("statusCode")) for rs in status] == [
        ("CustomerAddRs", "c", "0"), ("InvoiceAddRs", "i", "0"), ("InvoiceQueryRs", "q", "0")]
    assert status[0].findtext("ErrorRecovery/ListID") == customer_id
    assert status[0].findtext("ErrorRecovery/ExternalGUID") == "{11111111-2222-3333-4444-555555555555}"
    assert status[1].findtext("ErrorRecovery/TxnID") == invoice_id
    assert status[1].find("InvoiceRet") is None  # statuses only, no data
    other_app = qb.company
    other_app.begin_session("another app")
    assert qb.run("", attrs=' oldMessageSetID="set-0001"').get("messageSetStatusCode") == "600"
    other_app.begin_session("komet_sales")
    assert qb.run("", attrs=' oldMessageSetID="set-0000"').get("messageSetStatusCode") == "600"
    qb.run("", attrs=' oldMessageSetID="ClearAllMessageSets"')
    assert qb.run("", attrs=' oldMessageSetID="set-0001"').get("messageSetStatusCode") == "600"


def test_a_status_check_runs_none_of_the_requests_sent_with_it(qb: Qb) -> None:
    qb.run(ADD, attrs=' newMessageSetID="s1"')
    answer = qb.run("<CustomerAddRq><CustomerAdd><Name>Not run</Name></CustomerAdd></CustomerAddRq>",
                    attrs=' oldMessageSetID="s1"')
    assert [rs.tag for rs in answer] == ["CustomerAddRs", "InvoiceAddRs", "InvoiceQueryRs"]
    assert qb.one("<CustomerQueryRq><FullName>Not run</FullName></CustomerQueryRq>").get("statusCode") == "500"


def test_a_crash_half_way_leaves_the_prefix_applied_and_recovery_knows_it(qb: Qb) -> None:
    qb.company.crash_during_next_message(after_requests=2)
    with pytest.raises(RequestProcessorError) as failure:
        qb.company.process(qb.message(ADD, attrs=' newMessageSetID="crash-1"'))
    assert failure.value.hresult == UNEXPECTED_ERROR
    assert qb.ok("<InvoiceQueryRq/>").findtext("CustomerRef/FullName") == "Acme"
    status = qb.run("", attrs=' oldMessageSetID="crash-1"')
    assert [rs.get("requestID") for rs in status] == ["c", "i"]
    assert status[1].findtext("ErrorRecovery/TxnID") == qb.ok("<InvoiceQueryRq/>").findtext("TxnID")


def test_an_error_in_the_saved_set_is_saved_as_an_error(qb: Qb) -> None:
    qb.customer("Acme")
    qb.run("<CustomerAddRq requestID='dup'><CustomerAdd><Name>Acme</Name></CustomerAdd></CustomerAddRq>",
           attrs=' newMessageSetID="e1"')
    status = qb.run("", attrs=' oldMessageSetID="e1"')
    assert (status[0].get("statusCode"), status[0].find("ErrorRecovery")) == ("3100", None)
