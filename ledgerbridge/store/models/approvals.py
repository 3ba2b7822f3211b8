"""Purchase invoice approvals (R-P1) and the organisation's purchase rules (R-P2).

Seed 003: a vendor invoice goes to the package only once a Procurement user and an
Accounting user have both approved it and someone has pressed "Send to External
System". Each of those three acts is one row here, so who did what and when stays on
record; an approval is for the document version it saw, so an invoice changed after
approval waits for fresh approvals.
"""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Integer, String, UniqueConstraint, true
from sqlalchemy.orm import Mapped, mapped_column

from ledgerbridge.store.db import Base, utcnow


class ApprovalStep(enum.StrEnum):
    PROCUREMENT = "procurement"  # approval by a Procurement user
    ACCOUNTING = "accounting"  # approval by an Accounting user
    SEND = "send"  # "Send to External System": released to the export queue


class PurchaseApproval(Base):
    __tablename__ = "purchase_approvals"
    __table_args__ = (UniqueConstraint("document_id", "step"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id", ondelete="CASCADE"), index=True)
    step: Mapped[str] = mapped_column(String(20))
    by_user: Mapped[str] = mapped_column(String(255))  # the user's sign-in (email), as the audit trail names them
    document_version: Mapped[int] = mapped_column(Integer)  # the version approved; a later edit voids it
    at: Mapped[datetime] = mapped_column(default=utcnow)


class PurchaseRules(Base):
    """Per-organisation rules for sending purchase invoices (seed 003)."""

    __tablename__ = "purchase_rules"
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), primary_key=True)
    # R-P1: purchase invoices wait for both approvals and "Send to External System". On unless an administrator
    # turns it off (the spec: a purchase invoice goes out only once accepted); an organisation with no row here
    # has it on too (``approvals.rules_of``). The server default is what a row written by other means gets
    # (migration 0007); rows an administrator saved before 0007 keep what they chose.
    approval_required: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    # R-P2: refuse purchase invoices whose purchase order carries no additional charges.
    require_additional_charges: Mapped[bool] = mapped_column(Boolean, default=False)
    updated_by: Mapped[str | None] = mapped_column(String(255), default=None)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


__all__ = ["ApprovalStep", "PurchaseApproval", "PurchaseRules"]
