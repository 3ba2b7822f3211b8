"""The host's side of the REST API: send records in, change a document's status, read documents and parties.

Bodies are read raw and parsed with ``parse_json`` (JSON numbers straight to Decimal), never
through FastAPI's body parsing, which goes through float. Every query is scoped by the
organisation of the API key: another organisation's record is "not found", never "forbidden",
so its existence is not revealed either.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict
from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, HTTPException, Path, Query, Request, Response
from pydantic import AfterValidator, BaseModel
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ledgerbridge.api.deps import AppState, Limit, Offset, get_organisation_id, get_session, get_state
from ledgerbridge.api.responses import AUTH, PATH_KEY, errors, raw_json_body
from ledgerbridge.domain.money import round_money
from ledgerbridge.intake.apply import RecordNotFound, apply_batch, issue_document, post_document
from ledgerbridge.intake.documents import LINE_FIELDS, load_documents
from ledgerbridge.intake.json_guard import escape_bad_text
from ledgerbridge.intake.schemas import (
    KIND_KEYS,
    AddressIn,
    Batch,
    DocumentIn,
    FieldError,
    IntakeError,
    IntakeResult,
    ItemIn,
    NominalCodeIn,
    PartyIn,
    PaymentIn,
    PaymentMethodIn,
    TaxCodeIn,
    parse_batch,
    parse_json,
    record_label,
    validate_batch,
)
from ledgerbridge.intake.store import plain
from ledgerbridge.native_memory import LARGE_BATCH_BYTES, release_free_memory
from ledgerbridge.numbering.documents import issue_with_number, void_and_free_number
from ledgerbridge.numbering.errors import NumberingRefused
from ledgerbridge.store.db import write_locked_scope
from ledgerbridge.store.models.host import Document, DocumentStatus, DocumentType, Party

router = APIRouter(prefix="/v1", tags=["intake"], responses=AUTH)

SessionDep = Annotated[Session, Depends(get_session)]
OrganisationDep = Annotated[int, Depends(get_organisation_id)]
StateDep = Annotated[AppState, Depends(get_state)]


async def raw_body(request: Request) -> bytes:
    return await request.body()


BodyDep = Annotated[bytes, Depends(raw_body)]
#: A host_id or code in the URL: no store keeps a NUL (PostgreSQL refuses it, SQLite would send it on), and none
#: is longer than the longest key column.
HostKey = Annotated[str, Path(min_length=1, max_length=120, pattern=r"^[^\x00]*$")]


class UpsertOutcome(BaseModel):
    kind: str
    key: str
    outcome: Literal["created", "updated", "unchanged"]


# The same figures from either database: PostgreSQL returns NUMERIC(19,4) with four places.
ViewMoney = Annotated[Decimal, AfterValidator(round_money)]
ViewNumber = Annotated[Decimal, AfterValidator(plain)]


class DocumentLineView(BaseModel):
    item_code: str | None
    description: str
    long_description: str | None
    quantity: ViewNumber
    unit_price: ViewNumber
    discount_percent: ViewNumber
    nominal_code: str | None  # None: the account the settings name for the line's kind (R-C4)
    kind: str | None = None
    tax_code: str
    net: ViewMoney
    tax: ViewMoney


class DocumentSummary(BaseModel):
    host_id: str
    type: str
    number: str
    status: str
    issue_date: date
    due_date: date | None
    party_host_id: str
    currency: str
    net_total: ViewMoney
    tax_total: ViewMoney
    gross_total: ViewMoney
    version: int
    updated_at: datetime


class DocumentView(DocumentSummary):
    exchange_rate: ViewNumber | None
    amounts_tax_inclusive: bool
    order_number: str | None
    customer_po: str | None
    site_address: str | None
    work_order: str | None
    sales_order_host_id: str | None
    credits_document_host_id: str | None
    lines: list[DocumentLineView]


class PartyView(BaseModel):
    host_id: str
    code: str
    name: str
    is_customer: bool
    is_supplier: bool
    email: str | None
    tax_number: str | None
    currency: str | None
    payment_terms_days: int | None
    addresses: list[AddressIn]
    account_customer: bool
    version: int
    updated_at: datetime


class DocumentPage(BaseModel):
    items: list[DocumentSummary]
    total: int
    limit: int
    offset: int


class PartyPage(BaseModel):
    items: list[PartyView]
    total: int
    limit: int
    offset: int


def _refusal(status_code: int, message: str, errors: list[FieldError]) -> HTTPException:
    return HTTPException(status_code, detail={"message": message, "errors": [asdict(e) for e in errors]})


def _not_found(exc: RecordNotFound) -> HTTPException:
    return _refusal(404, str(exc), [])


def _apply(session: Session, organisation_id: int, read_batch: Callable[[], Batch]) -> IntakeResult:
    """Parse, apply and commit; a refusal names every bad record and field, and nothing is kept."""
    try:
        result = apply_batch(session, organisation_id, read_batch())
        session.commit()
    except IntakeError as exc:
        raise _refusal(422, f"Refused: {len(exc.errors)} error(s); nothing was written.", exc.errors) from exc
    except IntegrityError as exc:
        # Two requests created the same host_id at once; the loser's whole batch is rolled back.
        session.rollback()
        raise _refusal(409, "Another request wrote some of these records at the same time; nothing was written. "
                       "Send it again.", []) from exc
    return result


# What the intake's writes can answer besides 200/201 (the refusals are intake's shape, naming record and field).
WriteErrors = errors(409, 413, 422, shape="refusal", s413="problem-or-refusal")


@router.post("/batch", response_model=IntakeResult, responses=WriteErrors,
             openapi_extra=raw_json_body(Batch, "Any of the lists; applied in this order, all or nothing."))
def post_batch(body: BodyDep, session: SessionDep, organisation_id: OrganisationDep) -> IntakeResult:
    """Apply a whole batch (codes, parties, items, documents, payments) as one all-or-nothing transaction."""
    result = _apply(session, organisation_id, lambda: parse_batch(body))
    if len(body) >= LARGE_BATCH_BYTES:
        release_free_memory()  # the batch's text, models and rows, freed: back to the system (``native_memory``)
    return result


def _single_record(kind: str, key: str, body: bytes) -> Batch:
    """One record as a batch of one; the key may be left out of the body, but must not contradict the URL."""
    data = parse_json(body)
    field = KIND_KEYS[kind]
    if isinstance(data, dict):
        sent = data.setdefault(field, key)
        if sent != key:
            label = record_label(kind, 0, escape_bad_text(str(sent)))
            raise IntakeError([FieldError(label, field, f'does not match the URL ("{escape_bad_text(key)}")')])
    return validate_batch({kind: [data]})


def _put(kind: str, key: str, body: bytes, session: Session, organisation_id: int, response: Response) -> UpsertOutcome:
    """Create or replace one record; idempotent, so a host can retry a PUT whose answer it never saw."""
    counts = getattr(_apply(session, organisation_id, lambda: _single_record(kind, key, body)), kind)
    outcome: Literal["created", "updated", "unchanged"] = (
        "created" if counts.created else "updated" if counts.updated else "unchanged"
    )
    response.status_code = 201 if outcome == "created" else 200
    return UpsertOutcome(kind=kind, key=key, outcome=outcome)


PutResponses: dict[int | str, dict[str, Any]] = {201: {"model": UpsertOutcome, "description": "Created"},
                                                 **WriteErrors, **PATH_KEY}


def _put_body(model: type[BaseModel], key: str) -> dict[str, Any]:
    return raw_json_body(model, f"The record; its {key} may be left out, and if sent must be the one in the URL.")


@router.put("/parties/{host_id}", response_model=UpsertOutcome, responses=PutResponses,
            openapi_extra=_put_body(PartyIn, "host_id"))
def put_party(host_id: HostKey, body: BodyDep, session: SessionDep, organisation_id: OrganisationDep,
              response: Response) -> UpsertOutcome:
    return _put("parties", host_id, body, session, organisation_id, response)


@router.put("/items/{host_id}", response_model=UpsertOutcome, responses=PutResponses,
            openapi_extra=_put_body(ItemIn, "host_id"))
def put_item(host_id: HostKey, body: BodyDep, session: SessionDep, organisation_id: OrganisationDep,
             response: Response) -> UpsertOutcome:
    return _put("items", host_id, body, session, organisation_id, response)


@router.put("/documents/{host_id}", response_model=UpsertOutcome, responses=PutResponses,
            openapi_extra=_put_body(DocumentIn, "host_id"))
def put_document(host_id: HostKey, body: BodyDep, session: SessionDep, organisation_id: OrganisationDep,
                 response: Response) -> UpsertOutcome:
    return _put("documents", host_id, body, session, organisation_id, response)


@router.put("/payments/{host_id}", response_model=UpsertOutcome, responses=PutResponses,
            openapi_extra=_put_body(PaymentIn, "host_id"))
def put_payment(host_id: HostKey, body: BodyDep, session: SessionDep, organisation_id: OrganisationDep,
                response: Response) -> UpsertOutcome:
    return _put("payments", host_id, body, session, organisation_id, response)


@router.put("/nominal-codes/{code}", response_model=UpsertOutcome, responses=PutResponses,
            openapi_extra=_put_body(NominalCodeIn, "code"))
def put_nominal_code(code: HostKey, body: BodyDep, session: SessionDep, organisation_id: OrganisationDep,
                     response: Response) -> UpsertOutcome:
    return _put("nominal_codes", code, body, session, organisation_id, response)


@router.put("/tax-codes/{code}", response_model=UpsertOutcome, responses=PutResponses,
            openapi_extra=_put_body(TaxCodeIn, "code"))
def put_tax_code(code: HostKey, body: BodyDep, session: SessionDep, organisation_id: OrganisationDep,
                 response: Response) -> UpsertOutcome:
    return _put("tax_codes", code, body, session, organisation_id, response)


@router.put("/payment-methods/{code}", response_model=UpsertOutcome, responses=PutResponses,
            openapi_extra=_put_body(PaymentMethodIn, "code"))
def put_payment_method(code: HostKey, body: BodyDep, session: SessionDep, organisation_id: OrganisationDep,
                       response: Response) -> UpsertOutcome:
    return _put("payment_methods", code, body, session, organisation_id, response)


def _document_view(session: Session, organisation_id: int, host_id: str) -> DocumentView:
    row = load_documents(session, organisation_id, {host_id}, {host_id}).get(host_id)
    if row is None:
        raise _not_found(RecordNotFound(f'document "{host_id}" is not known'))
    lines = [DocumentLineView(**dict(zip(LINE_FIELDS, line, strict=True))) for line in row.pop("lines")]
    return DocumentView.model_validate({**row, "lines": lines})


def _status_action(action: Any, session: Session, organisation_id: int, host_id: str) -> DocumentView:
    try:
        action(session, organisation_id, host_id)
    except RecordNotFound as exc:
        raise _not_found(exc) from exc
    except IntakeError as exc:
        raise _refusal(409, "The document cannot take this status.", exc.errors) from exc
    session.commit()
    return _document_view(session, organisation_id, host_id)


# A record that is not there is intake's refusal (no errors); a path that is not there, Starlette's sentence.
ReadErrors = {**PATH_KEY, **errors(404, shape="problem-or-refusal")}
StatusErrors = {**ReadErrors, **errors(409, shape="refusal")}


@router.post("/documents/{host_id}/issue", response_model=DocumentView,
             responses={**StatusErrors, **errors(422, shape="refusal-or-validation")})
def issue(host_id: HostKey, session: SessionDep, organisation_id: OrganisationDep, state: StateDep,
          assign_number: Annotated[bool, Query(description=(
              "Number the document from its type's numbering (prefix and next number) as it is issued; asking "
              "again gives the same number"))] = False) -> DocumentView:
    if not assign_number:
        return _status_action(issue_document, session, organisation_id, host_id)
    try:
        with write_locked_scope(state.sessions) as locked:  # the counter is read and moved with no writer between
            issue_with_number(locked, organisation_id, host_id)
    except RecordNotFound as exc:
        raise _not_found(exc) from exc
    except NumberingRefused as refused:
        raise _refusal(422, f"Refused: {refused.message}; nothing was written.", [
            FieldError(refused.record, refused.field, refused.message)]) from refused
    except IntakeError as exc:
        raise _refusal(409, "The document cannot take this status.", exc.errors) from exc
    session.rollback()  # the request's session read the key before the issue: a fresh read sees it
    return _document_view(session, organisation_id, host_id)


@router.post("/documents/{host_id}/post", response_model=DocumentView, responses=StatusErrors)
def post(host_id: HostKey, session: SessionDep, organisation_id: OrganisationDep) -> DocumentView:
    return _status_action(post_document, session, organisation_id, host_id)


@router.post("/documents/{host_id}/void", response_model=DocumentView, responses=StatusErrors)
def void(host_id: HostKey, session: SessionDep, organisation_id: OrganisationDep) -> DocumentView:
    return _status_action(void_and_free_number, session, organisation_id, host_id)


@router.get("/documents", response_model=DocumentPage, responses=errors(422, shape="validation"))
def list_documents(session: SessionDep, organisation_id: OrganisationDep, type: DocumentType | None = None,
                   status: DocumentStatus | None = None, limit: Limit = 100, offset: Offset = 0) -> DocumentPage:
    conditions = [Document.organisation_id == organisation_id]
    if type is not None:
        conditions.append(Document.type == type.value)
    if status is not None:
        conditions.append(Document.status == status.value)
    total = session.scalar(select(func.count()).select_from(Document).where(*conditions)) or 0
    columns = [getattr(Document, name) for name in DocumentSummary.model_fields if name != "party_host_id"]
    rows = session.execute(
        select(*columns, Party.host_id.label("party_host_id"))
        .join(Party, Party.id == Document.party_id)
        .where(*conditions)
        .order_by(Document.id)
        .limit(limit)
        .offset(offset)
    ).all()
    items = [DocumentSummary.model_validate(dict(row._mapping)) for row in rows]
    return DocumentPage(items=items, total=total, limit=limit, offset=offset)


@router.get("/documents/{host_id}", response_model=DocumentView, responses=ReadErrors)
def get_document(host_id: HostKey, session: SessionDep, organisation_id: OrganisationDep) -> DocumentView:
    return _document_view(session, organisation_id, host_id)


@router.get("/parties", response_model=PartyPage, responses=errors(422, shape="validation"))
def list_parties(session: SessionDep, organisation_id: OrganisationDep, limit: Limit = 100,
                 offset: Offset = 0) -> PartyPage:
    scope = Party.organisation_id == organisation_id
    total = session.scalar(select(func.count()).select_from(Party).where(scope)) or 0
    parties = session.scalars(select(Party).where(scope).order_by(Party.id).limit(limit).offset(offset)).all()
    items = [PartyView.model_validate(party, from_attributes=True) for party in parties]
    return PartyPage(items=items, total=total, limit=limit, offset=offset)


@router.get("/parties/{host_id}", response_model=PartyView, responses=ReadErrors)
def get_party(host_id: HostKey, session: SessionDep, organisation_id: OrganisationDep) -> PartyView:
    party = session.scalars(
        select(Party).where(Party.organisation_id == organisation_id, Party.host_id == host_id)
    ).one_or_none()
    if party is None:
        raise _not_found(RecordNotFound(f'party "{host_id}" is not known'))
    return PartyView.model_validate(party, from_attributes=True)
