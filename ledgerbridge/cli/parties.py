"""``ledgerbridge import-parties``: the import of customers and suppliers from the package (R-I4), as the screens
and the API run it: a preview job (the package read, with progress), the ambiguous ones settled, then a commit
job. Without ``--yes`` nothing is written: the preview is printed and kept, and ``--from-preview`` commits it
later without reading the package again.
"""

from __future__ import annotations

from typing import Annotated, Any

import typer
from rich.table import Table

from ledgerbridge.cli.context import STATE, console, fail, print_json
from ledgerbridge.cli.sync import ConnOpt, JsonOpt, OrgOpt, _connection_id, _run_with_progress
from ledgerbridge.store.db import session_scope
from ledgerbridge.store.models.sync import Job

_SHOWN = 20  # entries of each outcome printed (the JSON has them all)


def _run(conn_id: int, kind: str, params: dict[str, Any], title: str, as_json: bool) -> tuple[int, dict[str, Any]]:
    from ledgerbridge.queue.jobs import enqueue_job, run_in_foreground

    with session_scope(STATE.sessions) as session:
        job_id = enqueue_job(session, conn_id, kind, params, requested_by="cli").id
    return job_id, _run_with_progress(title, lambda show: run_in_foreground(STATE.sessions, job_id, echo=show),
                                      as_json)


def _parse_settlements(given: list[str]) -> dict[str, str | int]:
    out: dict[str, str | int] = {}
    for text in given:
        key, sep, value = text.rpartition("=")
        if not sep or not key or not value:
            fail(f"--settle {text!r}: write KEY=PARTY_ID, KEY=new or KEY=skip (KEY as the preview lists it)")
        out[key] = int(value) if value.isdigit() else value
    return out


def _print_preview(job_id: int, preview: dict[str, Any]) -> None:
    counts = preview["counts"]
    console.print(f"Preview (job {job_id}): {counts['read']} read {counts['roles']}; {counts['already_bound']} "
                  f"bound already, {counts['matched_by_code']} match by code, {counts['matched_by_name']} by name, "
                  f"{counts['new']} new, {counts['ambiguous']} to settle, {counts['inactive']} inactive.")
    entries = preview["entries"]
    for outcome, title in (("ambiguous", "To settle"), ("matched", "Matches"), ("new", "New here")):
        rows = [e for e in entries if e["outcome"] == outcome]
        if not rows:
            continue
        table = Table("Key", "Role", "Code", "Name", "Here" if outcome != "new" else "Email",
                      title=f"{title} ({len(rows)})")
        for e in rows[:_SHOWN]:
            here = (e.get("reason") or "") + "".join(f"\n  {c['id']}: {c['name']} ({c['code']})"
                                                     for c in e.get("candidates", [])) if outcome == "ambiguous" \
                else e.get("party") or e.get("email") or ""
            table.add_row(e["key"], e["role"], e.get("code") or "", e["name"], here)
        console.print(table)


def import_parties(yes: Annotated[bool, typer.Option("--yes", help="Commit: bind the matches, create the new")]
                   = False,
                   settle: Annotated[list[str] | None, typer.Option(
                       "--settle", help="KEY=PARTY_ID, KEY=new or KEY=skip for an entry of the preview (repeat)")]
                   = None,
                   from_preview: Annotated[int | None, typer.Option(
                       "--from-preview", help="Use this earlier preview job instead of reading the package")] = None,
                   org: OrgOpt = None, connection: ConnOpt = None, as_json: JsonOpt = False) -> None:
    """Import customers and suppliers from the package: matched by code, then by name; preview first (R-I4)."""
    from ledgerbridge.queue import party_jobs

    conn_id = _connection_id(org, connection)
    if from_preview is None:
        preview_id, preview = _run(conn_id, party_jobs.PREVIEW, {}, "Reading customers and suppliers", as_json)
    else:
        with session_scope(STATE.sessions) as session:
            try:
                preview_id = party_jobs.preview_job(session, conn_id, from_preview).id
            except party_jobs.PreviewNotReady as exc:
                fail(str(exc))
            preview = dict(session.get_one(Job, preview_id).result or {})
    if not preview.get("offered"):
        fail("this package's connector cannot list its customers and suppliers")
    if settle:
        with session_scope(STATE.sessions) as session:
            try:
                party_jobs.settle(session, conn_id, preview_id, _parse_settlements(settle))
            except party_jobs.PreviewNotReady as exc:
                fail(str(exc))
    if not yes:
        if as_json:
            return print_json({"preview_job_id": preview_id, **preview})
        _print_preview(preview_id, preview)
        console.print(f"Nothing written. To commit: ledgerbridge import-parties --from-preview {preview_id} --yes "
                      "(ambiguous ones are skipped unless --settle answers them).")
        return None
    commit_id, summary = _run(conn_id, party_jobs.COMMIT, {"preview_job_id": preview_id}, "Importing", as_json)
    if as_json:
        return print_json({"preview_job_id": preview_id, "commit_job_id": commit_id, **summary})
    console.print(f"Imported (job {commit_id}): {summary['matched_by_code']} bound by code, "
                  f"{summary['matched_by_name']} by name, {summary['settled']} settled, {summary['created']} "
                  f"created, {summary['already_bound']} bound already, {summary['skipped']} skipped, "
                  f"{summary['left_count']} left to settle.")
    for left in summary["left"][:_SHOWN]:
        console.print(f"  [yellow]![/] {left['name']} ({left['code'] or '-'}): {left['reason']}")
    return None


def register(app: typer.Typer) -> None:
    app.command("import-parties")(import_parties)
