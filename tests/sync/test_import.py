"""Payments made in Xero, what is Xero's own: a payment on an invoice keyed straight into Xero is diagnosed.

Import, allocation, the cursor and deletions are the conformance suite's (``tests/conformance``).
"""

from __future__ import annotations

from ledgerbridge.sync.exporter import Exporter
from ledgerbridge.sync.importer import PaymentImporter

from .conftest import World


def test_payment_on_a_document_not_uploaded_from_here_is_diagnosed(world: World) -> None:
    Exporter(world.sessions, world.conn_id, world.connector()).upload()
    # An invoice keyed straight into Xero by someone, then paid there.
    token = world.access_token()
    contact = world.xero_get("/Contacts", page=1)["Contacts"][0]
    with world.xero() as http:
        made = http.put("/api.xro/2.0/Invoices", headers={"Authorization": f"Bearer {token}",
                                                         "xero-tenant-id": world.tenant_id},
                        json={"Invoices": [{"Type": "ACCREC", "Contact": {"ContactID": contact["ContactID"]},
                                            "InvoiceNumber": "XERO-ONLY-1", "Status": "AUTHORISED",
                                            "Date": "2026-10-20",
                                            "LineItems": [{"Description": "Keyed in Xero", "Quantity": 1,
                                                           "UnitAmount": 50, "AccountCode": "200",
                                                           "TaxType": "OUTPUT2"}]}]})
        made.raise_for_status()
    invoice = made.json()["Invoices"][0]
    world.pay(invoice["InvoiceID"], "10.00")
    importer = PaymentImporter(world.sessions, world.conn_id, world.connector())
    report = importer.create_and_allocate(report=importer.fetch())
    assert report.created == 0 and report.failed == 1
    message = report.diagnostics[0]["message"]
    assert "XERO-ONLY-1" in message and "not uploaded from here" in message and "10.00" in message
