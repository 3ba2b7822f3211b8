"""The books page at ``/sandbox/``: each company's invoices and bills with their balances, and a "Receive
payment" form that records a customer payment through the same rules as the API (:func:`.admin.receive_payment`).
Self-contained HTML with inline CSS, no scripts, so it works in any browser and in tests.
"""

from __future__ import annotations

import html
from decimal import Decimal
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from . import errors
from .admin import receive_payment
from .runtime import SandboxRuntime
from .store import Company, Record

router = APIRouter(prefix="/sandbox")
_CSS = ("body{font-family:system-ui,sans-serif;margin:24px;color:#222}h1{color:#2ca01c}table{border-collapse:"
        "collapse;margin:8px 0 24px}th,td{border-bottom:1px solid #ddd;padding:6px 10px;text-align:left}"
        "td.n{text-align:right;font-variant-numeric:tabular-nums}.msg{padding:8px;background:#eef7ea}"
        ".err{background:#fde8e8}form{background:#f6f6f6;padding:12px;display:inline-block}"
        "input,select,button{margin:4px;padding:6px}")


def _status(record: Record, voided: bool) -> str:
    if voided:
        return "Voided"
    balance, total = Decimal(record.get("Balance", 0)), Decimal(record.get("TotalAmt", 0))
    return "Paid" if balance == 0 else ("Partially paid" if balance < total else "Open")


def _table(company: Company, entity: str, party_key: str) -> str:
    rows = []
    for record in sorted(company.all(entity), key=lambda r: int(r["Id"])):
        voided = (entity, record["Id"]) in company.voided
        cells = (record["Id"], record.get("DocNumber", ""), record[party_key].get("name", ""),
                 record.get("TxnDate", ""))
        rows.append("<tr>" + "".join(f"<td>{html.escape(str(c))}</td>" for c in cells)
                    + f"<td class=n>{record['TotalAmt']}</td><td class=n>{record['Balance']}</td>"
                    + f"<td>{_status(record, voided)}</td></tr>")
    head = "<tr><th>Id</th><th>No.</th><th>Party</th><th>Date</th><th>Total</th><th>Balance</th><th>Status</th></tr>"
    return f"<table>{head}{''.join(rows) or '<tr><td colspan=7>None yet</td></tr>'}</table>"


def _form(company: Company) -> str:
    options = "".join(
        f'<option value="{r["Id"]}">{html.escape(str(r.get("DocNumber", r["Id"])))} - '
        f'{html.escape(r["CustomerRef"].get("name", ""))} (balance {r["Balance"]})</option>'
        for r in company.all("Invoice") if Decimal(r["Balance"]) > 0)
    if not options:
        return "<p>No open invoices to receive a payment against.</p>"
    return (f"<form method=post action='/sandbox/ui/receive-payment'><input type=hidden name=realm_id "
            f"value='{company.realm_id}'><select name=invoice_id>{options}</select>"
            "<input name=amount placeholder='Amount' required><input name=date type=date>"
            "<input name=reference placeholder='Reference'><button type=submit>Receive payment</button></form>")


@router.get("/", response_class=HTMLResponse)
async def books(request: Request) -> HTMLResponse:
    runtime: SandboxRuntime = request.app.state.runtime
    message = request.query_params.get("message")
    css_class = "msg err" if request.query_params.get("error") else "msg"
    parts = [f"<!doctype html><html><head><meta charset=utf-8><title>QBO sandbox books</title><style>{_CSS}"
             "</style></head><body><h1>QuickBooks Online sandbox</h1>"]
    if message:
        parts.append(f"<p class='{css_class}'>{html.escape(message)}</p>")
    for company in runtime.store.companies.values():
        parts.append(f"<h2>{html.escape(company.seed.name)} <small>realmId {company.realm_id} "
                     f"({company.seed.country}, {company.seed.currency})</small></h2>")
        parts.append("<h3>Receive payment</h3>" + _form(company))
        parts.append("<h3>Invoices</h3>" + _table(company, "Invoice", "CustomerRef"))
        parts.append("<h3>Bills</h3>" + _table(company, "Bill", "VendorRef"))
    parts.append("</body></html>")
    return HTMLResponse("".join(parts))


@router.post("/ui/receive-payment")
async def receive(request: Request) -> Response:
    runtime: SandboxRuntime = request.app.state.runtime
    form = await request.form()
    company = runtime.store.company(str(form.get("realm_id", "")))
    if company is None:
        return RedirectResponse("/sandbox/?" + urlencode({"message": "Unknown company", "error": 1}), 303)
    payload = {"amount": str(form.get("amount", "")), "date": str(form.get("date", "")),
               "reference": str(form.get("reference", "")),
               "allocations": [{"invoice_id": str(form.get("invoice_id", "")), "amount": str(form.get("amount"))}]}
    try:
        payment = receive_payment(company, payload)
    except errors.QboFault as fault:
        return RedirectResponse("/sandbox/?" + urlencode({"message": fault.detail, "error": 1}), 303)
    return RedirectResponse("/sandbox/?" + urlencode({"message": f"Payment {payment['Id']} recorded"}), 303)
