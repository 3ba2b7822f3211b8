"""QuickBooks Online rounding lines (R-E4), worked by hand: QBO taxes each line (UK VAT), a host that taxes the
total is a cent away, and the cent goes to the settings' rounding account, untaxed, so both totals agree."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from ledgerbridge.connectors.protocol import DocumentExport, ExportContext
from ledgerbridge.packages.qbo.connector import QboConnector
from ledgerbridge.packages.qbo.mapper import document_payload, no_tax_code
from ledgerbridge.store.views import DocumentView, LineView
from ledgerbridge.sync.mappings import AccountInfo, MappingSet, TaxRateInfo
from ledgerbridge.sync.precheck import check_document

D = Decimal
# The QBO sandbox's UK chart: account Ids by AcctNum, tax codes by Id (2: 20% S, 6: 0% Z, 8: Exempt, 10: No VAT).
ACCOUNT_IDS = {"4000": "1", "7000": "4", "8600": "12"}
UK_CODES = {"2": TaxRateInfo("2", "20.0% S", D(20), ("sales", "purchases"), True),
            "6": TaxRateInfo("6", "0.0% Z", D(0), ("sales", "purchases"), True),
            "8": TaxRateInfo("8", "Exempt", D(0), ("sales", "purchases"), True),
            "10": TaxRateInfo("10", "No VAT", D(0), (), True)}


def _ctx(codes: dict[str, TaxRateInfo] | None = None, **settings: object) -> ExportContext:
    ms = MappingSet(nominal={"4000": "4000", "5000": "7000"}, tax={"T1": "2"}, tax_purchases={"T1": "2"},
                    accounts={"4000": AccountInfo("4000", "Sales", "Income", ("sales",), True),
                              "7000": AccountInfo("7000", "Office expenses", "Expense", ("purchases",), True),
                              "8600": AccountInfo("8600", "Rounding", "Other Expense", ("purchases",), True)},
                    tax_rates=dict(UK_CODES if codes is None else codes), currencies=frozenset({"GBP"}),
                    chart_loaded=True)
    return ExportContext(ms, dict(settings))


def _doc(doc_type: str, price: str, count: int, tax_total: str, nominal: str = "4000") -> DocumentView:
    """``count`` lines of one ``price`` at 20%, with the host's own tax total (taxed on the total)."""
    lines = tuple(LineView(n, None, "Cable ties", None, D(1), D(price), D(0), nominal, "T1", D(price),
                           (D(price) * D("0.2")).quantize(D("0.01"))) for n in range(1, count + 1))
    net = D(price) * count
    return DocumentView(1, "H-1", doc_type, "INV-R1", "issued", date(2026, 10, 28), None, 1, "GBP", None, False,
                        None, None, None, None, None, None, net, D(tax_total), net + D(tax_total), 1, lines)


def _payload(doc: DocumentView, ctx: ExportContext) -> dict[str, Any]:
    made: list[str] = []

    def rounding_item(account_id: str) -> str:
        made.append(account_id)
        return "900"

    body = document_payload(DocumentExport(1, "create", doc, "58", None, "k"), ctx, lambda code: ACCOUNT_IDS[code],
                            lambda account, item: "1", rounding_item)
    body["_rounding_items_for"] = made
    return body


def _qbo_total(body: dict[str, Any]) -> Decimal:
    """What QuickBooks computes: each line's tax at its code's rate, rounded half-up to the cent, then summed."""
    rates = {"2": D(20), "10": D(0)}
    total = D(0)
    for line in body["Line"]:
        detail = line.get("SalesItemLineDetail") or line.get("AccountBasedExpenseLineDetail")
        tax = (line["Amount"] * rates[detail["TaxCodeRef"]["value"]] / 100).quantize(D("0.01"), "ROUND_HALF_UP")
        total += line["Amount"] + tax
    return total


