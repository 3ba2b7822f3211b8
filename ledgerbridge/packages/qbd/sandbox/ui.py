"""The books page at ``/sandbox/``: the company's invoices, credits, bills and payments with what is open, and the
forms a QuickBooks user would use (Receive Payments, Pay Bills, apply a credit, void, delete a payment).

Self-contained HTML and CSS, no script: it works in any browser and in tests, and on a phone (the tables turn into
cards on a narrow screen). Every form posts to ``/sandbox/ui/…``, runs the same action as the admin API
(:mod:`.user_actions`) and comes back to the page with QuickBooks' answer, its refusals worded as QuickBooks words
them.
"""

from __future__ import annotations

import html
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import Route

from .admin import company_of
from .company import QuickBooksCompany
from .user_actions import (
    ActionRefused,
    Done,
    apply_credit,
    books_view,
    delete_payment,
    money,
    pay_bill,
    receive_payment,
    void,
)

__all__ = ["routes"]

_CSS = """
:root{--green:#2ca01c;--ink:#1f2933;--muted:#6b7785;--line:#e3e8ee;--bg:#f4f6f8;--red:#b42318}
*{box-sizing:border-box}body{margin:0;font:15px/1.45 system-ui,-apple-system,Segoe UI,sans-serif;color:var(--ink);
background:var(--bg)}header{background:var(--green);color:#fff;padding:14px 20px}header h1{margin:0;font-size:20px}
header p{margin:2px 0 0;opacity:.9;font-size:13px}main{max-width:1100px;margin:0 auto;padding:16px}
.note{padding:10px 14px;border-radius:8px;margin:0 0 14px;background:#e8f5e4;border:1px solid #b7dfae}
.note.err{background:#fdecea;border-color:#f5c2bd;color:var(--red)}
section{background:#fff;border:1px solid var(--line);border-radius:10px;padding:14px 16px;margin:0 0 16px}
h2{font-size:16px;margin:0 0 10px}.forms{display:grid;grid-template-columns:repeat(auto-fit,minmax(300px,1fr));gap:16px}
form.card{display:grid;gap:8px}label{font-size:12px;color:var(--muted)}
input,select,button{font:inherit;padding:8px 10px;border:1px solid #c9d2db;border-radius:6px;width:100%}
button{background:var(--green);color:#fff;border:0;font-weight:600;cursor:pointer}
button.link{background:none;color:var(--red);padding:2px 4px;width:auto;font-weight:500}
table{width:100%;border-collapse:collapse}th,td{text-align:left;padding:8px;border-bottom:1px solid var(--line)}
th{font-size:12px;color:var(--muted);font-weight:600}td.n{text-align:right;font-variant-numeric:tabular-nums}
.badge{display:inline-block;padding:1px 8px;border-radius:10px;font-size:12px;background:#eef2f6}
.badge.open{background:#fff4e5;color:#8a4b00}.badge.paid{background:#e8f5e4;color:#1e6b12}
.badge.void{background:#f1f1f1;color:#777}.empty{color:var(--muted)}td form{display:inline}
@media (max-width:640px){thead{display:none}tr{display:block;border-bottom:1px solid var(--line);padding:6px 0}
td{display:flex;justify-content:space-between;border:0;padding:3px 4px}td::before{content:attr(data-label);
color:var(--muted);font-size:12px;margin-right:12px}td.n{text-align:right}}
"""


def _e(value: Any) -> str:
    return html.escape(str(value if value is not None else ""))


def _status(row: dict[str, Any]) -> str:
    if row["voided"]:
        return "<span class='badge void'>Void</span>"
    if row.get("open") is None:
        return "<span class='badge'>Posted</span>"
    if float(row["open"]) == 0:
        return "<span class='badge paid'>Paid</span>" if row["kind"] in ("Invoice", "Bill") else \
            "<span class='badge paid'>Used</span>"
    return "<span class='badge open'>Open</span>"


def _table(rows: list[dict[str, Any]], actions: Callable[[dict[str, Any]], str] | None = None) -> str:
    if not rows:
        return "<p class='empty'>None yet.</p>"
    head = "".join(f"<th>{h}</th>" for h in ("No.", "Name", "Date", "Total", "Open", "Status", ""))
    body = []
    for row in rows:
        cells = [("No.", _e(row["ref_number"] or "—"), ""), ("Name", _e(row["party"]), ""), ("Date", row["date"], ""),
                 ("Total", row["total"], "n"), ("Open", row.get("open", "—"), "n"), ("Status", _status(row), ""),
                 ("", actions(row) if actions else "", "")]
        body.append("<tr>" + "".join(f"<td data-label='{label}' class='{cls}'>{value}</td>"
                                     for label, value, cls in cells) + "</tr>")
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"


def _button(action: str, txn_id: str, label: str) -> str:
    return (f"<form method='post' action='/sandbox/ui/{action}'><input type='hidden' name='txn_id' "
            f"value='{_e(txn_id)}'><button class='link' type='submit'>{label}</button></form>")


