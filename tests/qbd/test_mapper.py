"""The QuickBooks Desktop mapper: host records to qbXML requests that pass the schema, QuickBooks' rules (numbers,
names, tax by edition, rounding, Komet's bill reference), and QuickBooks' answers back to the engine's types."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from ledgerbridge.connectors.protocol import (
    AllocationExport,
    DocumentExport,
    ExportContext,
    ItemExport,
    PartyExport,
    PaymentExport,
)
from ledgerbridge.domain.accounting_settings import ConnectionSettings, bill_reference_problem
from ledgerbridge.packages.qbd import mapper, names, party_mapper, payment_mapper, readers
from ledgerbridge.packages.qbd.limits import QBD_TEXT_LIMITS
from ledgerbridge.packages.qbd.qbxml import chart_rets
from ledgerbridge.packages.qbd.qbxml.envelope import MessageOptions, build_message
from ledgerbridge.packages.qbd.qbxml.hcp import parse_hcp_response
from ledgerbridge.packages.qbd.qbxml.nodes import Element, Macro
from ledgerbridge.packages.qbd.qbxml.responses import parse_response
from ledgerbridge.packages.qbd.qbxml.rets import RefValue, read_payment, read_txn
from ledgerbridge.packages.qbd.qbxml.values import Ref, external_guid
from ledgerbridge.store.views import DocumentView, ItemView, LineView, PartyView
from ledgerbridge.sync.mappings import MappingSet, TaxRateInfo
from tests.contract_checks.qbxml import check_qbxml
from tests.qbd import qbxml_answers as answers

UK_RATES = {"S": TaxRateInfo("S", "Standard", Decimal(20), ("sales", "purchases"), True),
            "Z": TaxRateInfo("Z", "Zero rated", Decimal(0), ("sales", "purchases"), True),
            "O": TaxRateInfo("O", "Outside the scope", Decimal(0), (), True)}
US_RATES = {"Tax": TaxRateInfo("Tax", "Taxable", Decimal("7.25"), ("sales", "purchases"), True),
            "Non": TaxRateInfo("Non", "Non-taxable", Decimal(0), ("sales", "purchases"), True)}


class Lookups:
    """The connector's knowledge of the company, as data: refs by name, the items made per account."""

    def __init__(self) -> None:
        self.sales_items: list[tuple[str, str | None]] = []

    def account(self, code: str) -> Ref:
        return Ref(full_name=f"Account {code}")

    def tax_code(self, code: str) -> Ref:
        return Ref(full_name=code)

    def sales_item(self, account_code: str, item_code: str | None) -> Ref:
        self.sales_items.append((account_code, item_code))
        return Ref(full_name=item_code or names.account_item_name(account_code))

    def rounding_item(self, account_code: str) -> Ref:
        return Ref(full_name=names.ROUNDING_ITEM)

    def purchase_item(self, item_code: str) -> Ref | None:
        return Ref(full_name=item_code) if item_code.startswith("BRKT") else None


def _line(n: int, qty: str, price: str, tax: str, nominal: str = "4000", code: str = "T1",
          item: str | None = None) -> LineView:
    net = Decimal(qty) * Decimal(price)
    return LineView(n, item, f"Line {n}", None, Decimal(qty), Decimal(price), Decimal(0), nominal, code, net,
                    Decimal(tax))


def _doc(doc_type: str = "sales_invoice", number: str = "INV-1001", lines: tuple[LineView, ...] | None = None,
         **fields: Any) -> DocumentView:
    lines = lines or (_line(1, "2", "42.50", "17.00"), _line(2, "1", "15.10", "3.02"))
    net = sum((line.net for line in lines), Decimal(0))
    tax = sum((line.tax for line in lines), Decimal(0))
    base: dict[str, Any] = dict(id=1, host_id="D1", type=doc_type, number=number, status="issued",
                                issue_date=date(2026, 12, 2), due_date=date(2027, 1, 1), party_id=7, currency="GBP",
                                exchange_rate=None, amounts_tax_inclusive=False, order_number="SO-5002",
                                customer_po=None, site_address=None, work_order=None, sales_order_id=None,
                                credits_document_id=None, net_total=net, tax_total=tax, gross_total=net + tax,
                                version=1, lines=lines)
    base.update(fields)
    return DocumentView(**base)


