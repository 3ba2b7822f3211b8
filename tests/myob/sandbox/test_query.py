"""OData v3 reads: filters, ordering, paging by NextPageLink built from the request's own base URL."""

from __future__ import annotations

from typing import Any

import httpx

from .conftest import Books


def _numbers(api: httpx.Client, route: str, **params: str) -> list[str]:
    answer = api.get(route, params=params)
    assert answer.status_code == 200, answer.text
    return [item.get("Number") or item.get("DisplayID") for item in answer.json()["Items"]]


def _invoices(books: Books) -> list[dict[str, Any]]:
    acme = books.customer("Acme Pty Ltd", "CUS001")
    bolt = books.customer("Bolt O'Brien & Co", "CUS002")
    return [books.invoice(acme, "100", date="2026-11-01T00:00:00"),
            books.invoice(acme, "200", date="2026-11-02T00:00:00"),
            books.invoice(bolt, "300", date="2026-11-03T00:00:00"),
            books.invoice(bolt, "-40", date="2026-11-04T00:00:00")]


def test_comparison_and_logical_operators(api: httpx.Client, books: Books) -> None:
    invoices = _invoices(books)
    route = "Sale/Invoice/Service"
    assert _numbers(api, route, **{"$filter": "Number eq '00000002'"}) == ["00000002"]
    assert _numbers(api, route, **{"$filter": "Number ne '00000002'"}) == ["00000001", "00000003", "00000004"]
    assert _numbers(api, route, **{"$filter": "TotalAmount gt 220"}) == ["00000003"]
    assert _numbers(api, route, **{"$filter": "TotalAmount ge 220"}) == ["00000002", "00000003"]
    assert _numbers(api, route, **{"$filter": "TotalAmount lt 0"}) == ["00000004"]
    assert _numbers(api, route, **{"$filter": "TotalAmount le 110.00"}) == ["00000001", "00000004"]
    assert _numbers(api, route, **{"$filter": "Status eq 'Open' and TotalAmount lt 300"}) == ["00000001", "00000002"]
    assert _numbers(api, route, **{"$filter": "(Number eq '00000001' or Number eq '00000003') and not "
                                              "(Status eq 'Credit')"}) == ["00000001", "00000003"]
    uid = invoices[2]["Customer"]["UID"]
    assert _numbers(api, route, **{"$filter": f"Customer/UID eq guid'{uid.upper()}'"}) == ["00000003", "00000004"]
    assert _numbers(api, route, **{"$filter": "Date ge datetime'2026-11-02' and Date lt datetime'2026-11-04T00:00:00'"}
                    ) == ["00000002", "00000003"]


def test_string_functions_and_quotes(api: httpx.Client, books: Books) -> None:
    _invoices(books)
    route = "Contact/Customer"
    assert _numbers(api, route, **{"$filter": "startswith(CompanyName,'Bolt')"}) == ["CUS002"]
    assert _numbers(api, route, **{"$filter": "endswith(DisplayID,'01')"}) == ["CUS001"]
    assert _numbers(api, route, **{"$filter": "substringof('Brien', CompanyName) eq true"}) == ["CUS002"]
    assert _numbers(api, route, **{"$filter": "substringof('brien', CompanyName)"}) == []  # case-sensitive
    assert _numbers(api, route, **{"$filter": "CompanyName eq 'Bolt O''Brien & Co'"}) == ["CUS002"]
    assert _numbers(api, route, **{"$filter": "tolower(CompanyName) eq 'acme pty ltd'"}) == ["CUS001"]
    assert _numbers(api, route, **{"$filter": "IsActive eq true"}) == ["CUS001", "CUS002"]


def test_orderby_top_skip_and_next_page_link(api: httpx.Client, books: Books) -> None:
    _invoices(books)
    route = "Sale/Invoice/Service"
    assert _numbers(api, route, **{"$orderby": "TotalAmount desc"}) == ["00000003", "00000002", "00000001",
                                                                        "00000004"]
    assert _numbers(api, route, **{"$orderby": "Customer/Name,Date desc"}) == ["00000002", "00000001", "00000004",
                                                                               "00000003"]
    first = api.get(route, params={"$top": "3", "$orderby": "Number", "$filter": "TotalAmount ne 0"}).json()
    assert first["Count"] == 4 and len(first["Items"]) == 3
    link = first["NextPageLink"]
    assert link.startswith(str(api.base_url) + route + "?") and "%24skip=3" in link and "%24filter=" in link
    second = httpx.get(link, headers=api.headers).json()
    assert [i["Number"] for i in second["Items"]] == ["00000004"] and second["NextPageLink"] is None
    clamped = api.get(route, params={"$top": "5000"}).json()
    assert clamped["Count"] == 4 and clamped["NextPageLink"] is None


def test_default_page_is_400_items(api: httpx.Client, books: Books) -> None:
    accounts = api.get("GeneralLedger/Account").json()
    assert accounts["Count"] == len(accounts["Items"]) and accounts["NextPageLink"] is None
    page = api.get("GeneralLedger/Account", params={"$top": "2", "$skip": "16"}).json()
    assert len(page["Items"]) == 1 and page["NextPageLink"] is None


def test_a_bad_filter_is_a_400_naming_the_problem(api: httpx.Client) -> None:
    for text in ("Number eq", "Number eq 'x", "Addresses/any(a: a/State eq 'Vic')", "unknownfn(Number)",
                 "Date gt datetime'2026-13-01'"):
        answer = api.get("Contact/Customer", params={"$filter": text})
        assert answer.status_code == 400, text
        assert answer.json()["Errors"][0]["Name"] == "ODataQueryError"
    assert api.get("Contact/Customer", params={"$top": "-1"}).status_code == 400
