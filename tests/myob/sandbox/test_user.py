"""The MYOB user (``sandbox/user.py``) and the books page: drift made by hand, through MYOB's own rules, seen by
the API, and none of it counted against the app's API key."""

from __future__ import annotations

from decimal import Decimal

import httpx

from ledgerbridge.packages.myob.sandbox import RunningSandbox
from ledgerbridge.packages.myob.sandbox.user import MyobUser

from .conftest import AU, Books


def test_the_user_pays_overpays_settles_edits_reverses_and_deletes(sandbox: RunningSandbox, books: Books,
                                                                   admin: httpx.Client) -> None:
    customer = books.customer()
    first, second, third = (books.invoice(customer, "100") for _ in range(3))
    credit = books.invoice(customer, "-10")
    admin.post("/rate-limits", json={"enabled": True, "per_second": 1, "reset_windows": True})
    user = MyobUser(sandbox.base_url, AU)
    try:
        payment = user.pay(first["UID"], Decimal("110"))
        user.overpay(second["UID"], Decimal("110"), Decimal("5"))
        user.allocate_credit(credit["UID"], third["UID"], Decimal("11"))
        user.add_to_total(third["UID"], Decimal("50"))
        user.delete_payment(payment)
    finally:
        user.close()
    admin.post("/rate-limits", json={"enabled": False})
    assert books.get("Sale/Invoice/Service", first["UID"])["BalanceDueAmount"] == 110
    assert books.get("Sale/Invoice/Service", second["UID"])["Status"] == "Closed"
    edited = books.get("Sale/Invoice/Service", third["UID"])
    assert (edited["TotalAmount"], edited["BalanceDueAmount"], len(edited["Lines"])) == (165, 154, 2)
    credits = books.api.get("Sale/Invoice", params={"$filter": "Status eq 'Credit'"}).json()["Items"]
    assert [c["TotalAmount"] for c in credits] == [-5]  # the overpayment left with the customer
    assert admin.get("/rate-limits").json()["refused"] == 0


def test_void_reverses_an_invoice_with_a_settled_credit(sandbox: RunningSandbox, books: Books) -> None:
    invoice = books.invoice(books.customer(), "100", "20")
    user = MyobUser(sandbox.base_url, AU)
    user.void(invoice["UID"])
    user.close()
    reversed_ = books.get("Sale/Invoice/Service", invoice["UID"])
    assert (reversed_["Status"], reversed_["BalanceDueAmount"]) == ("Closed", 0)
    reversal = books.api.get("Sale/Invoice", params={"$filter": "startswith(JournalMemo,'Reversal')"}).json()
    assert reversal["Items"][0]["TotalAmount"] == -132 and reversal["Items"][0]["Status"] == "Closed"


def test_the_user_pays_a_bill(sandbox: RunningSandbox, books: Books) -> None:
    bill = books.bill(books.supplier(), "40")
    user = MyobUser(sandbox.base_url, AU)
    user.pay(bill["UID"], Decimal("44"), bill=True)
    user.close()
    assert books.get("Purchase/Bill/Service", bill["UID"])["Status"] == "Closed"


def test_the_books_page_lists_documents_and_records_a_payment(sandbox: RunningSandbox, books: Books) -> None:
    invoice = books.invoice(books.customer(), "100")
    page = httpx.get(f"{sandbox.base_url}/sandbox/")
    assert page.status_code == 200 and invoice["Number"] in page.text and "Receive payment" in page.text
    answer = httpx.post(f"{sandbox.base_url}/sandbox/{AU}/pay", data={"document_id": invoice["UID"],
                                                                       "amount": "200", "bill": ""})
    assert answer.status_code == 303 and "more+than+the+balance" in answer.headers["location"]
    httpx.post(f"{sandbox.base_url}/sandbox/{AU}/pay", data={"document_id": invoice["UID"], "amount": "110",
                                                              "bill": ""})
    assert books.get("Sale/Invoice/Service", invoice["UID"])["Status"] == "Closed"
