"""Connection health for a polled connection: when the Web Connector last polled, and what to do when it has not.

QuickBooks Desktop is reachable only while the user's PC is on, QuickBooks can be opened and the Web Connector's
Auto-Run is ticked; the user learns that something is wrong only from us. So the health says when the Web
Connector last signed in, warns when none came for longer than its schedule (plus a minute's grace: its timer is not
exact), when its password was refused since, and what the last session ended with. Read by connection health
(``connectors/health``, through the package's spec); the screens are wired there, not here.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ledgerbridge.packages.qbd.webconnector.credentials import credentials_for
from ledgerbridge.store.db import utcnow
from ledgerbridge.store.models.polled import PolledSession

__all__ = ["GRACE", "PollHealth", "poll_health"]

#: The Web Connector's scheduler is not exact; a poll this much later than the schedule is not yet late.
GRACE = timedelta(minutes=1)


@dataclass(frozen=True, slots=True)
class PollHealth:
    set_up: bool  # credentials made and a password set
    run_every_minutes: int | None
    last_poll_at: datetime | None
    last_refused_at: datetime | None
    overdue: bool
    last_session_opened_at: datetime | None = None
    last_session_status: str | None = None
    last_session_round_trips: int | None = None
    last_error: str | None = None
    last_error_at: datetime | None = None
    product: str | None = None
    company_file: str | None = None
    warnings: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def _ago(delta: timedelta) -> str:
    minutes = int(delta.total_seconds() // 60)
    if minutes < 120:
        return f"{minutes} minute{'s' if minutes != 1 else ''}"
    hours = minutes // 60
    if hours < 48:
        return f"{hours} hours"
    return f"{hours // 24} days"


def poll_health(session: Session, connection_id: int, now: datetime | None = None) -> PollHealth:
    """The polling health of the connection (see the module docstring)."""
    now = now or utcnow()
    credential = credentials_for(session, connection_id)
    if credential is None or credential.password_hash is None:
        why = ("The Web Connector is not set up for this connection: set its password and add the .qwc file to the "
               "Web Connector on the PC with QuickBooks.")
        return PollHealth(set_up=False, run_every_minutes=credential.run_every_minutes if credential else None,
                          last_poll_at=credential.last_poll_at if credential else None, last_refused_at=None,
                          overdue=False, warnings=[why])
    warnings: list[str] = []
    every = credential.run_every_minutes
    last = credential.last_poll_at
    overdue = False
    if last is None:
        warnings.append("The Web Connector has not polled yet: add the .qwc file to it (Add an application), enter "
                        "the password and tick Auto-Run.")
    elif now - last > timedelta(minutes=every) + GRACE:
        overdue = True
        warnings.append(f"The Web Connector last polled {_ago(now - last)} ago, though it should every {every} "
                        "minutes: check that the PC with QuickBooks is on, the Web Connector is running and "
                        "Auto-Run is ticked.")
    refused = credential.last_refused_at
    if refused is not None and (last is None or refused > last):
        warnings.append("The Web Connector's password was refused at its last attempt: enter the current password "
                        "in the Web Connector (or set a new one here).")
    latest = session.scalar(select(PolledSession).where(PolledSession.connection_id == connection_id)
                            .order_by(PolledSession.id.desc()).limit(1))
    if latest is not None and latest.last_error:
        warnings.append(f"The last update stopped: {latest.last_error}")
    return PollHealth(
        set_up=True, run_every_minutes=every, last_poll_at=last, last_refused_at=refused, overdue=overdue,
        last_session_opened_at=latest.opened_at if latest else None,
        last_session_status=latest.status if latest else None,
        last_session_round_trips=latest.round_trips if latest else None,
        last_error=latest.last_error if latest else None, last_error_at=latest.last_error_at if latest else None,
        product=latest.product if latest else None, company_file=latest.company_file if latest else None,
        warnings=warnings,
    )
