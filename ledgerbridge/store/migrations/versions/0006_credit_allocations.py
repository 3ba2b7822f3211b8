"""credit-note allocations: credit applied to invoices on either side (issue 5: R-X1)

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-22 00:30:00.000000

Payments' allocations already have their table; a credit note allocated to an invoice moves no money, so it
gets its own (``credit_allocations``), with the side that made it and the package's allocation id.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import ledgerbridge.store.db

revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'credit_allocations',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('organisation_id', sa.Integer(), nullable=False),
        sa.Column('credit_document_id', sa.Integer(), nullable=False),
        sa.Column('invoice_document_id', sa.Integer(), nullable=False),
        sa.Column('amount', ledgerbridge.store.db.Money4(length=32), nullable=False),
        sa.Column('allocated_on', sa.Date(), nullable=True),
        sa.Column('origin', sa.String(length=10), nullable=False),
        sa.Column('connection_id', sa.Integer(), nullable=True),
        sa.Column('external_id', sa.String(length=100), nullable=True),
        sa.Column('created_at', ledgerbridge.store.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['connection_id'], ['connections.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['credit_document_id'], ['documents.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['invoice_document_id'], ['documents.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], ),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('connection_id', 'external_id'),
    )
    with op.batch_alter_table('credit_allocations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_credit_allocations_credit_document_id'), ['credit_document_id'],
                              unique=False)
        batch_op.create_index(batch_op.f('ix_credit_allocations_invoice_document_id'), ['invoice_document_id'],
                              unique=False)
        batch_op.create_index(batch_op.f('ix_credit_allocations_organisation_id'), ['organisation_id'],
                              unique=False)


def downgrade() -> None:
    with op.batch_alter_table('credit_allocations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_credit_allocations_organisation_id'))
        batch_op.drop_index(batch_op.f('ix_credit_allocations_invoice_document_id'))
        batch_op.drop_index(batch_op.f('ix_credit_allocations_credit_document_id'))
    op.drop_table('credit_allocations')
