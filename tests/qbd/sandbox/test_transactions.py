"""Invoices, credit memos, bills and vendor credits: totals and tax per edition, RefNumbers, Mod's line rules,
and the transaction queries' filters and options."""

from __future__ import annotations

import pytest

from .conftest import Qb, expense, line, make_qb

GUID = "{6B29FC40-CA47-1067-B31D-00DD010662DA}"


@pytest.mark.parametrize("flavour, code, subtotal, tax, total", [
    ("US", "Tax", "300.00", "21.75", "321.75"),  # 7.25 % on the taxable 300 (Widget and the line coded Tax)
    ("UK", "S", "300.00", "60.00", "360.00"),  # 20 % VAT per line
    ("CA", "H", "300.00", "39.00", "339.00"),  # 13 % HST per line
])
def test_totals_and_tax_by_edition(flavour: str, code: str, subtotal: str, tax: str, total: str) -> None:
    qb = make_qb(flavour)  # type: ignore[arg-type]
    qb.customer("Acme")
    ret = qb.invoice("Acme", "<InvoiceLineAdd><ItemRef><FullName>Widget</FullName></ItemRef><Quantity>4</Quantity>"
                             "</InvoiceLineAdd>"
                             "<InvoiceLineAdd><ItemRef><FullName>Consulting</FullName></ItemRef><Amount>200.00</Amount>"
                             f"<SalesTaxCodeRef><FullName>{code}</FullName></SalesTaxCodeRef></InvoiceLineAdd>")
    assert (ret.findtext("Subtotal"), ret.findtext("SalesTaxTotal"), ret.findtext("BalanceRemaining")) == (
        subtotal, tax, total)
    first = ret.find("InvoiceLineRet")
    assert first is not None
    assert (first.findtext("Rate"), first.findtext("Amount")) == ("25", "100.00")  # the item's price
    if flavour == "US":
        assert (ret.findtext("ItemSalesTaxRef/FullName"), ret.findtext("SalesTaxPercentage")) == ("CA Sales Tax",
                                                                                                   "7.25")
    else:
        assert [node.text for node in ret.iter("TaxAmount")] == ["20.00", "40.00"] if flavour == "UK" else [
            "13.00", "26.00"]


def test_a_us_customer_coded_non_taxable_pays_no_sales_tax(qb: Qb) -> None:
    qb.customer("Charity", "<SalesTaxCodeRef><FullName>Non</FullName></SalesTaxCodeRef>")
    ret = qb.invoice("Charity", "<InvoiceLineAdd><ItemRef><FullName>Widget</FullName></ItemRef>"
                                "<Quantity>2</Quantity></InvoiceLineAdd>")
    assert (ret.findtext("Subtotal"), ret.findtext("SalesTaxTotal")) == ("50.00", "0.00")


def test_ref_numbers_are_given_when_missing_and_duplicates_are_accepted(qb: Qb) -> None:
    qb.customer("Acme")
    first = qb.invoice("Acme", line("10.00"), ref="INV-0099")
    second = qb.invoice("Acme", line("20.00"))
    duplicate = qb.invoice("Acme", line("30.00"), ref="INV-0099")
    assert (first.findtext("RefNumber"), second.findtext("RefNumber"), duplicate.findtext("RefNumber")) == (
        "INV-0099", "INV-0100", "INV-0099")
    both = qb.one("<InvoiceQueryRq><RefNumber>inv-0099</RefNumber></InvoiceQueryRq>")
    assert [ret.findtext("TxnID") for ret in both] == [first.findtext("TxnID"), duplicate.findtext("TxnID")]


def test_external_guid_terms_and_due_date_are_kept(qb: Qb) -> None:
    qb.customer("Acme", "<TermsRef><FullName>Net 30</FullName></TermsRef>")
    ret = qb.invoice("Acme", line("10.00"), extra=f"<Memo>March</Memo><ExternalGUID>{GUID}</ExternalGUID>")
    assert (ret.findtext("TermsRef/FullName"), ret.findtext("DueDate")) == ("Net 30", "2025-03-31")
    assert (ret.findtext("ExternalGUID"), ret.findtext("Memo")) == (GUID, "March")
    assert ret.findtext("ARAccountRef/FullName") == "Accounts Receivable"
    again = qb.ok(f"<InvoiceQueryRq><TxnID>{ret.findtext('TxnID')}</TxnID></InvoiceQueryRq>")
    assert again.findtext("ExternalGUID") == GUID


