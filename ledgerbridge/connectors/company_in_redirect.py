"""Consent where the package's redirect names the one company the user chose (Intuit's ``realmId``, MYOB's
``businessId``), unlike Xero, whose tenants are listed through an API call afterwards.

:meth:`CompanyInRedirect.complete_consent` keeps the named company on the row as the pending choice, with the
tokens; :meth:`CompanyInRedirect.choose` binds the row to it once the user confirms. What differs between such
packages (the endpoints, how the company's name is read, the audit actions, the extra consent parameters) stays in
the package's ``auth`` module; what is the same for every package is in :mod:`ledgerbridge.connectors.connection_auth`.
None of these commit: the caller does.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import parse_qsl, urlparse

import httpx
from sqlalchemy.orm import Session

from ledgerbridge.connectors import connection_auth, oauth
from ledgerbridge.connectors.oauth import ConsentError, OAuthEndpoints, TokenSet
from ledgerbridge.security.crypto import TokenCipher
from ledgerbridge.store.models.sync import Connection

Callback = str | Mapping[str, str] | tuple[str, str]


@dataclass(frozen=True, slots=True)
class ChosenCompany:
    """The company a consent allows: ``tenant_id`` is the package's id for it (``id`` the same, for disconnect)."""

    tenant_id: str
    tenant_name: str
    id: str = ""


@dataclass(frozen=True, slots=True)
class CompanyInRedirect:
    """How one package names the chosen company: e.g. ``CompanyInRedirect("MYOB", "businessId",
    "myob_pending_business", "business")``."""

    #: The package's name in messages ("QuickBooks").
    package: str
    #: The redirect's parameter that names the company.
    param: str
    #: The connection setting that holds the company between consent and choice.
    pending_key: str
    #: What the package calls a company, in messages ("company", "business").
    noun: str

    def named_in(self, callback: Callback) -> str | None:
        """The company the redirect names (the URL, its query string or its parameters; a bare pair names none)."""
        if isinstance(callback, str):
            query = urlparse(callback).query if "://" in callback else callback.lstrip("?")
            return dict(parse_qsl(query)).get(self.param)
        if isinstance(callback, Mapping):
            return callback.get(self.param)
        return None

    def complete_consent(self, session: Session, connection: Connection, callback: Callback,
                         endpoints: OAuthEndpoints, *, cipher: TokenCipher, transport: httpx.BaseTransport | None,
                         now: datetime) -> tuple[str, TokenSet]:
        """Check the callback and store the tokens (encrypted), with the named company as the pending choice;
        returns the company's id and the tokens (to read its name with)."""
        code, state = oauth.parse_callback(callback)
        company_id = self.named_in(callback)
        pending = connection_auth.take_pending_state(session, connection, state, now)
        if not company_id:
            raise ConsentError(f"{self.package} did not say which {self.noun} was chosen (no {self.param}): start "
                               "connecting again")
        tokens = connection_auth.store_tokens(connection, endpoints, code, pending, cipher, transport, now)
        # The company goes with the tokens: every call names it, so it is on the row before anything uses them.
        connection.settings = {**(connection.settings or {}), self.pending_key: company_id}
        if connection.status != "connected":
            connection.status = "authorised"
        session.flush()
        return company_id, tokens

    def choose(self, session: Session, connection: Connection, tenant_id: str,
               name_of: Callable[[str, str], str], *, cipher: TokenCipher, allow_other_organisation: bool,
               now: datetime) -> str:
        """Bind the connection to the company of the consent and mark it connected; returns the company's name,
        read by ``name_of(company id, access token)``."""
        access = connection_auth.consent_access_token(connection, cipher, now)
        settings = dict(connection.settings or {})
        if settings.get(self.pending_key) != tenant_id:
            raise ConsentError(f"that {self.noun} was not chosen in this consent: connect again and choose it there")
        name = name_of(tenant_id, access)
        connection_auth.refuse_other_books(session, connection, tenant_id, name,
                                           allow_other_organisation=allow_other_organisation, noun=self.noun)
        settings.pop(self.pending_key, None)
        connection.settings = settings
        connection_auth.bind_company(connection, tenant_id, name, tenant_id)
        return name
