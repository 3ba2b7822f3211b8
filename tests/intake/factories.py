"""Host records as the host would send them (JSON-ready dicts, money as strings or integers)."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ledgerbridge.connectors.connections import create_connection, sandbox_endpoints
from ledgerbridge.intake.apply import IntakeResult, apply_batch
from ledgerbridge.intake.schemas import parse_batch
from ledgerbridge.packages.registry import DEFAULT
from ledgerbridge.store.models.host import Document
from ledgerbridge.store.models.sync import Connection


def reference_batch() -> dict[str, Any]:
    """Codes and two customers and a supplier: what documents and payments below refer to."""
    return {
        "nominal_codes": [
            {"code": "4000", "name": "Sales", "type": "sales"},
            {"code": "5000", "name": "Purchases", "type": "purchases"},
            {"code": "1200", "name": "Bank", "type": "bank"},
        ],
        "tax_codes": [
            {"code": "T1", "name": "Standard 20%", "rate": 20},
            {"code": "T0", "name": "Zero rated", "rate": 0},
        ],
        "payment_methods": [{"code": "BACS", "name": "Bank transfer", "bank_nominal": "1200"}],
        "parties": [
            party("C1", account_customer=True),
            party("C2", account_customer=False),
            party("S1", is_customer=False, is_supplier=True),
        ],
        "items": [{"host_id": "I1", "code": "WIDGET", "name": "Widget", "unit_price": "10.00"}],
    }


def party(host_id: str, **overrides: Any) -> dict[str, Any]:
    return {"host_id": host_id, "code": host_id, "name": f"Party {host_id}", "email": f"{host_id.lower()}@example.com",
            "addresses": [{"kind": "billing", "line1": "1 High Street", "city": "Leeds", "postcode": "LS1 1AA"}],
            **overrides}


def line(quantity: Any = 2, unit_price: Any = "10.00", **overrides: Any) -> dict[str, Any]:
    return {"description": "Widget", "quantity": quantity, "unit_price": unit_price, "nominal_code": "4000",
            "tax_code": "T1", **overrides}


def document(host_id: str, type: str = "sales_invoice", party_host_id: str = "C1", status: str = "issued",
             lines: list[dict[str, Any]] | None = None, **overrides: Any) -> dict[str, Any]:
    return {"host_id": host_id, "type": type, "number": host_id, "status": status, "issue_date": "2024-03-01",
            "party_host_id": party_host_id, "currency": "GBP", "lines": lines or [line()], **overrides}


def payment(host_id: str, kind: str = "invoice_payment", amount: Any = "24.00", party_host_id: str = "C1",
            allocations: list[dict[str, Any]] | None = None, **overrides: Any) -> dict[str, Any]:
    return {"host_id": host_id, "direction": "in", "kind": kind, "party_host_id": party_host_id,
            "payment_date": "2024-03-05", "amount": amount, "currency": "GBP", "method_code": "BACS",
            "allocations": allocations or [], **overrides}


def apply(session: Session, organisation_id: int, data: dict[str, Any]) -> IntakeResult:
    """Through JSON text, as a host's request would arrive; committed like the API does."""
    result = apply_batch(session, organisation_id, parse_batch(json.dumps(data)))
    session.commit()
    return result


def count(session: Session, model: Any) -> int:
    return session.scalar(select(func.count()).select_from(model)) or 0


def connect_integration(session: Session, organisation_id: int) -> None:
    """A connected Xero connection: the integration is on (R-PAY1)."""
    session.add(Connection(organisation_id=organisation_id, kind="xero", name="Xero", status="connected",
                           api_base_url="http://127.0.0.1:1", identity_base_url="http://127.0.0.1:1",
                           client_id="id", client_secret_enc="x", redirect_uri="http://127.0.0.1:1/cb"))
    session.commit()


def bulk_batch(documents: int = 10_000, lines: int = 5, parties: int = 500) -> dict[str, Any]:
    """A large batch in one request: many invoices of several lines, mixed tax codes and discounts."""
    data = reference_batch()
    data["parties"] += [party(f"BULK-{i}") for i in range(parties)]
    data["documents"] = [
        document(f"INV-{i:05d}", party_host_id=f"BULK-{i % parties}", due_date="2024-03-31", order_number=f"SO-{i}",
                 lines=[line(quantity=j + 1, unit_price="12.345", discount_percent="5",
                             tax_code="T1" if j % 2 else "T0", description=f"line {j}") for j in range(lines)])
        for i in range(documents)
    ]
    return data


def unconsented_books(session: Session, organisation_id: int) -> tuple[int, int]:
    """A connection to the default package that was never consented (nothing reaches a package), the codes and
    parties, sales invoice INV-1 pending and purchase invoice PI-1 awaiting approval; committed.
    Returns (the connection's id, INV-1's id)."""
    conn = create_connection(session, organisation_id, DEFAULT.kind,
                             sandbox_endpoints(DEFAULT.kind, "http://127.0.0.1:9"), client_id="id",
                             client_secret="secret", redirect_uri="http://127.0.0.1/cb")
    data = reference_batch()
    data["documents"] = [document("INV-1"), document("PI-1", type="purchase_invoice", party_host_id="S1",
                                                     status="posted", lines=[line(nominal_code="5000")])]
    apply(session, organisation_id, data)
    document_id = session.scalar(select(Document.id).where(Document.organisation_id == organisation_id,
                                                           Document.host_id == "INV-1"))
    assert document_id is not None
    return conn.id, document_id