def _ctx(country: str = "UK", **settings: object) -> ExportContext:
    rates = UK_RATES if country == "UK" else US_RATES
    codes = {"T1": "S", "T0": "Z"} if country == "UK" else {"T1": "Tax", "T0": "Non"}
    ms = MappingSet(nominal={"4000": "4000", "5000": "5000", "8600": "8600"}, tax=codes, tax_purchases=codes,
                    tax_rates=dict(rates), chart_loaded=True)
    return ExportContext(ms, {mapper.COUNTRY_SETTING: country, "rounding_account": "8600", **settings})


def _export(doc: DocumentView, key: str = "attempt-1") -> DocumentExport:
    return DocumentExport(11, "create", doc, "80000001-1700000000", None, key)


def _checked(*requests: Element) -> str:
    text = build_message(list(requests), MessageOptions("13.0", new_message_set_id="s")).decode()
    check_qbxml(text)
    check_qbxml(text.replace('version="13.0"', 'version="16.0"'))
    return text


def test_a_uk_invoice() -> None:
    lookups = Lookups()
    mapped = mapper.map_document(_export(_doc()), _ctx(), lookups)
    assert isinstance(mapped, mapper.SalesDocument) and mapped.entity == "Invoice"
    header = mapped.header
    assert (header.customer, header.ref_number, header.po_number, header.due_date, header.is_tax_included) == (
        Ref(list_id="80000001-1700000000"), "INV-1001", "SO-5002", date(2027, 1, 1), False)
    assert [(line.item, line.quantity, line.rate, line.amount, line.sales_tax_code) for line in mapped.lines] == [
        (Ref(full_name="Sales to 4000"), Decimal(2), Decimal("42.50"), Decimal("85.00"), Ref(full_name="S")),
        (Ref(full_name="Sales to 4000"), Decimal(1), Decimal("15.10"), Decimal("15.10"), Ref(full_name="S"))]
    assert mapped.external_guid == external_guid("attempt-1")
    request = mapper.document_add(mapped, request_id="inv-1")
    text = _checked(request)
    assert "<Amount>85.00</Amount>" in text and "<Rate>42.5</Rate>" in text


def test_a_us_invoice_has_no_tax_inclusive_flag_and_refuses_tax_inclusive_amounts() -> None:
    mapped = mapper.map_document(_export(_doc()), _ctx("US"), Lookups())
    assert isinstance(mapped, mapper.SalesDocument)
    assert mapped.header.is_tax_included is None and mapped.lines[0].sales_tax_code == Ref(full_name="Tax")
    problems = mapper.precheck_problems(_doc(amounts_tax_inclusive=True), _ctx("US"))
    assert [p.message for p in problems] == [
        "sales invoice INV-1001: amounts include tax, which a US QuickBooks company cannot record"]
    assert mapper.precheck_problems(_doc(amounts_tax_inclusive=True), _ctx("UK")) == []


def test_a_tax_inclusive_line_goes_out_gross_without_quantity_and_rate() -> None:
    lines = (_line(1, "2", "42.50", "17.00"),)
    mapped = mapper.map_document(_export(_doc(lines=lines, amounts_tax_inclusive=True)), _ctx(), Lookups())
    assert isinstance(mapped, mapper.SalesDocument) and mapped.header.is_tax_included is True
    assert (mapped.lines[0].amount, mapped.lines[0].quantity, mapped.lines[0].rate) == (Decimal("102.00"), None, None)


