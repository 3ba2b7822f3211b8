"""The audit trail (R-A1): who did what, when, with which outcome; secrets removed before storing."""

from __future__ import annotations

from sqlalchemy.orm import Session

from ledgerbridge.security.redact import redact
from ledgerbridge.store.models.sync import AuditEvent, Connection

MAX_BODY = 20_000


def audit(session: Session, connection: Connection | None, actor: str, action: str, *, outcome: str,
          detail: str | None = None, record_type: str | None = None, record_id: int | None = None,
          request: str | None = None, response: str | None = None, organisation_id: int | None = None) -> None:
    org = organisation_id if organisation_id is not None else (connection.organisation_id if connection else None)
    if org is None:
        raise ValueError("an audit event needs an organisation")
    session.add(AuditEvent(
        organisation_id=org, connection_id=connection.id if connection else None, actor=actor, action=action,
        outcome=outcome, detail=redact(detail) if detail else None, record_type=record_type, record_id=record_id,
        request=redact(request)[:MAX_BODY] if request else None,
        response=redact(response)[:MAX_BODY] if response else None))
