"""The host's records: organisations, parties, items, codes, documents and payments.

These tables describe the business as the host system sees it. Sync state lives
elsewhere (``models_sync``): nothing here knows which package a record went to.
"""

from __future__ import annotations

import enum
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, Boolean, Date, ForeignKey, Index, Integer, String, Text, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ledgerbridge.store.db import Base, Rate10, utcnow


class DocumentType(enum.StrEnum):
    QUOTATION = "quotation"
    PROFORMA = "proforma"
    SALES_ORDER = "sales_order"
    SALES_INVOICE = "sales_invoice"
    SALES_CREDIT_NOTE = "sales_credit_note"
    PURCHASE_ORDER = "purchase_order"
    PURCHASE_INVOICE = "purchase_invoice"
    PURCHASE_CREDIT_NOTE = "purchase_credit_note"


SALES_TYPES = {DocumentType.QUOTATION, DocumentType.PROFORMA, DocumentType.SALES_ORDER,
               DocumentType.SALES_INVOICE, DocumentType.SALES_CREDIT_NOTE}
# R-E1: only these document types ever go to a package.
EXPORTABLE_TYPES = {DocumentType.SALES_INVOICE, DocumentType.SALES_CREDIT_NOTE,
                    DocumentType.PURCHASE_INVOICE, DocumentType.PURCHASE_CREDIT_NOTE}


class DocumentStatus(enum.StrEnum):
    DRAFT = "draft"
    ISSUED = "issued"  # sales documents
    POSTED = "posted"  # purchase documents
    VOID = "void"


class NominalType(enum.StrEnum):
    SALES = "sales"
    OTHER_INCOME = "other_income"
    PURCHASES = "purchases"
    EXPENSE = "expense"
    BANK = "bank"
    STOCK = "stock"
    COST_OF_SALE = "cost_of_sale"
    ASSET = "asset"
    LIABILITY = "liability"
    EQUITY = "equity"


class PaymentKind(enum.StrEnum):
    PREPAYMENT = "prepayment"  # against a sales order (R-E6)
    INVOICE_PAYMENT = "invoice_payment"
    ON_ACCOUNT = "on_account"


class PaymentOrigin(enum.StrEnum):
    HOST = "host"
    PACKAGE = "package"


class Organisation(Base):
    __tablename__ = "organisations"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    base_currency: Mapped[str] = mapped_column(String(3), default="GBP")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class ApiKey(Base):
    """A host system's key. Only a SHA-256 of the key is stored: keys are 256-bit random, so a slow hash adds
    nothing."""

    __tablename__ = "api_keys"
    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    prefix: Mapped[str] = mapped_column(String(16), index=True)
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(default=None)


