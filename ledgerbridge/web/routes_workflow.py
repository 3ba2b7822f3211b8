"""The Purchases tab (R-P1, R-P2, seed 003) and the Audit tab (R-A1).

Purchases: each purchase invoice with its status in the seed's words, who approved it,
and what it waits for; the Approve buttons appear only to the roles that may press them
(Procurement, Accounting, or an administrator standing in), Send to External System only
to Accounting and administrators. The server checks the role again: a hidden button is
a courtesy, not the control.

Audit: the trail filtered by record and time, with a CSV download of the same filter.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse, PlainTextResponse, Response

from ledgerbridge.audit.search import UnknownRecord, as_csv, parse_when, resolve_record, search_audit
from ledgerbridge.store.models.approvals import ApprovalStep
from ledgerbridge.sync import approvals
from ledgerbridge.sync.approvals import STEP_ROLES, ApprovalRefused
from ledgerbridge.web.common import Db, User, back, checked_form, connection_of, render

router = APIRouter()
PAGE_ROWS = 200


@router.get("/purchases", response_class=HTMLResponse)
def purchases_page(request: Request, session: Db, user: User) -> Response:
    conn = connection_of(session, user)
    status = request.query_params.get("status") or None
    rows = approvals.purchase_invoices(session, user.organisation_id, conn.id if conn else None, status)
    may = {step.value: user.role in roles for step, roles in STEP_ROLES.items()}
    statuses = [approvals.STATUS_AWAITING, approvals.STATUS_APPROVED, approvals.STATUS_SENT,
                approvals.STATUS_SYNCHRONIZED]
    return render(request, "purchases.html", user, "purchases", conn=conn, rows=rows, may=may, status=status,
                  statuses=statuses, rules=approvals.rules_of(session, user.organisation_id))


@router.post("/purchases/action")
async def purchases_action(request: Request, session: Db, user: User) -> Response:
    form = await checked_form(request, user, "view")  # the step's own role check follows
    number = str(form.get("number") or "")
    action = str(form.get("action") or "")
    try:
        if action in (ApprovalStep.PROCUREMENT.value, ApprovalStep.ACCOUNTING.value):
            flow = approvals.approve(session, user.organisation_id, number, ApprovalStep(action), user.email,
                                     user.role)
            done = f"Purchase invoice {number}: {approvals.STEP_WAITS[ApprovalStep(action)]} given."
        elif action == "send":
            flow = approvals.send_to_external_system(session, user.organisation_id, number, user.email, user.role,
                                                     connection_of(session, user))
            done = f"Purchase invoice {number}: {flow.status}."
        else:
            raise HTTPException(400, "unknown action")
    except ApprovalRefused as refused:
        if refused.status_code == 403:
            raise HTTPException(403, refused.message) from None
        return back("/purchases", err=refused.message[0].upper() + refused.message[1:] + ".")
    session.commit()
    return back("/purchases", msg=done)


@router.post("/purchases/rules")
async def purchases_rules(request: Request, session: Db, user: User) -> Response:
    form = await checked_form(request, user, "users")  # administrators only
    approvals.set_rules(session, user.organisation_id, by=user.email,
                        approval_required=form.get("approval_required") == "on",
                        require_additional_charges=form.get("require_additional_charges") == "on")
    session.commit()
    return back("/purchases", msg="Purchase rules saved.")


def _audit_query(request: Request, session: Db, user: User, limit: int) -> dict[str, Any]:
    p = request.query_params
    record, since, until = p.get("record", "").strip(), p.get("since", "").strip(), p.get("until", "").strip()
    out: dict[str, Any] = {"record": record, "since": since, "until": until, "rows": [], "total": 0, "problem": None,
                           "labels": []}
    try:
        start, end = parse_when(since, "From"), parse_when(until, "Until")
        keys = resolve_record(session, user.organisation_id, record) if record else None
    except (UnknownRecord, ValueError) as exc:
        out["problem"] = str(exc)
        return out
    out["labels"] = [k.label for k in keys or []]
    out["rows"], out["total"] = search_audit(
        session, user.organisation_id, records=[(k.record_type, k.record_id) for k in keys] if keys is not None
        else None, since=start, until=end, limit=limit)
    session.commit()  # links resolved on the way are kept
    return out


@router.get("/audit", response_class=HTMLResponse)
def audit_page(request: Request, session: Db, user: User) -> Response:
    found = _audit_query(request, session, user, PAGE_ROWS)
    return render(request, "audit.html", user, "audit", query=request.url.query, **found)


@router.get("/audit.csv")
def audit_download(request: Request, session: Db, user: User) -> Response:
    found = _audit_query(request, session, user, 100_000)
    if found["problem"]:
        raise HTTPException(400, found["problem"])
    return PlainTextResponse(as_csv(found["rows"]), media_type="text/csv",
                             headers={"Content-Disposition": 'attachment; filename="ledgerbridge-audit.csv"'})
