"""Xero's query-string limit: past 2,048 bytes its API answers 404, as if the records did not exist.

The figures are the reports' (``sandbox/config.py`` ``MAX_QUERY_STRING``): 52 GUIDs in ``IDs=`` pass and 53 fail
when the commas go out as ``%2C`` (httpx's encoding, like the Java and Node SDKs'); 55 pass and 56 fail with bare
commas (the .NET SDK's). The spec cannot describe it, so only the sandbox catches a client that sends too many.
"""

from __future__ import annotations

import httpx

from .conftest import invoice, put_invoices


def _ids(api: httpx.Client, count: int) -> list[str]:
    answer = put_invoices(api, *[invoice(InvoiceNumber=f"Q-{n:03d}") for n in range(count)])
    return [i["InvoiceID"] for i in answer.json()["Invoices"]]


def test_52_ids_pass_and_53_get_xero_s_bare_404(api: httpx.Client) -> None:
    ids = _ids(api, 53)
    found = api.get("/Invoices", params={"IDs": ",".join(ids[:52])})
    assert found.status_code == 200 and len(found.json()["Invoices"]) == 52
    refused = api.get("/Invoices", params={"IDs": ",".join(ids)})
    assert refused.status_code == 404
    assert refused.text == "The resource you're looking for cannot be found"
    assert "X-MinLimit-Remaining" not in refused.headers  # refused at the edge, before the API counts it


def test_the_length_counts_not_the_number_of_ids(api: httpx.Client) -> None:
    """Bare commas are shorter: 55 ids pass and 56 fail; the same id repeated fails like distinct ones."""
    ids = _ids(api, 1) * 56
    url = f"{api.base_url}Invoices?IDs="
    assert api.get(url + ",".join(ids[:55])).status_code == 200
    assert api.get(url + ",".join(ids)).status_code == 404
    padded = api.get("/Invoices", params={"IDs": ids[0], "where": 'Reference!="' + "x" * 2000 + '"'})
    assert padded.status_code == 404  # any parameter fills the same query string


def test_contacts_and_credit_notes_have_the_same_limit(api: httpx.Client) -> None:
    contacts = api.get("/Contacts", params={"IDs": ",".join(["6f1d2c4e-0000-4000-8000-000000000000"] * 53)})
    assert contacts.status_code == 404
    clause = " OR ".join(['CreditNoteID==GUID("6f1d2c4e-0000-4000-8000-000000000000")'] * 40)
    assert api.get("/CreditNotes", params={"where": clause, "page": 1}).status_code == 404
    assert api.get("/CreditNotes", params={"where": " OR ".join(clause.split(" OR ")[:20]),
                                           "page": 1}).status_code == 200