def test_three_lines_of_99p_taxed_on_the_total_get_a_minus_cent_line_on_the_rounding_item() -> None:
    # Host: 2.97 x 20% = 0.594 -> 0.59, gross 3.56. QuickBooks: 0.198 -> 0.20 a line, 0.60, gross 3.57.
    doc = _doc("sales_invoice", "0.99", 3, "0.59")
    body = _payload(doc, _ctx(rounding_account="8600"))
    rounding = body["Line"][-1]
    assert rounding == {"DetailType": "SalesItemLineDetail", "Amount": D("-0.01"), "Description": "Rounding",
                        "SalesItemLineDetail": {"ItemRef": {"value": "900"}, "TaxCodeRef": {"value": "10"}}}
    assert body["_rounding_items_for"] == ["12"]  # the item asked for posts to account 8600 (Id 12)
    assert _qbo_total(body) == doc.gross_total == D("3.56")


def test_a_bill_carries_the_rounding_account_itself() -> None:
    # Host: 0.13 x 3 = 0.39 x 20% = 0.078 -> 0.08, gross 0.47. QuickBooks: 0.026 -> 0.03 a line, gross 0.48.
    doc = _doc("purchase_invoice", "0.13", 3, "0.08", nominal="5000")
    body = _payload(doc, _ctx(rounding_account="8600"))
    assert body["Line"][-1] == {"DetailType": "AccountBasedExpenseLineDetail", "Amount": D("-0.01"),
                                "Description": "Rounding", "AccountBasedExpenseLineDetail": {
                                    "AccountRef": {"value": "12"}, "TaxCodeRef": {"value": "10"}}}
    assert body["_rounding_items_for"] == []  # a bill line names its account: no item needed
    assert _qbo_total(body) == D("0.47")


def test_a_host_above_quickbooks_gets_a_plus_cent() -> None:
    # 1.01 x 20% per line 0.202 -> 0.20 (x3 = 0.60); on the host's total 3.03 x 20% = 0.606 -> 0.61: 3.64 vs 3.63.
    doc = _doc("sales_credit_note", "1.01", 3, "0.61")
    body = _payload(doc, _ctx(rounding_account="8600"))
    assert body["Line"][-1]["Amount"] == D("0.01")
    assert _qbo_total(body) == D("3.64")


def test_no_line_when_the_totals_agree_or_no_rounding_account_is_set() -> None:
    agreed = _doc("sales_invoice", "0.99", 3, "0.60")
    assert len(_payload(agreed, _ctx(rounding_account="8600"))["Line"]) == 3
    assert len(_payload(_doc("sales_invoice", "0.99", 3, "0.59"), _ctx())["Line"]) == 3


def test_the_untaxed_code_is_outside_the_tax_never_zero_rated_or_exempt() -> None:
    assert no_tax_code(_ctx().mappings) == "10"  # No VAT: outside the scope of VAT, not 0% Z nor Exempt
    us = {"TAX": TaxRateInfo("TAX", "TAX", D(0), (), True), "NON": TaxRateInfo("NON", "NON", D(0), (), True)}
    assert no_tax_code(_ctx(us).mappings) == "NON"
    without = {k: v for k, v in UK_CODES.items() if k != "10"}
    assert no_tax_code(_ctx(without).mappings) is None
    inactive = {**UK_CODES, "10": TaxRateInfo("10", "No VAT", D(0), (), False)}
    assert no_tax_code(_ctx(inactive).mappings) is None


def _precheck(doc: DocumentView, ctx: ExportContext) -> list[str]:
    connector = QboConnector(client=None)
    types = {"4000": "sales", "5000": "purchases"}
    return [p.message for p in check_document(doc, ctx, types, connector)]  # type: ignore[arg-type]


def test_precheck_only_without_a_rounding_account_or_an_untaxed_code() -> None:
    doc = _doc("sales_invoice", "0.99", 3, "0.59")
    assert _precheck(doc, _ctx(rounding_account="8600")) == []  # goes out with its rounding line
    [unset] = _precheck(doc, _ctx())
    assert unset == ("sales invoice INV-R1: QuickBooks Online would total 3.57 but the host's total is 3.56 (a "
                     "rounding difference of -0.01, and no rounding account is set)")
    without = {k: v for k, v in UK_CODES.items() if k != "10"}
    [no_code] = _precheck(doc, _ctx(without, rounding_account="8600"))
    assert no_code.startswith("sales invoice INV-R1: a rounding line of -0.01 is needed, but QuickBooks has no tax "
                              "code for amounts outside tax")