def _mod_lines(qb: Qb, ret_lines: str, txn_id: str, sequence: str) -> str:
    return (f"<InvoiceModRq><InvoiceMod><TxnID>{txn_id}</TxnID><EditSequence>{sequence}</EditSequence>"
            f"{ret_lines}</InvoiceMod></InvoiceModRq>")


def test_a_mod_keeps_the_lines_it_sends_deletes_the_others_and_adds_minus_one(qb: Qb) -> None:
    qb.customer("Acme")
    ret = qb.invoice("Acme", line("10.00", desc="one") + line("20.00", desc="two") + line("30.00", desc="three"))
    txn_id, sequence = ret.findtext("TxnID", ""), ret.findtext("EditSequence", "")
    ids = [node.text for node in ret.iter("TxnLineID")]
    changed = qb.ok(_mod_lines(qb, f"<InvoiceLineMod><TxnLineID>{ids[2]}</TxnLineID><Amount>35.00</Amount>"
                                   "</InvoiceLineMod><InvoiceLineMod><TxnLineID>-1</TxnLineID><Desc>four</Desc>"
                                   "<Amount>5.00</Amount></InvoiceLineMod>", txn_id, sequence))
    lines = changed.findall("InvoiceLineRet")
    assert [(node.findtext("Desc"), node.findtext("Amount")) for node in lines] == [("three", "35.00"),
                                                                                     ("four", "5.00")]
    assert lines[0].findtext("TxnLineID") == ids[2] and lines[1].findtext("TxnLineID") not in ids
    assert changed.findtext("Subtotal") == "40.00"
    header_only = qb.ok(f"<InvoiceModRq><InvoiceMod><TxnID>{txn_id}</TxnID><EditSequence>"
                        f"{changed.findtext('EditSequence')}</EditSequence><Memo>no lines sent</Memo></InvoiceMod>"
                        "</InvoiceModRq>")
    assert len(header_only.findall("InvoiceLineRet")) == 2 and header_only.findtext("Subtotal") == "40.00"


def test_a_stale_edit_sequence_on_a_transaction_is_3200(qb: Qb) -> None:
    qb.customer("Acme")
    ret = qb.invoice("Acme", line("10.00"))
    txn_id, sequence = ret.findtext("TxnID", ""), ret.findtext("EditSequence", "")
    qb.ok(f"<InvoiceModRq><InvoiceMod><TxnID>{txn_id}</TxnID><EditSequence>{sequence}</EditSequence>"
          "<Memo>first</Memo></InvoiceMod></InvoiceModRq>")
    stale = qb.one(f"<InvoiceModRq><InvoiceMod><TxnID>{txn_id}</TxnID><EditSequence>{sequence}</EditSequence>"
                   "<Memo>second</Memo></InvoiceMod></InvoiceModRq>")
    assert stale.get("statusCode") == "3200"
    assert qb.ok(f"<InvoiceQueryRq><TxnID>{txn_id}</TxnID></InvoiceQueryRq>").findtext("Memo") == "first"


def test_lines_and_links_come_only_when_asked(qb: Qb) -> None:
    qb.customer("Acme")
    ret = qb.invoice("Acme", line("10.00"))
    plain = qb.ok("<InvoiceQueryRq/>")
    assert plain.find("InvoiceLineRet") is None and plain.find("LinkedTxn") is None
    qb.ok("<ReceivePaymentAddRq><ReceivePaymentAdd><CustomerRef><FullName>Acme</FullName></CustomerRef>"
          f"<TotalAmount>4.00</TotalAmount><AppliedToTxnAdd><TxnID>{ret.findtext('TxnID')}</TxnID>"
          "<PaymentAmount>4.00</PaymentAmount></AppliedToTxnAdd></ReceivePaymentAdd></ReceivePaymentAddRq>")
    full = qb.ok("<InvoiceQueryRq><IncludeLineItems>true</IncludeLineItems><IncludeLinkedTxns>true"
                 "</IncludeLinkedTxns></InvoiceQueryRq>")
    assert full.find("InvoiceLineRet") is not None
    assert (full.findtext("LinkedTxn/TxnType"), full.findtext("LinkedTxn/Amount")) == ("ReceivePayment", "-4.00")


