"""The host's side of ``ledgerbridge bench month``: a trading month, as a host would send it, and what it holds.

Deterministic (no randomness: the same sizes give the same documents), so two runs do the same work. At the
default size (``--invoices 2000``): 200 customers and 30 suppliers; 2,000 sales invoices of 3 lines over
October; 200 credit notes, each crediting one of those invoices; 300 purchase invoices; and 5 sales orders, each
shipped as 3 of the month's invoices and with a deposit taken against it (a prepayment, R-E6), which the upload
splits over its order's invoices. The deposits are taken once the books are connected (a prepayment taken while
the integration is off never goes out, R-PAY1), so they are a batch of their own (:func:`deposits_batch`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from ledgerbridge.domain.money import line_net, line_tax

MONTH_START = date(2026, 10, 1)
VAT = Decimal(20)
ORDERS = 5  # sales orders with a deposit, each shipped as INVOICES_PER_ORDER of the month's invoices
INVOICES_PER_ORDER = 3
DEPOSIT_SHARE = Decimal("0.4")  # of the order's gross total
#: The host's codes the month uses; the package's demo world says where each goes in its chart.
NOMINALS = (("4000", "Sales - Products", "sales"), ("5000", "Purchases", "purchases"),
            ("1200", "Bank Current Account", "bank"))


@dataclass(frozen=True, slots=True)
class MonthSize:
    """How much trading the month holds; :meth:`of` derives a realistic mix from the number of invoices."""

    invoices: int
    credit_notes: int
    bills: int
    customers: int
    suppliers: int
    orders: int

    @classmethod
    def of(cls, invoices: int) -> MonthSize:
        if invoices < ORDERS * INVOICES_PER_ORDER:
            raise ValueError(f"--invoices: a month holds at least {ORDERS * INVOICES_PER_ORDER} invoices (its "
                             f"{ORDERS} orders are shipped as {INVOICES_PER_ORDER} invoices each); got {invoices}")
        return cls(invoices=invoices, credit_notes=max(1, invoices // 10), bills=max(1, invoices * 3 // 20),
                   customers=min(200, max(10, invoices // 10)), suppliers=min(30, max(3, invoices // 50)),
                   orders=ORDERS)


def _line(description: str, quantity: int, price: str, nominal: str) -> dict[str, Any]:
    net = line_net(Decimal(quantity), Decimal(price))
    return {"description": description, "quantity": str(quantity), "unit_price": price, "nominal_code": nominal,
            "tax_code": "T1", "net": str(net), "tax": str(line_tax(net, VAT))}


def _gross(lines: list[dict[str, Any]]) -> Decimal:
    return sum((Decimal(ln["net"]) + Decimal(ln["tax"]) for ln in lines), Decimal(0))


def _invoice_lines(n: int) -> list[dict[str, Any]]:
    return [_line(f"Oak shelf, size {k}", 1 + (n + k) % 4, f"{20 + (n * 7 + k * 3) % 60}.{(n + k) % 100:02d}",
                  "4000") for k in range(1, 4)]


def customer_code(n: int) -> str:
    return f"MC{n:04d}"


def invoice_number(n: int) -> str:
    return f"MI-{n:06d}"


def order_invoices(size: MonthSize) -> dict[int, list[int]]:
    """Order number -> the invoice numbers (indices) it was shipped as: the month's first invoices."""
    return {o: [o * INVOICES_PER_ORDER + k for k in range(INVOICES_PER_ORDER)] for o in range(size.orders)}


def credited_invoice(size: MonthSize, n: int) -> int:
    """The invoice the n-th credit note credits: spread over the month, never one of an order's."""
    first = size.orders * INVOICES_PER_ORDER
    return first + (n * 10 + 7) % (size.invoices - first)


