"""API keys for host systems, one or more per organisation (R-S1).

A key is shown once, at issue. Only its SHA-256 is stored (with a short prefix, so a person
can tell keys apart and so lookups use an index): a key is 256 random bits, so a slow
password hash would add nothing but latency to every request.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from ledgerbridge.store.db import rowcount, utcnow
from ledgerbridge.store.models.host import ApiKey

KEY_MARK = "lb_"
PREFIX_LENGTH = 12


def _hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def issue_api_key(session: Session, organisation_id: int, name: str) -> str:
    """Create a key for the organisation and return its plaintext: the only time it exists outside the host."""
    key = KEY_MARK + secrets.token_urlsafe(32)
    session.add(ApiKey(organisation_id=organisation_id, name=name, prefix=key[:PREFIX_LENGTH], key_hash=_hash(key)))
    session.flush()
    return key


def key_for(session: Session, key: str) -> tuple[int, int] | None:
    """The organisation and id of a live key, or None: unknown, malformed and revoked keys look alike to a caller."""
    if not key.startswith(KEY_MARK) or len(key) < PREFIX_LENGTH + 8:
        return None
    presented = _hash(key)
    rows = session.execute(
        select(ApiKey.organisation_id, ApiKey.id, ApiKey.key_hash, ApiKey.revoked_at)
        .where(ApiKey.prefix == key[:PREFIX_LENGTH])
    ).all()
    found: tuple[int, int] | None = None
    for organisation_id, key_id, key_hash, revoked_at in rows:
        # Compare every candidate in constant time, so timing reveals nothing about which hash was close.
        if hmac.compare_digest(key_hash, presented) and revoked_at is None:
            found = (organisation_id, key_id)
    return found


def organisation_for_key(session: Session, key: str) -> int | None:
    """The organisation a live key belongs to, or None."""
    found = key_for(session, key)
    return found[0] if found else None


def revoke_api_key(session: Session, organisation_id: int, key_or_prefix: str) -> bool:
    """Revoke the organisation's key named by its prefix (or the whole key); True if a live key was revoked.

    Revoked keys stay in the table, so a leaked key that is presented later is still recognised as revoked.
    """
    result = session.execute(
        update(ApiKey)
        .where(
            ApiKey.organisation_id == organisation_id,
            ApiKey.prefix == key_or_prefix[:PREFIX_LENGTH],
            ApiKey.revoked_at.is_(None),
        )
        .values(revoked_at=utcnow())
    )
    return bool(rowcount(result))