def test_transaction_filters(qb: Qb) -> None:
    qb.customer("Acme")
    qb.customer("Beta")
    qb.ok("<InvoiceAddRq><InvoiceAdd><CustomerRef><FullName>Acme</FullName></CustomerRef><TxnDate>2025-01-10</TxnDate>"
          f"<RefNumber>A-1</RefNumber>{line('10.00')}</InvoiceAdd></InvoiceAddRq>")
    qb.clock.advance(3600)
    qb.ok("<InvoiceAddRq><InvoiceAdd><CustomerRef><FullName>Beta</FullName></CustomerRef><TxnDate>2025-02-10</TxnDate>"
          f"<RefNumber>B-7</RefNumber>{line('20.00')}</InvoiceAdd></InvoiceAddRq>")
    refs = lambda rs: [ret.findtext("RefNumber") for ret in rs]  # noqa: E731
    assert refs(qb.one("<InvoiceQueryRq><TxnDateRangeFilter><FromTxnDate>2025-02-01</FromTxnDate>"
                       "</TxnDateRangeFilter></InvoiceQueryRq>")) == ["B-7"]
    assert refs(qb.one("<InvoiceQueryRq><ModifiedDateRangeFilter><ToModifiedDate>2025-03-01T09:30:00"
                       "</ToModifiedDate></ModifiedDateRangeFilter></InvoiceQueryRq>")) == ["A-1"]
    assert refs(qb.one("<InvoiceQueryRq><EntityFilter><FullName>Beta</FullName></EntityFilter></InvoiceQueryRq>")) == [
        "B-7"]
    assert refs(qb.one("<InvoiceQueryRq><RefNumberFilter><MatchCriterion>StartsWith</MatchCriterion>"
                       "<RefNumber>a-</RefNumber></RefNumberFilter></InvoiceQueryRq>")) == ["A-1"]
    assert qb.one("<InvoiceQueryRq><PaidStatus>PaidOnly</PaidStatus></InvoiceQueryRq>").get("statusCode") == "1"
    missing = qb.one("<InvoiceQueryRq><TxnID>FFFF-1</TxnID></InvoiceQueryRq>")
    assert missing.get("statusCode") == "500"


def test_transaction_iterator_pages(qb: Qb) -> None:
    qb.customer("Acme")
    for number in range(5):
        qb.invoice("Acme", line("1.00"), ref=f"I-{number}")
    first = qb.one("<InvoiceQueryRq iterator='Start'><MaxReturned>2</MaxReturned></InvoiceQueryRq>")
    pages = [[ret.findtext("RefNumber") for ret in first]]
    counts = [first.get("iteratorRemainingCount")]
    while counts[-1] != "0":
        page = qb.one(f"<InvoiceQueryRq iterator='Continue' iteratorID='{first.get('iteratorID')}'>"
                      "<MaxReturned>2</MaxReturned></InvoiceQueryRq>")
        pages.append([ret.findtext("RefNumber") for ret in page])
        counts.append(page.get("iteratorRemainingCount"))
    assert pages == [["I-0", "I-1"], ["I-2", "I-3"], ["I-4"]] and counts == ["3", "1", "0"]


def test_credit_memos_bills_and_vendor_credits(qb: Qb) -> None:
    qb.customer("Acme")
    qb.vendor("Parts Co", "<TermsRef><FullName>Net 15</FullName></TermsRef>")
    memo = qb.ok("<CreditMemoAddRq><CreditMemoAdd><CustomerRef><FullName>Acme</FullName></CustomerRef>"
                 "<CreditMemoLineAdd><Desc>Returned</Desc><Amount>15.00</Amount></CreditMemoLineAdd>"
                 "</CreditMemoAdd></CreditMemoAddRq>")
    assert (memo.findtext("TotalAmount"), memo.findtext("CreditRemaining")) == ("15.00", "15.00")
    bill = qb.bill("Parts Co", expense("40.00") + "<ItemLineAdd><ItemRef><FullName>Widget</FullName></ItemRef>"
                                                  "<Quantity>3</Quantity></ItemLineAdd>", ref="PO-9 V-123")
    assert (bill.findtext("AmountDue"), bill.findtext("OpenAmount"), bill.findtext("IsPaid")) == ("70.00", "70.00",
                                                                                                   "false")
    assert (bill.findtext("DueDate"), bill.findtext("APAccountRef/FullName")) == ("2025-03-16", "Accounts Payable")
    assert bill.findtext("ItemLineRet/Cost") == "10"
    same_ref = qb.bill("Parts Co", expense("1.00"), ref="PO-9 V-123")
    assert same_ref.findtext("TxnID") != bill.findtext("TxnID")
    credit = qb.ok("<VendorCreditAddRq><VendorCreditAdd><VendorRef><FullName>Parts Co</FullName></VendorRef>"
                   f"<RefNumber>VC-1</RefNumber>{expense('12.50')}</VendorCreditAdd></VendorCreditAddRq>")
    assert (credit.findtext("CreditAmount"), credit.findtext("OpenAmount")) == ("12.50", "12.50")
    vendor = qb.ok("<VendorQueryRq><FullName>Parts Co</FullName></VendorQueryRq>")
    assert vendor.findtext("Balance") == "58.50"


