"""the mailbox of a package that polls us (issue 13)

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-07 14:00:00.000000

``mailbox_messages``: each call a connector of a polled package (one that comes and asks for work, as the
QuickBooks Web Connector does) wants to make, recorded before it is handed out, with its answer. A new table:
nothing existing changes, and downgrade drops it.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import ledgerbridge.store.db

revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'mailbox_messages',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('connection_id', sa.Integer(), nullable=False),
        sa.Column('state', sa.String(length=12), nullable=False),
        sa.Column('writes', sa.Boolean(), nullable=False),
        sa.Column('on_error', sa.String(length=20), nullable=False),
        sa.Column('purpose', sa.String(length=200), nullable=False),
        sa.Column('requests', sa.Text(), nullable=False),
        sa.Column('request_ids', sa.Text(), nullable=False),
        sa.Column('request_bytes', sa.Integer(), nullable=False),
        sa.Column('session_id', sa.Integer(), nullable=True),
        sa.Column('message_set_id', sa.String(length=23), nullable=True),
        sa.Column('answer', sa.Text(), nullable=True),
        sa.Column('error', sa.String(length=2000), nullable=True),
        sa.Column('created_at', ledgerbridge.store.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column('handed_out_at', ledgerbridge.store.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column('settled_at', ledgerbridge.store.db.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(['connection_id'], ['connections.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
    )
    with op.batch_alter_table('mailbox_messages', schema=None) as batch_op:
        batch_op.create_index('ix_mailbox_messages_connection_state', ['connection_id', 'state', 'id'], unique=False)
        batch_op.create_index('ix_mailbox_messages_message_set_id', ['message_set_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('mailbox_messages', schema=None) as batch_op:
        batch_op.drop_index('ix_mailbox_messages_message_set_id')
        batch_op.drop_index('ix_mailbox_messages_connection_state')
    op.drop_table('mailbox_messages')
