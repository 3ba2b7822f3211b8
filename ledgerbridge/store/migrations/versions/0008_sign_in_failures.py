"""refused sign-ins, counted for the sign-in throttle (issue 12)

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-07 12:00:00.000000

One row per refused sign-in under the account and under the client address (both hashed), read by
``web/throttle.py`` to refuse further attempts for a growing delay after too many in a window. A new table:
nothing existing changes, and downgrade drops it (its rows only ever describe the last hour).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import ledgerbridge.store.db

revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'sign_in_failures',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('scope', sa.String(length=10), nullable=False),
        sa.Column('key_hash', sa.String(length=64), nullable=False),
        sa.Column('at', ledgerbridge.store.db.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('id'),
    )
    with op.batch_alter_table('sign_in_failures', schema=None) as batch_op:
        batch_op.create_index('ix_sign_in_failures_key_at', ['key_hash', 'at'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('sign_in_failures', schema=None) as batch_op:
        batch_op.drop_index('ix_sign_in_failures_key_at')
    op.drop_table('sign_in_failures')
