"""``ledgerbridge numbering``: each document type's prefix and next number, devices' blocks and the gaps (R-N1);
setting them, a block reserved or a device's report from a script, and the package's numbers read."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import closing
from typing import Annotated, TypeVar

import typer
from rich.table import Table
from sqlalchemy.orm import Session

from ledgerbridge.cli.context import STATE, console, fail, organisation_id, print_json
from ledgerbridge.cli.sync import ConnOpt, JsonOpt, OrgOpt, _connection_id
from ledgerbridge.numbering.errors import NumberingRefused
from ledgerbridge.numbering.overview import TypeNumbering, numbering_overview
from ledgerbridge.numbering.sequences import NUMBERED_TYPES
from ledgerbridge.store.db import session_scope, write_locked_scope

numbering_app = typer.Typer(help="Document numbering: prefix and next number, devices' blocks, gaps.",
                            no_args_is_help=True)
TypeArg = Annotated[str, typer.Argument(help="Document type: " + ", ".join(NUMBERED_TYPES))]
DeviceOpt = Annotated[str, typer.Option("--device", help="The device's id")]
T = TypeVar("T")


def _locked(org: int | None, work: Callable[[Session, int], T]) -> T:
    """``work`` in a write-locked transaction; a refusal prints what and why (nothing written) and exits 2."""
    try:
        with write_locked_scope(STATE.sessions) as session:
            return work(session, organisation_id(session, org))
    except NumberingRefused as refused:
        fail(f"{refused}; nothing was written", code=2)


@numbering_app.command("show")
def show(org: OrgOpt = None, as_json: JsonOpt = False, used_only: Annotated[bool, typer.Option(
        "--used-only", help="Only the types numbered so far")] = False) -> None:
    """Every type's prefix and next number, each device's blocks and the gaps with their cause."""
    with session_scope(STATE.sessions) as session:
        types = numbering_overview(session, organisation_id(session, org), used_only=used_only)
    if as_json:
        print_json([t.as_dict() for t in types])
        return
    for t in types:
        _print(t)


def _print(t: TypeNumbering) -> None:
    s = t.setting
    console.print(f"[bold]{s.document_type}[/]: prefix {s.prefix!r}, next {s.next_text} "
                  f"({t.numbers_used} used, {len(t.blocks)} blocks, {len(t.gaps)} gaps)")
    if t.blocks:
        table = Table("Device", "Numbers", "Used", "Voided", "Free", "State")
        for b in t.blocks:
            table.add_row(b.device_id, f"{b.first} - {b.last}", str(b.used), str(b.voided), str(b.free), b.state)
        console.print(table)
    if t.gaps:
        table = Table("Numbers", "How many", "Cause", "Detail")
        for g in t.gaps:
            table.add_row(g.first if g.first == g.last else f"{g.first} - {g.last}", str(g.count), g.cause_text,
                          g.detail or "")
        console.print(table)


@numbering_app.command("set")
def set_command(document_type: TypeArg, org: OrgOpt = None, as_json: JsonOpt = False,
                prefix: Annotated[str | None, typer.Option(help="Written before every number")] = None,
                next_number: Annotated[int | None, typer.Option("--next", help="The next number to give")] = None,
                ) -> None:
    """Set a type's prefix and/or next number (once numbers were given, the next number only moves forward)."""
    from ledgerbridge.numbering.sequences import set_numbering

    def change(session: Session, org_id: int) -> TypeNumbering:
        set_numbering(session, org_id, document_type, prefix=prefix, next_number=next_number)
        return next(t for t in numbering_overview(session, org_id) if t.setting.document_type == document_type)
    result = _locked(org, change)
    if as_json:
        print_json(result.as_dict())
    else:
        _print(result)


@numbering_app.command("reserve")
def reserve(document_type: TypeArg, device: DeviceOpt, org: OrgOpt = None, as_json: JsonOpt = False,
            replaces: Annotated[str | None, typer.Option(help="A reinstalled device's old id")] = None) -> None:
    """A block of 25 numbers for a device (what a device asks the API for)."""
    from ledgerbridge.numbering.devices import reserve_for_device

    block = _locked(org, lambda session, org_id: reserve_for_device(
        session, org_id, document_type, device, replaces).as_dict())
    if as_json:
        print_json(block)
    else:
        numbers = block["numbers"]
        assert isinstance(numbers, list)
        console.print(f"{device}: {numbers[0]} to {numbers[-1]} ({len(numbers)} numbers)")


@numbering_app.command("report")
def report(document_type: TypeArg, device: DeviceOpt, org: OrgOpt = None, as_json: JsonOpt = False,
           used: Annotated[list[str] | None, typer.Option("--used", help="A number the device used")] = None,
           voided: Annotated[list[str] | None, typer.Option("--voided", help="A number it voided")] = None,
           give_back: Annotated[bool, typer.Option("--give-back", help="The rest of its blocks become gaps")] = False,
           ) -> None:
    """What a device did with its numbers (all or nothing)."""
    from ledgerbridge.numbering.devices import report_numbers

    result = _locked(org, lambda session, org_id: report_numbers(
        session, org_id, document_type, device, used=used or [], voided=voided or [], give_back_rest=give_back))
    if as_json:
        print_json(result.as_dict())
    else:
        console.print(", ".join(f"{k.replace('_', ' ')} {v}" for k, v in result.as_dict().items()))


@numbering_app.command("learn")
def learn(org: OrgOpt = None, connection: ConnOpt = None, as_json: JsonOpt = False,
          types: Annotated[list[str] | None, typer.Option("--type", help="Document types (default: invoices and "
                                                                          "credit notes)")] = None) -> None:
    """Read the numbers of every document of these types the package holds, so none is ever given here."""
    from ledgerbridge.connectors.connections import connector_for
    from ledgerbridge.numbering.held import learn_package_numbers

    conn_id = _connection_id(org, connection)
    wanted = types or ["sales_invoice", "sales_credit_note"]
    try:
        with closing(connector_for(STATE.sessions, conn_id)) as connector:
            learned = learn_package_numbers(STATE.sessions, conn_id, connector, wanted)
    except NumberingRefused as refused:
        fail(str(refused), code=2)
    if as_json:
        print_json({"learned": learned})
    else:
        for document_type, count in learned.items():
            console.print(f"{document_type}: {count} numbers newly known to be the package's")


def register(app: typer.Typer) -> None:
    app.add_typer(numbering_app, name="numbering")
