"""The Numbering page (R-N1): each document type's prefix and next number, every device's blocks, and the gaps
with their cause. Numbering is the organisation's, not a connection's, so the page needs no connection."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from ledgerbridge.numbering.errors import NumberingRefused
from ledgerbridge.numbering.overview import GAP_CAUSES, numbering_overview
from ledgerbridge.numbering.sequences import NUMBERED_TYPES, set_numbering
from ledgerbridge.store.bounds import parse_bounded
from ledgerbridge.store.db import write_locked_scope
from ledgerbridge.web.common import Db, User, back, checked_form, render

router = APIRouter()


@router.get("/numbering", response_class=HTMLResponse)
def numbering_page(request: Request, session: Db, user: User) -> Response:
    types = numbering_overview(session, user.organisation_id)
    blocks = [(t.setting.document_type, b) for t in types for b in t.blocks]
    gaps = [(t.setting.document_type, g) for t in types for g in t.gaps]
    return render(request, "numbering.html", user, "numbering", types=types, blocks=blocks, gaps=gaps,
                  causes=GAP_CAUSES)


@router.post("/numbering")
async def save_numbering(request: Request, session: Db, user: User) -> Response:
    """Every type's prefix and next number in one transaction: one refusal and nothing is saved."""
    form = await checked_form(request, user, "configure")
    session.rollback()  # the change is made in a write-locked transaction of its own
    try:
        with write_locked_scope(request.app.state.ledgerbridge.sessions) as locked:
            for document_type in NUMBERED_TYPES:
                prefix = form.get(f"prefix:{document_type}")
                raw_next = str(form.get(f"next:{document_type}") or "").strip()
                if raw_next == str(form.get(f"shown:{document_type}") or ""):
                    # Not changed on the form: a device may have moved the counter since the page was shown, and
                    # the number shown then must not be taken for a move back.
                    raw_next = ""
                next_number = parse_bounded(raw_next, low=1, high=2**31 - 1) if raw_next else None
                if raw_next and next_number is None:
                    raise NumberingRefused(document_type.replace("_", " "), "next number",
                                           "must be a whole number from 1")
                if prefix is None and next_number is None:
                    continue
                set_numbering(locked, user.organisation_id, document_type,
                              prefix=None if prefix is None else str(prefix).strip(), next_number=next_number)
    except NumberingRefused as refused:
        return back("/numbering", err=f"Not saved: {refused.record.replace('_', ' ')}: {refused.field} "
                                      f"{refused.message}.")
    return back("/numbering", msg="Numbering saved.")