def test_a_cent_of_rounding_goes_on_its_own_line_untaxed() -> None:
    """Three lines of 0.99 at 20%: the host taxed the total (0.59), QuickBooks UK taxes each line (3 x 0.20)."""
    lines = tuple(_line(n, "1", "0.99", "0.20" if n < 3 else "0.19") for n in (1, 2, 3))
    doc = _doc(lines=lines, gross_total=Decimal("3.56"))
    mapped = mapper.map_document(_export(doc), _ctx(), Lookups())
    assert isinstance(mapped, mapper.SalesDocument)
    rounding = mapped.lines[-1]
    assert (rounding.item, rounding.amount, rounding.sales_tax_code) == (
        Ref(full_name="Rounding"), Decimal("-0.01"), Ref(full_name="O"))
    _checked(mapper.document_add(mapped, request_id="r"))
    bill = mapper.map_document(_export(replace(doc, type="purchase_invoice")), _ctx(), Lookups())
    assert isinstance(bill, mapper.PurchaseDocument)
    assert (bill.expenses[-1].account, bill.expenses[-1].amount, bill.expenses[-1].memo) == (
        Ref(full_name="Account 8600"), Decimal("-0.01"), "Rounding")
    without_code = _ctx()
    del without_code.mappings.tax_rates["O"]
    assert "no tax code for amounts outside tax" in mapper.precheck_problems(doc, without_code)[0].message


def test_the_untaxed_code_by_edition() -> None:
    assert mapper.no_tax_code(_ctx().mappings, "UK") == "O"  # not Z: a zero rate counts in the VAT return
    assert mapper.no_tax_code(_ctx("US").mappings, "US") == "Non"
    assert (mapper.rounding_mode("US"), mapper.rounding_mode("CA")) == ("total", "line")


def test_summarised_lines_and_lines_as_items() -> None:
    lines = (_line(1, "2", "42.50", "17.00", item="SHELF"), _line(2, "1", "15.10", "3.02", item="FIX"),
             _line(3, "1", "5.00", "0", code="T0"))
    summarised = mapper.map_document(_export(_doc(lines=lines)), _ctx(push_individual_lines=False), Lookups())
    assert isinstance(summarised, mapper.SalesDocument)
    assert [(line.desc, line.amount) for line in summarised.lines] == [
        ("Nominal 4000, tax code T1", Decimal("100.10")), ("Nominal 4000, tax code T0", Decimal("5.00"))]
    lookups = Lookups()
    mapper.map_document(_export(_doc(lines=lines)), _ctx(push_lines_as_items=True), lookups)
    assert lookups.sales_items == [("4000", "SHELF"), ("4000", "FIX"), ("4000", None)]


