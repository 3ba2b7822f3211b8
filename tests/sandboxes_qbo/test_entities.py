"""Create, read, full and sparse update with SyncToken, and QBO's validation codes (610, 2020, 2050, 2500,
5010, 6140, 6240, 6000), plus the tax and totals a UK company computes."""

from __future__ import annotations

from decimal import Decimal

import httpx
import pytest

from .conftest import create_customer, create_invoice, create_vendor, fault, invoice_body, ok, sales_line


@pytest.mark.usefixtures("strict_requests")
def test_create_read_and_update_bump_sync_token(qbo: httpx.Client) -> None:
    customer = create_customer(qbo, "Acme Ltd", PrimaryEmailAddr={"Address": "ap@acme.test"})
    assert customer["SyncToken"] == "0" and customer["domain"] == "QBO" and customer["Active"] is True
    assert ok(qbo.get(f"/customer/{customer['Id']}"), "Customer") == customer
    updated = ok(qbo.post("/customer", json={"Id": customer["Id"], "SyncToken": "0", "DisplayName": "Acme Ltd",
                                             "CompanyName": "Acme"}), "Customer")
    assert updated["SyncToken"] == "1" and updated["CompanyName"] == "Acme"
    assert "PrimaryEmailAddr" not in updated, "a full update clears what it leaves out"
    assert updated["MetaData"]["CreateTime"] == customer["MetaData"]["CreateTime"]


def test_stale_sync_token_is_5010(qbo: httpx.Client) -> None:
    customer = create_customer(qbo)
    qbo.post("/customer", json={"Id": customer["Id"], "SyncToken": "0", "sparse": True, "Notes": "x"})
    error = fault(qbo.post("/customer", json={"Id": customer["Id"], "SyncToken": "0", "sparse": True,
                                              "Notes": "y"}))
    assert error["code"] == "5010" and error["Message"] == "Stale Object Error"


@pytest.mark.usefixtures("strict_requests")
def test_sparse_update_changes_only_what_is_sent(qbo: httpx.Client) -> None:
    customer = create_customer(qbo, "Sparse Co", PrimaryEmailAddr={"Address": "a@b.test"})
    invoice = create_invoice(qbo, customer["Id"], DocNumber="S-1", PrivateNote="ext:1")
    patched = ok(qbo.post("/invoice", json={"Id": invoice["Id"], "SyncToken": invoice["SyncToken"],
                                            "sparse": True, "DueDate": "2026-08-31"}), "Invoice")
    assert patched["DueDate"] == "2026-08-31" and patched["PrivateNote"] == "ext:1"
    assert patched["TotalAmt"] == invoice["TotalAmt"] and patched["DocNumber"] == "S-1"
    assert int(patched["SyncToken"]) == int(invoice["SyncToken"]) + 1
    renamed = ok(qbo.post("/customer", json={"Id": customer["Id"], "SyncToken": customer["SyncToken"],
                                             "sparse": True, "Notes": "vip"}), "Customer")
    assert renamed["PrimaryEmailAddr"] == {"Address": "a@b.test"} and renamed["Notes"] == "vip"


def test_display_name_is_unique_across_customers_and_vendors(qbo: httpx.Client) -> None:
    create_customer(qbo, "Acme Ltd")
    error = fault(qbo.post("/vendor", json={"DisplayName": "acme ltd"}))
    assert error["code"] == "6240" and error["Message"] == "Duplicate Name Exists Error"
    assert error["Detail"].startswith("The name supplied already exists. : Another customer, vendor or employee")
    assert create_vendor(qbo, "Acme Ltd (supplier)")["DisplayName"] == "Acme Ltd (supplier)"


