"""settings that take effect (issue 15 item 3) and the API key's rights (item 4)

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-07 23:00:00.000000

- ``document_lines.nominal_code`` may be empty: a line without a nominal of its own goes to the account the
  connection's settings name for its ``kind`` (labour, materials, expense) and document type (R-C4).
- ``payment_methods.card``: a card method's payments go to the credit card clearing account (R-C4).
- ``api_key_grants``: which user an API key may act as, and for what (approvals, administration: R-S1).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import ledgerbridge.store.db

revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('document_lines') as batch:
        batch.alter_column('nominal_code', existing_type=sa.String(length=20), nullable=True)
        batch.add_column(sa.Column('kind', sa.String(length=20), nullable=True))
    with op.batch_alter_table('payment_methods') as batch:
        batch.add_column(sa.Column('card', sa.Boolean(), server_default=sa.false(), nullable=False))
    op.create_table(
        'api_key_grants',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('api_key_id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('purpose', sa.String(length=20), nullable=False),
        sa.Column('granted_at', ledgerbridge.store.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['api_key_id'], ['api_keys.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('api_key_id', 'user_id', 'purpose'),
    )


def downgrade() -> None:
    op.drop_table('api_key_grants')
    with op.batch_alter_table('payment_methods') as batch:
        batch.drop_column('card')
    with op.batch_alter_table('document_lines') as batch:
        batch.drop_column('kind')
        batch.alter_column('nominal_code', existing_type=sa.String(length=20), nullable=False)
