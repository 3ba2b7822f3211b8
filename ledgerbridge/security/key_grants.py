"""Which users an API key may act as, and for what (R-S1, issue 15 item 4).

A host system names the user it acts for (the approver of a purchase invoice, the administrator who connects the
books), so the role checks and the two-person rule are the screens' own. Before, any key could name any user: a
key leaked from one integration could approve as everyone. Now a key acts only as the users it was granted, each
for a purpose: ``approvals`` (approve purchase invoices and send them) or ``administration`` (connect, disconnect,
reconnect, settings and rules). The key ``ledgerbridge init`` prints is granted both as the administrator it
creates; further grants are made with ``ledgerbridge api-key grant``.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from ledgerbridge.domain.refused import Refused
from ledgerbridge.store.db import rowcount
from ledgerbridge.store.models.host import ApiKey
from ledgerbridge.store.models.users import ApiKeyGrant, KeyPurpose, User

__all__ = ["GrantRefused", "KeyPurpose", "grant", "grant_first_key", "granted", "list_grants", "key_by_prefix",
           "revoke_grant", "require_grant"]


class GrantRefused(Refused):
    """The key may not act as that user for that purpose (or names no such key): a 403 (404) that says which."""

    default_status = 403


@dataclass(frozen=True, slots=True)
class Grant:
    key_prefix: str
    key_name: str
    user: str
    purpose: str


def key_by_prefix(session: Session, organisation_id: int, prefix: str) -> ApiKey:
    """The organisation's live key with this prefix (the first 12 characters, or the whole key)."""
    from ledgerbridge.security.apikeys import PREFIX_LENGTH

    found = session.scalars(select(ApiKey).where(ApiKey.organisation_id == organisation_id,
                                                 ApiKey.prefix == prefix[:PREFIX_LENGTH],
                                                 ApiKey.revoked_at.is_(None))).first()
    if found is None:
        raise GrantRefused("key", f"no live API key {prefix[:PREFIX_LENGTH]!r} in this organisation", status_code=404)
    return found


def grant(session: Session, key: ApiKey, user: User, purpose: KeyPurpose) -> bool:
    """Let the key act as the user for the purpose; False when it already could. Administration needs a user
    whose role may configure the connection (an administrator or an Accounts user)."""
    if user.organisation_id != key.organisation_id:
        raise GrantRefused("user", f"{user.email} is not a user of the key's organisation", status_code=404)
    if purpose is KeyPurpose.ADMINISTRATION and user.role not in ("admin", "accounts"):
        raise GrantRefused("user", f"{user.email} is {user.role}: only an administrator or an Accounts user can be "
                                   "acted as for administration")
    if granted(session, key.id, user.id, purpose):
        return False
    session.add(ApiKeyGrant(api_key_id=key.id, user_id=user.id, purpose=purpose.value))
    session.flush()
    return True


def grant_first_key(session: Session, organisation_id: int, admin: User) -> None:
    """``ledgerbridge init``: the organisation's first key may act as its first administrator, for both purposes
    (the one person who exists yet; every other grant is explicit)."""
    session.flush()
    key = session.scalars(select(ApiKey).where(ApiKey.organisation_id == organisation_id)
                          .order_by(ApiKey.id)).first()
    if key is not None:
        for purpose in KeyPurpose:
            grant(session, key, admin, purpose)


def revoke_grant(session: Session, key: ApiKey, user: User, purpose: KeyPurpose) -> bool:
    result = session.execute(delete(ApiKeyGrant).where(ApiKeyGrant.api_key_id == key.id,
                                                       ApiKeyGrant.user_id == user.id,
                                                       ApiKeyGrant.purpose == purpose.value))
    return bool(rowcount(result))


def granted(session: Session, key_id: int, user_id: int, purpose: KeyPurpose) -> bool:
    return session.scalar(select(ApiKeyGrant.id).where(ApiKeyGrant.api_key_id == key_id,
                                                       ApiKeyGrant.user_id == user_id,
                                                       ApiKeyGrant.purpose == purpose.value)) is not None


def require_grant(session: Session, key_id: int, user: User, purpose: KeyPurpose) -> None:
    """Refuse (403) unless the key was granted this user for this purpose; the message names both and the fix."""
    if granted(session, key_id, user.id, purpose):
        return
    prefix = session.scalar(select(ApiKey.prefix).where(ApiKey.id == key_id)) or "this key"
    raise GrantRefused("user", f"API key {prefix} may not act as {user.email} for {purpose.value}; an administrator "
                               f"grants it with: ledgerbridge api-key grant {prefix} --user {user.email} --for "
                               f"{purpose.value}")


def list_grants(session: Session, organisation_id: int) -> list[Grant]:
    rows = session.execute(
        select(ApiKey.prefix, ApiKey.name, User.email, ApiKeyGrant.purpose)
        .join(ApiKeyGrant, ApiKeyGrant.api_key_id == ApiKey.id).join(User, User.id == ApiKeyGrant.user_id)
        .where(ApiKey.organisation_id == organisation_id, ApiKey.revoked_at.is_(None))
        .order_by(ApiKey.prefix, User.email, ApiKeyGrant.purpose)).all()
    return [Grant(*row) for row in rows]