def test_a_bill_with_komets_reference_rule() -> None:
    lines = (_line(1, "10", "12.00", "24.00", nominal="5000"), _line(2, "4", "1.25", "1.00", nominal="5000",
                                                                     item="BRKT-SET"))
    # {po} is the purchase order the invoice names, not its order-number field (the reference, sent as the Memo)
    doc = _doc("purchase_invoice", "SUP-881", lines, order_number="SO-5002", purchase_order_number="PO-7")
    ctx = _ctx(**{mapper.BILL_REFERENCE_SETTING: "{po}-{number}", "push_lines_as_items": True})
    bill = mapper.map_document(_export(doc), ctx, Lookups())
    assert isinstance(bill, mapper.PurchaseDocument) and bill.entity == "Bill"
    assert (bill.header.ref_number, bill.header.memo, bill.header.vendor) == (
        "PO-7-SUP-881", "SO-5002", Ref(list_id="80000001-1700000000"))
    assert [(e.account, e.amount) for e in bill.expenses] == [(Ref(full_name="Account 5000"), Decimal("120.00"))]
    assert [(i.item, i.quantity, i.cost, i.override_item_account) for i in bill.items] == [
        (Ref(full_name="BRKT-SET"), Decimal(4), Decimal("1.25"), Ref(full_name="Account 5000"))]
    _checked(mapper.document_add(bill, request_id="b"))
    assert mapper.precheck_problems(replace(doc, number="SUP-88100000000"), ctx) == []  # 20: fits
    too_long = mapper.precheck_problems(replace(doc, number="SUP-881000000000"), ctx)
    assert [p.failure_type for p in too_long] == ["data"]
    # the document, the field, both parts and the limit
    assert too_long[0].message == (
        "purchase invoice SUP-881000000000: the Bill's RefNumber 'PO-7-SUP-881000000000' (the bill reference rule "
        "'{po}-{number}': the purchase order number 'PO-7' (4) + the supplier's invoice number 'SUP-881000000000' "
        "(16)) is 21 characters long; QuickBooks Desktop takes at most 20 in a Bill's RefNumber")
    no_po = mapper.precheck_problems(replace(doc, purchase_order_number=None), ctx)
    assert "names no purchase order (send its purchase_order_host_id)" in no_po[0].message
    assert no_po[0].failure_type == "config"
    bad = mapper.precheck_problems(doc, _ctx(**{mapper.BILL_REFERENCE_SETTING: "{vendor}/{number}"}))
    assert "names {vendor}" in bad[0].message
    with pytest.raises(mapper.MappingError, match="names no purchase order"):
        mapper.bill_ref_number(replace(doc, purchase_order_number=None), ctx.settings)
    # the default: the vendor's number as it is, named without a rule when too long
    plain = mapper.precheck_problems(replace(doc, number="S" * 21), _ctx())
    assert plain[0].message == (f"purchase invoice {'S' * 21}: the Bill's RefNumber '{'S' * 21}' is 21 characters "
                                "long; QuickBooks Desktop takes at most 20 in a Bill's RefNumber")


@pytest.mark.parametrize("rule, problem", [
    ("{po}{number}", None), ("{po}/{number}", None), ("PI {number}", None),
    ("{vendor}-{number}", "names {vendor}"), ("{po-{number}", "a brace"), ("{po}}{number}", "a brace"),
    ("PO", "names no field"), ("{}", "names {}"),
])
def test_the_reference_rule_is_validated(rule: str, problem: str | None) -> None:
    found = bill_reference_problem(rule)
    assert (found is None) if problem is None else (found is not None and problem in found), found
    assert ConnectionSettings(bill_reference=rule).validate() == ([] if problem is None else [found])


@pytest.mark.parametrize("doc_type, number, refused", [
    ("sales_invoice", "INV-1234567", False), ("sales_invoice", "INV-12345678", True),
    ("sales_credit_note", "CN-12345678", False), ("sales_credit_note", "CN-123456789", True),
    ("purchase_credit_note", "C" * 20, False), ("purchase_credit_note", "C" * 21, True),
])
def test_ref_number_limits_per_type(doc_type: str, number: str, refused: bool) -> None:
    problems = mapper.precheck_problems(_doc(doc_type, number), _ctx())
    assert bool(problems) == refused
    assert QBD_TEXT_LIMITS.number == 20  # the core's check: the largest; each type's own here


def test_a_mod_replaces_every_line_quickbooks_holds() -> None:
    current = read_txn(parse_response(answers.INVOICE_ADD_OK).result("inv-1").rets[0])
    mapped = mapper.map_document(_export(_doc()), _ctx(), Lookups())
    request = mapper.document_mod(mapped, current, request_id="m-1")
    mod = request[0]
    assert (mod.findtext("TxnID"), mod.findtext("EditSequence")) == ("1A2B-1700000000", "1700000005")
    assert [e.text for e in mod.iter("TxnLineID")] == ["-1", "-1"]  # both held lines deleted, two new added
    assert mod.find("ExternalGUID") is None
    _checked(request)
    bill_now = read_txn(parse_response(answers.DOCUMENTS_QUERY).result("b-q").rets[0])
    bill = mapper.map_document(_export(_doc("purchase_invoice", "SUP-881", (_line(1, "1", "9.00", "1.80", "5000"),))),
                               _ctx(), Lookups())
    bill_request = mapper.document_mod(bill, bill_now, request_id="m-2")
    assert bill_request[0].findtext("ClearItemLines") == "true"  # its item line goes, no item line is sent
    _checked(bill_request)
    with pytest.raises(mapper.MappingError, match="read it again"):
        mapper.document_mod(bill, current, request_id="m-3")


