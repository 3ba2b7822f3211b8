"""API for the purchase invoice workflow (R-P1, R-P2) and the audit trail (R-A1), for host systems (API key).

A host system acts for one of the organisation's users, named in the body (``user``: sign-in
email or name), so the role checks and the two-person rule are the same as on the screens; the API key must have
been granted that user for approvals (approve, send) or for administration (the rules): ``security.key_grants``.
Refusals are 409 (a step or rule missing), 403 (the user's role), 404 (no such invoice or user),
each with the sentence that says which approval or rule is missing.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, HTTPException, Query
from fastapi.responses import PlainTextResponse, Response
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.orm import Session

from ledgerbridge.api.deps import Caller, Offset, acting_user, get_caller, get_organisation_id, get_session
from ledgerbridge.api.responses import AUTH, csv_or_json, errors
from ledgerbridge.audit.search import UnknownRecord, as_csv, parse_when, resolve_record, search_audit
from ledgerbridge.connectors.connections import organisation_connection
from ledgerbridge.security.key_grants import KeyPurpose
from ledgerbridge.store.models.approvals import ApprovalStep
from ledgerbridge.store.models.sync import Connection
from ledgerbridge.store.models.users import Role
from ledgerbridge.sync import approvals
from ledgerbridge.sync.approvals import ApprovalRefused

router = APIRouter(prefix="/v1", tags=["purchase approvals and audit"], responses=AUTH)
# A step by a user: the body unreadable (400) or invalid (422), the role (403), no such user or invoice (404),
# a step or rule missing (409).
Step = errors(400, 403, 404, 409, 422, s422="validation")
Org = Annotated[int, Depends(get_organisation_id)]
Db = Annotated[Session, Depends(get_session)]
CallerDep = Annotated[Caller, Depends(get_caller)]


class ApprovalIn(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)
    number: str = Field(min_length=1, max_length=100, description="The purchase invoice's number")
    as_: Literal["procurement", "accounting"] = Field(alias="as", description="Which approval this is")
    user: str = Field(min_length=1, max_length=255, description="Who approves: a user's sign-in email or name")


class SendIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    number: str = Field(min_length=1, max_length=100)
    user: str = Field(min_length=1, max_length=255, description="Who presses Send to External System")


class RulesIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    approval_required: bool | None = Field(default=None, description="R-P1: wait for both approvals and the send")
    require_additional_charges: bool | None = Field(
        default=None, description="R-P2: refuse invoices whose purchase order has no additional charges")
    user: str = Field(min_length=1, max_length=255, description="An administrator of the organisation")


def _refused(refused: ApprovalRefused) -> HTTPException:
    return HTTPException(refused.status_code, refused.message)


def _connection(session: Session, org_id: int) -> Connection | None:
    try:
        return organisation_connection(session, org_id)
    except LookupError:
        return None


def _rules(session: Session, org_id: int) -> dict[str, bool]:
    row = approvals.rules_of(session, org_id)
    return {"approval_required": row.approval_required, "require_additional_charges": row.require_additional_charges}


@router.get("/purchase-invoices")
def list_purchase_invoices(org_id: Org, session: Db, status: str | None = None) -> dict[str, Any]:
    """Purchase invoices with status ("Awaiting approval", "Approved", "Sent to External System",
    "Synchronized"), who approved them, and what each waits for."""
    conn = _connection(session, org_id)
    return {"rules": _rules(session, org_id),
            "purchase_invoices": approvals.purchase_invoices(session, org_id, conn.id if conn else None, status)}


@router.post("/purchase-invoices/approvals", responses=Step)
def approve(body: ApprovalIn, caller: CallerDep, session: Db) -> dict[str, Any]:
    org_id = caller.organisation_id
    user = acting_user(session, caller, body.user, KeyPurpose.APPROVALS)
    try:
        flow = approvals.approve(session, org_id, body.number, ApprovalStep(body.as_), user.email, user.role)
    except ApprovalRefused as refused:
        raise _refused(refused) from None
    session.commit()
    return flow.as_dict()


@router.post("/purchase-invoices/send", responses=Step)
def send(body: SendIn, caller: CallerDep, session: Db) -> dict[str, Any]:
    """Send to External System: the invoice is queued for export ("Sent to External System")."""
    org_id = caller.organisation_id
    user = acting_user(session, caller, body.user, KeyPurpose.APPROVALS)
    try:
        flow = approvals.send_to_external_system(session, org_id, body.number, user.email, user.role,
                                                 _connection(session, org_id))
    except ApprovalRefused as refused:
        raise _refused(refused) from None
    session.commit()
    return flow.as_dict()


@router.get("/purchase-rules")
def get_rules(org_id: Org, session: Db) -> dict[str, bool]:
    return _rules(session, org_id)


@router.put("/purchase-rules", responses=Step)
def put_rules(body: RulesIn, caller: CallerDep, session: Db) -> dict[str, bool]:
    org_id = caller.organisation_id
    user = acting_user(session, caller, body.user, KeyPurpose.ADMINISTRATION)
    if user.role != Role.ADMIN.value:
        raise HTTPException(403, f"changing the purchase rules needs an administrator; {user.email} is {user.role}")
    approvals.set_rules(session, org_id, by=user.email, approval_required=body.approval_required,
                        require_additional_charges=body.require_additional_charges)
    session.commit()
    return _rules(session, org_id)


@router.get("/audit", response_model=None, responses={
    **csv_or_json("The rows, newest first (`format=csv`: the same rows as a CSV download)"),
    **errors(404, 422, s422="problem-or-validation")})
def audit_trail(org_id: Org, session: Db,
                record: Annotated[str | None, Query(description="TYPE:NUMBER, e.g. sales_invoice:INV-1001")] = None,
                since: Annotated[str | None, Query(description="ISO date or date-time (UTC by default)")] = None,
                until: Annotated[str | None, Query(description="ISO date or date-time, exclusive")] = None,
                limit: Annotated[int, Query(ge=1, le=5000)] = 200, offset: Offset = 0,
                format: Literal["json", "csv"] = "json") -> dict[str, Any] | Response:  # noqa: A002 - the API's word
    """The audit trail, newest first, with requests and responses (secrets were removed when stored)."""
    try:
        start, end = parse_when(since, "since"), parse_when(until, "until")
        keys = resolve_record(session, org_id, record) if record else None
    except UnknownRecord as exc:
        raise HTTPException(404, str(exc)) from None
    except ValueError as exc:
        raise HTTPException(422, str(exc)) from None
    rows, total = search_audit(session, org_id, records=[(k.record_type, k.record_id) for k in keys]
                               if keys is not None else None, since=start, until=end, limit=limit, offset=offset)
    session.commit()  # links resolved on the way are kept
    if format == "csv":
        return PlainTextResponse(as_csv(rows), media_type="text/csv",
                                 headers={"Content-Disposition": 'attachment; filename="audit.csv"'})
    return {"total": total, "limit": limit, "offset": offset, "rows": rows}
