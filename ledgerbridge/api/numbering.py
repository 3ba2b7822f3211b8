"""``/v1/numbering``: document numbering for host systems and their offline devices (R-N1).

A device asks for a block of 25 numbers while it has a connection, uses them without one, and reports afterwards
which it used and which it voided (and gives back the rest when it is done with them); a reinstalled device names
the id it replaces. Every write here runs in a write-locked transaction of its own (``store.db.write_locked_scope``)
rather than the request's session, so on SQLite no other writer comes between reading the counter and moving it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any, TypeVar

from fastapi import APIRouter, Depends, HTTPException, Path
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.orm import Session

from ledgerbridge.api.deps import AppState, get_organisation_id, get_session, get_state
from ledgerbridge.api.responses import AUTH, PATH_KEY, errors
from ledgerbridge.numbering.allocate import ReservedBlock
from ledgerbridge.numbering.devices import DEVICE_ID_MAX, DeviceReport, report_numbers, reserve_for_device
from ledgerbridge.numbering.errors import NumberingRefused
from ledgerbridge.numbering.held import record_package_numbers
from ledgerbridge.numbering.overview import BlockLine, GapLine, numbering_overview
from ledgerbridge.numbering.sequences import MAX_NUMBER, PREFIX_MAX, set_numbering
from ledgerbridge.store.db import write_locked_scope
from ledgerbridge.store.models.host import DocumentType

router = APIRouter(prefix="/v1/numbering", tags=["numbering"], responses=AUTH)
Org = Annotated[int, Depends(get_organisation_id)]
State = Annotated[AppState, Depends(get_state)]
# A body that is not JSON (400), refused as sent (422: the field and the record named, or FastAPI's validation).
Refusals = errors(400, 422, s422="refusal-or-validation")
DeviceKey = Annotated[str, Path(min_length=1, max_length=DEVICE_ID_MAX, pattern=r"^[^\x00]*$")]
NumberText = Annotated[str, Field(min_length=1, max_length=40)]
T = TypeVar("T")


def refusal(refused: NumberingRefused) -> HTTPException:
    return HTTPException(422, detail={"message": f"Refused: {refused.message}; nothing was written.",
                                      "errors": [refused.as_dict()]})


def locked(state: AppState, work: Callable[[Session], T]) -> T:
    """``work`` in a write-locked transaction of its own; a refusal rolls it all back and answers 422."""
    try:
        with write_locked_scope(state.sessions) as session:
            return work(session)
    except NumberingRefused as refused:
        raise refusal(refused) from refused


class SettingIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    prefix: str | None = Field(default=None, max_length=PREFIX_MAX,
                               description="Written before every number (e.g. 'AS-'); must not end with a digit")
    next_number: int | None = Field(default=None, ge=1, le=MAX_NUMBER, description=(
        "The next number to hand out: a start number that tells documents numbered here apart; once numbers "
        "were handed out it only moves forward"))


class BlockIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    device_id: str = Field(min_length=1, max_length=DEVICE_ID_MAX, description="The device's own id")
    replaces_device_id: str | None = Field(default=None, min_length=1, max_length=DEVICE_ID_MAX, description=(
        "A reinstalled device: the id it had before; that id's open blocks become gaps ('reinstalled device')"))


class ReportIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    used: list[NumberText] = Field(default_factory=list, max_length=10_000)
    voided: list[NumberText] = Field(default_factory=list, max_length=10_000)
    give_back_rest: bool = Field(default=False, description="The device is done with its open blocks: the numbers "
                                 "it did not use become gaps ('unused block')")


class HeldIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    numbers: list[NumberText] = Field(min_length=1, max_length=10_000, description=(
        "Numbers the package already holds for this type (documents imported from it, or made there before "
        "the start date): never handed out here"))


class TypeNumberingOut(BaseModel):
    document_type: str
    prefix: str
    next_number: int
    next: str
    numbers_used: int
    numbered_documents: int
    devices: list[str]
    blocks: list[BlockLine]
    gaps: list[GapLine]


class HeldOut(BaseModel):
    added: int


def _one(session: Session, org_id: int, document_type: str) -> dict[str, Any]:
    (numbering,) = [t for t in numbering_overview(session, org_id) if t.setting.document_type == document_type]
    return numbering.as_dict()


@router.get("", response_model=list[TypeNumberingOut])
def all_numbering(org_id: Org, session: Annotated[Session, Depends(get_session)]) -> list[dict[str, Any]]:
    """Every document type's prefix and next number, each device's blocks, and the gaps with their cause."""
    return [t.as_dict() for t in numbering_overview(session, org_id)]


@router.get("/{document_type}", response_model=TypeNumberingOut, responses=errors(422, shape="validation"))
def one_numbering(document_type: DocumentType, org_id: Org,
                  session: Annotated[Session, Depends(get_session)]) -> dict[str, Any]:
    return _one(session, org_id, document_type.value)


@router.put("/{document_type}", response_model=TypeNumberingOut, responses=Refusals)
def change_numbering(document_type: DocumentType, body: SettingIn, org_id: Org, state: State) -> dict[str, Any]:
    """Set the prefix and/or the next number of one document type."""
    def change(session: Session) -> dict[str, Any]:
        set_numbering(session, org_id, document_type.value, prefix=body.prefix, next_number=body.next_number)
        return _one(session, org_id, document_type.value)
    return locked(state, change)


@router.post("/{document_type}/blocks", response_model=ReservedBlock, status_code=201, responses=Refusals)
def reserve(document_type: DocumentType, body: BlockIn, org_id: Org, state: State) -> dict[str, object]:
    """A block of 25 numbers (``BLOCK_SIZE``) for a device to use without a connection; none is ever handed out twice,
    and none the package holds is handed out."""
    return locked(state, lambda session: reserve_for_device(
        session, org_id, document_type.value, body.device_id, body.replaces_device_id).as_dict())


@router.post("/{document_type}/devices/{device_id}/report", response_model=DeviceReport,
             responses={**Refusals, **PATH_KEY})
def report(document_type: DocumentType, device_id: DeviceKey, body: ReportIn, org_id: Org,
           state: State) -> dict[str, int]:
    """Which of its numbers the device used and which it voided; with ``give_back_rest``, the rest of its open
    blocks become gaps. All or nothing: a number that is not this device's refuses the whole report."""
    return locked(state, lambda session: report_numbers(
        session, org_id, document_type.value, device_id, used=body.used, voided=body.voided,
        give_back_rest=body.give_back_rest).as_dict())


@router.post("/{document_type}/held", response_model=HeldOut, responses=Refusals)
def held(document_type: DocumentType, body: HeldIn, org_id: Org, state: State) -> HeldOut:
    """Numbers the package already holds, as the host knows them: skipped by every reservation from now on."""
    added = locked(state, lambda session: record_package_numbers(session, org_id, document_type.value,
                                                                 body.numbers, "host"))
    return HeldOut(added=added)