class Party(Base):
    __tablename__ = "parties"
    __table_args__ = (UniqueConstraint("organisation_id", "host_id"),
                      Index("ix_parties_org_updated", "organisation_id", "updated_at"))
    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"))
    host_id: Mapped[str] = mapped_column(String(100))
    is_customer: Mapped[bool] = mapped_column(Boolean, default=True)
    is_supplier: Mapped[bool] = mapped_column(Boolean, default=False)
    code: Mapped[str] = mapped_column(String(50))
    name: Mapped[str] = mapped_column(String(255))
    email: Mapped[str | None] = mapped_column(String(255), default=None)
    tax_number: Mapped[str | None] = mapped_column(String(50), default=None)
    currency: Mapped[str | None] = mapped_column(String(3), default=None)
    payment_terms_days: Mapped[int | None] = mapped_column(Integer, default=None)
    addresses: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    account_customer: Mapped[bool] = mapped_column(Boolean, default=True)  # R-PAY1: trades on account
    version: Mapped[int] = mapped_column(Integer, default=1)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class Item(Base):
    __tablename__ = "items"
    __table_args__ = (UniqueConstraint("organisation_id", "host_id"), UniqueConstraint("organisation_id", "code"),
                      Index("ix_items_org_updated", "organisation_id", "updated_at"))
    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"))
    host_id: Mapped[str] = mapped_column(String(100))
    code: Mapped[str] = mapped_column(String(30))
    name: Mapped[str] = mapped_column(String(255))
    description: Mapped[str | None] = mapped_column(Text, default=None)
    sales_nominal: Mapped[str | None] = mapped_column(String(20), default=None)
    purchase_nominal: Mapped[str | None] = mapped_column(String(20), default=None)
    tax_code: Mapped[str | None] = mapped_column(String(20), default=None)
    unit_price: Mapped[Decimal | None] = mapped_column(default=None)
    version: Mapped[int] = mapped_column(Integer, default=1)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class NominalCode(Base):
    __tablename__ = "nominal_codes"
    __table_args__ = (UniqueConstraint("organisation_id", "code"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"))
    code: Mapped[str] = mapped_column(String(20))
    name: Mapped[str] = mapped_column(String(200))
    type: Mapped[str] = mapped_column(String(20))


class TaxCode(Base):
    __tablename__ = "tax_codes"
    __table_args__ = (UniqueConstraint("organisation_id", "code"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"))
    code: Mapped[str] = mapped_column(String(20))
    name: Mapped[str] = mapped_column(String(200))
    rate: Mapped[Decimal] = mapped_column()


class PaymentMethod(Base):
    __tablename__ = "payment_methods"
    __table_args__ = (UniqueConstraint("organisation_id", "code"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"))
    code: Mapped[str] = mapped_column(String(20))
    name: Mapped[str] = mapped_column(String(200))
    bank_nominal: Mapped[str | None] = mapped_column(String(20), default=None)
    # A card method: its payments land in the credit card clearing account when the settings name one (R-C4).
    card: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())


class Document(Base):
    __tablename__ = "documents"
    __table_args__ = (
        UniqueConstraint("organisation_id", "host_id"),
        Index("ix_documents_org_type_status", "organisation_id", "type", "status"),
        # The Documents grid's orders (date, number) and the screens' "changed since" probe.
        Index("ix_documents_org_issue_date", "organisation_id", "issue_date"),
        Index("ix_documents_org_number", "organisation_id", "number"),
        Index("ix_documents_org_updated", "organisation_id", "updated_at"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"))
    host_id: Mapped[str] = mapped_column(String(100))
    type: Mapped[str] = mapped_column(String(30))
    number: Mapped[str] = mapped_column(String(100))
    status: Mapped[str] = mapped_column(String(10), default=DocumentStatus.DRAFT.value)
    issue_date: Mapped[date] = mapped_column(Date)
    due_date: Mapped[date | None] = mapped_column(Date, default=None)
    party_id: Mapped[int] = mapped_column(ForeignKey("parties.id"), index=True)
    currency: Mapped[str] = mapped_column(String(3))
    exchange_rate: Mapped[Decimal | None] = mapped_column(Rate10(), default=None)
    amounts_tax_inclusive: Mapped[bool] = mapped_column(Boolean, default=False)
    order_number: Mapped[str | None] = mapped_column(String(100), default=None)
    customer_po: Mapped[str | None] = mapped_column(String(100), default=None)
    site_address: Mapped[str | None] = mapped_column(String(255), default=None)
    work_order: Mapped[str | None] = mapped_column(String(100), default=None)
    sales_order_id: Mapped[int | None] = mapped_column(ForeignKey("documents.id"), default=None, index=True)
    credits_document_id: Mapped[int | None] = mapped_column(ForeignKey("documents.id"), default=None, index=True)
    # A purchase invoice names the purchase order it bills (R-P2 looks at the order's additional charges).
    purchase_order_id: Mapped[int | None] = mapped_column(ForeignKey("documents.id"), default=None, index=True)
    net_total: Mapped[Decimal] = mapped_column()
    tax_total: Mapped[Decimal] = mapped_column()
    gross_total: Mapped[Decimal] = mapped_column()
    # Bumped on every change of content or status; the sync record remembers the version it exported.
    version: Mapped[int] = mapped_column(Integer, default=1)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    lines: Mapped[list[DocumentLine]] = relationship(
        back_populates="document", cascade="all, delete-orphan", order_by="DocumentLine.line_no"
    )


class DocumentLine(Base):
    __tablename__ = "document_lines"
    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id", ondelete="CASCADE"), index=True)
    line_no: Mapped[int] = mapped_column(Integer)
    item_code: Mapped[str | None] = mapped_column(String(30), default=None)
    description: Mapped[str] = mapped_column(Text)
    long_description: Mapped[str | None] = mapped_column(Text, default=None)
    quantity: Mapped[Decimal] = mapped_column()
    unit_price: Mapped[Decimal] = mapped_column()
    discount_percent: Mapped[Decimal] = mapped_column(default=Decimal(0))
    # None: the line has no nominal of its own and goes to the account the settings name for its kind (R-C4).
    nominal_code: Mapped[str | None] = mapped_column(String(20), default=None)
    kind: Mapped[str | None] = mapped_column(String(20), default=None)  # LineKind: labour, materials, expense
    tax_code: Mapped[str] = mapped_column(String(20))
    net: Mapped[Decimal] = mapped_column()
    tax: Mapped[Decimal] = mapped_column()
    # Freight, duty, handling on a purchase document (seed 003: R-P2 refuses orders without any).
    additional_charge: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    document: Mapped[Document] = relationship(back_populates="lines")


class Payment(Base):
    __tablename__ = "payments"
    __table_args__ = (UniqueConstraint("organisation_id", "host_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"))
    host_id: Mapped[str] = mapped_column(String(120))
    direction: Mapped[str] = mapped_column(String(3))  # "in" | "out"
    kind: Mapped[str] = mapped_column(String(20))
    origin: Mapped[str] = mapped_column(String(10), default=PaymentOrigin.HOST.value)
    party_id: Mapped[int] = mapped_column(ForeignKey("parties.id"), index=True)
    payment_date: Mapped[date] = mapped_column(Date)
    amount: Mapped[Decimal] = mapped_column()
    currency: Mapped[str] = mapped_column(String(3))
    method_code: Mapped[str | None] = mapped_column(String(20), default=None)
    bank_nominal: Mapped[str | None] = mapped_column(String(20), default=None)
    reference: Mapped[str | None] = mapped_column(String(255), default=None)
    sales_order_id: Mapped[int | None] = mapped_column(ForeignKey("documents.id"), default=None, index=True)
    made_while_integrated: Mapped[bool] = mapped_column(Boolean, default=False)
    reversed_at: Mapped[datetime | None] = mapped_column(default=None)
    reversed_reason: Mapped[str | None] = mapped_column(String(255), default=None)
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    allocations: Mapped[list[Allocation]] = relationship(back_populates="payment", cascade="all, delete-orphan")


class Allocation(Base):
    __tablename__ = "allocations"
    id: Mapped[int] = mapped_column(primary_key=True)
    payment_id: Mapped[int] = mapped_column(ForeignKey("payments.id", ondelete="CASCADE"), index=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id"), index=True)
    amount: Mapped[Decimal] = mapped_column()
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    payment: Mapped[Payment] = relationship(back_populates="allocations")