def _party(**fields: Any) -> PartyView:
    base: dict[str, Any] = dict(id=7, host_id="C001", code="C001", name="Acme Corp", is_customer=True,
                                is_supplier=False, email="ap@acme.example", tax_number="GB123456789", currency="GBP",
                                payment_terms_days=30, addresses=[
                                    {"kind": "delivery", "line1": "Dock 4", "city": "Hull"},
                                    {"kind": "billing", "line1": "1 Main St", "city": "Leeds", "postcode": "LS1 1AA",
                                     "country": "UK"}], version=1)
    base.update(fields)
    return PartyView(**base)


def test_parties_by_role_with_their_addresses() -> None:
    customer = PartyExport(1, _party(), None, "p-1")
    request = party_mapper.party_request(customer, _ctx(), name=names.party_name(customer.party), request_id="c")
    add = request[0]
    assert (add.tag, add.findtext("Name"), add.findtext("BillAddress/Addr1"), add.findtext("ShipAddress/City")) == (
        "CustomerAdd", "Acme Corp", "1 Main St", "Hull")
    assert add.findtext("TaxRegistrationNumber") == "GB123456789" and add.findtext("AccountNumber") == "C001"
    vendor = PartyExport(2, _party(is_customer=False, is_supplier=True, tax_number="12-3456789"), None, "p-2")
    us_vendor = party_mapper.party_request(vendor, _ctx("US"), name="Acme Corp (C001)", request_id="v",
                                           currency=Ref(full_name="US Dollar"))
    assert us_vendor[0].tag == "VendorAdd" and us_vendor[0].findtext("VendorTaxIdent") == "12-3456789"
    assert us_vendor[0].findtext("TaxRegistrationNumber") is None
    from ledgerbridge.packages.qbd.qbxml.values import ListTarget
    mod = party_mapper.party_request(customer, _ctx(), name="Acme Corp", request_id="cm",
                                     target=ListTarget("80000001-1", "5"), currency=Ref(full_name="Euro"))
    assert mod[0].tag == "CustomerMod" and mod[0].find("CurrencyRef") is None  # never on a Mod
    _checked(request, us_vendor, mod)


def test_names_in_the_one_name_space() -> None:
    party = _party(name="Northern Timber and Building Supplies Ltd", code="S0042")  # 41 characters
    assert len(names.party_name(party)) == 41
    assert names.clash_name(party) == "Northern Timber and Building Supp (S0042)"
    assert len(names.clash_name(party)) <= 41
    assert names.party_name(_party(name="Acme:  Trading")) == "Acme- Trading"
    too_long = PartyExport(3, _party(name="N" * 42), None, "p-3")
    with pytest.raises(mapper.MappingError, match="42 characters long; QuickBooks Desktop takes at most 41"):
        party_mapper.party_request(too_long, _ctx(), name="N" * 42, request_id="x")
    assert names.similar_names("Timber & Co", ["Timber and Co", "Timber & Co Ltd", "Acme"]) == [
        "Timber & Co Ltd", "Timber and Co"]


