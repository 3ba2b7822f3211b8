"""The books page at ``/sandbox/``: each business's sales and purchases with their balances and statuses, and a
"Receive payment" form that records a payment through the same rules as the API (:func:`.books.record_payment`).
Self-contained HTML with inline CSS, no scripts, so it works in any browser and in tests.
"""

from __future__ import annotations

import html
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from . import errors
from .books import record_payment
from .runtime import SandboxRuntime
from .store import Business

router = APIRouter(prefix="/sandbox")
_CSS = ("body{font-family:system-ui,sans-serif;margin:24px;color:#222}h1{color:#6100a5}table{border-collapse:"
        "collapse;margin:8px 0 24px}th,td{border-bottom:1px solid #ddd;padding:6px 10px;text-align:left}"
        "td.n{text-align:right;font-variant-numeric:tabular-nums}.msg{padding:8px;background:#f0e8f7}"
        "form{display:inline}input,button{margin:2px;padding:4px}")


def _table(business: Business, kind: str, party: str) -> str:
    rows = []
    for record in sorted(business.all(kind), key=lambda r: r["Number"]):
        cells = (record["Number"], record[party].get("Name", ""), record["Date"][:10])
        form = ""
        if record["Status"] == "Open":
            form = (f"<form method='post' action='/sandbox/{business.business_id}/pay'>"
                    f"<input type='hidden' name='document_id' value='{record['UID']}'>"
                    f"<input type='hidden' name='bill' value='{'1' if kind == 'Bill' else ''}'>"
                    f"<input name='amount' size='8' value='{record['BalanceDueAmount']}'>"
                    f"<button type='submit'>{'Pay bill' if kind == 'Bill' else 'Receive payment'}</button></form>")
        rows.append("<tr>" + "".join(f"<td>{html.escape(str(c))}</td>" for c in cells)
                    + f"<td class='n'>{record['TotalAmount']}</td><td class='n'>{record['BalanceDueAmount']}</td>"
                    + f"<td>{record['Status']}</td><td>{form}</td></tr>")
    head = ("<tr><th>Number</th><th>Card</th><th>Date</th><th>Total</th><th>Balance due</th><th>Status</th>"
            "<th></th></tr>")
    return f"<table>{head}{''.join(rows)}</table>"


@router.get("/")
async def books_page(request: Request) -> Response:
    runtime: SandboxRuntime = request.app.state.runtime
    message = request.query_params.get("msg", "")
    parts = [f"<p class='msg'>{html.escape(message)}</p>" if message else ""]
    for business in runtime.store.businesses.values():
        parts.append(f"<h2>{html.escape(business.seed.name)} ({business.seed.country}, {business.business_id})</h2>"
                     f"<h3>Sales</h3>{_table(business, 'Invoice', 'Customer')}"
                     f"<h3>Purchases</h3>{_table(business, 'Bill', 'Supplier')}")
    return HTMLResponse(f"<!doctype html><html><head><meta charset='utf-8'><title>MYOB sandbox books</title>"
                        f"<style>{_CSS}</style></head><body><h1>MYOB sandbox: books</h1>{''.join(parts)}"
                        f"</body></html>")


@router.post("/{business_id}/pay")
async def pay_form(request: Request, business_id: str) -> Response:
    runtime: SandboxRuntime = request.app.state.runtime
    form = await request.form()
    business = runtime.store.business(business_id)
    message = "unknown business"
    if business is not None:
        try:
            payment = record_payment(business, {
                "bill": bool(form.get("bill")), "amount": str(form.get("amount")),
                "allocations": [{"document_id": str(form.get("document_id")), "amount": str(form.get("amount"))}],
                "reference": "recorded on the books page"})
            message = f"Payment {payment.get('ReceiptNumber') or payment.get('PaymentNumber')} recorded"
        except errors.MyobError as error:
            message = "; ".join(item.message for item in error.items)
        except (ArithmeticError, ValueError) as exc:
            message = f"not recorded: {exc}"
    return RedirectResponse(f"/sandbox/?{urlencode({'msg': message})}", status_code=303)
