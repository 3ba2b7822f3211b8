"""The sandbox's HTML: the OAuth consent page, and the books page where a user records payments.

Recording a payment by hand is how a user tests ledgerbridge's payment import ("a customer paid in Xero"),
so the form goes through the same store rules as ``PUT /Payments``.  Pages are self-contained (inline CSS,
no scripts or internet assets) so the sandbox works offline.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from html import escape
from urllib.parse import quote, urlencode

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from .books import TenantBooks
from .config import API_PREFIX
from .endpoint import runtime_of
from .errors import NotFound, PostDataInvalid
from .records import ZERO, Document

router = APIRouter()

_CSS = """
*{box-sizing:border-box}body{margin:0;font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;
color:#1f2a37;background:#f3f5f8}header{background:#13b5ea;color:#fff;padding:14px 28px;display:flex;
align-items:center;gap:14px}header b{font-size:18px}header span{opacity:.85}main{max-width:1120px;margin:24px auto;
padding:0 20px}section{background:#fff;border:1px solid #dde3ea;border-radius:8px;padding:18px 22px;
margin-bottom:20px}h1{font-size:20px;margin:0 0 12px}h2{font-size:16px;margin:0 0 10px}table{width:100%;
border-collapse:collapse}th,td{text-align:left;padding:7px 8px;border-bottom:1px solid #edf0f4;vertical-align:middle}
th{font-size:12px;text-transform:uppercase;letter-spacing:.04em;color:#5b6b7c}td.num,th.num{text-align:right;
font-variant-numeric:tabular-nums}.muted{color:#7b8794}.pill{display:inline-block;padding:1px 8px;border-radius:10px;
font-size:12px;background:#e8eef4}.pill.PAID{background:#dff5e3;color:#17692a}.pill.AUTHORISED{background:#e3f1fb;
color:#0b5c8a}.pill.VOIDED,.pill.DELETED{background:#f6e3e3;color:#8a1f1f}form.pay{display:flex;gap:6px;
flex-wrap:wrap}input,select{font:inherit;padding:4px 6px;border:1px solid #c5ced8;border-radius:4px}
input[type=number]{width:100px}input[type=date]{width:140px}input.ref{width:110px}button{font:inherit;
padding:5px 12px;border:0;border-radius:4px;background:#13b5ea;color:#fff;cursor:pointer}button.secondary{
background:#e8eef4;color:#1f2a37}.flash{padding:10px 14px;border-radius:6px;margin-bottom:16px}.flash.ok{
background:#dff5e3;color:#17692a}.flash.error{background:#f6e3e3;color:#8a1f1f}code{background:#f0f3f6;
padding:1px 5px;border-radius:3px}label.org{display:block;padding:8px 0}.actions{display:flex;gap:10px;
margin-top:16px}nav a{color:#fff;margin-right:12px}
"""


def page(title: str, body: str, status: int = 200) -> HTMLResponse:
    html = (
        f"<!doctype html><html lang=en><head><meta charset=utf-8><title>{escape(title)}</title>"
        f"<meta name=viewport content='width=device-width,initial-scale=1'><style>{_CSS}</style></head>"
        f"<body><header><b>Xero sandbox</b><span>ledgerbridge</span></header><main>{body}</main></body></html>"
    )
    return HTMLResponse(html, status_code=status)


def error_page(message: str, status: int = 400) -> HTMLResponse:
    return page("Error", f"<section><h1>Something went wrong</h1><p>{escape(message)}</p></section>", status)


def consent_page(client_id: str, redirect_uri: str, scope: str, state: str,
                 tenants: dict[str, str], pkce: tuple[str, str] | None = None) -> HTMLResponse:
    """The authorize request's parameters ride in hidden fields to the form's POST, a PKCE challenge with them."""
    fields = [("client_id", client_id), ("redirect_uri", redirect_uri), ("scope", scope), ("state", state),
              ("response_type", "code")]
    if pkce is not None:
        fields += [("code_challenge", pkce[0]), ("code_challenge_method", pkce[1])]
    hidden = "".join(f"<input type=hidden name={name} value='{escape(value, quote=True)}'>" for name, value in fields)
    orgs = "".join(
        f"<label class=org><input type=checkbox name=tenant_id value='{escape(tid)}' checked> {escape(name)}</label>"
        for tid, name in tenants.items()
    )
    scopes = "".join(f"<li><code>{escape(s)}</code></li>" for s in scope.split())
    body = (
        f"<section><h1>{escape(client_id)} wants to access your organisation</h1>"
        f"<p class=muted>It asks for these permissions:</p><ul>{scopes}</ul>"
        f"<form method=post action='/identity/connect/authorize'>{hidden}"
        f"<h2>Organisations to connect</h2>{orgs}"
        "<div class=actions><button name=action value=allow>Allow access</button>"
        "<button class=secondary name=action value=deny>Cancel</button></div></form></section>"
    )
    return page("Allow access", body)


# ---------------------------------------------------------------------------------------- books page


def _money(value: Decimal) -> str:
    return f"{value:,.2f}"


def _document_rows(books: TenantBooks, docs: list[Document], banks: str, today: str) -> str:
    rows = []
    for doc in docs:
        due = ZERO if doc.status in ("VOIDED", "DELETED") else doc.outstanding
        if doc.status == "AUTHORISED":
            action = (
                "<form class=pay method=post action='/sandbox/record-payment'>"
                f"<input type=hidden name=tenant_id value='{escape(books.tenant_id)}'>"
                f"<input type=hidden name=invoice_id value='{escape(doc.doc_id)}'>"
                f"<input type=number name=amount step=0.01 min=0.01 value='{due}' aria-label=Amount>"
                f"<input type=date name=payment_date value='{today}' aria-label=Date>"
                f"<select name=account_code aria-label='Bank account'>{banks}</select>"
                "<input class=ref name=reference placeholder=Reference aria-label=Reference>"
                "<button>Record payment</button></form>"
            )
        else:
            action = "<span class=muted>—</span>"
        contact = books.contacts[doc.contact_id].name
        rows.append(
            f"<tr><td>{escape(doc.number or '(no number)')}</td><td>{escape(contact)}</td>"
            f"<td>{doc.date.isoformat()}</td><td><span class='pill {doc.status}'>{doc.status}</span></td>"
            f"<td class=num>{doc.currency_code} {_money(doc.totals.total)}</td><td class=num>{_money(due)}</td>"
            f"<td>{action}</td></tr>"
        )
    if not rows:
        return "<p class=muted>Nothing here yet.</p>"
    head = ("<tr><th>Number</th><th>Contact</th><th>Date</th><th>Status</th><th class=num>Total</th>"
            "<th class=num>Amount due</th><th>Record payment</th></tr>")
    return f"<table>{head}{''.join(rows)}</table>"


def _payment_rows(books: TenantBooks) -> str:
    recent = sorted(books.payments.values(), key=lambda p: p.created, reverse=True)[:20]
    if not recent:
        return "<p class=muted>No payments yet.</p>"
    rows = []
    for payment in recent:
        target = books.documents.get(payment.target_id) if payment.target_kind in ("invoice", "creditnote") \
            else books.credits.get(payment.target_id)
        label = getattr(target, "number", None) or payment.target_kind
        rows.append(
            f"<tr><td>{payment.date.isoformat()}</td><td>{escape(label)}</td><td>{payment.payment_type}</td>"
            f"<td>{escape(payment.reference or '')}</td><td><span class='pill {payment.status}'>{payment.status}"
            f"</span></td><td class=num>{_money(payment.amount)}</td></tr>"
        )
    head = ("<tr><th>Date</th><th>Document</th><th>Type</th><th>Reference</th><th>Status</th>"
            "<th class=num>Amount</th></tr>")
    return f"<table>{head}{''.join(rows)}</table>"


@router.get("/sandbox/", response_class=HTMLResponse)
async def books_page(request: Request, tenant: str | None = None, message: str | None = None,
                     error: str | None = None) -> Response:
    runtime = runtime_of(request)
    names = runtime.store.tenant_names()
    tenant_id = tenant if tenant in names else next(iter(names))
    flash = ""
    if message:
        flash = f"<div class='flash ok'>{escape(message)}</div>"
    if error:
        flash = f"<div class='flash error'>{escape(error)}</div>"
    switcher = " ".join(
        f"<a href='/sandbox/?tenant={quote(tid)}'>{escape(name)}</a>" for tid, name in names.items()
    ) if len(names) > 1 else ""
    with runtime.store.open(tenant_id) as books:
        banks = "".join(
            f"<option value='{escape(a.code)}'>{escape(a.code)} {escape(a.name)}</option>"
            for a in sorted(books.accounts.values(), key=lambda a: a.code)
            if a.status == "ACTIVE" and (a.is_bank or a.enable_payments)
        )
        today = date.today().isoformat()
        docs = sorted((d for d in books.documents.values() if d.kind == "invoice"), key=lambda d: d.created,
                      reverse=True)
        sales = _document_rows(books, [d for d in docs if d.type == "ACCREC"], banks, today)
        bills = _document_rows(books, [d for d in docs if d.type == "ACCPAY"], banks, today)
        payments = _payment_rows(books)
        org = books.name
    base = str(request.base_url).rstrip("/")
    body = (
        f"{flash}<section><h1>{escape(org)}</h1><p class=muted>Tenant <code>{escape(tenant_id)}</code> · "
        f"API <code>{escape(base)}{API_PREFIX}</code> · client id <code>{escape(runtime.config.client_id)}</code>"
        f"{' · ' + switcher if switcher else ''}</p></section>"
        f"<section><h2>Sales invoices</h2>{sales}</section><section><h2>Bills</h2>{bills}</section>"
        f"<section><h2>Recent payments</h2>{payments}</section>"
    )
    return page(f"{org} · Xero sandbox", body)


@router.post("/sandbox/record-payment")
async def record_payment_form(
    request: Request,
    tenant_id: str = Form(...),
    invoice_id: str = Form(...),
    amount: str = Form(...),
    payment_date: str = Form(""),
    account_code: str = Form(...),
    reference: str = Form(""),
) -> Response:
    payload: dict[str, object] = {"Invoice": {"InvoiceID": invoice_id}, "Account": {"Code": account_code},
                                  "Amount": amount.strip()}
    if payment_date:
        payload["Date"] = payment_date
    if reference.strip():
        payload["Reference"] = reference.strip()
    try:
        view, errors = runtime_of(request).store.record_payment(tenant_id, payload)
    except NotFound:
        return error_page("Unknown organisation.", 404)
    except PostDataInvalid as exc:  # an amount or date the form could not turn into a payment
        view, errors = None, [exc.message]
    outcome = {"message": f"Payment of {view['Amount']} recorded."} if view else {"error": "; ".join(errors)}
    query = urlencode({"tenant": tenant_id, **outcome})
    return RedirectResponse(f"/sandbox/?{query}", status_code=303)
