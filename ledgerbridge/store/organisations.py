"""Organisations (tenants) and the one fact about them that intake needs: is the integration on.

One install serves many organisations; every host record carries its organisation's id and
every query is scoped by it (R-S1).
"""

from __future__ import annotations

from sqlalchemy import exists, select
from sqlalchemy.orm import Session

from ledgerbridge.store.models.host import Organisation
from ledgerbridge.store.models.sync import Connection

#: Connection.status of a live link to a package; any other status means the integration is off.
CONNECTED = "connected"


def create_organisation(session: Session, name: str, base_currency: str = "GBP") -> Organisation:
    """Add an organisation and flush, so its id can be used at once; the caller commits."""
    if not (len(base_currency) == 3 and base_currency.isalpha() and base_currency.isupper()):
        raise ValueError(f"base currency must be a 3-letter ISO code, got {base_currency!r}")
    if not name.strip():
        raise ValueError("an organisation needs a name")
    organisation = Organisation(name=name, base_currency=base_currency)
    session.add(organisation)
    session.flush()
    return organisation


def integration_is_on(session: Session, organisation_id: int) -> bool:
    """R-PAY1: while any connection is connected, the package controls payments on account."""
    query = select(
        exists().where(Connection.organisation_id == organisation_id, Connection.status == CONNECTED)
    )
    return bool(session.scalar(query))