def test_a_bill_mod_replaces_each_line_set_on_its_own(qb: Qb) -> None:
    qb.vendor("Parts Co")
    bill = qb.bill("Parts Co", expense("40.00") + expense("2.00", "Freight")
                   + "<ItemLineAdd><ItemRef><FullName>Widget</FullName></ItemRef><Quantity>1</Quantity></ItemLineAdd>")
    kept = bill.findall("ExpenseLineRet")[1].findtext("TxnLineID")
    changed = qb.ok(f"<BillModRq><BillMod><TxnID>{bill.findtext('TxnID')}</TxnID><EditSequence>"
                    f"{bill.findtext('EditSequence')}</EditSequence><ExpenseLineMod><TxnLineID>{kept}</TxnLineID>"
                    "</ExpenseLineMod></BillMod></BillModRq>")
    assert [node.findtext("Amount") for node in changed.findall("ExpenseLineRet")] == ["2.00"]
    assert len(changed.findall("ItemLineRet")) == 1 and changed.findtext("AmountDue") == "12.00"


def test_uk_bills_carry_vat_from_the_purchase_code() -> None:
    qb = make_qb("UK")
    qb.vendor("Parts Ltd")
    bill = qb.bill("Parts Ltd", "<ExpenseLineAdd><AccountRef><FullName>Office Costs</FullName></AccountRef>"
                                "<Amount>100.00</Amount><SalesTaxCodeRef><FullName>S</FullName></SalesTaxCodeRef>"
                                "</ExpenseLineAdd>")
    assert (bill.findtext("AmountDue"), bill.findtext("ExpenseLineRet/TaxAmount")) == ("120.00", "20.00")


def test_sixteen_point_zero_answers_too() -> None:
    qb = make_qb("CA")
    qb.ok("<CustomerAddRq><CustomerAdd><Name>Maple</Name></CustomerAdd></CustomerAddRq>", version="16.0")
    ret = qb.ok("<InvoiceAddRq><InvoiceAdd><CustomerRef><FullName>Maple</FullName></CustomerRef>"
                f"{line('100.00')}</InvoiceAdd></InvoiceAddRq>", version="16.0")
    assert ret.findtext("SalesTaxTotal") == "13.00"


_PAY = {
    "Invoice": ("<ReceivePaymentAddRq><ReceivePaymentAdd><CustomerRef><FullName>Acme</FullName></CustomerRef>"
                "<AppliedToTxnAdd><TxnID>{txn_id}</TxnID><PaymentAmount>5.00</PaymentAmount></AppliedToTxnAdd>"
                "</ReceivePaymentAdd></ReceivePaymentAddRq>"),
    "Bill": ("<BillPaymentCheckAddRq><BillPaymentCheckAdd><PayeeEntityRef><FullName>Parts Co</FullName>"
             "</PayeeEntityRef><BankAccountRef><FullName>Checking</FullName></BankAccountRef><RefNumber>1001"
             "</RefNumber><AppliedToTxnAdd><TxnID>{txn_id}</TxnID><PaymentAmount>5.00</PaymentAmount>"
             "</AppliedToTxnAdd></BillPaymentCheckAdd></BillPaymentCheckAddRq>"),
}
_OTHER_PARTY = {"Invoice": "<CustomerRef><FullName>Beta</FullName></CustomerRef>",
                "Bill": "<VendorRef><FullName>Other Co</FullName></VendorRef>"}
