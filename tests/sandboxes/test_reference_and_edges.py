"""Reference data, and the edges of the write API that the main flows do not reach."""

from __future__ import annotations

import httpx

from .conftest import TENANT, create_invoice, get_invoice, invoice, line, put_invoices


def test_organisation_and_currencies(api: httpx.Client) -> None:
    organisation = api.get("/Organisation").json()["Organisations"][0]
    assert (organisation["OrganisationID"], organisation["Name"]) == (TENANT, "Demo Company (UK)")
    assert (organisation["BaseCurrency"], organisation["Version"], organisation["CountryCode"]) == ("GBP", "UK", "GB")
    currencies = api.get("/Currencies").json()["Currencies"]
    assert [c["Code"] for c in currencies] == ["GBP", "EUR", "USD"]


def test_chart_of_accounts_and_filters(api: httpx.Client) -> None:
    accounts = {a["Code"]: a for a in api.get("/Accounts").json()["Accounts"]}
    assert (accounts["200"]["Name"], accounts["200"]["Type"], accounts["200"]["TaxType"]) == ("Sales", "REVENUE",
                                                                                            "OUTPUT2")
    assert (accounts["610"]["SystemAccount"], accounts["800"]["SystemAccount"]) == ("DEBTORS", "CREDITORS")
    assert accounts["090"]["BankAccountType"] == "BANK" and accounts["090"]["Class"] == "ASSET"
    banks = api.get("/Accounts", params={"where": 'Type=="BANK" AND Status=="ACTIVE"'}).json()["Accounts"]
    assert [a["Code"] for a in banks] == ["090", "091"]
    one = api.get(f"/Accounts/{accounts['429']['AccountID']}").json()["Accounts"][0]
    assert one["Name"] == "General Expenses"


def test_tax_rates(api: httpx.Client) -> None:
    rates = {r["TaxType"]: r for r in api.get("/TaxRates").json()["TaxRates"]}
    assert set(rates) >= {"OUTPUT2", "INPUT2", "RROUTPUT", "RRINPUT", "ZERORATEDOUTPUT", "ZERORATEDINPUT",
                          "EXEMPTOUTPUT", "EXEMPTINPUT", "NONE"}
    assert (rates["OUTPUT2"]["Name"], rates["OUTPUT2"]["EffectiveRate"]) == ("20% (VAT on Income)", 20.0)
    assert (rates["OUTPUT2"]["CanApplyToRevenue"], rates["OUTPUT2"]["CanApplyToExpenses"]) == (True, False)
    assert rates["RRINPUT"]["EffectiveRate"] == 5.0 and rates["RRINPUT"]["CanApplyToExpenses"] is True
    assert api.get("/TaxRates/INPUT2").json()["TaxRates"][0]["Name"] == "20% (VAT on Expenses)"


def test_unit_amounts_to_four_decimals_with_unitdp(api: httpx.Client) -> None:
    response = api.put("/Invoices", params={"summarizeErrors": "false", "unitdp": "4"},
                       json={"Invoices": [invoice(lines=[line(quantity=3, unit="1.3333")])]})
    created = response.json()["Invoices"][0]
    assert created["LineItems"][0]["UnitAmount"] == 1.3333 and created["SubTotal"] == 4.0
    assert '"UnitAmount":1.3333' in api.get(f"/Invoices/{created['InvoiceID']}", params={"unitdp": 4}).text
    assert '"UnitAmount":1.33,' in api.get(f"/Invoices/{created['InvoiceID']}").text
    rounded = put_invoices(api, invoice(lines=[line(quantity=3, unit="1.3333")])).json()["Invoices"][0]
    assert rounded["SubTotal"] == 3.99, "without unitdp=4 the unit amount is rounded to cents first"


def test_unknown_accounting_route_is_a_bare_404(api: httpx.Client) -> None:
    response = api.get("/NoSuchThing")
    assert response.status_code == 404
    assert response.text == "The resource you're looking for cannot be found"


