"""The query language subset and paging, batch with bId matching and per-item faults, CDC and its window,
and requestid replay."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from contract_checks.qbo_transport import QboSchemaTransport

from .conftest import create_customer, create_invoice, fault, invoice_body, ok


def q(qbo: httpx.Client, statement: str) -> httpx.Response:
    return qbo.get("/query", params={"query": statement})


def test_where_in_like_order_and_paging(qbo: httpx.Client) -> None:
    for name in ("Alpha", "Bravo", "Charlie", "Delta", "Echo"):
        create_customer(qbo, name)
    page = ok(q(qbo, "SELECT * FROM Customer WHERE DisplayName IN ('Bravo', 'Delta') ORDERBY DisplayName DESC"),
              "QueryResponse")
    assert [c["DisplayName"] for c in page["Customer"]] == ["Delta", "Bravo"]
    assert page["startPosition"] == 1 and page["maxResults"] == 2
    like = ok(q(qbo, "select * from Customer where DisplayName LIKE '%ha%'"), "QueryResponse")
    assert [c["DisplayName"] for c in like["Customer"]] == ["Alpha", "Charlie"]
    first = ok(q(qbo, "SELECT * FROM Customer ORDER BY DisplayName STARTPOSITION 1 MAXRESULTS 2"), "QueryResponse")
    second = ok(q(qbo, "SELECT * FROM Customer ORDERBY DisplayName STARTPOSITION 3 MAXRESULTS 2"), "QueryResponse")
    third = ok(q(qbo, "SELECT * FROM Customer ORDERBY DisplayName STARTPOSITION 5 MAXRESULTS 2"), "QueryResponse")
    names = [c["DisplayName"] for page_ in (first, second, third) for c in page_["Customer"]]
    assert names == ["Alpha", "Bravo", "Charlie", "Delta", "Echo"] and third["maxResults"] == 1
    assert ok(q(qbo, "SELECT * FROM Customer STARTPOSITION 6"), "QueryResponse") == {}
    assert ok(q(qbo, "SELECT COUNT(*) FROM Customer"), "QueryResponse") == {"totalCount": 5}


def test_post_query_with_text_body_and_active_filter(qbo: httpx.Client) -> None:
    customer = create_customer(qbo, "Sleepy")
    ok(qbo.post("/customer", json={"Id": customer["Id"], "SyncToken": "0", "sparse": True, "Active": False}),
       "Customer")
    response = qbo.post("/query", content="SELECT * FROM Customer WHERE DisplayName = 'sleepy'",
                        headers={"Content-Type": "application/text"})
    assert ok(response, "QueryResponse") == {}
    both = ok(q(qbo, "SELECT * FROM Customer WHERE DisplayName = 'Sleepy' AND Active IN (true, false)"),
              "QueryResponse")
    assert [c["Id"] for c in both["Customer"]] == [customer["Id"]]


def test_last_updated_time_and_reference_filters(qbo: httpx.Client) -> None:
    acme = create_customer(qbo)
    old = create_invoice(qbo, acme["Id"])
    time.sleep(0.01)
    new = create_invoice(qbo, acme["Id"])
    since = old["MetaData"]["LastUpdatedTime"]
    page = ok(q(qbo, f"SELECT * FROM Invoice WHERE MetaData.LastUpdatedTime > '{since}'"), "QueryResponse")
    assert [i["Id"] for i in page["Invoice"]] == [new["Id"]]
    by_customer = ok(q(qbo, f"SELECT * FROM Invoice WHERE CustomerRef = '{acme['Id']}' AND TotalAmt > '100'"),
                     "QueryResponse")
    assert len(by_customer["Invoice"]) == 2


def test_query_errors(qbo: httpx.Client) -> None:
    error = fault(q(qbo, "SELECT * FROM Customer MAXRESULTS 1001"))
    assert error["code"] == "4001" and "Max allowed value is 1000" in error["Detail"]
    assert fault(q(qbo, "SELECT * FROM customer"))["code"] == "4000"
    assert fault(q(qbo, "SELECT * FROM Customer WHERE DisplayName = 'a' OR DisplayName = 'b'"))["code"] == "4000"
    assert fault(q(qbo, "DELETE FROM Customer"))["code"] == "4000"


@pytest.mark.usefixtures("strict_requests")
def test_batch_matches_by_bid_and_faults_per_item(qbo: httpx.Client) -> None:
    acme = create_customer(qbo)
    invoice = create_invoice(qbo, acme["Id"], DocNumber="B-1")
    items = [
        {"bId": "c1", "operation": "create", "Customer": {"DisplayName": "Batch Co"}},
        {"bId": "c2", "operation": "create", "Vendor": {"DisplayName": "Acme Ltd"}},
        {"bId": "u1", "operation": "update", "Invoice": {"Id": invoice["Id"], "SyncToken": invoice["SyncToken"],
                                                         "sparse": True, "PrivateNote": "x"}},
        {"bId": "u2", "operation": "update", "Invoice": {"Id": invoice["Id"], "SyncToken": "0", "sparse": True,
                                                         "PrivateNote": "y"}},
        {"bId": "q1", "Query": "SELECT * FROM Customer WHERE DisplayName = 'Acme Ltd'"},
    ]
    response = qbo.post("/batch", json={"BatchItemRequest": items})
    assert response.status_code == 200, response.text
    results = {item["bId"]: item for item in response.json()["BatchItemResponse"]}
    assert results["c1"]["Customer"]["DisplayName"] == "Batch Co"
    assert results["c2"]["Fault"]["Error"][0]["code"] == "6240"
    assert results["u1"]["Invoice"]["PrivateNote"] == "x"
    assert results["u2"]["Fault"]["Error"][0]["code"] == "5010"
    assert results["q1"]["QueryResponse"]["Customer"][0]["Id"] == acme["Id"]


def test_batch_items_cannot_see_each_others_creations_and_size_is_capped(qbo: httpx.Client) -> None:
    before = ok(q(qbo, "SELECT * FROM Customer"), "QueryResponse")
    next_id = str(max(int(c["Id"]) for c in before.get("Customer", [{"Id": "100"}])) + 1)
    response = qbo.post("/batch", json={"BatchItemRequest": [
        {"bId": "a", "operation": "create", "Customer": {"DisplayName": "New One"}},
        {"bId": "b", "operation": "create", "Invoice": invoice_body(next_id)}]})
    results = {item["bId"]: item for item in response.json()["BatchItemResponse"]}
    assert results["a"]["Customer"]["Id"] == next_id
    assert results["b"]["Fault"]["Error"][0]["code"] == "2500"
    too_many = [{"bId": f"b{i}", "Query": "SELECT * FROM Customer"} for i in range(31)]
    assert fault(qbo.post("/batch", json={"BatchItemRequest": too_many}))["code"] == "1040"


def test_cdc_since_a_time_with_deleted_stubs(qbo: httpx.Client) -> None:
    acme = create_customer(qbo)
    before = create_invoice(qbo, acme["Id"])
    time.sleep(0.01)
    since = datetime.now(UTC).isoformat()
    time.sleep(0.01)
    after = create_invoice(qbo, acme["Id"])
    ok(qbo.post("/invoice", params={"operation": "delete"}, json={"Id": before["Id"],
                                                                  "SyncToken": before["SyncToken"]}), "Invoice")
    response = qbo.get("/cdc", params={"entities": "Invoice,Payment", "changedSince": since})
    assert response.status_code == 200, response.text
    invoices, payments = response.json()["CDCResponse"][0]["QueryResponse"]
    assert [i["Id"] for i in invoices["Invoice"]] == [after["Id"], before["Id"]]
    assert invoices["Invoice"][1]["status"] == "Deleted"
    assert payments == {}


def test_cdc_looks_back_at_most_30_days(qbo: httpx.Client) -> None:
    too_old = (datetime.now(UTC) - timedelta(days=31)).isoformat()
    error = fault(qbo.get("/cdc", params={"entities": "Invoice", "changedSince": too_old}))
    assert "30 days" in error["Detail"]
    recent = (datetime.now(UTC) - timedelta(days=29)).isoformat()
    assert qbo.get("/cdc", params={"entities": "Invoice", "changedSince": recent}).status_code == 200
    assert fault(qbo.get("/cdc", params={"entities": "Invoice"}))["code"] == "2020"


def test_requestid_replays_the_first_response(qbo: httpx.Client, schema: QboSchemaTransport) -> None:
    first = qbo.post("/customer", params={"requestid": "req-1"}, json={"DisplayName": "Once Ltd"})
    second = qbo.post("/customer", params={"requestid": "req-1"}, json={"DisplayName": "Once Ltd"})
    assert first.status_code == second.status_code == 200
    assert first.content == second.content
    failed = qbo.post("/customer", params={"requestid": "req-2"}, json={"DisplayName": "Once Ltd"})
    replayed = qbo.post("/customer", params={"requestid": "req-2"}, json={"DisplayName": "Other Ltd"})
    assert failed.status_code == replayed.status_code == 400 and failed.content == replayed.content
    page = ok(q(qbo, "SELECT COUNT(*) FROM Customer WHERE DisplayName LIKE 'O%'"), "QueryResponse")
    assert page == {"totalCount": 1}
