"""The Import tab (seeds 001, 002): payments made in the package, pending import, and Create & Allocate.

Fetching and creating run as jobs in the background, like the upload; each payment's
row shows its outcome ("Payment created and allocated" or what is wrong).
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy import select

from ledgerbridge.queue.jobs import enqueue_job
from ledgerbridge.store.bounds import MAX_ID, parse_bounded
from ledgerbridge.store.models.sync import ImportStatus, Job, PackagePayment
from ledgerbridge.web import queries
from ledgerbridge.web.common import (
    Db,
    User,
    back,
    checked_form,
    connection_of,
    next_poll_note,
    render,
    selected_ids,
)
from ledgerbridge.web.routes_export import ACTIVE_JOB, job_view
from ledgerbridge.web.tables import Grid

router = APIRouter()

STATUS_TEXT = {
    ImportStatus.PENDING.value: "Pending import",
    ImportStatus.CREATED_AND_ALLOCATED.value: "Payment created and allocated",
    ImportStatus.CREATED_ON_ACCOUNT.value: "Payment created on account",
    ImportStatus.ERROR.value: "Needs attention",
    ImportStatus.REVERSED.value: "Reversed (deleted in the package)",
}


PAYMENT_TYPES = {"ACCRECPAYMENT": "Customer receipt", "ACCPAYPAYMENT": "Supplier payment",
                 "ARCREDITPAYMENT": "Customer refund", "APCREDITPAYMENT": "Supplier refund",
                 "AROVERPAYMENTPAYMENT": "Customer overpayment", "ARPREPAYMENTPAYMENT": "Customer prepayment",
                 "APOVERPAYMENTPAYMENT": "Supplier overpayment", "APPREPAYMENTPAYMENT": "Supplier prepayment"}


@router.get("/import", response_class=HTMLResponse)
def import_page(request: Request, session: Db, user: User) -> Response:
    conn = connection_of(session, user)
    if conn is None:
        return render(request, "import.html", user, "import", conn=None)
    p = request.query_params
    grid = Grid("i_", p, queries.PAYMENT_SORT, "date", default_desc=True).load(
        session, queries.package_payments(conn.id, p.get("i_q", ""), p.get("i_status", "")), PackagePayment.id)
    job_id = p.get("job")
    job_number = parse_bounded(job_id, low=1, high=MAX_ID)
    job = session.get(Job, job_number) if job_number is not None else None
    if job is None or job.connection_id != conn.id:
        job = session.scalar(select(Job).where(Job.connection_id == conn.id, Job.kind == "import_payments",
                                               Job.status.in_(ACTIVE_JOB)).order_by(Job.id.desc()))
    return render(request, "import.html", user, "import", conn=conn, grid=grid, status_text=STATUS_TEXT,
                  payment_types=PAYMENT_TYPES, job=job_view(job) if job else None)


@router.post("/import/action")
async def import_action(request: Request, session: Db, user: User) -> Response:
    form = await checked_form(request, user, "sync")
    conn = connection_of(session, user)
    if conn is None or conn.status != "connected":
        return back("/import", err="Connect an accounting package first (Connection page).")
    if form.get("action") == "fetch":
        job = enqueue_job(session, conn.id, "import_payments", {"create_and_allocate": False},
                          requested_by=f"web:{user.email}")
        session.commit()
        later = next_poll_note(session, conn)
        if later is not None:
            return back("/import", msg=f"Payments will be fetched: {later}.", job=job.id)
        return back("/import", msg="Fetching payments from the package in the background.", job=job.id)
    ids = selected_ids(form)
    if not ids:
        return back("/import", err="Select the payments to create and allocate.")
    job = enqueue_job(session, conn.id, "import_payments", {"package_payment_ids": ids, "create_and_allocate": True},
                      requested_by=f"web:{user.email}")
    session.commit()
    later = next_poll_note(session, conn)
    return back("/import", msg=f"Creating and allocating {len(ids)} payment(s)" + (
        f": {later}." if later else " in the background."), job=job.id)