def month_batch(size: MonthSize) -> dict[str, Any]:
    """Reference data, parties and every document of the month, as one ``POST /v1/batch`` body."""
    customer_of = {n: n % size.customers for n in range(size.invoices)}
    orders = order_invoices(size)
    for o, numbers in orders.items():  # an order's invoices go to one customer
        customer_of.update({n: o % size.customers for n in numbers})
    order_of = {n: o for o, numbers in orders.items() for n in numbers}
    documents: list[dict[str, Any]] = []
    for o, numbers in orders.items():
        lines = [ln for n in numbers for ln in _invoice_lines(n)]
        documents.append({"host_id": f"MSO-{o}", "type": "sales_order", "number": f"MSO-{o:04d}",
                          "status": "issued", "issue_date": MONTH_START.isoformat(),
                          "party_host_id": customer_code(customer_of[numbers[0]]), "currency": "GBP",
                          "lines": lines})
    for n in range(size.invoices):
        issued = MONTH_START + timedelta(days=n * 28 // size.invoices)
        doc: dict[str, Any] = {
            "host_id": invoice_number(n), "type": "sales_invoice", "number": invoice_number(n), "status": "issued",
            "issue_date": issued.isoformat(), "due_date": (issued + timedelta(days=30)).isoformat(),
            "party_host_id": customer_code(customer_of[n]), "currency": "GBP", "lines": _invoice_lines(n)}
        if n in order_of:
            doc["sales_order_host_id"] = f"MSO-{order_of[n]}"
        documents.append(doc)
    for n in range(size.credit_notes):
        credited = credited_invoice(size, n)
        issued = MONTH_START + timedelta(days=min(27, 1 + credited * 28 // size.invoices))
        documents.append({
            "host_id": f"MCN-{n}", "type": "sales_credit_note", "number": f"MCN-{n:06d}", "status": "issued",
            "issue_date": issued.isoformat(), "party_host_id": customer_code(customer_of[credited]),
            "currency": "GBP", "credits_document_host_id": invoice_number(credited),
            "lines": [_line("Oak shelf returned", 1, "10.00", "4000")]})
    for n in range(size.bills):
        issued = MONTH_START + timedelta(days=n * 28 // size.bills)
        documents.append({
            "host_id": f"MPI-{n}", "type": "purchase_invoice", "number": f"SUP-{n:06d}", "status": "posted",
            "issue_date": issued.isoformat(), "due_date": (issued + timedelta(days=30)).isoformat(),
            "party_host_id": f"MS{n % size.suppliers:03d}", "currency": "GBP",
            "lines": [_line("Timber", 2 + n % 5, f"{30 + n % 40}.50", "5000"), _line("Fixings", 1, "4.99", "5000")]})
    parties = [{"host_id": customer_code(n), "code": customer_code(n), "name": f"Month Customer {n:04d}",
                "is_customer": True, "currency": "GBP", "payment_terms_days": 30} for n in range(size.customers)]
    parties += [{"host_id": f"MS{n:03d}", "code": f"MS{n:03d}", "name": f"Month Supplier {n:03d}",
                 "is_customer": False, "is_supplier": True, "currency": "GBP", "payment_terms_days": 30}
                for n in range(size.suppliers)]
    return {"nominal_codes": [{"code": c, "name": name, "type": t} for c, name, t in NOMINALS],
            "tax_codes": [{"code": "T1", "name": "Standard 20%", "rate": str(VAT)}],
            "payment_methods": [{"code": "BACS", "name": "Bank transfer", "bank_nominal": "1200"}],
            "parties": parties, "documents": documents}


def deposits_batch(size: MonthSize) -> dict[str, Any]:
    """A deposit against each order: a share of the order's gross total, taken on the month's third day."""
    payments = []
    for o, numbers in order_invoices(size).items():
        gross = sum((_gross(_invoice_lines(n)) for n in numbers), Decimal(0))
        payments.append({"host_id": f"MPP-{o}", "direction": "in", "kind": "prepayment",
                         "party_host_id": customer_code(o % size.customers),
                         "payment_date": (MONTH_START + timedelta(days=2)).isoformat(),
                         "amount": str((gross * DEPOSIT_SHARE).quantize(Decimal("0.01"))), "currency": "GBP",
                         "method_code": "BACS", "sales_order_host_id": f"MSO-{o}", "reference": f"Deposit MSO-{o}"})
    return {"payments": payments}
