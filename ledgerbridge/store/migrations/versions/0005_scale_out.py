"""scale-out: workers, shared call budget, queue uniqueness (issue 6)

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-22 00:30:00.000000

* ``queued_records`` with the partial unique index ``uq_queued_records_waiting`` (a record waits in the queue
  at most once per job kind; see ledgerbridge/store/models/work.py for why it is partial);
* ``jobs.lane`` / ``jobs.priority`` and the partial unique index ``uq_jobs_running_lane`` (one export and one
  import at a time per connection, across every worker), ``ix_jobs_queue`` for the claim's order;
* ``call_windows`` and ``call_leases``: each tenant's call budget, shared by every worker.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import ledgerbridge.store.db

revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None

RUNNING = "status IN ('claimed', 'running')"


def upgrade() -> None:
    with op.batch_alter_table('jobs', schema=None) as batch_op:
        batch_op.add_column(sa.Column('lane', sa.String(length=10), nullable=False, server_default='export'))
        batch_op.add_column(sa.Column('priority', sa.Integer(), nullable=False, server_default='0'))
        batch_op.create_index('ix_jobs_queue', ['status', 'priority', 'id'], unique=False)
        batch_op.create_index('uq_jobs_running_lane', ['connection_id', 'lane'], unique=True,
                              sqlite_where=sa.text(RUNNING), postgresql_where=sa.text(RUNNING))
    op.create_table(
        'queued_records',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('job_id', sa.Integer(), nullable=False),
        sa.Column('connection_id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=20), nullable=False),
        sa.Column('record_type', sa.String(length=20), nullable=False),
        sa.Column('record_id', sa.Integer(), nullable=False),
        sa.Column('queued_at', ledgerbridge.store.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column('released_at', ledgerbridge.store.db.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(['connection_id'], ['connections.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['job_id'], ['jobs.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
    )
    with op.batch_alter_table('queued_records', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_queued_records_job_id'), ['job_id'], unique=False)
        batch_op.create_index('uq_queued_records_waiting', ['connection_id', 'kind', 'record_type', 'record_id'],
                              unique=True, sqlite_where=sa.text('released_at IS NULL'),
                              postgresql_where=sa.text('released_at IS NULL'))
    op.create_table(
        'call_windows',
        sa.Column('connection_id', sa.Integer(), nullable=False),
        sa.Column('minute_started', sa.Float(), nullable=False),
        sa.Column('minute_used', sa.Integer(), nullable=False),
        sa.Column('second_started', sa.Float(), nullable=False),
        sa.Column('second_used', sa.Integer(), nullable=False),
        sa.Column('batch_minute_started', sa.Float(), nullable=False),
        sa.Column('batch_minute_used', sa.Integer(), nullable=False),
        sa.Column('day_started', sa.Float(), nullable=False),
        sa.Column('day_used', sa.Integer(), nullable=False),
        sa.Column('blocked_until', sa.Float(), nullable=False),
        sa.Column('updated_at', ledgerbridge.store.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['connection_id'], ['connections.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('connection_id'),
    )
    op.create_table(
        'call_leases',
        sa.Column('connection_id', sa.Integer(), nullable=False),
        sa.Column('slot', sa.Integer(), nullable=False),
        sa.Column('holder', sa.String(length=120), nullable=True),
        sa.Column('lease_until', sa.Float(), nullable=False),
        sa.ForeignKeyConstraint(['connection_id'], ['connections.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('connection_id', 'slot'),
    )


def downgrade() -> None:
    op.drop_table('call_leases')
    op.drop_table('call_windows')
    with op.batch_alter_table('queued_records', schema=None) as batch_op:
        batch_op.drop_index('uq_queued_records_waiting', sqlite_where=sa.text('released_at IS NULL'),
                            postgresql_where=sa.text('released_at IS NULL'))
        batch_op.drop_index(batch_op.f('ix_queued_records_job_id'))
    op.drop_table('queued_records')
    with op.batch_alter_table('jobs', schema=None) as batch_op:
        batch_op.drop_index('uq_jobs_running_lane', sqlite_where=sa.text(RUNNING), postgresql_where=sa.text(RUNNING))
        batch_op.drop_index('ix_jobs_queue')
        batch_op.drop_column('priority')
        batch_op.drop_column('lane')