def test_items() -> None:
    view = ItemView(5, "BRKT-SET", "BRKT-SET", "Bracket set", "Bracket set (4)", "4000", "5000", "T1",
                    Decimal("7.95"), 1)
    request = party_mapper.item_request(ItemExport(1, view, None, "i-1"), _ctx(), Lookups(), request_id="i")
    add = request[0]
    assert (add.tag, add.findtext("Name"), add.findtext("SalesAndPurchase/SalesPrice")) == (
        "ItemNonInventoryAdd", "BRKT-SET", "7.95")
    account_item = party_mapper.account_item_request("4000", Lookups(), key="acc-4000", request_id="a")
    rounding = party_mapper.rounding_item_request("8600", Lookups(), key="round", request_id="r")
    _checked(request, account_item, rounding)
    long_code = replace(view, code="X" * 32)
    with pytest.raises(mapper.MappingError, match="at most 31"):
        party_mapper.item_request(ItemExport(1, long_code, None, "k"), _ctx(), Lookups(), request_id="i")
    assert names.account_item_name("4000") == "Sales to 4000"
    long = names.account_item_name("Income:Shelving and Fittings:Oak")
    assert len(long) == 31 and long != names.account_item_name("Income:Shelving and Fittings:Ash")


def _payment(**fields: Any) -> PaymentExport:
    base: dict[str, Any] = dict(sync_record_id=3, kind="prepayment", host_id="PP-1", label="prepayment PP-1",
                                direction="in", payment_date=date(2026, 12, 4), amount=Decimal("300.00"),
                                currency="GBP", reference="Deposit SO-7001", party_external_id="80000001-1",
                                bank_account_code="1200", idempotency_key="pay-key")
    base.update(fields)
    return PaymentExport(**base)


def test_payments_made_here() -> None:
    account = Lookups().account
    prepayment = payment_mapper.payment_request(_payment(), account, request_id="pp")
    assert prepayment.findtext("ReceivePaymentAdd/IsAutoApply") == "false"
    assert prepayment.findtext("ReceivePaymentAdd/TotalAmount") == "300.00"
    assert prepayment.findtext("ReceivePaymentAdd/RefNumber") == "PP-1"
    invoice = mapper.document_add(mapper.map_document(_export(_doc()), _ctx(), Lookups()), request_id="inv",
                                  macro=Macro("inv"))
    paying = payment_mapper.payment_request(_payment(kind="invoice_payment", amount=Decimal("50.00")), account,
                                            request_id="pay", macro=Macro("inv"))
    by_id = payment_mapper.payment_request(_payment(kind="invoice_payment", document_external_id="1A2B-1"), account,
                                           request_id="pay2")
    bill = payment_mapper.payment_request(_payment(kind="invoice_payment", direction="out", host_id="BP-0000000001",
                                                   document_external_id="B-1"), account, request_id="bp")
    assert bill.findtext("BillPaymentCheckAdd/RefNumber") == "BP-00000000"  # cut to the cheque's 11
    text = _checked(prepayment, invoice, paying, by_id, bill)
    assert 'useMacro="TxnID:inv"' in text
    with pytest.raises(mapper.MappingError, match="must name the invoice"):
        payment_mapper.payment_request(_payment(kind="invoice_payment"), account, request_id="x")


def test_an_allocation_is_a_payment_of_zero_spending_the_credit() -> None:
    allocation = AllocationExport("k1", "credit_note", "CM-1", "1A2B-1", Decimal("20.00"), date(2026, 12, 8),
                                  "80000001-1")
    request = payment_mapper.allocation_request(allocation, key="alloc-1", request_id="al")
    add = request[0]
    assert add.findtext("TotalAmount") == "0.00"
    assert (add.findtext("AppliedToTxnAdd/TxnID"), add.findtext("AppliedToTxnAdd/SetCredit/CreditTxnID"),
            add.findtext("AppliedToTxnAdd/SetCredit/AppliedAmount")) == ("1A2B-1", "CM-1", "20.00")
    _checked(request)
    with pytest.raises(mapper.MappingError, match="customer is not known"):
        payment_mapper.allocation_request(replace(allocation, party_external_id=None), key="k", request_id="al")