def test_duplicate_doc_number_across_sales_types_is_6140(qbo: httpx.Client) -> None:
    customer = create_customer(qbo)
    invoice = create_invoice(qbo, customer["Id"], DocNumber="1234")
    error = fault(qbo.post("/creditmemo", json=invoice_body(customer["Id"], DocNumber="1234")))
    assert error["code"] == "6140"
    assert f"DocNumber=1234 is assigned to TxnType=Invoice with TxnId={invoice['Id']}" in error["Detail"]


def test_doc_number_longer_than_21_is_refused(qbo: httpx.Client) -> None:
    customer = create_customer(qbo)
    assert create_invoice(qbo, customer["Id"], DocNumber="X" * 21)["DocNumber"] == "X" * 21
    error = fault(qbo.post("/invoice", json=invoice_body(customer["Id"], DocNumber="Y" * 22)))
    assert error["code"] == "2050" and error["element"] == "DocNumber"


def test_doc_number_is_assigned_when_omitted(qbo: httpx.Client) -> None:
    customer = create_customer(qbo)
    first = create_invoice(qbo, customer["Id"])
    second = create_invoice(qbo, customer["Id"])
    assert int(second["DocNumber"]) == int(first["DocNumber"]) + 1


def test_missing_object_is_610(qbo: httpx.Client) -> None:
    error = fault(qbo.get("/invoice/98765"))
    assert error["code"] == "610" and error["Message"] == "Object Not Found"
    assert fault(qbo.post("/customer", json={"Id": "98765", "SyncToken": "0", "DisplayName": "X"}))["code"] == "610"


def test_required_parameter_missing_is_2020(qbo: httpx.Client) -> None:
    error = fault(qbo.post("/invoice", json={"Line": [sales_line()]}))
    assert error["code"] == "2020" and error["element"] == "CustomerRef"
    assert fault(qbo.post("/payment", json={"CustomerRef": {"value": create_customer(qbo)["Id"]}}))["code"] == "2020"


def test_reference_to_a_missing_record_is_2500(qbo: httpx.Client) -> None:
    customer = create_customer(qbo)
    error = fault(qbo.post("/invoice", json=invoice_body(customer["Id"], sales_line(item="4242"))))
    assert error["code"] == "2500" and error["element"] == "ItemRef"


def test_reference_to_an_inactive_customer_is_610(qbo: httpx.Client) -> None:
    customer = create_customer(qbo)
    ok(qbo.post("/customer", json={"Id": customer["Id"], "SyncToken": "0", "sparse": True, "Active": False}),
       "Customer")
    assert fault(qbo.post("/invoice", json=invoice_body(customer["Id"])))["code"] == "610"


@pytest.mark.usefixtures("strict_requests")
def test_uk_vat_per_line_rounding_and_totals(qbo: httpx.Client) -> None:
    customer = create_customer(qbo)
    invoice = create_invoice(qbo, customer["Id"], sales_line(0.125 * 3, qty=3, price=0.125),
                             sales_line(10.05, tax="4"), sales_line(5, tax="6"),
                             GlobalTaxCalculation="TaxExcluded")
    # 0.38 @20% = 0.076 -> 0.08; 10.05 @5% = 0.5025 -> 0.50; zero rated 0
    assert Decimal(str(invoice["TxnTaxDetail"]["TotalTax"])) == Decimal("0.58")
    assert Decimal(str(invoice["TotalAmt"])) == Decimal("0.38") + Decimal("10.05") + 5 + Decimal("0.58")
    assert invoice["Balance"] == invoice["TotalAmt"]
    assert [line["LineNum"] for line in invoice["Line"] if "LineNum" in line] == [1, 2, 3]
    assert invoice["Line"][-1]["DetailType"] == "SubTotalLineDetail"


def test_tax_inclusive_lines_split_the_gross(qbo: httpx.Client) -> None:
    customer = create_customer(qbo)
    invoice = create_invoice(qbo, customer["Id"], sales_line(120), GlobalTaxCalculation="TaxInclusive")
    line = invoice["Line"][0]
    assert Decimal(str(line["Amount"])) == 100 and Decimal(str(line["SalesItemLineDetail"]["TaxInclusiveAmt"])) == 120
    assert Decimal(str(invoice["TotalAmt"])) == 120 and Decimal(str(invoice["TxnTaxDetail"]["TotalTax"])) == 20