def _options(rows: list[dict[str, Any]], kind: str) -> str:
    return "".join(f"<option value='{_e(r['txn_id'])}'>{_e(r['ref_number'] or r['txn_id'])} · {_e(r['party'])} · "
                   f"open {r['open']}</option>" for r in rows
                   if r["kind"] == kind and not r["voided"] and float(r.get("open", 0)) > 0)


def _form(title: str, action: str, select: str, options: str, extra: str = "") -> str:
    if not options:
        return f"<section><h2>{title}</h2><p class='empty'>Nothing open.</p></section>"
    return (f"<section><h2>{title}</h2><form class='card' method='post' action='/sandbox/ui/{action}'>"
            f"<label>{select}<select name='target'>{options}</select></label>{extra}"
            "<label>Amount<input name='amount' inputmode='decimal' placeholder='0.00' required></label>"
            "<label>Date<input name='date' type='date'></label>"
            f"<button type='submit'>{title}</button></form></section>")


def page(view: dict[str, Any], message: str | None, error: bool) -> str:
    company = view["company"]
    rows = view["transactions"]

    def by(*kinds: str) -> list[dict[str, Any]]:
        return [row for row in rows if row["kind"] in kinds]

    forms = "".join((
        _form("Receive payment", "receive-payment", "Invoice", _options(rows, "Invoice"),
              "<label>Reference<input name='reference' maxlength='20' placeholder='Check no.'></label>"),
        _form("Pay bill", "pay-bill", "Bill", _options(rows, "Bill"),
              "<label>Check no.<input name='reference' maxlength='11'></label>"),
        _form("Apply credit", "apply-credit", "Credit memo", _options(rows, "CreditMemo"),
              f"<label>To invoice<select name='invoice_id'>{_options(rows, 'Invoice')}</select></label>"),
    ))
    note = f"<p class='note{' err' if error else ''}'>{_e(message)}</p>" if message else ""
    return (
        "<!doctype html><html lang='en'><head><meta charset='utf-8'><meta name='viewport' "
        f"content='width=device-width,initial-scale=1'><title>{_e(company['name'])} · QuickBooks Desktop sandbox"
        f"</title><style>{_CSS}</style></head><body><header><h1>{_e(company['name'])}</h1>"
        f"<p>{_e(company['product'])} · {_e(company['currency'])} · qbXML up to {_e(company['max_qbxml_version'])}"
        f"</p></header><main>{note}<div class='forms'>{forms}</div>"
        f"<section><h2>Invoices</h2>{_table(by('Invoice'), lambda r: _button('void', r['txn_id'], 'Void'))}"
        "</section>"
        f"<section><h2>Credit memos</h2>{_table(by('CreditMemo'))}</section>"
        f"<section><h2>Bills</h2>{_table(by('Bill'))}</section>"
        f"<section><h2>Vendor credits</h2>{_table(by('VendorCredit'))}</section>"
        "<section><h2>Payments</h2>"
        f"{_table(by('ReceivePayment', 'BillPaymentCheck', 'BillPaymentCreditCard'), _delete_button)}</section>"
        "</main></body></html>")


def _delete_button(row: dict[str, Any]) -> str:
    return _button("delete-payment", row["txn_id"], "Delete")


async def books(request: Request) -> Response:
    params = request.query_params
    return HTMLResponse(page(books_view(company_of(request)), params.get("message"), bool(params.get("error"))))


def _back(message: str, error: bool = False) -> RedirectResponse:
    query = {"message": message, **({"error": "1"} if error else {})}
    return RedirectResponse("/sandbox/?" + urlencode(query), status_code=303)


def _form_action(run: Callable[[QuickBooksCompany, dict[str, str]], Done], said: str) -> Callable[..., Any]:
    async def endpoint(request: Request) -> Response:
        form = await request.form()
        fields = {key: str(value) for key, value in form.items()}
        try:
            done = run(company_of(request), fields)
        except ActionRefused as refused:
            return _back(str(refused), error=True)
        return _back(f"{said} ({done.txn_id})" if done.txn_id else said)
    return endpoint


def routes() -> list[Route]:
    return [
        Route("/sandbox/", books, methods=["GET"]),
        Route("/sandbox/ui/receive-payment", _form_action(lambda c, f: receive_payment(
            c, f.get("target", ""), money(f.get("amount", "")), None, f.get("date") or None,
            f.get("reference") or None), "Payment received"), methods=["POST"]),
        Route("/sandbox/ui/pay-bill", _form_action(lambda c, f: pay_bill(
            c, f.get("target", ""), money(f.get("amount", "")), f.get("date") or None, f.get("reference") or None),
            "Bill paid"), methods=["POST"]),
        Route("/sandbox/ui/apply-credit", _form_action(lambda c, f: apply_credit(
            c, f.get("target", ""), f.get("invoice_id", ""), money(f.get("amount", ""))), "Credit applied"),
            methods=["POST"]),
        Route("/sandbox/ui/void", _form_action(lambda c, f: void(c, f.get("txn_id", "")), "Voided"),
              methods=["POST"]),
        Route("/sandbox/ui/delete-payment", _form_action(lambda c, f: delete_payment(c, f.get("txn_id", "")),
                                                         "Payment deleted"), methods=["POST"]),
    ]
