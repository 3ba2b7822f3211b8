"""Connecting to a package, whichever it is: the consent flow, the choice of company, disconnect, health.

Each package's OAuth differs in details (one lists its tenants through an API call, another names the company in
the redirect), so each package folder has an ``auth`` module with the same five functions, which its spec hands
over as an :class:`~ledgerbridge.connectors.spec.AuthFlow`. The core and the screens call them through
:func:`flow_for` and never import a package's module directly.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy.orm import Session

from ledgerbridge.connectors.spec import AuthFlow, Company
from ledgerbridge.packages.registry import spec_for
from ledgerbridge.store.models.sync import Connection

__all__ = ["AuthFlow", "Company", "connection_health", "flow_for"]


def flow_for(kind: str) -> AuthFlow:
    return spec_for(kind).auth()


def connection_health(session: Session, connection: Connection) -> Mapping[str, Any]:
    return flow_for(connection.kind).health(session, connection)
