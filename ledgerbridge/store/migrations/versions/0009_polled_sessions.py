"""polled connections: the client's credentials and its sessions (issue 13)

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-07 13:30:00.000000

A package whose own client polls us (it signs in, asks for messages, brings their answers) needs, per connection,
the user name and the password's hash it signs in with, the GUIDs its configuration file carries and its schedule
(``polled_credentials``), and one row per session it opens (``polled_sessions``: the ticket's hash, the facts it
reports about the books, round trips, the last error). New tables only: nothing existing changes, and downgrade
drops them.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import ledgerbridge.store.db

revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'polled_credentials',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('connection_id', sa.Integer(), nullable=False),
        sa.Column('user_name', sa.String(length=100), nullable=False),
        sa.Column('password_hash', sa.String(length=255), nullable=True),
        sa.Column('password_set_at', ledgerbridge.store.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column('app_name', sa.String(length=100), nullable=False),
        sa.Column('owner_id', sa.String(length=38), nullable=False),
        sa.Column('file_id', sa.String(length=38), nullable=False),
        sa.Column('run_every_minutes', sa.Integer(), nullable=False),
        sa.Column('last_poll_at', ledgerbridge.store.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column('last_refused_at', ledgerbridge.store.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column('created_at', ledgerbridge.store.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['connection_id'], ['connections.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('connection_id'),
        sa.UniqueConstraint('user_name'),
    )
    op.create_table(
        'polled_sessions',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('connection_id', sa.Integer(), nullable=False),
        sa.Column('ticket_hash', sa.String(length=64), nullable=False),
        sa.Column('status', sa.String(length=10), nullable=False),
        sa.Column('opened_at', ledgerbridge.store.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column('last_call_at', ledgerbridge.store.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column('closed_at', ledgerbridge.store.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column('close_reason', sa.Text(), nullable=True),
        sa.Column('awaiting_answer', sa.Boolean(), nullable=False),
        sa.Column('finished', sa.Boolean(), nullable=False),
        sa.Column('product', sa.String(length=200), nullable=True),
        sa.Column('country', sa.String(length=10), nullable=True),
        sa.Column('company_file', sa.Text(), nullable=True),
        sa.Column('processor_version', sa.String(length=10), nullable=True),
        sa.Column('version_min', sa.String(length=10), nullable=True),
        sa.Column('version_max', sa.String(length=10), nullable=True),
        sa.Column('round_trips', sa.Integer(), nullable=False),
        sa.Column('waits', sa.Integer(), nullable=False),
        sa.Column('bytes_sent', sa.BigInteger(), nullable=False),
        sa.Column('bytes_received', sa.BigInteger(), nullable=False),
        sa.Column('percent_done', sa.Integer(), nullable=False),
        sa.Column('notice', sa.Text(), nullable=True),
        sa.Column('last_error', sa.Text(), nullable=True),
        sa.Column('last_error_at', ledgerbridge.store.db.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(['connection_id'], ['connections.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('ticket_hash'),
    )
    with op.batch_alter_table('polled_sessions', schema=None) as batch_op:
        batch_op.create_index('ix_polled_sessions_connection_status', ['connection_id', 'status'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('polled_sessions', schema=None) as batch_op:
        batch_op.drop_index('ix_polled_sessions_connection_status')
    op.drop_table('polled_sessions')
    op.drop_table('polled_credentials')
