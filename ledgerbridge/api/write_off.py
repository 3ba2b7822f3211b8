"""``POST /v1/documents/{host_id}/write-off``: the host writes off a bad debt (``sync.write_off``).

The write-off is a sales credit note to the connection's bad debt account, crediting the invoice; the next upload
sends it and applies it to the invoice in the package. Refusals name the field: 404 (no such invoice), 409 (not an
issued sales invoice, or written off already), 422 (the amount, the tax code, or intake's own checks).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict
from decimal import Decimal
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, status
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.orm import Session

from ledgerbridge.api.deps import get_organisation_id, get_session
from ledgerbridge.api.intake import HostKey
from ledgerbridge.api.responses import AUTH, PATH_KEY, errors
from ledgerbridge.intake.schemas import IntakeError
from ledgerbridge.sync.write_off import WriteOffRefused, write_off_invoice

router = APIRouter(prefix="/v1", tags=["intake"], responses=AUTH)


class WriteOffIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    amount: Decimal | None = Field(default=None, gt=0, max_digits=18, decimal_places=2,
                                   description="How much to write off (default: all the invoice still owes here)")
    date: dt.date | None = Field(default=None, description="The write-off's date (default: today)")
    tax_code: str | None = Field(default=None, min_length=1, max_length=20, description=(
        "The tax code it goes at (default: the invoice's, when its lines have one)"))
    number: str | None = Field(default=None, min_length=1, max_length=100,
                               description="The credit note's number (default: WO-<invoice number>)")
    reason: str | None = Field(default=None, max_length=200, description="Said on the credit note's line")


class WriteOffOut(BaseModel):
    invoice: str
    credit_note_host_id: str
    credit_note_number: str
    amount: Decimal
    currency: str


@router.post("/documents/{host_id}/write-off", status_code=status.HTTP_201_CREATED,
             responses={**PATH_KEY, **errors(400, 404, 409, 422, shape="problem-or-refusal", s422="any")})
def write_off(host_id: HostKey, body: WriteOffIn, session: Annotated[Session, Depends(get_session)],
              organisation_id: Annotated[int, Depends(get_organisation_id)]) -> WriteOffOut:
    """Write off a bad debt: a credit note to the bad debt account, applied to the invoice when it goes out."""
    try:
        made = write_off_invoice(session, organisation_id, host_id, amount=body.amount, on=body.date,
                                 tax_code=body.tax_code, number=body.number, reason=body.reason)
    except WriteOffRefused as refused:
        raise HTTPException(refused.status_code, refused.message) from None
    except IntakeError as exc:
        raise HTTPException(422, detail={"message": "The write-off's credit note was refused; nothing was written.",
                                         "errors": [asdict(e) for e in exc.errors]}) from None
    session.commit()
    return WriteOffOut(**asdict(made))