_GROUP_LINE = {"Invoice": "<InvoiceLineGroupMod><TxnLineID>-1</TxnLineID></InvoiceLineGroupMod>",
               "Bill": "<ItemGroupLineMod><TxnLineID>-1</TxnLineID></ItemGroupLineMod>"}


@pytest.mark.parametrize("kind, party", [("Invoice", "customer"), ("Bill", "vendor")])
def test_a_mod_is_refused_alike_for_sales_and_purchases(qb: Qb, kind: str, party: str) -> None:
    """Unsupported lines, a changed party under a payment, a voided transaction: the same checks, the same words."""
    qb.customer("Acme")
    qb.customer("Beta")
    qb.vendor("Parts Co")
    qb.vendor("Other Co")

    def made() -> tuple[str, str]:
        ret = qb.invoice("Acme", line("10.00")) if kind == "Invoice" else qb.bill("Parts Co", expense("10.00"))
        return ret.findtext("TxnID") or "", ret.findtext("EditSequence") or ""

    def mod(txn_id: str, sequence: str, body: str) -> tuple[str | None, str]:
        rs = qb.one(f"<{kind}ModRq><{kind}Mod><TxnID>{txn_id}</TxnID><EditSequence>{sequence}</EditSequence>{body}"
                    f"</{kind}Mod></{kind}ModRq>")
        return rs.get("statusCode"), rs.get("statusMessage") or ""

    code, message = mod(*made(), _GROUP_LINE[kind])
    assert code == "3180" and message.endswith("is not supported by the QuickBooks sandbox."), message
    txn_id, sequence = made()
    qb.ok(_PAY[kind].format(txn_id=txn_id))
    sequence = qb.ok(f"<{kind}QueryRq><TxnID>{txn_id}</TxnID></{kind}QueryRq>").findtext("EditSequence") or sequence
    assert mod(txn_id, sequence, _OTHER_PARTY[kind]) == (
        "3170", f"There was an error when modifying a {kind}.  QuickBooks error message: The {party} cannot be "
                "changed while payments or credits are applied.")
    txn_id, sequence = made()
    qb.ok(f"<TxnVoidRq><TxnVoidType>{kind}</TxnVoidType><TxnID>{txn_id}</TxnID></TxnVoidRq>")
    sequence = qb.ok(f"<{kind}QueryRq><TxnID>{txn_id}</TxnID></{kind}QueryRq>").findtext("EditSequence") or sequence
    assert mod(txn_id, sequence, "<Memo>later</Memo>")[1].endswith("A voided transaction cannot be changed.")


def test_an_add_answers_with_the_elements_include_ret_element_names(qb: Qb) -> None:
    """An Add's IncludeRetElement: only the named elements of the Ret (no lines unless one is named), its
    transaction kept whole; an invoice and a bill alike."""
    qb.customer("Acme")
    qb.vendor("Paper Co")
    wanted = "".join(f"<IncludeRetElement>{name}</IncludeRetElement>"
                     for name in ("TxnID", "RefNumber", "Subtotal", "SalesTaxTotal"))
    ret = qb.ok("<InvoiceAddRq><InvoiceAdd><CustomerRef><FullName>Acme</FullName></CustomerRef>"
                f"<RefNumber>INV-7</RefNumber>{line('10.00')}{line('20.00')}</InvoiceAdd>{wanted}</InvoiceAddRq>")
    assert [child.tag for child in ret] == ["TxnID", "RefNumber", "Subtotal", "SalesTaxTotal"]
    assert (ret.findtext("RefNumber"), ret.findtext("Subtotal")) == ("INV-7", "30.00")
    held = qb.ok(f"<InvoiceQueryRq><TxnID>{ret.findtext('TxnID')}</TxnID><IncludeLineItems>true</IncludeLineItems>"
                 "</InvoiceQueryRq>")
    assert len(held.findall("InvoiceLineRet")) == 2
    bill = qb.ok("<BillAddRq><BillAdd><VendorRef><FullName>Paper Co</FullName></VendorRef>"
                 f"{expense('12.00')}</BillAdd><IncludeRetElement>TxnID</IncludeRetElement>"
                 "<IncludeRetElement>AmountDue</IncludeRetElement></BillAddRq>")
    assert [child.tag for child in bill] == ["TxnID", "AmountDue"]
    assert bill.findtext("AmountDue") == "12.00"
