"""Invoices, credit memos, bills and vendor credits: lines, tax, totals and DocNumber rules.

Tax, as QuickBooks computes it (assumptions noted in README.md):

* non-US companies: every amount line names a ``TaxCodeRef`` (a TaxCode Id) unless ``GlobalTaxCalculation`` is
  ``NotApplicable``; the code's sales (or purchase) rates apply; each line's tax is rounded half-up to 2 dp and
  the rounded line taxes are summed. With ``TaxInclusive`` the line ``Amount`` sent is the gross; the sandbox stores
  the net in ``Amount`` and the gross in ``TaxInclusiveAmt``.
* US companies: lines carry ``TAX``/``NON``; the rate comes from ``TxnTaxDetail.TxnTaxCodeRef`` and is applied to
  the sum of taxable lines (rounded half-up once per rate).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from . import errors
from .common import check_length, number, ref_id, ref_to, resolve, text
from .store import Company, Record
from .wire import money, qbo_time, utcnow

SALES = frozenset({"Invoice", "CreditMemo"})
PURCHASES = frozenset({"Bill", "VendorCredit"})
DOC_NUMBER_MAX = 21
_HEADER = {
    "Invoice": ("DocNumber", "TxnDate", "DueDate", "PrivateNote", "CustomerMemo", "BillAddr", "ShipAddr",
                "BillEmail", "SalesTermRef", "PONumber", "ClassRef", "DepartmentRef", "ExchangeRate"),
    "CreditMemo": ("DocNumber", "TxnDate", "PrivateNote", "CustomerMemo", "BillAddr", "BillEmail", "ClassRef",
                   "DepartmentRef", "ExchangeRate"),
    "Bill": ("DocNumber", "TxnDate", "DueDate", "PrivateNote", "SalesTermRef", "DepartmentRef", "ExchangeRate"),
    "VendorCredit": ("DocNumber", "TxnDate", "PrivateNote", "DepartmentRef", "ExchangeRate"),
}
_SALES_DETAIL = ("ItemRef", "Qty", "UnitPrice", "TaxCodeRef", "ServiceDate", "ClassRef")
_ACCOUNT_DETAIL = ("AccountRef", "TaxCodeRef", "BillableStatus", "CustomerRef", "ClassRef")
_ITEM_DETAIL = ("ItemRef", "Qty", "UnitPrice", "TaxCodeRef", "BillableStatus", "CustomerRef", "ClassRef")
_TAX_MODES = ("TaxExcluded", "TaxInclusive", "NotApplicable")


def build_transaction(company: Company, entity: str, body: dict[str, Any], record_id: str,
                      query_flags: frozenset[str] = frozenset()) -> Record:
    """The stored record: header fields, numbered lines with computed amounts and tax, totals, Balance."""
    party_key, party_entity = ("CustomerRef", "Customer") if entity in SALES else ("VendorRef", "Vendor")
    party_id = ref_id(body, party_key)
    if party_id is None:
        raise errors.required(party_key)
    party = resolve(company, party_entity, party_id, party_key)
    record: Record = {"Id": record_id, party_key: ref_to(party_entity, party)}
    for key in _HEADER[entity]:
        if body.get(key) not in (None, ""):
            record[key] = body[key]
    _doc_number(company, entity, record, party_id, body, query_flags)
    if "TxnDate" not in record:  # not setdefault: today's date is worked out only when none was sent
        record["TxnDate"] = _today(company)
    currency = ref_id(body, "CurrencyRef") or company.seed.currency
    if currency != party.get("CurrencyRef", {}).get("value", company.seed.currency):
        raise errors.business("The currency of the transaction must match the currency of the "
                              f"{party_entity.lower()}.", "CurrencyRef")
    record["CurrencyRef"] = {"value": currency}
    mode = None if company.is_us else (text(body, "GlobalTaxCalculation") or "TaxExcluded")
    if mode is not None and mode not in _TAX_MODES:
        raise errors.invalid_enum("GlobalTaxCalculation", mode)
    lines, tax_lines, total_tax = _lines(company, entity, body, mode)
    record["Line"] = lines
    net = sum((line["Amount"] for line in lines if line["DetailType"] != "DescriptionOnly"), Decimal("0.00"))
    if entity in SALES:
        record["Line"].append({"Amount": money(net), "DetailType": "SubTotalLineDetail",
                               "SubTotalLineDetail": {}})
    detail: Record = {"TotalTax": total_tax}
    if tax_lines:
        detail["TaxLine"] = tax_lines
    if company.is_us and ref_id(body.get("TxnTaxDetail") or {}, "TxnTaxCodeRef"):
        code_id = ref_id(body["TxnTaxDetail"], "TxnTaxCodeRef") or ""
        detail = {"TxnTaxCodeRef": ref_to("TaxCode", resolve(company, "TaxCode", code_id, "TxnTaxCodeRef")),
                  **detail}
    record["TxnTaxDetail"] = detail
    if mode is not None:
        record["GlobalTaxCalculation"] = mode
    record["TotalAmt"] = money(net + total_tax)
    record["Balance"] = record["TotalAmt"]
    if entity == "CreditMemo":
        record["RemainingCredit"] = record["TotalAmt"]
    if entity in SALES:
        record["LinkedTxn"] = []
    return record


def _today(company: Company) -> str:
    return qbo_time(utcnow(), company.offset_hours)[:10]


def _doc_number(company: Company, entity: str, record: Record, party_id: str, body: dict[str, Any],
                flags: frozenset[str]) -> None:
    """At most 21 characters (2050); unique across sales transactions (6140); bills unique per vendor unless
    ``include=allowduplicatedocnum``; sales numbers auto-assigned when omitted (custom numbers are off)."""
    doc = text(body, "DocNumber")
    if entity in SALES and (doc is None or doc == "AUTO_GENERATE"):
        numbers = [int(r["DocNumber"]) for e in SALES for r in company.all(e)
                   if str(r.get("DocNumber", "")).isdigit()]
        doc = str(max(numbers, default=1000) + 1)
    if doc is None:
        record.pop("DocNumber", None)
        return
    check_length(doc, DOC_NUMBER_MAX, "DocNumber")
    record["DocNumber"] = doc
    if entity in PURCHASES and "allowduplicatedocnum" in flags:
        return
    scope = SALES if entity in SALES else frozenset({entity})
    for other_entity in sorted(scope):
        for other in company.with_number(other_entity, doc):
            if other["Id"] == record["Id"] or other.get("DocNumber") != doc:
                continue
            if entity in PURCHASES and ref_id(other, "VendorRef") != party_id:
                continue
            txn_type = "Credit Memo" if other_entity == "CreditMemo" else other_entity
            raise errors.duplicate_doc_number(doc, txn_type, other["Id"])


def _lines(company: Company, entity: str, body: dict[str, Any],
           mode: str | None) -> tuple[list[Record], list[Record], Decimal]:
    raw = body.get("Line")
    if not isinstance(raw, list):
        raise errors.required("Line")
    lines: list[Record] = []
    by_rate: dict[str, list[Decimal]] = {}
    taxable_net = Decimal("0")
    sales = entity in SALES
    for index, given in enumerate(raw):
        if not isinstance(given, dict) or given.get("DetailType") == "SubTotalLineDetail":
            continue
        kind = text(given, "DetailType")
        if kind is None:
            raise errors.required("Line.DetailType")
        line: Record = {"Id": str(given.get("Id") or len(lines) + 1), "LineNum": len(lines) + 1}
        if text(given, "Description"):
            line["Description"] = given["Description"]
        if kind == "DescriptionOnly":
            line.update({"DetailType": kind, "Amount": Decimal("0"), "DescriptionLineDetail": {}})
            lines.append(line)
            continue
        allowed = ("SalesItemLineDetail",) if sales else ("AccountBasedExpenseLineDetail",
                                                           "ItemBasedExpenseLineDetail")
        if kind not in allowed:
            raise errors.invalid_enum("Line.DetailType", kind)
        detail_in = given.get(kind) or {}
        keys = _SALES_DETAIL if kind == "SalesItemLineDetail" else (
            _ACCOUNT_DETAIL if kind == "AccountBasedExpenseLineDetail" else _ITEM_DETAIL)
        detail: Record = {key: detail_in[key] for key in keys if detail_in.get(key) not in (None, "")}
        amount = _line_amount(given, detail, index)
        _line_refs(company, kind, detail, sales)
        code_id = ref_id(detail, "TaxCodeRef")
        if company.is_us:
            code_id = code_id or "NON"
            if code_id not in ("TAX", "NON"):
                raise errors.business("A US company line must use the TAX or NON tax code.", "TaxCodeRef")
            detail["TaxCodeRef"] = {"value": code_id}
            if code_id == "TAX":
                taxable_net += amount
        elif mode != "NotApplicable":
            if code_id is None:
                raise errors.business("Make sure all your transactions have a VAT rate before you save.",
                                      "TaxCodeRef")
            code = resolve(company, "TaxCode", code_id, "TaxCodeRef")
            detail["TaxCodeRef"] = {"value": code_id}
            rates = _rates(company, code, sales)
            if mode == "TaxInclusive":
                gross = money(number(detail_in, "TaxInclusiveAmt") or amount)
                total_rate = sum((rate for _, rate in rates), Decimal("0"))
                taxes = [money(gross * rate / (100 + total_rate)) for _, rate in rates]
                detail["TaxInclusiveAmt"] = gross
                amount = money(gross - sum(taxes, Decimal("0")))
            else:
                taxes = [money(amount * rate / 100) for _, rate in rates]
            for (rate_id, rate), tax in zip(rates, taxes, strict=True):
                bucket = by_rate.setdefault(rate_id, [Decimal("0"), Decimal("0"), rate])
                bucket[0] += tax
                bucket[1] += amount
        line.update({"Amount": amount, "DetailType": kind, kind: detail})
        lines.append(line)
    if not any(line["DetailType"] != "DescriptionOnly" for line in lines):
        raise errors.business("You must add at least one line with an amount.", "Line")
    if company.is_us:
        tax_lines, total = _us_tax(company, body, taxable_net)
        return lines, tax_lines, total
    tax_lines = [{"Amount": money(tax), "DetailType": "TaxLineDetail",
                  "TaxLineDetail": {"TaxRateRef": {"value": rate_id}, "PercentBased": True, "TaxPercent": rate,
                                    "NetAmountTaxable": money(net)}}
                 for rate_id, (tax, net, rate) in sorted(by_rate.items())]
    return lines, tax_lines, money(sum((line["Amount"] for line in tax_lines), Decimal("0")))


def _line_amount(given: dict[str, Any], detail: Record, index: int) -> Decimal:
    amount = number(given, "Amount", "Line.Amount")
    qty = number(detail, "Qty")
    price = number(detail, "UnitPrice")
    if qty == 0 and price == 0:
        # python-quickbooks sends ``Qty: 0, UnitPrice: 0`` on every line given by Amount alone, and QBO accepts such
        # lines (the library's integration tests create them on Intuit's sandbox): both zero count as not given
        # (assumed: as absent, so not echoed).
        detail.pop("Qty", None)
        detail.pop("UnitPrice", None)
        qty = price = None
    if qty is not None:
        detail["Qty"] = qty
    if price is not None:
        detail["UnitPrice"] = price
    if amount is None:
        if qty is None or price is None:
            raise errors.required("Line.Amount")
        amount = qty * price
    if qty is not None and price is not None and money(qty * price) != money(amount):
        raise errors.business(f"Amount is not equal to UnitPrice * Qty. Supplied value:{money(amount)}",
                              f"Line[{index}].Amount")
    return money(amount)


def _line_refs(company: Company, kind: str, detail: Record, sales: bool) -> None:
    for key, target in (("ItemRef", "Item"), ("AccountRef", "Account"), ("CustomerRef", "Customer")):
        value = ref_id(detail, key)
        if value is not None:
            detail[key] = ref_to(target, resolve(company, target, value, key))
    if kind == "SalesItemLineDetail" and "ItemRef" not in detail:
        detail["ItemRef"] = ref_to("Item", resolve(company, "Item", "1", "ItemRef"))
    if kind == "AccountBasedExpenseLineDetail" and "AccountRef" not in detail:
        raise errors.required("AccountBasedExpenseLineDetail.AccountRef")
    if kind == "ItemBasedExpenseLineDetail" and "ItemRef" not in detail:
        raise errors.required("ItemBasedExpenseLineDetail.ItemRef")
    if kind != "SalesItemLineDetail":
        detail.setdefault("BillableStatus", "NotBillable")


def _rates(company: Company, code: Record, sales: bool) -> list[tuple[str, Decimal]]:
    rate_list = code.get("SalesTaxRateList" if sales else "PurchaseTaxRateList") or {}
    out = []
    for detail in rate_list.get("TaxRateDetail", []):
        rate = company.get("TaxRate", detail["TaxRateRef"]["value"])
        if rate is not None:
            out.append((rate["Id"], Decimal(rate["RateValue"])))
    return out


def _us_tax(company: Company, body: dict[str, Any], taxable: Decimal) -> tuple[list[Record], Decimal]:
    code_id = ref_id(body.get("TxnTaxDetail") or {}, "TxnTaxCodeRef")
    if code_id is None or taxable == 0:
        return [], Decimal("0.00")
    code = resolve(company, "TaxCode", code_id, "TxnTaxCodeRef")
    tax_lines: list[dict[str, Any]] = [
        {"Amount": money(taxable * rate / 100), "DetailType": "TaxLineDetail",
         "TaxLineDetail": {"TaxRateRef": {"value": rate_id}, "PercentBased": True, "TaxPercent": rate,
                           "NetAmountTaxable": money(taxable)}}
        for rate_id, rate in _rates(company, code, True)]
    return tax_lines, money(sum((line["Amount"] for line in tax_lines), Decimal("0")))
