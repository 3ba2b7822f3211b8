"""The MYOB mapper's bodies, held to MYOB's type catalogue (``tests/myob/catalogue.py``): customers and suppliers
with their required tax codes, Service- and Item-layout sales, negative credits, bills, payments, settlements."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from ledgerbridge.connectors.protocol import DocumentExport, ExportContext, ItemExport, PartyExport, PaymentExport
from ledgerbridge.packages.myob.connector import merged, reversal_body
from ledgerbridge.packages.myob.mapper import (
    ITEM_ROUTE,
    document_payload,
    document_route,
    item_payload,
    memo_stamp,
    party_payload,
)
from ledgerbridge.packages.myob.rules import CompanyRules, financial_year
from ledgerbridge.store.views import DocumentView, ItemView, LineView, PartyView
from ledgerbridge.sync.mappings import MappingSet

from .catalogue import violations

ACCOUNTS = {"4-1000": "acc-income", "6-1000": "acc-expense"}
TAX = {"GST": "tax-gst", "FRE": "tax-fre"}
MAPPINGS = MappingSet(nominal={"4000": "4-1000", "5000": "6-1000"}, tax={"T1": "GST", "T0": "FRE"},
                      tax_purchases={"T1": "GST", "T0": "FRE"})


def ctx(**settings: Any) -> ExportContext:
    return ExportContext(MAPPINGS, {"push_individual_lines": True, **settings})


def party(is_customer: bool = True, code: str = "CUST01") -> PartyView:
    return PartyView(7, "p-7", code, "Acme Pipes Pty Ltd", is_customer, not is_customer, "ap@acme.test", None, "AUD",
                     30, [{"line1": "1 Main St", "city": "Perth", "postcode": "6000"}], 1)


def line(n: int, net: str, tax: str, nominal: str = "4000", item: str | None = None) -> LineView:
    return LineView(n, item, f"Work {n}", None, Decimal(2), Decimal(net) / 2, Decimal(0), nominal, "T1",
                    Decimal(net), Decimal(tax))


def document(doc_type: str = "sales_invoice", *lines: LineView, inclusive: bool = False) -> DocumentView:
    lines = lines or (line(1, "100.00", "10.00"), line(2, "50.00", "5.00"))
    net = sum((ln.net for ln in lines), Decimal(0))
    tax = sum((ln.tax for ln in lines), Decimal(0))
    return DocumentView(11, "d-11", doc_type, "INV-1001", "open", date(2026, 11, 1), date(2026, 12, 1), 7, "AUD", None,
                        inclusive, "PO-9", "CPO-1", None, None, None, None, net, tax, net + tax, 1, lines)


def export(doc: DocumentView, action: str = "create") -> DocumentExport:
    return DocumentExport(1, action, doc, "cust-uid", None if action == "create" else "doc-uid", "k")


def build(doc: DocumentView, settings: ExportContext,
          items: dict[str, str] | None = None) -> tuple[str, dict[str, Any]]:
    item_uid = (items or {}).get
    route = document_route(doc, settings, item_uid)
    return route, document_payload(export(doc), settings, route, ACCOUNTS.__getitem__, TAX.__getitem__, item_uid)


@pytest.mark.parametrize("is_customer", [True, False])
def test_a_card_carries_its_code_as_display_id_and_the_required_tax_codes(is_customer: bool) -> None:
    body = party_payload(PartyExport(1, party(is_customer), None, "k"), "tax-gst", "tax-fre")
    details = body["SellingDetails" if is_customer else "BuyingDetails"]
    assert body["DisplayID"] == "CUST01" and body["CompanyName"] == "Acme Pipes Pty Ltd"
    assert details["TaxCode"] == {"UID": "tax-gst"} and details["FreightTaxCode"] == {"UID": "tax-fre"}
    assert body["Addresses"] == [{"Location": 1, "Email": "ap@acme.test", "Street": "1 Main St", "City": "Perth",
                                  "PostCode": "6000"}]
    assert violations("Customer" if is_customer else "Supplier", body) == []


def test_a_sales_invoice_goes_on_the_service_layout_with_its_accounts_and_tax_codes() -> None:
    route, body = build(document(), ctx())
    assert route == "Sale/Invoice/Service"
    assert body["Number"] == "INV-1001" and body["Customer"] == {"UID": "cust-uid"}
    assert body["Date"] == "2026-11-01T00:00:00" and body["IsTaxInclusive"] is False
    assert body["Terms"] == {"PaymentIsDue": "InAGivenNumberOfDays", "BalanceDueDate": 30}
    assert body["JournalMemo"].startswith(memo_stamp("d-11"))
    assert [(ln["Total"], ln["Account"]["UID"], ln["TaxCode"]["UID"]) for ln in body["Lines"]] == [
        (Decimal("100.00"), "acc-income", "tax-gst"), (Decimal("50.00"), "acc-income", "tax-gst")]
    assert body["Lines"][0]["UnitCount"] == 2 and body["Lines"][0]["UnitPrice"] == Decimal(50)
    assert violations("ServiceInvoice", body) == []


def test_tax_inclusive_lines_carry_their_tax_in_the_total() -> None:
    _, body = build(document(inclusive=True), ctx())
    assert body["IsTaxInclusive"] is True and [ln["Total"] for ln in body["Lines"]] == [Decimal("110.00"),
                                                                                      Decimal("55.00")]


def test_lines_as_items_go_on_the_item_layout_only_when_every_item_is_in_myob() -> None:
    doc = document("sales_invoice", line(1, "100.00", "10.00", item="PIPE"), line(2, "50.00", "5.00", item="TAP"))
    route, body = build(doc, ctx(push_lines_as_items=True), {"PIPE": "item-pipe", "TAP": "item-tap"})
    assert route == ITEM_ROUTE
    assert [(ln["Item"]["UID"], ln["ShipQuantity"], ln["Total"]) for ln in body["Lines"]] == [
        ("item-pipe", Decimal(2), Decimal("100.00")), ("item-tap", Decimal(2), Decimal("50.00"))]
    assert violations("ItemInvoice", body) == []
    assert build(doc, ctx(push_lines_as_items=True), {"PIPE": "item-pipe"})[0] == "Sale/Invoice/Service"
    assert build(doc, ctx(), {"PIPE": "item-pipe", "TAP": "item-tap"})[0] == "Sale/Invoice/Service"


def test_a_credit_note_is_a_sale_with_negative_lines_and_no_terms() -> None:
    route, body = build(document("sales_credit_note"), ctx())
    assert route == "Sale/Invoice/Service" and "Terms" not in body
    assert [ln["Total"] for ln in body["Lines"]] == [Decimal("-100.00"), Decimal("-50.00")]
    assert body["Lines"][0]["UnitCount"] == -2 and body["Lines"][0]["UnitPrice"] == Decimal(50)
    assert violations("ServiceInvoice", body) == []


@pytest.mark.parametrize("doc_type, sign", [("purchase_invoice", 1), ("purchase_credit_note", -1)])
def test_bills_keep_the_supplier_number_and_myob_numbers_them(doc_type: str, sign: int) -> None:
    doc = document(doc_type, line(1, "80.00", "8.00", nominal="5000"))
    route, body = build(doc, ctx())
    assert route == "Purchase/Bill/Service" and "Number" not in body
    assert body["SupplierInvoiceNumber"] == "INV-1001" and body["Supplier"] == {"UID": "cust-uid"}
    assert body["Lines"][0]["Total"] == sign * Decimal("80.00") and body["Lines"][0]["Account"]["UID"] == "acc-expense"
    assert violations("ServiceBill", body) == []


def test_one_line_per_nominal_and_tax_code_when_lines_are_summarised() -> None:
    _, body = build(document(), ctx(push_individual_lines=False))
    assert [(ln["Description"], ln["Total"]) for ln in body["Lines"]] == [("Nominal 4000, tax code T1",
                                                                         Decimal("150.00"))]


def test_an_item_is_sold_and_bought_on_the_mapped_accounts() -> None:
    view = ItemView(3, "i-3", "PIPE", "Copper pipe", "15 mm", "4000", "5000", "T1", Decimal("12.50"), 1)
    body = item_payload(ItemExport(1, view, None, "k"), ctx(), ACCOUNTS.__getitem__, TAX.get)
    assert body["IncomeAccount"] == {"UID": "acc-income"} and body["ExpenseAccount"] == {"UID": "acc-expense"}
    assert body["SellingDetails"]["TaxCode"] == {"UID": "tax-gst"} and body["IsSold"] and body["IsBought"]
    assert violations("Item", body) == []


def test_an_update_keeps_the_row_version_and_the_row_ids_of_kept_lines() -> None:
    _, body = build(document(), ctx())
    current = {"UID": "doc-uid", "RowVersion": "-693", "Lines": [{"RowID": 41, "RowVersion": "5"}]}
    out = merged(body, current)
    assert out["UID"] == "doc-uid" and out["RowVersion"] == "-693"
    assert (out["Lines"][0]["RowID"], out["Lines"][0]["RowVersion"]) == (41, "5") and "RowID" not in out["Lines"][1]
    assert violations("ServiceInvoice", out) == []


def test_a_reversal_is_the_same_lines_with_the_opposite_sign() -> None:
    current = {"UID": "doc-uid", "Date": "2026-11-01T00:00:00", "Customer": {"UID": "cust-uid", "Name": "Acme"},
               "IsTaxInclusive": False, "Number": "INV-1001", "RowVersion": "9",
               "Lines": [{"RowID": 1, "Type": "Transaction", "Description": "Work", "Total": Decimal("100.00"),
                          "Account": {"UID": "acc-income", "Name": "Sales"}, "TaxCode": {"UID": "tax-gst"}}]}
    body = reversal_body(current, document())
    assert body["Lines"] == [{"Type": "Transaction", "Description": "Work", "Total": Decimal("-100.00"),
                              "Account": {"UID": "acc-income"}, "TaxCode": {"UID": "tax-gst"}}]
    assert "Number" not in body and "UID" not in body and body["JournalMemo"].startswith(memo_stamp("d-11"))
    assert violations("ServiceInvoice", body) == []


def test_payments_made_here_are_applied_to_their_document() -> None:
    from ledgerbridge.packages.myob.payments import payment_body

    class Chart:
        def account_uid(self, code: str) -> str:
            return {"1-1110": "acc-bank"}[code]

    pay = PaymentExport(1, "invoice_payment", "pay-77", "payment PAY-77", "in", date(2026, 11, 5), Decimal("165.00"),
                        "AUD", "BACS", "cust-uid", "1-1110", "k", document_external_id="inv-uid")
    route, body = payment_body(Chart(), pay)  # type: ignore[arg-type]  # the chart part of the connector
    assert route == "Sale/CustomerPayment" and body["Invoices"] == [
        {"UID": "inv-uid", "AmountApplied": Decimal("165.00"), "Type": "Invoice"}]
    assert body["Memo"].startswith(memo_stamp("pay-77")) and violations("CustomerPayment", body) == []
    out = PaymentExport(2, "invoice_payment", "pay-78", "payment PAY-78", "out", date(2026, 11, 5), Decimal("88.00"),
                        "AUD", None, "supp-uid", "1-1110", "k", document_external_id="bill-uid")
    route, body = payment_body(Chart(), out)  # type: ignore[arg-type]
    assert route == "Purchase/SupplierPayment" and body["Lines"][0]["Purchase"] == {"UID": "bill-uid"}
    assert violations("SupplierPayment", body) == []


def test_the_catalogue_check_fails_on_a_bad_body() -> None:
    bad = {"Number": "INV-1", "Colour": "red", "IsTaxInclusive": "yes", "Date": "2026-11-01",
           "Lines": [{"Type": "Sometimes", "Total": "100"}]}
    found = violations("ServiceInvoice", bad)
    assert any("Colour" in v for v in found) and any("IsTaxInclusive" in v for v in found)
    assert any("Date" in v for v in found) and any("Sometimes" in v for v in found)
    assert any("Total" in v for v in found)


def test_precheck_refuses_dates_before_the_financial_year_and_in_the_lock_period() -> None:
    start, end = financial_year(2027, 6)
    assert (start, end) == (date(2026, 7, 1), date(2027, 6, 30))
    assert financial_year(2026, 12) == (date(2026, 1, 1), date(2026, 12, 31))
    rules = CompanyRules(start, end, date(2026, 10, 1))
    assert rules.problems(document()) == []
    early = DocumentView(**_with_date(date(2026, 6, 30)))
    messages = [p.message for p in rules.problems(early)]
    assert any("before the start of MYOB's current financial year" in m for m in messages)
    assert any("lock period" in m for m in messages)
    assert CompanyRules(start, end).problems(DocumentView(**_with_date(date(2027, 7, 1)))) == []  # MYOB takes it


def _with_date(day: date) -> dict[str, Any]:
    doc = document()
    values = {name: getattr(doc, name) for name in DocumentView.__dataclass_fields__}
    return {**values, "issue_date": day}
