"""A party's or an item's name longer than the package takes is refused at pre-check, naming the record, the field,
its length and the package's limit; nothing of those documents is sent, and a name that fits goes out whole (the
mappers cut nothing). Each package's limits are its spec's ``text_limits``."""

from __future__ import annotations

from sqlalchemy import select

from ledgerbridge.packages.registry import spec_for
from ledgerbridge.store.db import session_scope
from ledgerbridge.store.models.host import Document, DocumentLine, Item, Party
from ledgerbridge.sync.exporter import Exporter

from .harness import EXPORTED_TYPES, PackageHarness, PackageWorld
from .records import UNMAPPED, change_settings

#: The longest name the host can send (intake's cap, the column's size): a package's limit at or past it cannot be
#: passed, only met.
HOST_NAME_CAP = 255


def _documents_naming(world: PackageWorld, *, party_id: int | None = None, item_code: str | None = None) -> set[str]:
    with session_scope(world.sessions) as session:
        query = select(Document.number).where(Document.type.in_(EXPORTED_TYPES), Document.number != UNMAPPED)
        if party_id is not None:
            query = query.where(Document.party_id == party_id)
        if item_code is not None:
            query = query.join(DocumentLine).where(DocumentLine.item_code == item_code)
        return set(session.scalars(query))


def test_names_longer_than_the_package_takes_are_refused_at_precheck_and_the_rest_go_whole(
        world: PackageWorld, package: PackageHarness) -> None:
    limits = spec_for(package.kind).text_limits
    change_settings(world, item_sync=True, push_lines_as_items=True)  # items go out, so their names count
    with session_scope(world.sessions) as session:
        item = session.scalars(select(Item).join(DocumentLine, DocumentLine.item_code == Item.code)
                               .order_by(Item.code)).first()
        assert item is not None
        item.name = "I" * (limits.item_name + 1)
        item_code = item.code
        parties = list(session.scalars(select(Party).where(Party.is_customer).order_by(Party.code)))
        long_party, whole_party = parties[0], parties[1]
        too_long = limits.party_name < HOST_NAME_CAP
        long_party.name = "L" * (limits.party_name + 1 if too_long else limits.party_name)
        whole_party.name = "W" * min(limits.party_name, HOST_NAME_CAP)
        long_id, long_code, whole_id = long_party.id, long_party.code, whole_party.id
    refused = _documents_naming(world, item_code=item_code) | \
        (_documents_naming(world, party_id=long_id) if too_long else set())
    assert refused and _documents_naming(world, party_id=whole_id) - refused

    report = Exporter(world.sessions, world.conn_id, world.connector()).precheck()

    problems = {p["document"]: p["message"] for p in report.problems}
    assert set(problems) == refused | {UNMAPPED}
    package_name = world.connector().display_name
    item_said = (f"the name of item {item_code} is {limits.item_name + 1:,} characters long; {package_name} allows "
                 f"at most {limits.item_name:,}")
    assert all(item_said in problems[n] for n in _documents_naming(world, item_code=item_code)), problems
    if too_long:
        party_said = (f"the name of customer {long_code} is {limits.party_name + 1:,} characters long; "
                      f"{package_name} allows at most {limits.party_name:,}")
        assert all(party_said in problems[n] for n in _documents_naming(world, party_id=long_id)), problems

    Exporter(world.sessions, world.conn_id, world.connector()).upload()

    sent = set(world.remote_numbers())
    assert not sent & refused and (_documents_naming(world, party_id=whole_id) - refused) <= sent
    remote = world.remote_parties()
    assert "W" * min(limits.party_name, HOST_NAME_CAP) in remote  # whole, not cut
    assert not too_long or not [n for n in remote if n.startswith("L" * limits.party_name)], remote  # nor sent ahead
