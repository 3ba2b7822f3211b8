"""call windows an app shares across every tenant (issue 14: MYOB's limits per API key)

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-07 17:00:00.000000

``app_call_windows``: the counts of a limit that a package applies per app (API key) rather than per company,
shared by every worker through the database. A new table: nothing existing changes, and downgrade drops it.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import ledgerbridge.store.db

revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'app_call_windows',
        sa.Column('scope', sa.String(length=80), nullable=False),
        sa.Column('recent_starts', sa.String(length=2000), nullable=False),
        sa.Column('minute_started', sa.Float(), nullable=False),
        sa.Column('minute_used', sa.Integer(), nullable=False),
        sa.Column('day_started', sa.Float(), nullable=False),
        sa.Column('day_used', sa.Integer(), nullable=False),
        sa.Column('blocked_until', sa.Float(), nullable=False),
        sa.Column('updated_at', ledgerbridge.store.db.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('scope'),
    )


def downgrade() -> None:
    op.drop_table('app_call_windows')
