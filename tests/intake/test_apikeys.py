"""API keys: only a hash is stored, and a revoked or foreign key opens nothing."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from ledgerbridge.security.apikeys import issue_api_key, organisation_for_key, revoke_api_key
from ledgerbridge.store.models.host import ApiKey
from ledgerbridge.store.organisations import create_organisation


def test_the_key_is_hashed_at_rest(engine: Engine, session: Session) -> None:
    organisation = create_organisation(session, "Acme Ltd")
    key = issue_api_key(session, organisation.id, "ERP")
    session.commit()

    assert key.startswith("lb_") and len(key) == 3 + 43
    stored = session.execute(select(ApiKey.__table__)).one()._mapping
    assert all(key not in str(value) for value in stored.values())
    assert stored["prefix"] == key[:12] and len(stored["key_hash"]) == 64
    if engine.dialect.name == "sqlite":
        engine.dispose()  # checkpoint the WAL so the file holds everything written
        database = Path(str(engine.url.database))
        files = [database, database.with_name(database.name + "-wal")]
        assert all(key.encode() not in f.read_bytes() for f in files if f.exists())


def test_keys_resolve_to_their_own_organisation_until_revoked(session: Session) -> None:
    a = create_organisation(session, "A").id
    b = create_organisation(session, "B").id
    key_a, key_b = issue_api_key(session, a, "ERP"), issue_api_key(session, b, "ERP")

    assert (organisation_for_key(session, key_a), organisation_for_key(session, key_b)) == (a, b)
    assert organisation_for_key(session, key_a[:-1] + ("A" if key_a[-1] != "A" else "B")) is None
    assert organisation_for_key(session, "not-a-key") is None

    assert not revoke_api_key(session, b, key_a)  # B cannot revoke A's key
    assert revoke_api_key(session, a, key_a)
    assert organisation_for_key(session, key_a) is None
    assert organisation_for_key(session, key_b) == b
