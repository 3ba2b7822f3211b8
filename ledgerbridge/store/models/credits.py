"""Credit applied to an invoice without money moving: a credit note allocated to the invoice it credits (R-X1).

A payment's allocations live in ``allocations`` (money that settled a document); a
credit note's do not fit there (no payment), so they are their own table. ``origin``
says which side made it: ``host`` (sent to the package with allocation sync on) or
``package`` (read back from the package and recorded here, one row per package
allocation, keyed by its id on that connection).
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import Date, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ledgerbridge.store.db import Base, utcnow


class CreditAllocation(Base):
    __tablename__ = "credit_allocations"
    __table_args__ = (UniqueConstraint("connection_id", "external_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    credit_document_id: Mapped[int] = mapped_column(ForeignKey("documents.id", ondelete="CASCADE"), index=True)
    invoice_document_id: Mapped[int] = mapped_column(ForeignKey("documents.id", ondelete="CASCADE"), index=True)
    amount: Mapped[Decimal] = mapped_column()
    allocated_on: Mapped[date | None] = mapped_column(Date, default=None)
    origin: Mapped[str] = mapped_column(String(10), default="host")  # host | package
    connection_id: Mapped[int | None] = mapped_column(ForeignKey("connections.id", ondelete="CASCADE"), default=None)
    external_id: Mapped[str | None] = mapped_column(String(100), default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