def test_a_vendor_credit_applied_to_a_bill_is_a_bill_payment_cheque_of_nothing() -> None:
    allocation = AllocationExport("k2", "credit_note", "VC-1", "B-1", Decimal("12.00"), date(2026, 12, 8))
    request = payment_mapper.vendor_credit_request(allocation, vendor_id="80000002-1", bank_account=Ref(list_id="A-1"),
                                                   key="alloc-2", request_id="vc")
    add = request[0]
    assert (add.findtext("PayeeEntityRef/ListID"), add.findtext("BankAccountRef/ListID"),
            add.findtext("IsToBePrinted"), add.find("RefNumber")) == ("80000002-1", "A-1", "false", None)
    assert (add.findtext("AppliedToTxnAdd/TxnID"), add.find("AppliedToTxnAdd/PaymentAmount"),
            add.findtext("AppliedToTxnAdd/SetCredit/CreditTxnID"),
            add.findtext("AppliedToTxnAdd/SetCredit/AppliedAmount")) == ("B-1", None, "VC-1", "12.00")
    _checked(request)  # 13.0 and 16.0


# -- answers to the engine's types ------------------------------------------------------------------------------
def test_the_chart() -> None:
    parsed = parse_response(answers.CHART)
    chart = readers.chart_snapshot(
        [chart_rets.read_account(r) for r in parsed.result("a-1").rets],
        [chart_rets.read_tax_code(r) for r in parsed.result("t-1").rets],
        [chart_rets.read_tax_item(r) for r in parsed.result("i-1").rets if str(r.tag) == "ItemSalesTaxRet"],
        [chart_rets.read_currency(r) for r in parsed.result("cu-1").rets], parse_hcp_response(answers.HCP))
    assert [(a.code, a.external_id, a.usable_for, a.active) for a in chart.accounts] == [
        ("4000", "A-INC", ("sales",), True), ("Purchases", "A-EXP", ("purchases",), True),
        ("1200", "A-BANK", ("bank",), True), ("Old sales", "A-OLD", ("sales",), False)]
    assert [(t.code, t.rate, t.usable_for) for t in chart.tax_rates] == [
        ("S", Decimal("20.0"), ("sales", "purchases")), ("Z", Decimal("0.0"), ("sales",)), ("O", Decimal(0), ())]
    assert (chart.base_currency, chart.currencies) == ("GBP", ("GBP",))
    us = parse_response(answers.US_TAX_CODES)
    us_chart = readers.chart_snapshot([], [chart_rets.read_tax_code(r) for r in us.result("t-1").rets],
                                      [chart_rets.read_tax_item(r) for r in us.result("i-1").rets], [], None)
    assert [(t.code, t.usable_for) for t in us_chart.tax_rates] == [("Tax", ("sales", "purchases")),
                                                                    ("Non", ("sales", "purchases"))]
    assert us_chart.base_currency == "USD"


def test_documents_as_they_stand() -> None:
    invoice = readers.remote_document(read_txn(parse_response(answers.INVOICE_ADD_OK).result("inv-1").rets[0]), "GBP")
    assert (invoice.total, invoice.amount_due, invoice.amount_paid, invoice.amount_credited, invoice.status) == (
        Decimal("120.12"), Decimal("50.12"), Decimal("50.00"), Decimal("20.00"), "OPEN")
    parsed = parse_response(answers.DOCUMENTS_QUERY)
    bill = readers.remote_document(read_txn(parsed.result("b-q").rets[0]))
    assert (bill.status, bill.amount_paid, bill.amount_credited) == ("PAID", Decimal("149.00"), Decimal(0))
    memo = readers.remote_document(read_txn(parsed.result("c-q").rets[0]))
    assert (memo.amount_credited, memo.amount_due) == (Decimal("20.00"), Decimal("10.00"))
    assert readers.remote_document(read_txn(parsed.result("v-q").rets[0])).status == "VOIDED"


