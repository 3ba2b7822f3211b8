"""The Web Connector's credentials per connection: its user name, its password (argon2 hash only), the .qwc GUIDs.

The password is typed by the user into the Web Connector, never written in the .qwc file. It is generated here
(or chosen by an administrator), returned once to be shown once, and only its argon2 hash is stored, as for the
people who sign in to the screens (``web/auth.py``, same hasher settings). The Web Connector's ``authenticate`` is
reachable from the internet, so a wrong user name costs the same argon2 verification as a wrong password (a dummy
hash), and the answer is the same ``nvu`` either way.

OwnerID and FileID are made once, when the connection's credentials are, and kept: the Web Connector writes FileID
into the company file under OwnerID on its first connection, so new GUIDs in a later .qwc would look like another
application to the same books. (Intuit suggests one OwnerID per application; one per connection is what the issue
asks, and is equally stable for each company file, which is what the Web Connector needs.)
"""

from __future__ import annotations

import re
import secrets
import uuid

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from ledgerbridge.native_memory import release_free_memory
from ledgerbridge.store.db import utcnow
from ledgerbridge.store.models.host import Organisation
from ledgerbridge.store.models.polled import PolledCredential
from ledgerbridge.store.models.sync import Connection

__all__ = ["DEFAULT_RUN_EVERY_MINUTES", "MIN_PASSWORD_LENGTH", "CredentialError", "credentials_for",
           "ensure_credentials", "new_guid", "set_password", "verify_credentials"]

MIN_PASSWORD_LENGTH = 12
DEFAULT_RUN_EVERY_MINUTES = 15
_USER_NAME = re.compile(r"^[A-Za-z0-9._@-]{3,100}$")

_hasher = PasswordHasher()
_DUMMY_HASH = _hasher.hash("not the password of anyone")


class CredentialError(ValueError):
    """A credential refused, with a message that names the field (never the password's value)."""


def new_guid() -> str:
    """A GUID as the .qwc file and QuickBooks write them: ``{XXXXXXXX-XXXX-XXXX-XXXX-XXXXXXXXXXXX}``."""
    return "{" + str(uuid.uuid4()).upper() + "}"


def credentials_for(session: Session, connection_id: int) -> PolledCredential | None:
    return session.scalar(select(PolledCredential).where(PolledCredential.connection_id == connection_id))


def ensure_credentials(session: Session, connection_id: int, *, user_name: str | None = None,
                       app_name: str | None = None,
                       run_every_minutes: int = DEFAULT_RUN_EVERY_MINUTES) -> PolledCredential:
    """The connection's credentials, made on first use (user name, AppName, GUIDs, schedule); an existing row is
    returned unchanged. No password yet: :func:`set_password` sets one and returns it to be shown once."""
    existing = credentials_for(session, connection_id)
    if existing is not None:
        return existing
    connection = session.get(Connection, connection_id)
    if connection is None:
        raise CredentialError(f"connection {connection_id} does not exist")
    if not 1 <= run_every_minutes <= 24 * 60:
        raise CredentialError(f"run_every_minutes must be between 1 and 1440, got {run_every_minutes}")
    user_name = user_name or f"ledgerbridge-{connection_id}"
    if not _USER_NAME.match(user_name):
        raise CredentialError("user_name must be 3 to 100 letters, digits or . _ @ -")
    if session.scalar(select(PolledCredential.id).where(PolledCredential.user_name == user_name)) is not None:
        raise CredentialError(f"user_name {user_name!r} is already used by another connection")
    organisation = session.get_one(Organisation, connection.organisation_id)
    name = (app_name or f"ledgerbridge ({organisation.name})").strip()[:100]
    credential = PolledCredential(connection_id=connection_id, user_name=user_name, app_name=name,
                                  owner_id=new_guid(), file_id=new_guid(), run_every_minutes=run_every_minutes)
    session.add(credential)
    session.flush()
    return credential


def set_password(session: Session, connection_id: int, password: str | None = None) -> str:
    """Set the Web Connector's password for the connection (a generated one unless ``password`` is given) and
    return it: the caller shows it once. Only the hash is stored; the caller commits."""
    credential = credentials_for(session, connection_id) or ensure_credentials(session, connection_id)
    if password is None:
        password = secrets.token_urlsafe(18)  # 24 characters, 144 bits
    elif len(password) < MIN_PASSWORD_LENGTH:
        raise CredentialError(f"the Web Connector password needs at least {MIN_PASSWORD_LENGTH} characters")
    credential.password_hash = _hasher.hash(password)
    credential.password_set_at = utcnow()
    session.flush()
    return password


def verify_credentials(session: Session, user_name: str, password: str) -> tuple[PolledCredential | None, bool]:
    """``(credential, ok)``: the credential the user name names (None if none) and whether the password is its
    password. The same argon2 work is done whether or not the user name exists."""
    credential = session.scalar(select(PolledCredential).where(PolledCredential.user_name == user_name)) \
        if user_name else None
    real = credential is not None and credential.password_hash is not None
    stored = credential.password_hash if credential is not None and credential.password_hash else _DUMMY_HASH
    # argon2 maps 64 MiB of its own for the check (every Web Connector session): what the process freed goes back
    # first, so that it lands on what is in use, not on the last job's high mark (``native_memory``).
    release_free_memory()
    ok = False
    try:
        ok = bool(_hasher.verify(stored, password)) and real
    except (VerificationError, InvalidHashError):
        pass
    if ok and credential is not None and _hasher.check_needs_rehash(stored):
        credential.password_hash = _hasher.hash(password)
    return credential, ok
