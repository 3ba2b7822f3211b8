"""document numbering (issue 15, R-N1): sequences, device blocks, numbers handed out, gaps, the package's numbers

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-07 23:00:00.000000

``number_sequences`` (the counter row each reservation locks), ``number_blocks`` (a device's 25 numbers),
``issued_numbers`` (unique on sequence and number: never handed out twice), ``number_gaps`` (with their cause) and
``package_numbers`` (numbers the package already holds, skipped). New tables: nothing existing changes, and
downgrade drops them.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import ledgerbridge.store.db

revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None

UTC = ledgerbridge.store.db.UTCDateTime


def upgrade() -> None:
    op.create_table(
        'number_sequences',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('organisation_id', sa.Integer(), nullable=False),
        sa.Column('document_type', sa.String(length=30), nullable=False),
        sa.Column('prefix', sa.String(length=20), nullable=False),
        sa.Column('next_number', sa.Integer(), nullable=False),
        sa.Column('created_at', UTC(timezone=True), nullable=False),
        sa.Column('updated_at', UTC(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id']),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('organisation_id', 'document_type'),
    )
    op.create_table(
        'number_blocks',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('sequence_id', sa.Integer(), nullable=False),
        sa.Column('device_id', sa.String(length=100), nullable=False),
        sa.Column('first_number', sa.Integer(), nullable=False),
        sa.Column('last_number', sa.Integer(), nullable=False),
        sa.Column('size', sa.Integer(), nullable=False),
        sa.Column('reserved_at', UTC(timezone=True), nullable=False),
        sa.Column('closed_at', UTC(timezone=True), nullable=True),
        sa.Column('closed_cause', sa.String(length=20), nullable=True),
        sa.ForeignKeyConstraint(['sequence_id'], ['number_sequences.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
    )
    with op.batch_alter_table('number_blocks', schema=None) as batch_op:
        batch_op.create_index('ix_number_blocks_seq_device', ['sequence_id', 'device_id'], unique=False)
    op.create_table(
        'issued_numbers',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('sequence_id', sa.Integer(), nullable=False),
        sa.Column('number', sa.Integer(), nullable=False),
        sa.Column('text', sa.String(length=40), nullable=False),
        sa.Column('state', sa.String(length=10), nullable=False),
        sa.Column('block_id', sa.Integer(), nullable=True),
        sa.Column('document_host_id', sa.String(length=100), nullable=True),
        sa.Column('issued_at', UTC(timezone=True), nullable=False),
        sa.Column('used_at', UTC(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(['block_id'], ['number_blocks.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['sequence_id'], ['number_sequences.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('sequence_id', 'number'),
    )
    with op.batch_alter_table('issued_numbers', schema=None) as batch_op:
        batch_op.create_index('ix_issued_numbers_block', ['block_id'], unique=False)
    op.create_table(
        'number_gaps',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('sequence_id', sa.Integer(), nullable=False),
        sa.Column('first_number', sa.Integer(), nullable=False),
        sa.Column('last_number', sa.Integer(), nullable=False),
        sa.Column('cause', sa.String(length=20), nullable=False),
        sa.Column('device_id', sa.String(length=100), nullable=True),
        sa.Column('detail', sa.String(length=255), nullable=True),
        sa.Column('recorded_at', UTC(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['sequence_id'], ['number_sequences.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
    )
    with op.batch_alter_table('number_gaps', schema=None) as batch_op:
        batch_op.create_index('ix_number_gaps_seq_first', ['sequence_id', 'first_number'], unique=False)
    op.create_table(
        'package_numbers',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('organisation_id', sa.Integer(), nullable=False),
        sa.Column('document_type', sa.String(length=30), nullable=False),
        sa.Column('number', sa.String(length=255), nullable=False),
        sa.Column('source', sa.String(length=20), nullable=False),
        sa.Column('connection_id', sa.Integer(), nullable=True),
        sa.Column('recorded_at', UTC(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['connection_id'], ['connections.id'], ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id']),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('organisation_id', 'document_type', 'number'),
    )


def downgrade() -> None:
    op.drop_table('package_numbers')
    with op.batch_alter_table('number_gaps', schema=None) as batch_op:
        batch_op.drop_index('ix_number_gaps_seq_first')
    op.drop_table('number_gaps')
    with op.batch_alter_table('issued_numbers', schema=None) as batch_op:
        batch_op.drop_index('ix_issued_numbers_block')
    op.drop_table('issued_numbers')
    with op.batch_alter_table('number_blocks', schema=None) as batch_op:
        batch_op.drop_index('ix_number_blocks_seq_device')
    op.drop_table('number_blocks')
    op.drop_table('number_sequences')
