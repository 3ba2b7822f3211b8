"""Recording payments as a user would in Xero: the books page and the JSON helper for scripts."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import httpx

from ledgerbridge.packages.xero.sandbox import RunningSandbox

from .conftest import TENANT, create_invoice, get_invoice, line


def test_books_page_lists_invoices_and_bills_with_amount_due(sandbox: RunningSandbox, api: httpx.Client) -> None:
    create_invoice(api, lines=[line(unit="100")])
    create_invoice(api, contact="Paper Supplies", type_="ACCPAY", InvoiceNumber="PS-9", lines=[line(account="300")])
    page = httpx.get(f"{sandbox.base_url}/sandbox/")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    html = page.text
    assert "Demo Company (UK)" in html
    assert "INV-0001" in html and "120.00" in html and "PS-9" in html and "Paper Supplies" in html
    assert html.count("Record payment</button>") == 2
    assert "http://" not in html.split("<main>")[0], "no external assets: the page must work offline"


def test_recording_a_payment_through_the_form(sandbox: RunningSandbox, api: httpx.Client) -> None:
    created = create_invoice(api, lines=[line(unit="100")])
    form = {"tenant_id": TENANT, "invoice_id": created["InvoiceID"], "amount": "50.00",
            "payment_date": "2026-07-15", "account_code": "090", "reference": "Cheque 1001"}
    answer = httpx.post(f"{sandbox.base_url}/sandbox/record-payment", data=form)
    assert answer.status_code == 303
    assert parse_qs(urlsplit(answer.headers["location"]).query)["message"] == ["Payment of 50.00 recorded."]
    updated = get_invoice(api, created["InvoiceID"])
    assert (updated["AmountPaid"], updated["AmountDue"]) == (50.0, 70.0)
    payment = api.get("/Payments").json()["Payments"][0]
    assert (payment["Reference"], payment["Date"]) == ("Cheque 1001", "/Date(1784073600000+0000)/")

    too_much = httpx.post(f"{sandbox.base_url}/sandbox/record-payment", data={**form, "amount": "70.01"})
    error = parse_qs(urlsplit(too_much.headers["location"]).query)["error"]
    assert error == ["Payment amount exceeds the amount outstanding on this document"]
    follow = httpx.get(f"{sandbox.base_url}{too_much.headers['location']}")
    assert "Payment amount exceeds the amount outstanding" in follow.text


def test_json_payment_helper_and_tenant_list(sandbox: RunningSandbox, api: httpx.Client) -> None:
    tenants = httpx.get(f"{sandbox.base_url}/sandbox/tenants").json()
    assert tenants == [{"tenantId": TENANT, "tenantName": "Demo Company (UK)", "baseCurrency": "GBP",
                        "currencies": ["EUR", "GBP", "USD"]}]
    created = create_invoice(api)
    recorded = httpx.post(f"{sandbox.base_url}/sandbox/tenants/{TENANT}/payments",
                          json={"Invoice": {"InvoiceNumber": created["InvoiceNumber"]}, "Account": {"Code": "091"},
                                "Amount": 12, "Date": "2026-07-02"})
    assert recorded.status_code == 200
    assert recorded.json()["Payments"][0]["Account"]["Code"] == "091"
    assert get_invoice(api, created["InvoiceID"])["Status"] == "PAID"
    refused = httpx.post(f"{sandbox.base_url}/sandbox/tenants/{TENANT}/payments",
                         json={"Invoice": {"InvoiceID": created["InvoiceID"]}, "Account": {"Code": "090"},
                               "Amount": 1})
    assert refused.status_code == 400
    assert refused.json()["Elements"][0]["ValidationErrors"][0]["Message"] == \
        "Payments can only be made against Authorised documents"
