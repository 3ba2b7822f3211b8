"""The import of parties as background work (R-I4, issue 15): a ``party_preview`` job reads the package and keeps
the plan as its result; the user's settlements of the ambiguous entries are kept beside it; a ``party_commit`` job
writes it. Both are jobs of the queue (``queue.jobs``), so no web request waits on the package, and the screens,
the command line and the API read the same progress and results.

Lanes: the preview only reads the package (lane ``parties``: it may run beside an upload); the commit binds and
creates parties' sync records, which an upload binds too, so it waits for the connection's export lane.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from ledgerbridge.connectors.protocol import Connector
from ledgerbridge.store.db import session_scope
from ledgerbridge.store.models.host import Party
from ledgerbridge.store.models.sync import Connection, Job
from ledgerbridge.sync.exporter import Progress
from ledgerbridge.sync.party_import import Settlement, commit_import, preview_import

__all__ = ["COMMIT", "PREVIEW", "PreviewNotReady", "latest_preview", "preview_job", "run_commit", "run_preview",
           "settle"]

PREVIEW, COMMIT = "party_preview", "party_commit"


class PreviewNotReady(ValueError):
    """The preview named is not this connection's, not finished, or has no such entry: said in words."""


def _progress(writer: Callable[..., None]) -> Callable[[int, str], None]:
    return lambda done, step: writer(Progress(total=0, done=done, step=step), force=True)


def run_preview(sessions: sessionmaker[Session], connection_id: int, connector: Connector,
                writer: Callable[..., None]) -> dict[str, Any]:
    writer(Progress(step="reading customers and suppliers"), force=True)
    result = preview_import(sessions, connection_id, connector, _progress(writer))
    counts = result.get("counts", {})
    writer(Progress(total=counts.get("read", 0), done=counts.get("read", 0), step="preview ready"), force=True)
    return {**result, "settlements": {}}


def preview_job(session: Session, connection_id: int, job_id: int) -> Job:
    job = session.get(Job, job_id)
    if job is None or job.kind != PREVIEW or job.connection_id != connection_id:
        raise PreviewNotReady(f"job {job_id} is not a preview of an import of parties on connection {connection_id}")
    if job.status != "done":
        raise PreviewNotReady(f"the preview (job {job_id}) is {job.status}: settle and commit once it is done")
    return job


def latest_preview(session: Session, connection_id: int) -> Job | None:
    return session.scalars(select(Job).where(Job.connection_id == connection_id, Job.kind == PREVIEW)
                           .order_by(Job.id.desc()).limit(1)).first()


def settle(session: Session, connection_id: int, job_id: int, choices: Mapping[str, Settlement]) -> dict[str, Any]:
    """Keep the user's answers for entries of the preview: a host party's id, ``new`` or ``skip``. Every answer is
    checked before any is kept (an unknown entry or party names itself); the commit checks the party's record
    again."""
    job = preview_job(session, connection_id, job_id)
    result = dict(job.result or {})
    if result.get("committed"):
        raise PreviewNotReady(f"the preview (job {job_id}) is committed already; start a new import")
    entries = {e["key"]: e for e in result.get("entries", [])}
    org_id = session.get_one(Connection, connection_id).organisation_id
    wanted = {int(v) for v in choices.values() if not isinstance(v, str) or v.isdigit()}
    parties = set(session.scalars(select(Party.id).where(Party.organisation_id == org_id, Party.id.in_(wanted))))
    problems = []
    kept: dict[str, Settlement] = {}
    for key, value in choices.items():
        if key not in entries:
            problems.append(f"{key}: no such entry in the preview")
        elif isinstance(value, str) and value in ("new", "skip"):
            kept[key] = value
        elif (isinstance(value, int) or (isinstance(value, str) and value.isdigit())) and int(value) in parties:
            kept[key] = int(value)
        else:
            problems.append(f"{key} ({entries[key]['name']}): {value!r} is neither a party of this organisation, "
                            "'new' nor 'skip'")
    if problems:
        raise PreviewNotReady("; ".join(problems))
    result["settlements"] = {**result.get("settlements", {}), **kept}
    job.result = result
    unsettled = [k for k, e in entries.items() if e["outcome"] == "ambiguous" and k not in result["settlements"]]
    return {"settled": len(result["settlements"]), "unsettled": len(unsettled)}


def run_commit(sessions: sessionmaker[Session], connection_id: int, params: Mapping[str, Any], actor: str,
               writer: Callable[..., None]) -> dict[str, Any]:
    preview_id = int(params["preview_job_id"])
    with session_scope(sessions) as session:
        result = dict(preview_job(session, connection_id, preview_id).result or {})
    writer(Progress(step="binding and creating parties"), force=True)
    summary = commit_import(sessions, connection_id, result, result.get("settlements") or {}, actor,
                            _progress(writer))
    with session_scope(sessions) as session:
        job = session.get_one(Job, preview_id)
        job.result = {**(job.result or {}), "committed": True}
    return summary
