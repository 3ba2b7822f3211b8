"""indexes for the web grids at 100,000 records (issue 4): counts, orders and the "changed since" probe

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-21 23:45:00.000000
"""

from __future__ import annotations

from alembic import op

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None

INDEXES = (
    ('sync_records', 'ix_sync_records_conn_type_status', ['connection_id', 'record_type', 'status']),
    ('sync_records', 'ix_sync_records_conn_type_exported', ['connection_id', 'record_type', 'exported_at']),
    ('sync_records', 'ix_sync_records_conn_updated', ['connection_id', 'updated_at']),
    ('documents', 'ix_documents_org_issue_date', ['organisation_id', 'issue_date']),
    ('documents', 'ix_documents_org_number', ['organisation_id', 'number']),
    ('documents', 'ix_documents_org_updated', ['organisation_id', 'updated_at']),
    ('parties', 'ix_parties_org_updated', ['organisation_id', 'updated_at']),
    ('items', 'ix_items_org_updated', ['organisation_id', 'updated_at']),
)


def upgrade() -> None:
    for table, name, columns in INDEXES:
        op.create_index(name, table, columns, unique=False)


def downgrade() -> None:
    for table, name, _columns in reversed(INDEXES):
        op.drop_index(name, table_name=table)