def test_non_us_line_needs_a_tax_code_and_amount_must_match_qty_price(qbo: httpx.Client) -> None:
    customer = create_customer(qbo)
    error = fault(qbo.post("/invoice", json=invoice_body(customer["Id"], sales_line(tax=None))))
    assert error["code"] == "6000" and "VAT rate" in error["Detail"]
    error = fault(qbo.post("/invoice", json=invoice_body(customer["Id"], sales_line(250, qty=2, price=100))))
    assert error["code"] == "6000" and "UnitPrice * Qty" in error["Detail"]


def test_money_is_exact_on_the_wire(qbo: httpx.Client) -> None:
    customer = create_customer(qbo)
    response = qbo.post("/invoice", json=invoice_body(customer["Id"], sales_line(10.10, tax="10")))
    assert '"TotalAmt":10.10' in response.text


def test_items_need_an_income_account_and_unique_names(qbo: httpx.Client) -> None:
    error = fault(qbo.post("/item", json={"Name": "Consulting", "Type": "Service"}))
    assert error["code"] == "2020"
    item = ok(qbo.post("/item", json={"Name": "Consulting", "Type": "Service",
                                      "IncomeAccountRef": {"value": "2"}}), "Item")
    assert item["IncomeAccountRef"] == {"value": "2", "name": "Services"}
    assert fault(qbo.post("/item", json={"Name": "consulting", "Type": "Service",
                                         "IncomeAccountRef": {"value": "2"}}))["code"] == "6240"


def test_reference_data_reads(qbo: httpx.Client) -> None:
    assert ok(qbo.get("/taxcode/2"), "TaxCode")["Name"] == "20.0% S"
    assert ok(qbo.get("/taxrate/1"), "TaxRate")["RateValue"] == 20
    assert ok(qbo.get("/account/5"), "Account")["AccountType"] == "Bank"
    assert ok(qbo.get("/paymentmethod/1"), "PaymentMethod")["Name"] == "Cash"
    prefs = ok(qbo.get("/preferences"), "Preferences")
    assert prefs["CurrencyPrefs"]["HomeCurrency"]["value"] == "GBP"


@pytest.mark.parametrize("entity", ["Account", "TaxCode", "TaxRate", "PaymentMethod", "Item", "CompanyInfo",
                                    "Preferences"])
def test_every_seeded_record_fits_the_schema(qbo: httpx.Client, entity: str) -> None:
    page = ok(qbo.get("/query", params={"query": f"SELECT * FROM {entity}"}), "QueryResponse")
    assert page[entity], f"no seeded {entity}"


@pytest.mark.usefixtures("strict_requests")
def test_vendor_credit_and_item_based_bill_lines(qbo: httpx.Client) -> None:
    vendor = create_vendor(qbo)
    line = {"DetailType": "ItemBasedExpenseLineDetail", "Amount": 30.0,
            "ItemBasedExpenseLineDetail": {"ItemRef": {"value": "2"}, "Qty": 3, "UnitPrice": 10.0,
                                           "TaxCodeRef": {"value": "2"}}}
    credit = ok(qbo.post("/vendorcredit", json={"VendorRef": {"value": vendor["Id"]}, "Line": [line]}),
                "VendorCredit")
    assert Decimal(str(credit["TotalAmt"])) == 36
    assert Decimal(str(ok(qbo.get(f"/vendor/{vendor['Id']}"), "Vendor")["Balance"])) == -36


def test_companies_are_listed(admin: httpx.Client) -> None:
    assert admin.get("/companies").json() == [{"realmId": "9341453172164938", "name": "Ledgerbridge Demo Ltd",
                                               "country": "GB", "currency": "GBP"}]
