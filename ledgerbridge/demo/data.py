"""A demo organisation's month of trading, as the host would send it.

Deterministic (seeded) so the demo's summary is the same every run. It holds what
the seeds' screens deal with: invoices, an order shipped in two parts, credit notes,
purchase invoices, a quotation and a proforma that must not go out, and one invoice
on a nominal code that has no mapping in the package. Two name cases the packages treat
differently: a supplier named like a customer (Bramley Florists, C002 and S003), and a
customer that also supplies us (Dunmore Joinery, C004: one Xero contact, but a QuickBooks
Customer and a Vendor, whose names must differ there).
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from ledgerbridge.domain.money import line_net, line_tax

MONTH_START = date(2026, 10, 1)
UNMAPPED_NOMINAL = "4090"

NOMINALS = [("4000", "Sales - Products", "sales"), ("4010", "Sales - Services", "sales"),
            (UNMAPPED_NOMINAL, "Sales - Installation (new)", "sales"), ("5000", "Purchases", "purchases"),
            ("7500", "Office Costs", "expense"), ("1001", "Stock", "stock"), ("5100", "Cost of Sales", "cost_of_sale"),
            ("1200", "Bank Current Account", "bank")]
TAX_CODES = [("T1", "Standard 20%", "20"), ("T0", "Zero rated", "0"), ("T5", "Reduced 5%", "5")]
CUSTOMERS = ["Aldgate Bakery Ltd", "Bramley Florists", "Castle Hill Dental", "Dunmore Joinery", "Eastgate Motors",
             "Fernside Cafe", "Greyfriars Books", "Harbour Lights Hotel"]
SUPPLIERS = ["Northern Timber Supplies", "Kestrel Packaging", "Bramley Florists"]  # a supplier named like a customer
BOTH_ROLES = "C004"  # Dunmore Joinery: a customer that also sends us a purchase invoice (PI-4)
PRODUCTS = [("OAK-SHELF", "Oak shelf 900mm", "42.50"), ("PINE-DESK", "Pine desk", "189.99"),
            ("BRKT-SET", "Bracket set (4)", "7.95"), ("FIT-HR", "Fitting, per hour", "38.00"),
            ("VARNISH", "Clear varnish 1L", "12.49")]


def _line(no: int, code: str, desc: str, qty: Decimal, price: Decimal, nominal: str, tax: str,
          rate: Decimal) -> dict[str, Any]:
    net = line_net(qty, price)
    return {"item_code": code, "description": desc, "quantity": str(qty), "unit_price": str(price),
            "nominal_code": nominal, "tax_code": tax, "net": str(net), "tax": str(line_tax(net, rate))}


def demo_batch(seed: int = 7, currency: str = "GBP",
               tax_codes: Sequence[tuple[str, str, str]] = TAX_CODES) -> dict[str, Any]:
    """The month in ``currency`` with the host's ``tax_codes`` (code, name, rate %): a package whose company file
    trades in one currency and its country's tax (MYOB's AUD and GST) gets the same month in its own terms."""
    rng = random.Random(seed)
    rates = {code: Decimal(rate) for code, _, rate in tax_codes}
    parties = [{"host_id": f"C{n:03d}", "code": f"C{n:03d}", "name": name, "is_customer": True,
                "is_supplier": f"C{n:03d}" == BOTH_ROLES,
                "email": f"accounts@{name.split()[0].lower()}.example", "currency": currency, "payment_terms_days": 30}
               for n, name in enumerate(CUSTOMERS, start=1)]
    parties += [{"host_id": f"S{n:03d}", "code": f"S{n:03d}", "name": name, "is_customer": False, "is_supplier": True,
                 "currency": currency, "payment_terms_days": 30} for n, name in enumerate(SUPPLIERS, start=1)]
    documents: list[dict[str, Any]] = []

    def sales_doc(doc_type: str, number: str, day: int, customer: int, lines: list[dict[str, Any]],
                  status: str = "issued", **extra: Any) -> dict[str, Any]:
        issued = MONTH_START + timedelta(days=day)
        doc = {"host_id": number, "type": doc_type, "number": number, "status": status,
               "issue_date": issued.isoformat(), "due_date": (issued + timedelta(days=30)).isoformat(),
               "party_host_id": f"C{customer:03d}", "currency": currency, "order_number": f"SO-{5000 + day}",
               "lines": lines, **extra}
        documents.append(doc)
        return doc

    def random_lines(count: int, nominal: str = "4000") -> list[dict[str, Any]]:
        out = []
        for no in range(1, count + 1):
            code, desc, price = rng.choice(PRODUCTS)
            tax = rng.choice(["T1", "T1", "T1", "T0"])
            out.append(_line(no, code, desc, Decimal(rng.randint(1, 6)), Decimal(price), nominal, tax, rates[tax]))
        return out

    for n in range(1, 21):  # a month of sales invoices
        customer = rng.randint(1, len(CUSTOMERS))
        sales_doc("sales_invoice", f"INV-{1000 + n}", n, customer, random_lines(rng.randint(1, 4)))
    # An order shipped in two parts: the sales order, a prepayment against it, two invoices.
    order_lines = [_line(1, "PINE-DESK", "Pine desk", Decimal(4), Decimal("189.99"), "4000", "T1", rates["T1"]),
                   _line(2, "FIT-HR", "Fitting, per hour", Decimal(6), Decimal("38.00"), "4010", "T1", rates["T1"])]
    sales_doc("sales_order", "SO-7001", 3, 4, order_lines)
    half = _line(1, "PINE-DESK", "Pine desk", Decimal(2), Decimal("189.99"), "4000", "T1", rates["T1"])
    sales_doc("sales_invoice", "INV-1101", 9, 4, [half], sales_order_host_id="SO-7001")
    sales_doc("sales_invoice", "INV-1102", 17, 4, [half, order_lines[1]], sales_order_host_id="SO-7001")
    sales_doc("sales_invoice", "INV-1103", 21, 6, [_line(1, "FIT-HR", "Installation, new service line", Decimal(3),
                                                         Decimal("45.00"), UNMAPPED_NOMINAL, "T1", rates["T1"])])
    credited = documents[1]  # CN-2001 credits INV-1002, for the same customer
    sales_doc("sales_credit_note", "CN-2001", 12, int(credited["party_host_id"][1:]),
              [_line(1, "BRKT-SET", "Bracket set (4) returned", Decimal(2), Decimal("7.95"), "4000", "T1",
                     rates["T1"])], credits_document_host_id=credited["host_id"])
    sales_doc("sales_credit_note", "CN-2002", 25, 5, random_lines(1))
    sales_doc("quotation", "QU-3001", 26, 7, random_lines(2), status="issued")
    sales_doc("proforma", "PF-4001", 27, 8, random_lines(2), status="issued")
    for n in range(1, 6):  # purchase invoices
        supplier = (n % len(SUPPLIERS)) + 1
        issued = MONTH_START + timedelta(days=n * 5)
        nominal = "5000" if n % 2 else "7500"
        documents.append({"host_id": f"PI-{n}", "type": "purchase_invoice", "number": f"SUP-{880 + n}",
                          "status": "posted", "issue_date": issued.isoformat(),
                          "due_date": (issued + timedelta(days=30)).isoformat(),
                          "party_host_id": BOTH_ROLES if n == 4 else f"S{supplier:03d}",
                          "currency": currency, "lines": random_lines(rng.randint(1, 3), nominal)})
    payments = [{"host_id": "PP-1", "direction": "in", "kind": "prepayment", "party_host_id": "C004",
                 "payment_date": (MONTH_START + timedelta(days=3)).isoformat(), "amount": "300.00",
                 "currency": currency,
                 "method_code": "BACS", "sales_order_host_id": "SO-7001", "reference": "Deposit SO-7001"}]
    return {
        "nominal_codes": [{"code": c, "name": n, "type": t} for c, n, t in NOMINALS],
        "tax_codes": [{"code": c, "name": n, "rate": r} for c, n, r in tax_codes],
        "payment_methods": [{"code": "BACS", "name": "Bank transfer", "bank_nominal": "1200"},
                            {"code": "CARD", "name": "Card", "bank_nominal": "1200"}],
        "parties": parties,
        "items": [{"host_id": code, "code": code, "name": name, "sales_nominal": "4000", "tax_code": "T1",
                   "unit_price": price} for code, name, price in PRODUCTS],
        "documents": documents,
        "payments": payments,
    }