def test_put_refuses_an_existing_id_and_post_creates_when_nothing_matches(api: httpx.Client) -> None:
    created = create_invoice(api)
    again = put_invoices(api, {**invoice(), "InvoiceID": created["InvoiceID"]}).json()["Invoices"][0]
    assert again["HasErrors"] is True
    assert again["ValidationErrors"] == [{"Message": "Invoice already exists; use POST to update it."}]
    upserted = api.post("/Invoices", json={"Invoices": [invoice(InvoiceNumber="NEW-1")]})
    assert upserted.status_code == 200 and upserted.json()["Invoices"][0]["InvoiceNumber"] == "NEW-1"
    missing = api.post("/Invoices", params={"summarizeErrors": "false"},
                       json={"Invoices": [{"InvoiceID": "1b2c3d4e-0000-4000-8000-000000000000", "Reference": "x"}]})
    assert missing.json()["Invoices"][0]["ValidationErrors"] == [
        {"Message": "Invoice with the supplied ID could not be found."}]


def test_credit_note_refund_is_a_payment(api: httpx.Client) -> None:
    note = api.put("/CreditNotes", json={"CreditNotes": [{
        "Type": "ACCRECCREDIT", "Contact": {"Name": "Acme Ltd"}, "Status": "AUTHORISED",
        "LineItems": [line(unit="10")]}]}).json()["CreditNotes"][0]
    refund = api.put("/Payments", json={"Payments": [{
        "CreditNote": {"CreditNoteID": note["CreditNoteID"]}, "Account": {"Code": "090"}, "Amount": 5}]})
    payment = refund.json()["Payments"][0]
    assert payment["PaymentType"] == "ARCREDITPAYMENT"
    assert payment["CreditNote"]["CreditNoteNumber"] == note["CreditNoteNumber"]
    remaining = api.get(f"/CreditNotes/{note['CreditNoteID']}").json()["CreditNotes"][0]
    assert remaining["RemainingCredit"] == 7.0 and len(remaining["Payments"]) == 1
    listed = api.get("/CreditNotes", params={"where": 'Type=="ACCRECCREDIT"'}).json()["CreditNotes"]
    assert [n["CreditNoteID"] for n in listed] == [note["CreditNoteID"]]


def test_bank_transaction_validation(api: httpx.Client) -> None:
    response = api.put("/BankTransactions", params={"summarizeErrors": "false"}, json={"BankTransactions": [
        {"Type": "RECEIVE", "Contact": {"Name": "Walk-in"}, "BankAccount": {"Code": "200"},
         "LineItems": [line()]},
        {"Type": "SPEND", "BankAccount": {"Code": "090"}, "LineItems": [line(account="429")]},
        {"Type": "SPEND", "Contact": {"Name": "Cafe"}, "BankAccount": {"Code": "090"},
         "LineItems": [line(account="429", tax="INPUT2")]},
    ]})
    outcomes = response.json()["BankTransactions"]
    assert [o["StatusAttributeString"] for o in outcomes] == ["ERROR", "ERROR", "OK"]
    assert outcomes[0]["ValidationErrors"] == [{"Message": "Account code '200' is not a valid bank account."}]
    assert "The Contact must contain at least 1" in outcomes[1]["ValidationErrors"][0]["Message"]
    assert outcomes[2]["Total"] == 12.0 and "PrepaymentID" not in outcomes[2]
    listed = api.get("/BankTransactions", params={"page": 1}).json()
    assert listed["pagination"]["itemCount"] == 1


def test_partial_update_keeps_what_was_not_sent(api: httpx.Client) -> None:
    created = create_invoice(api, Reference="keep me", lines=[line(unit="10"), line(unit="5")])
    response = api.post(f"/Invoices/{created['InvoiceID']}", json={"Invoices": [{"DueDate": "2026-09-30"}]})
    updated = response.json()["Invoices"][0]
    assert updated["Reference"] == "keep me" and len(updated["LineItems"]) == 2
    assert [i["LineItemID"] for i in updated["LineItems"]] == [i["LineItemID"] for i in created["LineItems"]]
    assert updated["DueDate"] == "/Date(1790726400000+0000)/"
    assert get_invoice(api, created["InvoiceID"])["Total"] == 18.0


def test_a_tax_override_survives_an_edit_that_does_not_reprice(api: httpx.Client) -> None:
    created = create_invoice(api, lines=[line(unit="10.00", TaxAmount="2.01")])
    assert created["TotalTax"] == 2.01 and created["Total"] == 12.01
    edited = api.post(f"/Invoices/{created['InvoiceID']}", json={"Invoices": [{"Reference": "edited"}]})
    assert edited.json()["Invoices"][0]["TotalTax"] == 2.01
    repriced = api.post(f"/Invoices/{created['InvoiceID']}", json={"Invoices": [{"LineAmountTypes": "Inclusive"}]})
    assert repriced.json()["Invoices"][0]["Total"] == 10.0
