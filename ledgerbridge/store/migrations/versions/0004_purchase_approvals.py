"""purchase approvals, purchase rules, additional charges and audit links (issue 5: R-P1, R-P2, R-A1)

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-22 00:30:00.000000

Purchase invoices wait for two approvals and "Send to External System" (purchase_approvals);
an organisation may refuse invoices whose purchase order has no additional charges
(purchase_rules, document_lines.additional_charge, documents.purchase_order_id); audit rows
are linked to the records they concern (audit_events.batch_key, audit_links).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import ledgerbridge.store.db

revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'purchase_approvals',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('organisation_id', sa.Integer(), nullable=False),
        sa.Column('document_id', sa.Integer(), nullable=False),
        sa.Column('step', sa.String(length=20), nullable=False),
        sa.Column('by_user', sa.String(length=255), nullable=False),
        sa.Column('document_version', sa.Integer(), nullable=False),
        sa.Column('at', ledgerbridge.store.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['document_id'], ['documents.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id']),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('document_id', 'step'),
    )
    op.create_index('ix_purchase_approvals_organisation_id', 'purchase_approvals', ['organisation_id'])
    op.create_index('ix_purchase_approvals_document_id', 'purchase_approvals', ['document_id'])
    op.create_table(
        'purchase_rules',
        sa.Column('organisation_id', sa.Integer(), nullable=False),
        sa.Column('approval_required', sa.Boolean(), nullable=False),
        sa.Column('require_additional_charges', sa.Boolean(), nullable=False),
        sa.Column('updated_by', sa.String(length=255), nullable=True),
        sa.Column('updated_at', ledgerbridge.store.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id']),
        sa.PrimaryKeyConstraint('organisation_id'),
    )
    op.create_table(
        'audit_links',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('audit_event_id', sa.Integer(), nullable=False),
        sa.Column('record_type', sa.String(length=10), nullable=False),
        sa.Column('record_id', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['audit_event_id'], ['audit_events.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_audit_links_audit_event_id', 'audit_links', ['audit_event_id'])
    op.create_index('ix_audit_links_record', 'audit_links', ['record_type', 'record_id'])
    with op.batch_alter_table('audit_events') as batch_op:
        batch_op.add_column(sa.Column('batch_key', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('links_resolved', sa.Boolean(), server_default=sa.false(), nullable=False))
        batch_op.create_index('ix_audit_events_batch_key', ['batch_key'])
        batch_op.create_index('ix_audit_events_unlinked', ['connection_id', 'links_resolved'])
    # Rows from before this revision have no batch key to resolve (their history keeps the tag they carry).
    op.execute("UPDATE audit_events SET links_resolved = true")
    op.create_index('ix_sync_records_conn_batch', 'sync_records', ['connection_id', 'batch_key'])
    with op.batch_alter_table('document_lines') as batch_op:
        batch_op.add_column(sa.Column('additional_charge', sa.Boolean(), server_default=sa.false(), nullable=False))
    with op.batch_alter_table('documents') as batch_op:
        batch_op.add_column(sa.Column('purchase_order_id', sa.Integer(), nullable=True))
        batch_op.create_index('ix_documents_purchase_order_id', ['purchase_order_id'])
        batch_op.create_foreign_key('fk_documents_purchase_order_id', 'documents', ['purchase_order_id'], ['id'])


def downgrade() -> None:
    with op.batch_alter_table('documents') as batch_op:
        batch_op.drop_constraint('fk_documents_purchase_order_id', type_='foreignkey')
        batch_op.drop_index('ix_documents_purchase_order_id')
        batch_op.drop_column('purchase_order_id')
    with op.batch_alter_table('document_lines') as batch_op:
        batch_op.drop_column('additional_charge')
    op.drop_index('ix_sync_records_conn_batch', table_name='sync_records')
    with op.batch_alter_table('audit_events') as batch_op:
        batch_op.drop_index('ix_audit_events_unlinked')
        batch_op.drop_index('ix_audit_events_batch_key')
        batch_op.drop_column('links_resolved')
        batch_op.drop_column('batch_key')
    op.drop_index('ix_audit_links_record', table_name='audit_links')
    op.drop_index('ix_audit_links_audit_event_id', table_name='audit_links')
    op.drop_table('audit_links')
    op.drop_table('purchase_rules')
    op.drop_index('ix_purchase_approvals_document_id', table_name='purchase_approvals')
    op.drop_index('ix_purchase_approvals_organisation_id', table_name='purchase_approvals')
    op.drop_table('purchase_approvals')
