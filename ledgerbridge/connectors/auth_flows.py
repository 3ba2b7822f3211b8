"""Connecting to a package, whichever it is: the consent flow, the choice of company, disconnect, health.

Each package's OAuth differs in details (Xero lists tenants through ``/connections``; QuickBooks
names the company in the redirect's ``realmId``), so each connector package has an ``auth``
module with the same five functions. The core and the screens call them through ``flow_for``
and never import a package's module directly.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from sqlalchemy.orm import Session

from ledgerbridge.store.models.sync import Connection

AUTH_MODULES: dict[str, str] = {"xero": "ledgerbridge.packages.xero.auth", "qbo": "ledgerbridge.packages.qbo.auth"}


class Company(Protocol):
    """What a consent allows: an organisation (Xero tenant, QuickBooks realm, MYOB company file)."""

    tenant_id: str
    tenant_name: str


@dataclass(frozen=True, slots=True)
class AuthFlow:
    begin_consent: Callable[..., str]
    complete_consent: Callable[..., list[Any]]
    choose_tenant: Callable[..., Any]
    disconnect: Callable[..., list[str]]
    health: Callable[..., dict[str, Any]]


def flow_for(kind: str) -> AuthFlow:
    try:
        module = importlib.import_module(AUTH_MODULES[kind])
    except KeyError:
        raise ValueError(f"no connection flow for package {kind!r}; known: {', '.join(AUTH_MODULES)}") from None
    return AuthFlow(module.begin_consent, module.complete_consent, module.choose_tenant, module.disconnect,
                    module.health)


def connection_health(session: Session, connection: Connection) -> Mapping[str, Any]:
    return flow_for(connection.kind).health(session, connection)
