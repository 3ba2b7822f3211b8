"""Pre-check rules are pure: each names the document, the line and the code."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal

from ledgerbridge.connectors.protocol import ExportContext, Problem
from ledgerbridge.store.views import DocumentView, LineView
from ledgerbridge.sync.mappings import AccountInfo, MappingSet, TaxRateInfo
from ledgerbridge.sync.precheck import NamedRecord, check_document, check_names


class _Package:
    kind = "xero"  # its spec's text limits: a line description of 4,000, a reference of 255
    display_name = "Xero"
    max_number_length = 10
    missing_account_answer = "Account code or ID must be specified"

    def precheck_document(self, document: DocumentView, ctx: ExportContext) -> list[Problem]:
        return []


def _line(no: int, nominal: str = "4000", tax: str = "T1", qty: str = "1", price: str = "10.00",
          net: str = "10.00", vat: str = "2.00", text: str = "Thing", long_text: str | None = None) -> LineView:
    return LineView(no, None, text, long_text, Decimal(qty), Decimal(price), Decimal(0), nominal, tax, Decimal(net),
                    Decimal(vat))


def _doc(*lines: LineView, number: str = "INV-1", currency: str = "GBP",
         doc_type: str = "sales_invoice") -> DocumentView:
    net = sum((ln.net for ln in lines), Decimal(0))
    tax = sum((ln.tax for ln in lines), Decimal(0))
    return DocumentView(1, number, doc_type, number, "issued", date(2026, 10, 1), None, 1, currency, None, False,
                        None, None, None, None, None, None, net, tax, net + tax, 1, lines)


def _ctx(**settings: object) -> ExportContext:
    ms = MappingSet(nominal={"4000": "200", "5000": "300"}, tax={"T1": "OUTPUT2"}, tax_purchases={"T1": "INPUT2"},
                    accounts={"200": AccountInfo("200", "Sales", "REVENUE", ("sales",), True),
                              "300": AccountInfo("300", "Purchases", "DIRECTCOSTS", ("purchases",), True)},
                    tax_rates={"OUTPUT2": TaxRateInfo("OUTPUT2", "VAT on Income", Decimal(20), ("sales",), True),
                               "INPUT2": TaxRateInfo("INPUT2", "VAT on Expenses", Decimal(20), ("purchases",), True)},
                    currencies=frozenset({"GBP"}), chart_loaded=True)
    return ExportContext(ms, dict(settings))


TYPES = {"4000": "sales", "5000": "purchases", "1001": "stock", "5100": "cost_of_sale", "4090": "sales"}


def messages(doc: DocumentView, **settings: object) -> list[str]:
    return [p.message for p in check_document(doc, _ctx(**settings), TYPES, _Package())]  # type: ignore[arg-type]


def test_a_clean_document_passes() -> None:
    assert messages(_doc(_line(1), _line(2))) == []


def test_unmapped_nominal_is_named_with_document_and_line() -> None:
    [message] = messages(_doc(_line(1), _line(2, nominal="4090")))
    assert message.startswith("sales invoice INV-1 line 2: nominal code 4090 has no account mapping in Xero")


def test_stock_and_cost_of_sale_nominals_are_never_posted() -> None:
    found = messages(_doc(_line(1, nominal="1001"), _line(2, nominal="5100")))
    assert "line 1: nominal code 1001 is a stock nominal" in found[0]
    assert "line 2: nominal code 5100 is a cost-of-sale nominal" in found[1]


def test_unsuitable_account_unless_restrictions_are_relaxed() -> None:
    doc = _doc(_line(1, nominal="5000"))
    assert "not suitable for sales lines" in messages(doc)[0]
    assert messages(doc, relax_restrictions=True) == []


def test_tax_is_mapped_per_side() -> None:
    assert messages(_doc(_line(1, nominal="5000"), doc_type="purchase_invoice")) == []
    assert "no sales tax rate mapping" in messages(_doc(_line(1, tax="T0")))[0]


def test_number_too_long_and_currency_not_enabled() -> None:
    found = messages(_doc(_line(1), number="INV-000000001", currency="EUR"))
    assert any("13 characters long; Xero allows at most 10" in m for m in found)
    assert any("currency EUR is not enabled in Xero" in m for m in found)


def test_a_total_the_package_would_round_differently() -> None:
    # The host taxed the total (0.39 x 20% = 0.078 -> 0.08); Xero taxes each line (0.03 x 3 = 0.09).
    lines = [_line(n, price="0.13", net="0.13", vat="0.03") for n in (1, 2, 3)]
    doc = _doc(*lines)
    doc = DocumentView(**{**{f: getattr(doc, f) for f in doc.__slots__}, "tax_total": Decimal("0.08"),
                          "gross_total": Decimal("0.47")})
    [message] = messages(doc)
    assert "Xero would total 0.48 but the host's total is 0.47" in message


def test_summarised_posting_rounds_tax_per_group() -> None:
    lines = [_line(n, price="0.13", net="0.13", vat="0.03") for n in (1, 2, 3)]
    doc = _doc(*lines)
    taxed_on_total = DocumentView(**{**{f: getattr(doc, f) for f in doc.__slots__}, "tax_total": Decimal("0.08"),
                                     "gross_total": Decimal("0.47")})
    # One line per nominal and tax code: Xero taxes the 0.39 group once, 0.078 -> 0.08, as the host did.
    assert messages(taxed_on_total, push_individual_lines=False) == []
    assert messages(doc, push_individual_lines=False)[0].startswith("sales invoice INV-1: Xero would total 0.47")


def test_a_negative_total_is_refused_naming_the_document() -> None:
    [message] = messages(_doc(_line(1, qty="-2", net="-20.00", vat="-4.00")))
    assert message == ("sales invoice INV-1: the total is -24.00; a document's total cannot be negative, and Xero "
                       "would refuse it")


def test_a_negative_line_in_a_positive_document_passes() -> None:
    assert messages(_doc(_line(1, qty="3", net="30.00", vat="6.00"), _line(2, qty="-1", net="-10.00",
                                                                              vat="-2.00"))) == []


def test_a_description_longer_than_the_package_takes_is_named_by_line() -> None:
    [message] = messages(_doc(_line(1), _line(2, text="x" * 4001)))
    assert message == "sales invoice INV-1 line 2: the description is 4,001 characters long; Xero allows at most 4,000"


def test_the_long_description_counts_when_the_settings_send_it() -> None:
    doc = _doc(_line(1, text="x" * 3000, long_text="y" * 1500))
    assert messages(doc) == []
    [message] = messages(doc, push_work_undertaken=True)
    assert "line 1: the description with the long description is 4,501 characters long" in message


def test_a_reference_longer_than_the_package_takes_is_named() -> None:
    doc = replace(_doc(_line(1)), order_number="R" * 256)
    [message] = messages(doc)
    assert message == ("sales invoice INV-1: the reference (order_number) is 256 characters long; Xero allows at "
                       "most 255")


def _names(doc: DocumentView, party: NamedRecord | None = None, **items: NamedRecord) -> list[str]:
    return [p.message for p in check_names(doc, party, items, _Package())]  # type: ignore[arg-type]


def test_a_party_name_longer_than_the_package_takes_is_named_with_its_role_and_code() -> None:
    assert _names(_doc(_line(1)), NamedRecord("C1", "x" * 255)) == []
    [message] = _names(_doc(_line(1)), NamedRecord("C1", "x" * 256))
    assert message == "sales invoice INV-1: the name of customer C1 is 256 characters long; Xero allows at most 255"
    [message] = _names(_doc(_line(1, nominal="5000"), doc_type="purchase_invoice"), NamedRecord("S1", "x" * 300))
    assert message.startswith("purchase invoice INV-1: the name of supplier S1 is 300 characters long")


def test_an_items_name_and_description_are_named_once_per_document() -> None:
    widget = LineView(1, "WIDGET", "Thing", None, Decimal(1), Decimal(10), Decimal(0), "4000", "T1", Decimal(10),
                      Decimal(2))
    doc = _doc(widget, replace(widget, line_no=2))
    assert _names(doc, WIDGET=NamedRecord("WIDGET", "w" * 50, "d" * 4000)) == []
    assert _names(doc, WIDGET=NamedRecord("WIDGET", "w" * 51, "d" * 4001)) == [
        "sales invoice INV-1: the name of item WIDGET is 51 characters long; Xero allows at most 50",
        "sales invoice INV-1: the description of item WIDGET is 4,001 characters long; Xero allows at most 4,000"]
    assert _names(doc, OTHER=NamedRecord("OTHER", "w" * 51)) == []  # not on this document
