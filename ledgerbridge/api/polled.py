"""Setting up a package that polls us, through the API: its program's password (shown once) and its setup file.

A package such as QuickBooks Desktop is reached through a program on the user's PC that comes to ledgerbridge
(``PackageSpec.polled``): instead of a consent, the connection needs a password for that program and a file the
user adds to it (the Web Connector's ``.qwc``). The screens offer both on the Connection page; a host that sets up
its customers' connections itself uses these two operations.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from fastapi.responses import Response
from pydantic import BaseModel
from sqlalchemy.orm import Session

from ledgerbridge.api.deps import RowId, get_organisation_id, get_session, organisation_connection_or_404
from ledgerbridge.api.responses import AUTH, errors
from ledgerbridge.audit.trail import audit
from ledgerbridge.connectors.spec import PolledService
from ledgerbridge.packages.registry import spec_for
from ledgerbridge.store.models.sync import Connection

router = APIRouter(prefix="/v1", tags=["sync"], responses=AUTH)
Org = Annotated[int, Depends(get_organisation_id)]
Db = Annotated[Session, Depends(get_session)]
Refused = errors(404, 409, 422, s422="validation")


class NewPassword(BaseModel):
    """The program's new password: shown in this answer only (it is stored hashed)."""

    program: str
    password: str


def _polled(conn: Connection) -> PolledService:
    polled = spec_for(conn.kind).polled
    if polled is None:
        raise HTTPException(409, f"connection {conn.id} is reached by ledgerbridge's own calls: it has no program "
                                 "that polls it, so no password or setup file")
    return polled


@router.post("/connections/{connection_id}/polled/password", responses=Refused)
def new_password(connection_id: RowId, org_id: Org, session: Db, response: Response) -> NewPassword:
    """Set a new password for the program that polls the package (the previous one stops working at once)."""
    conn = organisation_connection_or_404(session, org_id, connection_id)
    polled = _polled(conn)
    password = polled.new_password(session, conn)
    audit(session, conn, "api", "set_polled_password", outcome="ok", detail=polled.program)
    session.commit()
    response.headers["Cache-Control"] = "no-store"
    return NewPassword(program=polled.program, password=password)


@router.get("/connections/{connection_id}/polled/setup-file", responses={
    **Refused, 200: {"description": "The file to add to the program (the Web Connector's .qwc)",
                     "content": {"application/xml": {"schema": {"type": "string"}}}}})
def setup_file(connection_id: RowId, org_id: Org, session: Db, request: Request,
               base_url: Annotated[str | None, Query(max_length=300, description=(
                   "Where the program reaches this app (default: the address of this request); https, or "
                   "http://localhost for development"))] = None) -> Response:
    """The file the user adds to the program that polls the package, for this app's address."""
    conn = organisation_connection_or_404(session, org_id, connection_id)
    polled = _polled(conn)
    try:
        name, content = polled.setup_file(session, conn, base_url or str(request.base_url))
    except ValueError as exc:
        raise HTTPException(422, str(exc)) from None
    session.commit()
    return Response(content, media_type="application/xml",
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})