def test_payments_made_in_quickbooks_are_imported_as_parts() -> None:
    first, prepayment = (read_payment(r) for r in parse_response(answers.PAYMENTS_PAGE).result("pay-1").rets)

    def code(ref: RefValue) -> str | None:
        return {"A-BANK": "1200"}.get(ref.list_id or "")

    parts = readers.remote_payments(first, currency="GBP", account_code=code)
    assert [(p.external_id, p.amount, p.document_external_id, p.document_number) for p in parts] == [
        ("PAY-1:1A2B-1700000000", Decimal("50.00"), "1A2B-1700000000", "INV-1001"),
        ("PAY-1:INV-2", Decimal("20.00"), "INV-2", "INV-1002"),
        ("PAY-1:unapplied", Decimal("5.00"), None, None)]
    assert sum((p.amount for p in parts), Decimal(0)) == first.amount  # exact: the parts make the payment
    assert {(p.bank_account_code, p.direction, p.reference) for p in parts} == {("1200", "in", "BACS-1")}
    assert readers.whole_payment_id(parts[1].external_id) == "PAY-1"
    whole = readers.remote_payments(prepayment, currency="GBP", account_code=code)
    assert [(p.external_id, p.amount, p.document_external_id) for p in whole] == [("PAY-2", Decimal("300.00"), None)]
    cheque = read_payment(parse_response(answers.BILL_PAYMENTS).result("bp-1").rets[0])
    out = readers.remote_payments(cheque, currency="GBP", account_code=code)
    assert [(p.external_id, p.direction, p.document_external_id) for p in out] == [("BP-1", "out", "B-1")]
    gone = readers.deleted_payment(answers_deleted())
    assert (gone.external_id, gone.deleted, gone.direction) == ("PAY-9", True, "in")


def answers_deleted() -> Any:
    from ledgerbridge.packages.qbd.qbxml.rets import read_deleted
    return read_deleted(parse_response(answers.VOID_AND_DELETED).result("d-1").rets[0])


def test_credits_and_their_allocations() -> None:
    first, prepayment = (read_payment(r) for r in parse_response(answers.PAYMENTS_PAGE).result("pay-1").rets)
    allocations = readers.credit_allocations(first)
    assert [(a.source_kind, a.source_external_id, a.invoice_external_id, a.amount) for a in allocations] == [
        ("credit_note", "CM-1", "1A2B-1700000000", Decimal("20.00"))]
    memo = read_txn(parse_response(answers.DOCUMENTS_QUERY).result("c-q").rets[0])
    credit = readers.remote_credit(memo, allocations)
    assert (credit.total, credit.remaining, credit.kind, len(credit.allocations)) == (
        Decimal("30.00"), Decimal("10.00"), "credit_note", 1)
    deposit = readers.remote_credit(prepayment, [])
    assert (deposit.total, deposit.remaining, deposit.kind) == (Decimal("300.00"), Decimal("300.00"), "prepayment")


def test_write_outcomes() -> None:
    ok = readers.write_outcome(11, parse_response(answers.INVOICE_ADD_OK).result("inv-1"))
    assert (ok.ok, ok.external_id, ok.external_number, ok.total) == (True, "1A2B-1700000000", "INV-1001",
                                                                     Decimal("120.12"))
    errors = parse_response(answers.ERRORS)
    clash = readers.write_outcome(12, errors.result("c-1"))
    assert not clash.ok and clash.failure_type == "data"
    assert clash.message == 'The name "Acme Corp" of the list element is already in use. (QuickBooks status 3100)'
    assert clash.raw_response is not None and "3100" in clash.raw_response
    stale = readers.write_outcome(13, errors.result("im-1"))
    assert stale.failure_type == "retriable" and stale.hint
    recovered = readers.write_outcome(14, parse_response(answers.RECOVERED).result("inv-7"))
    assert (recovered.ok, recovered.external_id) == (True, "1A2B-1700000000")
    void = readers.write_outcome(15, parse_response(answers.VOID_AND_DELETED).result("x-1"))
    assert (void.ok, void.external_id, void.external_number) == (True, "1A2B-1700000000", "INV-1001")
