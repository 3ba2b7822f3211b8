"""The demo's purchase approvals (R-P1): its bookkeepers accept the month's bills before they go out.

The approval workflow is on by default (migration 0007), so the demo approves its purchase invoices
the way an organisation does: a Procurement user approves, an Accounting user (a second person)
approves, and the Accounting user presses "Send to External System" (``approvals``). The two users
are made here without a password: they are the demo's cast, not people who sign in (``demo --serve``
makes its own administrator for that), and an unusable hash costs no argon2 round at every run.
The conformance suite's worlds are the demo's data connected to a package, so they approve the same way.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from ledgerbridge.store.models.sync import Connection
from ledgerbridge.store.models.users import Role, User
from ledgerbridge.sync.approvals import approve_and_send_all

#: Not an argon2 hash: ``web.auth.authenticate`` refuses every password against it.
NO_SIGN_IN = "!no-sign-in"
CAST = ((Role.PROCUREMENT, "Pat Procurement", "procurement"), (Role.ACCOUNTS, "Alex Accounts", "accounts"))


def demo_approvers(session: Session, organisation_id: int) -> tuple[User, User]:
    """The organisation's demo Procurement and Accounting users, made on first use."""
    users = []
    for role, name, local in CAST:
        email = f"{local}.{organisation_id}@demo.ledgerbridge.local"  # emails are unique across organisations
        user = session.scalar(select(User).where(User.email == email))
        if user is None:
            user = User(organisation_id=organisation_id, email=email, name=name, password_hash=NO_SIGN_IN,
                        role=role.value)
            session.add(user)
            session.flush()
        users.append(user)
    return users[0], users[1]


def approve_demo_purchases(session: Session, organisation_id: int,
                           connection: Connection | None = None) -> dict[str, object]:
    """Approve and send every posted purchase invoice awaiting it; what the demo's JSON reports."""
    procurement, accounting = demo_approvers(session, organisation_id)
    counts = approve_and_send_all(session, organisation_id, procurement, accounting, connection)
    return {**counts, "by": {"procurement": procurement.email, "accounting": accounting.email}}
