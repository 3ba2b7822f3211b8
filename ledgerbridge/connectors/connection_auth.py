"""What every package's ``auth`` module does the same way to a Connection row: the steps around the tokens.

:mod:`ledgerbridge.connectors.oauth` speaks the protocol; this module keeps its results on the row, the same for
every package: the pending ``state`` of a consent (single use, 15 minutes), the tokens
(encrypted) once the code is exchanged, the refusal to point a row with bindings into other books, the
binding to the chosen company, and forgetting the tokens on disconnect (bindings and sync records stay:
they belong to the row, R-C2). What differs (Xero's tenant list, how each revokes) stays in the package's module;
a company named in the consent's redirect (Intuit, MYOB) is :mod:`ledgerbridge.connectors.company_in_redirect`.
None of these commit: the caller does.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import httpx
from sqlalchemy import delete, exists, select
from sqlalchemy.orm import Session

from ledgerbridge.audit.trail import audit
from ledgerbridge.connectors import oauth
from ledgerbridge.connectors.oauth import ConsentError, OAuthEndpoints, TokenSet
from ledgerbridge.security.crypto import TokenCipher
from ledgerbridge.store.models.sync import Connection, OAuthState, SyncRecord

#: A consent page left open longer than this must start again (Xero's authorization codes live 10 minutes).
STATE_TTL = timedelta(minutes=15)


def begin_consent(session: Session, connection: Connection, endpoints: OAuthEndpoints, default_scopes: str,
                  cipher: TokenCipher, now: datetime) -> str:
    """The consent page's URL; the pending ``state`` (and PKCE verifier) is added to the session."""
    if not connection.scopes:
        connection.scopes = default_scopes
    request = oauth.start_consent(endpoints, oauth.client_config_of(connection, cipher))
    session.execute(delete(OAuthState).where(OAuthState.connection_id == connection.id,
                                             OAuthState.created_at < now - STATE_TTL))
    session.add(OAuthState(state=request.state, connection_id=connection.id, code_verifier=request.code_verifier,
                           created_at=now))
    session.flush()
    return request.url


def take_pending_state(session: Session, connection: Connection, state: str, now: datetime) -> OAuthState:
    """The consent this callback answers, used up (single use, whatever happens next); refused if unknown or old."""
    pending = session.get(OAuthState, state)
    if pending is None or pending.connection_id != connection.id:
        raise ConsentError("this consent answer does not match a consent we started: start connecting again")
    session.delete(pending)
    session.flush()
    if pending.created_at < now - STATE_TTL:
        raise ConsentError("the consent took too long and has expired: start connecting again")
    return pending


def store_tokens(connection: Connection, endpoints: OAuthEndpoints, code: str, pending: OAuthState,
                 cipher: TokenCipher, transport: httpx.BaseTransport | None, now: datetime) -> TokenSet:
    """Exchange the callback's code for tokens and keep them on the row, encrypted."""
    tokens = oauth.exchange_code(endpoints, oauth.client_config_of(connection, cipher), code, pending.code_verifier,
                                 transport=transport, now=now)
    oauth.save_tokens(connection, tokens, cipher, now)
    return tokens


def consent_access_token(connection: Connection, cipher: TokenCipher, now: datetime) -> str:
    """The access token of the consent just given, to read the company chosen; refused once it has expired."""
    access = oauth.decrypt_access_token(connection, cipher)
    if access is None or connection.access_expires_at is None or connection.access_expires_at <= now:
        raise ConsentError("the consent has expired: start connecting again")
    return access


def refuse_other_books(session: Session, connection: Connection, tenant_id: str, name: str, *,
                       allow_other_organisation: bool, noun: str) -> None:
    """Choosing another company than the row's is refused once it has bindings: every external id on the row
    would then point into the wrong books (unless asked for explicitly)."""
    if not connection.tenant_id or connection.tenant_id == tenant_id or allow_other_organisation:
        return
    has_bindings = session.scalar(select(exists().where(SyncRecord.connection_id == connection.id,
                                                        SyncRecord.external_id.is_not(None))))
    if has_bindings:
        raise ConsentError(f"this connection's records were exported to {connection.tenant_name!r}; connecting "
                           f"it to {name!r} would point them into other books. Choose {connection.tenant_name!r}, "
                           f"or create a new connection for the other {noun}")


def bind_company(connection: Connection, tenant_id: str, name: str, package_connection_id: str) -> None:
    """The row now works on this company: connected, past errors cleared."""
    connection.tenant_id = tenant_id
    connection.tenant_name = name
    connection.package_connection_id = package_connection_id
    connection.status = "connected"
    connection.last_error = None
    connection.last_error_at = None


def forget_tokens(session: Session, connection: Connection, cipher: TokenCipher, action: str,
                  problems: list[str]) -> list[str]:
    """The local half of a disconnect, which always happens (a user who cannot reach the package must still be
    able to reset): tokens and pending consents gone, the row disconnected; ``problems`` (what the package
    refused) go to the audit trail and back to the caller."""
    oauth.clear_tokens(connection, cipher)
    connection.package_connection_id = None
    connection.status = "disconnected"
    session.execute(delete(OAuthState).where(OAuthState.connection_id == connection.id))
    audit(session, connection, "system", action, outcome="warning" if problems else "ok",
          detail="; ".join(problems) or None)
    return problems
